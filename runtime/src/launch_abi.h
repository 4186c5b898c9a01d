// The launch ABI, checked when a function is loaded: the parameters the
// runtime packs (PackParameters: the launch arguments not compiled in, then
// the global and profile scratch pointers) against those the driver says the
// loaded function takes. A Triton that changed the kernel signature (another
// number of hidden parameters, say) is then an error at load, not a launch
// that reads its arguments from the wrong bytes.
#pragma once

#include <cuda.h>

#include <cstddef>
#include <string>
#include <vector>

#include "cuda_driver.h"
#include "triton_aot/kernel_image.h"
#include "triton_aot/status.h"

namespace triton_aot::internal {

// Bytes of each hidden pointer Triton appends (global scratch, profile scratch).
constexpr std::size_t kHiddenPointerBytes = 8;

struct ParameterLayout {
  std::string name;  // the launch argument's, or "global scratch" / "profile scratch"
  std::size_t offset = 0;
  std::size_t size = 0;
};

// The parameters PackParameters passes for `image`, each at the next offset
// aligned to its size (natural alignment, as the CUDA ABI lays them out).
// `image.arg_bytes` must not be null.
std::vector<ParameterLayout> PackedLayout(const KernelImage& image);

// Whether `function`'s parameters are those PackedLayout(image) describes:
// an error naming the first parameter that differs (expected and found), or
// the counts. Skipped (ok) where the driver cannot tell (no
// cuFuncGetParamInfo, before CUDA 12.4) and for tables without arg_bytes.
Status CheckLaunchAbi(const CudaDriver* driver, const KernelImage& image, CUfunction function);

}  // namespace triton_aot::internal

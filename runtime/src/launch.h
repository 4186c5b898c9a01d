// Launching a loaded variant: scratch memory, the parameter array, the
// launch attributes Triton compiled for; and the per-thread fast path that
// finds a loaded variant without the cache's lock.
#pragma once

#include <cuda.h>

#include <cstddef>
#include <cstdint>

#include "cuda_driver.h"
#include "module_cache.h"
#include "triton_aot/grid.h"
#include "triton_aot/kernel_image.h"
#include "triton_aot/status.h"

namespace triton_aot::internal {

// Launches `loaded` (variant `image` of kernel `kernel`) on `stream` with
// the launch arguments `params` over `grid`, which ResolveGrid checked and
// which is not empty.
Status LaunchLoaded(const CudaDriver* driver, const char* kernel, const KernelImage& image,
                    const LoadedVariant& loaded, CUstream stream, void* const* params, const Grid& grid);

// The fast path: launches variant `index` if it is already loaded in the
// current context, found in what this thread launched last for the kernel
// with `kernel_serial` (no lock) or else in `cache` (a shared lock). Returns
// false, having done nothing, when it is not loaded there (or no context is
// current): the caller loads it. `*status` is the launch's when it returns true.
bool LaunchIfLoaded(const CudaDriver* driver, const char* kernel, const KernelImage* variants,
                    const ModuleCache& cache, std::uint64_t kernel_serial, std::size_t index, CUstream stream,
                    void* const* params, const Grid& grid, Status* status);

}  // namespace triton_aot::internal

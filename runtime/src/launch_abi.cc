#include "launch_abi.h"

namespace triton_aot::internal {
namespace {

// No kernel has this many parameters (the CUDA limit is 32764 bytes of them):
// a bound on the count loop should a driver never say "no more".
constexpr std::size_t kMaxParameters = 32768;

std::string Describe(std::size_t offset, std::size_t size) {
  return "offset " + std::to_string(offset) + ", size " + std::to_string(size);
}

}  // namespace

std::vector<ParameterLayout> PackedLayout(const KernelImage& image) {
  std::vector<ParameterLayout> layout;
  std::size_t end = 0;
  auto add = [&](std::string name, std::size_t size) {
    const std::size_t align = size == 0 ? 1 : size;
    const std::size_t offset = (end + align - 1) / align * align;
    layout.push_back({std::move(name), offset, size});
    end = offset + size;
  };
  for (std::size_t i = 0; i < image.num_args; ++i) {
    if (image.arg_hints[i] == ArgHint::kEqualToOne) continue;  // compiled in, not passed
    add(image.arg_names ? image.arg_names[i] : "argument " + std::to_string(i), image.arg_bytes[i]);
  }
  add("global scratch", kHiddenPointerBytes);
  add("profile scratch", kHiddenPointerBytes);
  return layout;
}

Status CheckLaunchAbi(const CudaDriver* driver, const KernelImage& image, CUfunction function) {
  if (!driver->cuFuncGetParamInfo || !image.arg_bytes) return {};
  const std::vector<ParameterLayout> expected = PackedLayout(image);
  std::vector<ParameterLayout> found;
  for (std::size_t index = 0; index < kMaxParameters; ++index) {
    std::size_t offset = 0, size = 0;
    const CUresult rc = driver->cuFuncGetParamInfo(function, index, &offset, &size);
    if (rc == CUDA_ERROR_INVALID_VALUE) break;  // past the last parameter
    if (rc == CUDA_ERROR_NOT_SUPPORTED) return {};  // the driver cannot tell for this function
    if (rc != CUDA_SUCCESS) {
      return Status(rc, "cannot check the launch ABI: cuFuncGetParamInfo(" + std::to_string(index) +
                            "): " + ErrorText(driver, rc));
    }
    found.push_back({"", offset, size});
  }
  if (found.size() != expected.size()) {
    return Status(CUDA_ERROR_INVALID_IMAGE,
                  "launch ABI mismatch: expected " + std::to_string(expected.size()) + " parameters (" +
                      std::to_string(expected.size() - 2) + (expected.size() == 3 ? " passed argument" : " passed arguments") +
                      ", then global scratch and profile scratch pointers), found " + std::to_string(found.size()) +
                      ": built by a Triton whose kernels take other hidden parameters, or from another signature; "
                      "rebuild the kernels with the Triton this runtime supports");
  }
  for (std::size_t index = 0; index < expected.size(); ++index) {
    const ParameterLayout& want = expected[index];
    const ParameterLayout& got = found[index];
    if (want.offset != got.offset || want.size != got.size) {
      return Status(CUDA_ERROR_INVALID_IMAGE, "launch ABI mismatch at parameter " + std::to_string(index) + " (" +
                                                  want.name + "): expected " + Describe(want.offset, want.size) +
                                                  ", found " + Describe(got.offset, got.size) +
                                                  "; the generated code and the kernel disagree: rebuild them");
    }
  }
  return {};
}

}  // namespace triton_aot::internal

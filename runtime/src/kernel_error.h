// Errors of one kernel's calls: every message starts with the kernel's name,
// so that a program with many kernels says which one failed.
#pragma once

#include <cuda.h>

#include <string>

#include "cuda_driver.h"
#include "triton_aot/status.h"

namespace triton_aot::internal {

inline Status KernelError(const char* kernel, CUresult code, const std::string& message) {
  return Status(code, std::string(kernel) + ": " + message);
}

// "<kernel>: <what>: CUDA_ERROR_... (text)"
inline Status DriverError(const CudaDriver* driver, const char* kernel, CUresult code, const std::string& what) {
  return KernelError(kernel, code, what + ": " + ErrorText(driver, code));
}

}  // namespace triton_aot::internal

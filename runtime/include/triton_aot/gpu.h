// Whether this machine can run kernels at all, for programs and tests that
// want to know before they launch: a machine without a GPU is not an error
// to them, a GPU whose driver fails is.
#pragma once

#include <string>

namespace triton_aot {

enum class GpuAvailability {
  kReady,     // the CUDA driver works and sees at least one GPU
  kNoDriver,  // no CUDA driver is installed (no libcuda.so.1, or only the CUDA toolkit's stub of it)
  kNoDevice,  // the driver is installed but sees no GPU
  kBroken,    // a driver and a GPU are there, but the driver fails: too old, or at odds with its kernel module
};

// What this machine has; `*why` (may be null) says what was found, in words.
GpuAvailability CheckGpu(std::string* why = nullptr);

}  // namespace triton_aot

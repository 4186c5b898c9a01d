// The CUDA driver API, opened at run time: a program that links generated
// kernels starts on machines without the NVIDIA driver, and its launches
// return an error that says so.
#pragma once

#include <cuda.h>

#include <cstddef>
#include <string>

#include "triton_aot/gpu.h"

namespace triton_aot::internal {

struct CudaDriver {
#define TRITON_AOT_DRIVER_FUNCTION(name) decltype(&::name) name = nullptr;
#include "cuda_driver_functions.inc"
#undef TRITON_AOT_DRIVER_FUNCTION
  // Optional: nullptr where the driver lacks it (before CUDA 12.4), and the
  // check that uses it is skipped. Spelled out rather than decltype'd so that
  // the runtime builds against CUDA headers older than the entry point.
  CUresult (*cuFuncGetParamInfo)(CUfunction function, std::size_t index, std::size_t* offset,
                                 std::size_t* size) = nullptr;
  int version = 0;  // cuDriverGetVersion: 1000 * major + 10 * minor
};

// The driver, loaded and initialised once; nullptr with `*why` when it can't
// be. `*availability`, if asked for, says whether there is no driver, no GPU
// or a driver that fails (kReady once loaded: the devices are not counted).
const CudaDriver* GetDriver(std::string* why, GpuAvailability* availability = nullptr);

// Makes GetDriver return `driver` instead of the one opened from libcuda
// (nullptr: that one again), so that tests and embedding programs can run the
// runtime on a table of their own. Call it while no launch is in flight.
void SetCudaDriverForTesting(const CudaDriver* driver);

// "CUDA_ERROR_OUT_OF_MEMORY (out of memory)"
std::string ErrorText(const CudaDriver* driver, CUresult code);

}  // namespace triton_aot::internal

// Skips a GPU test only where there is no GPU to run on: no CUDA driver, or a
// driver that finds no device. A driver that fails in any other way (too old,
// at odds with its kernel module) fails the test: on a GPU machine nothing
// may pass by skipping.
#pragma once

#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <string>

#include <triton_aot/gpu.h>

#define REQUIRE_GPUS(n)                                                                                 \
  do {                                                                                                  \
    std::string why_;                                                                                   \
    switch (triton_aot::CheckGpu(&why_)) {                                                              \
      case triton_aot::GpuAvailability::kNoDriver:                                                      \
      case triton_aot::GpuAvailability::kNoDevice: GTEST_SKIP() << why_;                                \
      case triton_aot::GpuAvailability::kBroken: FAIL() << "a GPU is there, but " << why_;              \
      case triton_aot::GpuAvailability::kReady: break;                                                  \
    }                                                                                                   \
    int count_ = 0;                                                                                     \
    const cudaError_t error_ = cudaGetDeviceCount(&count_);                                             \
    ASSERT_EQ(error_, cudaSuccess) << "the CUDA runtime fails where the driver works: "                 \
                                   << cudaGetErrorString(error_);                                       \
    if (count_ < (n)) GTEST_SKIP() << "needs " << (n) << " GPUs, this machine has " << count_;          \
    ASSERT_EQ(cudaSetDevice(0), cudaSuccess);                                                           \
  } while (0)

// Kernels in kernel libraries' styles (tests/gpu/kernel_styles.py) on a real
// GPU: a grid over launch parameters, the caller's grid, and what a module
// read from Triton's driver at import. Skips without a GPU.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include <gpu_test_kernels/kernel_styles.h>

#include "require_gpus.h"

namespace {

namespace kernels = gpu_test::kernel_styles;

template <typename T>
T* DeviceCopy(const std::vector<T>& host) {
  T* data = nullptr;
  EXPECT_EQ(cudaMalloc(reinterpret_cast<void**>(&data), host.size() * sizeof(T)), cudaSuccess);
  EXPECT_EQ(cudaMemcpy(data, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
  return data;
}

template <typename T>
std::vector<T> HostCopy(const T* data, size_t size) {
  std::vector<T> host(size);
  EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_EQ(cudaMemcpy(host.data(), data, size * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
  return host;
}

TEST(GpuKernelStyles, RowWiseGridsFromALaunchParameterAndFromTheCaller) {
  REQUIRE_GPUS(1);
  const int rows = 777, cols = 1000, stride = 1024;
  std::vector<float> x(static_cast<size_t>(rows) * stride, 0.0f), sums(rows, 0.0f);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) x[static_cast<size_t>(r) * stride + c] = static_cast<float>((r + c) % 7);
  }
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) sums[r] += x[static_cast<size_t>(r) * stride + c];
  }
  float* dx = DeviceCopy(x);
  float* out = DeviceCopy(std::vector<float>(rows, -1.0f));
  triton_aot::Status status = kernels::row_sum(nullptr, dx, out, stride, cols, /*n_rows=*/rows);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(HostCopy(out, rows), sums) << "small integers sum exactly";
  ASSERT_EQ(cudaMemset(out, 0, rows * sizeof(float)), cudaSuccess);
  status = kernels::row_sum_given_grid(triton_aot::Grid{rows, 1, 1}, nullptr, dx, out, stride, cols);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(HostCopy(out, rows), sums);
  cudaFree(dx);
  cudaFree(out);
}

// The build had no GPU to ask: the kernel holds the build-time table's
// answers for the arch it runs, sm_90's on an H100 or H200 (132 SMs).
TEST(GpuKernelStyles, WhatTheModuleAskedAtImportIsTheArchsAnswer) {
  REQUIRE_GPUS(1);
  int major = 0, minor = 0;
  ASSERT_EQ(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, 0), cudaSuccess);
  ASSERT_EQ(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, 0), cudaSuccess);
  std::int32_t* out = DeviceCopy(std::vector<std::int32_t>{-1, -1});
  const triton_aot::Status status = kernels::build_target(nullptr, out);
  ASSERT_TRUE(status.ok()) << status.message();
  const std::vector<std::int32_t> got = HostCopy(out, 2);
  cudaFree(out);
  if (major * 10 + minor != 90) GTEST_SKIP() << "the expected values here are sm_90's";
  EXPECT_EQ(got[0], 132);
  EXPECT_EQ(got[1], 90);
}

}  // namespace

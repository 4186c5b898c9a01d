// Autotuning kernels that read what they write, on a real GPU: with
// reset_to_zero and restore_value the autotuner runs every config several
// times on the caller's buffers, yet leaves them as one run of the chosen
// config would (as Triton's Autotuner does). Skips without a GPU.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gpu_test_kernels/autotune_buffers.h>

#include "require_gpus.h"

namespace {

namespace kernels = gpu_test::autotune_buffers;

constexpr int kBins = 64;  // the spec's BINS

template <typename T>
struct Device {
  T* data = nullptr;
  size_t size;
  explicit Device(const std::vector<T>& host) : size(host.size()) {
    EXPECT_EQ(cudaMalloc(reinterpret_cast<void**>(&data), size * sizeof(T)), cudaSuccess);
    Upload(host);
  }
  ~Device() { cudaFree(data); }
  void Upload(const std::vector<T>& host) {
    EXPECT_EQ(cudaMemcpy(data, host.data(), size * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
  }
  std::vector<T> Download() const {
    std::vector<T> host(size);
    EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    EXPECT_EQ(cudaMemcpy(host.data(), data, size * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
    return host;
  }
};

TEST(GpuAutotuneBuffers, ResetToZeroLeavesTheSumsOfOneRun) {
  REQUIRE_GPUS(1);
  const int n = 1 << 20;
  std::vector<std::int32_t> x(n);
  std::mt19937 rng(5);
  std::uniform_int_distribution<std::int32_t> values(-100, 100);
  std::vector<std::int32_t> once(kBins, 0);
  for (int i = 0; i < n; ++i) once[i % kBins] += x[i] = values(rng);
  Device<std::int32_t> dx(x), sums(std::vector<std::int32_t>(kBins, 7));
  triton_aot::Kernel& kernel = kernels::accumulate_kernel();
  kernel.SetAutotune(true);
  // The caller's 7s are zeroed before the launch too: Triton's reset_to_zero.
  triton_aot::Status status = kernels::accumulate(nullptr, dx.data, sums.data, n);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(sums.Download(), once) << "each trial must start from zero, and the launch too";
  const std::int64_t key[] = {n};
  const triton_aot::ArgValue args[] = {triton_aot::ArgValue::Pointer(reinterpret_cast<CUdeviceptr>(dx.data)),
                                       triton_aot::ArgValue::Pointer(reinterpret_cast<CUdeviceptr>(sums.data)),
                                       triton_aot::ArgValue::Integer(n)};
  EXPECT_GE(kernel.TunedVariant(key, 1, args), 0) << "the configs were timed";
  // A tuned key is one launch on the buffer as it is, as in Triton.
  ASSERT_TRUE(kernels::accumulate(nullptr, dx.data, sums.data, n).ok());
  std::vector<std::int32_t> twice = once;
  for (std::int32_t& sum : twice) sum *= 2;
  EXPECT_EQ(sums.Download(), twice);
  // The same as one untuned run of each config.
  kernel.SetAutotune(false);
  for (int config = 0; config < 3; ++config) {
    sums.Upload(std::vector<std::int32_t>(kBins, 0));
    triton_aot::LaunchOptions options;
    options.config = config;
    ASSERT_TRUE(kernels::accumulate(nullptr, dx.data, sums.data, n, options).ok());
    EXPECT_EQ(sums.Download(), once) << "config " << config;
  }
}

TEST(GpuAutotuneBuffers, RestoreValueLetsAKernelUpdateItsInputInPlace) {
  REQUIRE_GPUS(1);
  const int n = (1 << 20) + 3;
  std::vector<float> x(n), once(n);
  std::mt19937 rng(6);
  std::uniform_real_distribution<float> values(-1, 1);
  for (int i = 0; i < n; ++i) once[i] = (x[i] = values(rng)) * 2.0f + 1.0f;
  Device<float> dx(x);
  triton_aot::Kernel& kernel = kernels::scale_in_place_kernel();
  kernel.SetAutotune(true);
  triton_aot::Status status = kernels::scale_in_place(nullptr, dx.data, n);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(dx.Download(), once) << "each trial must see the caller's values, and the launch too";
  kernel.SetAutotune(false);
}

TEST(GpuAutotuneBuffers, ASizeBeyondTheAllocationFailsTuningAndRunsNothing) {
  REQUIRE_GPUS(1);
  const std::vector<float> x(1024, 3.0f);
  Device<float> dx(x);
  triton_aot::Kernel& kernel = kernels::scale_in_place_kernel();
  kernel.SetAutotune(true);
  const int n = 1 << 24;  // elements; the buffer holds 1024
  triton_aot::Status status = kernels::scale_in_place(nullptr, dx.data, n);
  kernel.SetAutotune(false);
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_NE(status.message().find("autotune_buffers.scale_in_place: autotuning: buffer_sizes gives restore_value "
                                  "buffer 'x_ptr' 67108864 bytes (16777216 elements), but its allocation holds only "),
            std::string::npos)
      << status.message();
  EXPECT_EQ(dx.Download(), x) << "nothing may run on a buffer whose size is wrong";
}

}  // namespace

// Launches the examples' generated kernels on real GPUs: results against the
// CPU, variant choice, errors, unloading, threads, two devices, and the
// autotuner. Every test skips, saying why, where there is no GPU; a GPU whose
// driver fails fails them.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gpu_test_kernels/alignment.h>
#include <matmul_kernels/matmul.h>
#include <softmax_kernels/softmax.h>
#include <vector_add_kernels/vector_add.h>

#include "require_gpus.h"
#include "test_support.h"

namespace {

using triton_aot::testing::TempDir;

template <typename T>
struct Buffer {
  T* data = nullptr;
  size_t size;
  explicit Buffer(size_t n) : size(n) { EXPECT_EQ(cudaMalloc(reinterpret_cast<void**>(&data), n * sizeof(T)), cudaSuccess); }
  explicit Buffer(const std::vector<T>& host) : Buffer(host.size()) {
    EXPECT_EQ(cudaMemcpy(data, host.data(), size * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
  }
  ~Buffer() { cudaFree(data); }
  std::vector<T> Download() const {
    std::vector<T> host(size);
    EXPECT_EQ(cudaMemcpy(host.data(), data, size * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
    return host;
  }
};

std::vector<float> Random(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// Runs axpy on fresh data with the given element offset (0 keeps pointers
// 16-byte aligned; 1 does not) and returns the largest error.
double AxpyError(int n, int offset, unsigned seed, cudaStream_t stream = nullptr,
                 const triton_aot::LaunchOptions& options = {}, triton_aot::Status* status_out = nullptr) {
  std::vector<float> x = Random(n + offset, seed), y = Random(n + offset, seed + 1);
  Buffer<float> dx(x), dy(y), dout(n + offset);
  const float alpha = 0.75f;
  triton_aot::Status status = examples::vector_add::axpy(reinterpret_cast<CUstream>(stream), dx.data + offset,
                                                         dy.data + offset, dout.data + offset, alpha, n, options);
  if (status_out) *status_out = status;
  if (!status.ok()) return INFINITY;
  cudaStreamSynchronize(stream);
  std::vector<float> out = dout.Download();
  double worst = 0;
  for (int i = 0; i < n; ++i) {
    const double expected = double(alpha) * x[i + offset] + y[i + offset];
    worst = std::isnan(out[i + offset]) ? INFINITY : std::max(worst, std::fabs(out[i + offset] - expected));
  }
  return worst;
}

TEST(GpuLaunch, AlignedAndUnalignedArgumentsBothComputeAxpy) {
  REQUIRE_GPUS(1);
  EXPECT_LT(AxpyError(4096 + 64, 0, 1), 1e-6);
  EXPECT_LT(AxpyError(4099, 1, 2), 1e-6);  // pointers off by 4 bytes: the generic variant
}

// Pointers and sizes at 1, 2, 4 and 8 bytes from a multiple of 16 get the
// generic variant, which copies them right; only multiples of 16 get the
// aligned one.
TEST(GpuLaunch, EveryAlignmentGetsAVariantWhosePromisesHold) {
  REQUIRE_GPUS(1);
  const int size = 1 << 16;
  std::vector<std::uint8_t> host(size + 64);
  for (size_t i = 0; i < host.size(); ++i) host[i] = static_cast<std::uint8_t>(i * 131 + 7);
  Buffer<std::uint8_t> src(host);
  for (int pointer_offset : {0, 1, 2, 4, 8}) {
    for (int size_offset : {0, 1, 2, 4, 8}) {
      Buffer<std::uint8_t> dst(std::vector<std::uint8_t>(host.size(), 0));
      const int n = size + size_offset;
      std::uint8_t* from = src.data + pointer_offset;
      std::uint8_t* to = dst.data + pointer_offset;
      const triton_aot::ArgValue args[] = {triton_aot::ArgValue::Pointer(reinterpret_cast<CUdeviceptr>(from)),
                                           triton_aot::ArgValue::Pointer(reinterpret_cast<CUdeviceptr>(to)),
                                           triton_aot::ArgValue::Integer(n)};
      std::size_t index = 99;
      ASSERT_TRUE(gpu_test::alignment::copy_bytes_kernel().Choose(args, {}, &index).ok());
      const bool aligned = pointer_offset == 0 && size_offset == 0;
      EXPECT_EQ(std::string(gpu_test::alignment::copy_bytes_variants[index].variant), aligned ? "aligned" : "generic")
          << "pointers at +" << pointer_offset << ", n " << n;
      const triton_aot::Status status = gpu_test::alignment::copy_bytes(nullptr, from, to, n);
      ASSERT_TRUE(status.ok()) << status.message();
      ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
      const std::vector<std::uint8_t> copied = dst.Download();
      for (size_t i = 0; i < copied.size(); ++i) {
        const bool inside = i >= size_t(pointer_offset) && i < size_t(pointer_offset + n);
        if (copied[i] != (inside ? host[i] : 0)) {
          ADD_FAILURE() << "pointers at +" << pointer_offset << ", n " << n << ": byte " << i << " is "
                        << int(copied[i]);
          break;
        }
      }
    }
  }
}

TEST(GpuLaunch, ForcingAVariantWhosePromiseFailsIsAClearError) {
  REQUIRE_GPUS(1);
  triton_aot::LaunchOptions options;
  options.variant = "aligned";
  triton_aot::Status status;
  AxpyError(4099, 1, 3, nullptr, options, &status);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_NE(status.message().find("vector_add.axpy"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("divisible by 16"), std::string::npos) << status.message();
}

TEST(GpuLaunch, ExplicitGridOverloadRunsOnlyThoseBlocks) {
  REQUIRE_GPUS(1);
  const int n = 8192;
  std::vector<float> x = Random(n, 4), y = Random(n, 5);
  Buffer<float> dx(x), dy(y), dout(std::vector<float>(n, -7.0f));
  // BLOCK is 1024: two blocks cover the first 2048 elements only.
  ASSERT_TRUE(examples::vector_add::axpy(triton_aot::Grid{2, 1, 1}, nullptr, dx.data, dy.data, dout.data, 1.0f, n).ok());
  std::vector<float> out = dout.Download();
  EXPECT_FLOAT_EQ(out[2047], x[2047] + y[2047]);
  EXPECT_EQ(out[2048], -7.0f);
}

TEST(GpuLaunch, UnloadThenLaunchLoadsAgain) {
  REQUIRE_GPUS(1);
  EXPECT_LT(AxpyError(4096, 0, 6), 1e-6);
  ASSERT_TRUE(examples::vector_add::axpy_kernel().Unload().ok());
  EXPECT_LT(AxpyError(4096, 0, 7), 1e-6);
  ASSERT_TRUE(triton_aot::UnloadAll().ok());
  EXPECT_LT(AxpyError(4096, 0, 8), 1e-6);
}

TEST(GpuLaunch, ManyThreadsLaunchTheSameKernelsAtOnce) {
  REQUIRE_GPUS(1);
  ASSERT_TRUE(triton_aot::UnloadAll().ok());  // the threads race to load, too
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t, &failures] {
      cudaSetDevice(0);
      cudaStream_t stream;
      cudaStreamCreate(&stream);
      for (int i = 0; i < 20; ++i) {
        if (!(AxpyError(1000 + 16 * t + i, i % 2, 100 * t + i, stream) < 1e-6)) ++failures;
      }
      cudaStreamDestroy(stream);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(GpuLaunch, TwoDevicesFromTwoThreads) {
  REQUIRE_GPUS(2);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int device = 0; device < 2; ++device) {
    threads.emplace_back([device, &failures] {
      if (cudaSetDevice(device) != cudaSuccess) {
        ++failures;
        return;
      }
      for (int i = 0; i < 10; ++i) {
        if (!(AxpyError(1 << 16, i % 2, 1000 * device + i) < 1e-6)) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(GpuLaunch, SoftmaxRowsSumToOne) {
  REQUIRE_GPUS(1);
  const int rows = 64, cols = 2500;
  std::vector<float> in = Random(size_t(rows) * cols, 9);
  Buffer<float> din(in), dout(in.size());
  ASSERT_TRUE(examples::softmax::softmax(nullptr, dout.data, din.data, cols, cols, rows, cols).ok());
  std::vector<float> out = dout.Download();
  for (int r = 0; r < rows; ++r) {
    double sum = 0;
    for (int c = 0; c < cols; ++c) sum += out[size_t(r) * cols + c];
    EXPECT_NEAR(sum, 1.0, 1e-4) << "row " << r;
  }
}

// The key the generated matmul launcher passes: (M, N, K).
struct MatmulCase {
  int m = 256, n = 192, k = 128;
  std::vector<triton_aot::float16> a, b;
  Buffer<triton_aot::float16> da, db;
  Buffer<float> dc;
  MatmulCase() : a(size_t(256) * 128, {0x3c00}), b(size_t(128) * 192, {0x3c00}), da(a), db(b), dc(size_t(256) * 192) {}
  triton_aot::Status Launch(const triton_aot::LaunchOptions& options = {}) {
    return examples::matmul::matmul(nullptr, da.data, db.data, dc.data, m, n, k, k, 1, n, 1, n, 1, options);
  }
  std::vector<triton_aot::ArgValue> Args() const {
    std::vector<triton_aot::ArgValue> args = {triton_aot::ArgValue::Pointer(reinterpret_cast<CUdeviceptr>(da.data)),
                                              triton_aot::ArgValue::Pointer(reinterpret_cast<CUdeviceptr>(db.data)),
                                              triton_aot::ArgValue::Pointer(reinterpret_cast<CUdeviceptr>(dc.data))};
    for (int v : {m, n, k, k, 1, n, 1, n, 1}) args.push_back(triton_aot::ArgValue::Integer(v));
    return args;
  }
  bool AllEqualK() {
    cudaDeviceSynchronize();
    for (float v : dc.Download()) {
      if (v != float(k)) return false;
    }
    return true;
  }
};

TEST(GpuLaunch, EveryMatmulConfigIncludingTheOneOver48KiBOfSharedMemory) {
  REQUIRE_GPUS(1);
  MatmulCase c;  // all-ones inputs: every output is exactly K
  for (int config = 0; config < 4; ++config) {
    triton_aot::LaunchOptions options;
    options.config = config;
    ASSERT_TRUE(c.Launch(options).ok()) << config;
    EXPECT_TRUE(c.AllEqualK()) << "config " << config;
  }
}

TEST(GpuLaunch, AutotunerChoosesOnceAndItsTableReloads) {
  REQUIRE_GPUS(1);
  MatmulCase c;
  triton_aot::Kernel& kernel = examples::matmul::matmul_kernel();
  const std::int64_t key[] = {c.m, c.n, c.k};
  const std::vector<triton_aot::ArgValue> args = c.Args();
  kernel.SetAutotune(true);
  ASSERT_TRUE(c.Launch().ok());
  EXPECT_TRUE(c.AllEqualK());
  const int winner = kernel.TunedVariant(key, 3, args.data());
  ASSERT_GE(winner, 0);
  EXPECT_EQ(std::string(examples::matmul::matmul_variants[winner].variant).rfind("rowmajor_config", 0), 0u);

  TempDir dir;
  ASSERT_TRUE(kernel.SaveAutotuneTable(dir / "table").ok());
  const std::string table = triton_aot::testing::ReadText(dir / "table");
  EXPECT_NE(table.find("matmul.matmul 256,192,128 rowmajor_config0 " +
                       std::string(examples::matmul::matmul_variants[winner].variant)),
            std::string::npos)
      << table;

  // A fresh kernel object over the same variants knows nothing until it loads the table.
  triton_aot::Kernel reloaded("matmul.matmul", examples::matmul::matmul_variants, examples::matmul::matmul_num_variants);
  EXPECT_EQ(reloaded.TunedVariant(key, 3, args.data()), -1);
  ASSERT_TRUE(reloaded.LoadAutotuneTable(dir / "table").ok());
  EXPECT_EQ(reloaded.TunedVariant(key, 3, args.data()), winner);
  kernel.SetAutotune(false);
}

TEST(GpuLaunch, ANewThreadWithoutAContextGetsAClearError) {
  REQUIRE_GPUS(1);
  std::thread([] {
    // No CUDA call has made a context current on this thread.
    triton_aot::Status status = examples::vector_add::axpy(nullptr, CUdeviceptr{0}, CUdeviceptr{0}, CUdeviceptr{0},
                                                           1.0f, 16);
    EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_CONTEXT);
    EXPECT_NE(status.message().find("no CUDA context is current"), std::string::npos) << status.message();
    // After cudaSetDevice the thread has the primary context, and launches work.
    cudaSetDevice(0);
    EXPECT_LT(AxpyError(1024, 0, 10), 1e-6);
  }).join();
}

}  // namespace

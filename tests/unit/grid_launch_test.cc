// Launch grids against a fake driver: each grid is computed as generated
// code computes it (the C++ GridExpr::ToCpp writes for the expression), and
// an impossible one is an error that names the kernel, the dimension, the
// expression and the values it read; an empty one launches nothing.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "fake_cuda_driver.h"
#include "runtime_test_kernels.h"

namespace triton_aot::testing {
namespace {

// The variants of k(x_ptr, n) with BLOCK=256 and the grid expressions given.
struct GridKernel {
  explicit GridKernel(const char* x, const char* y = "1", const char* z = "1") : expressions{x, y, z} {
    for (KernelImage& image : images) {
      image.grid = expressions;
      image.constexprs = "BLOCK=256";
    }
  }
  const char* expressions[3];
  KernelImage images[2] = {Image("aligned", kAlignedFatbin, kAligned), Image("generic", kGenericFatbin, kGeneric)};
  Kernel kernel{"mod.k", images, 2};
};

// A launch of k with argument n (`n_value`, as generated code passes it)
// over `dims`, or over `*given` if not null.
Status Launch(Kernel& kernel, ArgValue n_value, const grid::Dims& dims, const Grid* given = nullptr) {
  CUdeviceptr x_ptr = 0x10000;
  std::int64_t n = n_value.value;
  const ArgValue args[] = {ArgValue::Pointer(x_ptr), n_value};
  void* const params[] = {&x_ptr, &n};
  const grid::Dims grids[] = {dims, dims, dims};
  return kernel.Launch(nullptr, args, params, given, grids, nullptr, 0, {});
}

Status LaunchGiven(Kernel& kernel, Grid given) { return Launch(kernel, ArgValue::Integer(4096), {}, &given); }

TEST(GridLaunchTest, CdivOfInt64MaxIsTooLargeRatherThanNegative) {
  FakeCudaDriver cuda;
  GridKernel k("cdiv(n, BLOCK)");
  const std::int64_t n = INT64_MAX;
  Status status = Launch(k.kernel, ArgValue::Integer(n), {grid::cdiv(n, 256), 1, 1});
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(status.message(),
            "mod.k: grid dimension x = cdiv(n, BLOCK) is 36028797018963968, more than CUDA's limit of 2147483647 "
            "(n=9223372036854775807, BLOCK=256)");
  EXPECT_TRUE(cuda.calls.empty());
}

TEST(GridLaunchTest, AProductThatOverflowsIsAnErrorNotAnEmptyGrid) {
  FakeCudaDriver cuda;
  GridKernel k("n * n");
  const std::int64_t n = std::int64_t{1} << 32;
  Status status = Launch(k.kernel, ArgValue::Integer(n), {(grid::Int(n) * n), 1, 1});
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(status.message(), "mod.k: grid dimension x = n * n overflows 64 bits (n=4294967296)");
  EXPECT_TRUE(cuda.launches.empty());
}

TEST(GridLaunchTest, Int64MinFloorDividedByMinusOneOverflowsAndItsModuloIsZero) {
  FakeCudaDriver cuda;
  const std::int64_t n = INT64_MIN;
  GridKernel quotient("n // -1");
  Status status = Launch(quotient.kernel, ArgValue::Integer(n), {grid::floordiv(n, (-grid::Int(1))), 1, 1});
  EXPECT_EQ(status.message(), "mod.k: grid dimension x = n // -1 overflows 64 bits (n=-9223372036854775808)");
  GridKernel remainder("n % -1");
  EXPECT_TRUE(Launch(remainder.kernel, ArgValue::Integer(n), {grid::mod(n, (-grid::Int(1))), 1, 1}).ok());
  EXPECT_TRUE(cuda.calls.empty());  // Python's n % -1 is 0: an empty grid
}

TEST(GridLaunchTest, DivisionByZeroIsAnError) {
  FakeCudaDriver cuda;
  GridKernel k("cdiv(n, BLOCK - 256)");
  const std::int64_t n = 4096;
  Status status = Launch(k.kernel, ArgValue::Integer(n), {grid::cdiv(n, (grid::Int(256) - 256)), 1, 1});
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(status.message(), "mod.k: grid dimension x = cdiv(n, BLOCK - 256) divides by zero (n=4096, BLOCK=256)");
  EXPECT_TRUE(cuda.calls.empty());
}

TEST(GridLaunchTest, AnUnsignedArgumentAboveInt64MaxOverflows) {
  FakeCudaDriver cuda;
  GridKernel k("cdiv(n, BLOCK)");
  const std::uint64_t n = UINT64_MAX;  // a u64 argument: -1 as an int64
  Status status = Launch(k.kernel, ArgValue::Unsigned(n), {grid::cdiv(n, 256), 1, 1});
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(status.message(),
            "mod.k: grid dimension x = cdiv(n, BLOCK) overflows 64 bits (n=18446744073709551615, BLOCK=256)");
  EXPECT_TRUE(cuda.calls.empty());
}

TEST(GridLaunchTest, YAndZAbove65535AreRejectedAndTheLimitItselfLaunches) {
  FakeCudaDriver cuda;
  GridKernel k("1", "cdiv(n, BLOCK)");
  std::int64_t n = 65536 * 256;
  Status status = Launch(k.kernel, ArgValue::Integer(n), {1, grid::cdiv(n, 256), 1});
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(status.message(),
            "mod.k: grid dimension y = cdiv(n, BLOCK) is 65536, more than CUDA's limit of 65535 (n=16777216, "
            "BLOCK=256)");
  GridKernel z("1", "1", "n");
  EXPECT_EQ(Launch(z.kernel, ArgValue::Integer(65536), {1, 1, 65536}).message(),
            "mod.k: grid dimension z = n is 65536, more than CUDA's limit of 65535 (n=65536)");
  EXPECT_TRUE(cuda.launches.empty());
  n = 65535 * 256;
  ASSERT_TRUE(Launch(k.kernel, ArgValue::Integer(n), {1, grid::cdiv(n, 256), 1}).ok());
  ASSERT_EQ(cuda.launches.size(), 1u);
  EXPECT_EQ(cuda.launches[0].grid[1], 65535u);
}

TEST(GridLaunchTest, XAbove2To31Minus1IsRejectedAndTheLimitItselfLaunches) {
  FakeCudaDriver cuda;
  GridKernel k("n");
  std::int64_t n = std::int64_t{1} << 31;
  EXPECT_EQ(Launch(k.kernel, ArgValue::Integer(n), {n, 1, 1}).message(),
            "mod.k: grid dimension x = n is 2147483648, more than CUDA's limit of 2147483647 (n=2147483648)");
  EXPECT_TRUE(cuda.launches.empty());
  n -= 1;
  ASSERT_TRUE(Launch(k.kernel, ArgValue::Integer(n), {n, 1, 1}).ok());
  ASSERT_EQ(cuda.launches.size(), 1u);
  EXPECT_EQ(cuda.launches[0].grid[0], 2147483647u);
}

TEST(GridLaunchTest, AnEmptyGridIsANoOpThatCallsNoDriverFunction) {
  FakeCudaDriver cuda;
  cuda.context_current = false;  // not even a context is needed
  GridKernel k("cdiv(n, BLOCK)");
  EXPECT_TRUE(Launch(k.kernel, ArgValue::Integer(0), {grid::cdiv(0, 256), 1, 1}).ok());
  EXPECT_TRUE(LaunchGiven(k.kernel, {4, 0, 1}).ok());
  EXPECT_TRUE(LaunchGiven(k.kernel, {0, 65535, 65535}).ok());
  EXPECT_TRUE(cuda.calls.empty()) << cuda.calls.front();
  // The arguments are still checked: no variant accepting them is an error.
  GridKernel aligned_only("n");
  Kernel strict("mod.k", aligned_only.images, 1);
  Status status = Launch(strict, ArgValue::Integer(1), {0, 1, 1});
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_NE(status.message().find("no variant accepts these arguments"), std::string::npos) << status.message();
}

TEST(GridLaunchTest, ANegativeDimensionIsAnErrorEvenBesideAnEmptyOne) {
  FakeCudaDriver cuda;
  GridKernel k("n - 8192");
  const std::int64_t n = 4096;
  Status status = Launch(k.kernel, ArgValue::Integer(n), {(grid::Int(n) - 8192), 1, 1});
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(status.message(), "mod.k: grid dimension x = n - 8192 is -4096, less than 0 (n=4096)");
  GridKernel both("n", "n - 1");
  EXPECT_EQ(Launch(both.kernel, ArgValue::Integer(0), {0, (grid::Int(0) - 1), 1}).message(),
            "mod.k: grid dimension y = n - 1 is -1, less than 0 (n=0)");
  EXPECT_TRUE(cuda.calls.empty());
}

TEST(GridLaunchTest, AGridPassedInIsCheckedTheSameAndSaysSo) {
  FakeCudaDriver cuda;
  GridKernel k("cdiv(n, BLOCK)");
  Status status = LaunchGiven(k.kernel, {1, 70000, 1});
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(status.message(), "mod.k: grid dimension y (as passed) is 70000, more than CUDA's limit of 65535");
  EXPECT_EQ(LaunchGiven(k.kernel, {-1, 1, 1}).message(), "mod.k: grid dimension x (as passed) is -1, less than 0");
  EXPECT_TRUE(cuda.calls.empty());
  // The expression's grid is not used: a computed fault does not matter.
  const Grid given{3, 2, 1};
  ASSERT_TRUE(Launch(k.kernel, ArgValue::Integer(4096), {grid::cdiv(1, 0), 1, 1}, &given).ok());
  ASSERT_EQ(cuda.launches.size(), 1u);
  EXPECT_EQ(cuda.launches[0].grid[0], 3u);
}

TEST(GridLaunchTest, AClusterLaunchCountsBlocksAgainstTheLimitOfX) {
  FakeCudaDriver cuda;
  const ArchLaunchInfo clusters[] = {{90, false, 4, 2, 0, 0, 1, 0, 1, false, false, 12080}};
  const KernelImage images[] = {Image("aligned", kAlignedFatbin, kAligned, clusters, 1)};
  Kernel kernel("mod.k", images, 1);
  Status status = LaunchOfK{0x10000, 4096, {std::int64_t{1} << 30, 1, 1}}.Run(kernel);
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(status.message(),
            "mod.k: grid dimension x is 1073741824 programs of 2 blocks each in variant 'aligned', more than CUDA's "
            "limit of 2147483647 blocks");
  EXPECT_TRUE(cuda.launches.empty());
  ASSERT_TRUE((LaunchOfK{0x10000, 4096, {(std::int64_t{1} << 30) - 1, 1, 1}}.Run(kernel).ok()));
  ASSERT_EQ(cuda.launches.size(), 1u);
  EXPECT_EQ(cuda.launches[0].grid[0], 2147483646u);
}

TEST(GridLaunchTest, ScratchForTheLargestGridOverflowsRatherThanWrapping) {
  FakeCudaDriver cuda;
  const ArchLaunchInfo scratch[] = {{90, false, 4, 1, 0, 1u << 20, 16, 0, 1, false, false, 12080}};
  const KernelImage images[] = {Image("aligned", kAlignedFatbin, kAligned, scratch, 1)};
  Kernel kernel("mod.k", images, 1);
  Status status = LaunchOfK{0x10000, 4096, {2147483647, 65535, 65535}}.Run(kernel);
  EXPECT_EQ(status.code(), CUDA_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(status.message(),
            "mod.k: cannot allocate global scratch memory: " + std::to_string(2147483647LL * 65535 * 65535) +
                " programs of 1048576 bytes each overflow 64 bits");
  EXPECT_TRUE(cuda.allocations.empty());
  EXPECT_TRUE(cuda.launches.empty());
}

// Autotuned k: two configs of one group, whose grids are given per variant.
inline const char* const kTunedGrid[] = {"1", "n * 17 + 368", "1"};
struct TunedGridKernel {
  TunedGridKernel() {
    for (KernelImage& image : images) image.grid = kTunedGrid;
    kernel.SetAutotune(true);
  }
  KernelImage images[2] = {Image("config0", kAlignedFatbin, kAligned, kArchs, 2, 0),
                           Image("config1", kConfig1Fatbin, kAligned, kArchs, 2, 1)};
  Kernel kernel{"mod.tuned", images, 2};

  Status Run(const grid::Dims& config0, const grid::Dims& config1) {
    CUdeviceptr x_ptr = 0x10000;
    std::int32_t n = 4096;
    const ArgValue args[] = {ArgValue::Pointer(x_ptr), ArgValue::Integer(n)};
    void* const params[] = {&x_ptr, &n};
    const grid::Dims grids[] = {config0, config1};
    const std::int64_t key[] = {n};
    return kernel.Launch(nullptr, args, params, nullptr, grids, key, 1, {});
  }
};

TEST(GridLaunchTest, AutotuningSkipsAConfigWhoseGridCannotLaunchAndDoesNothingForEmptyOnes) {
  FakeCudaDriver cuda;
  cuda.milliseconds = {{kAlignedFatbin, 1.0f}, {kConfig1Fatbin, 2.0f}};
  // Every config's grid empty: nothing is tuned or launched.
  TunedGridKernel empty;
  EXPECT_TRUE(empty.Run({0, 1, 1}, {0, 1, 1}).ok());
  EXPECT_TRUE(cuda.calls.empty());
  // config0, the faster, has a y out of range: config1 is tuned alone and runs.
  TunedGridKernel one_valid;
  ASSERT_TRUE(one_valid.Run({1, ((grid::Int(4096) * 17) + 368), 1}, {1, 2, 1}).ok());
  ASSERT_FALSE(cuda.launches.empty());
  for (const FakeCudaDriver::Launch& launch : cuda.launches) EXPECT_EQ(launch.fatbin, kConfig1Fatbin);
  // No config can launch: the first one's error.
  TunedGridKernel none_valid;
  Status status = none_valid.Run({1, ((grid::Int(4096) * 17) + 368), 1}, {1, grid::cdiv(1, 0), 1});
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(status.message(),
            "mod.tuned: grid dimension y = n * 17 + 368 is 70000, more than CUDA's limit of 65535 (n=4096)");
}

}  // namespace
}  // namespace triton_aot::testing

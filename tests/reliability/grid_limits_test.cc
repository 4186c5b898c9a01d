// Launch grids through the whole chain: a real kernel module whose spec's
// grid expressions can overflow, divide by zero or exceed CUDA's limits, built
// with CMake, Ninja, the driver and Triton, and a program that launches it.
// Every such launch fails with a message naming the kernel, the dimension,
// the expression and the values; an empty grid succeeds and launches
// nothing. All of it is decided before the CUDA driver is called, so the
// program prints the same on a machine without a GPU.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "kernel_project.h"
#include "test_support.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;

// x: cdiv over an i64, y: a product with a u64, z: a division by an i32.
constexpr const char* kGridModule = R"src(import triton
import triton.language as tl


@triton.jit
def fill(out_ptr, n, rows, d, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    tl.store(out_ptr + offsets, 1.0, mask=offsets < n)


TRITON_AOT_KERNELS = [
    {"kernel": "fill", "signature": {"out_ptr": "*fp32", "n": "i64", "rows": "u64", "d": "i32"},
     "constexprs": {"BLOCK": 256}, "grid": ["cdiv(n, BLOCK)", "rows * 2", "n // d"]},
]
)src";

// Prints each launch's status, one a line: "ok" or the message.
constexpr const char* kMain = R"src(#include <cstdint>
#include <cstdio>

#include <kern/grids.h>

static void Print(const triton_aot::Status& status) {
  std::printf("%s\n", status.ok() ? "ok" : status.message().c_str());
}

int main() {
  using itest::grids::fill;
  const triton_aot::DevicePtr<float> out(CUdeviceptr{0x100000});
  Print(fill(nullptr, out, INT64_MAX, 1, 1));
  Print(fill(nullptr, out, 256, UINT64_MAX, 1));
  Print(fill(nullptr, out, 256, std::uint64_t{1} << 62, 1));
  Print(fill(nullptr, out, 256, 32768, 1));
  Print(fill(nullptr, out, INT64_MIN, 1, -1));
  Print(fill(nullptr, out, 256, 1, 0));
  Print(fill(nullptr, out, -256, 1, 1));
  Print(fill(triton_aot::Grid{std::int64_t{1} << 31, 1, 1}, nullptr, out, 256, 1, 1));
  Print(fill(nullptr, out, 0, 1, 1));       // n == 0: x and z are 0
  Print(fill(nullptr, out, 256, 0, 1));     // y is 0
  return 0;
}
)src";

TEST(GridLimitsTest, ImpossibleGridsFailWithTheirExpressionAndEmptyOnesDoNothing) {
  if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
  TempDir dir;
  const fs::path src = dir.path() / "src", build = dir.path() / "build";
  WriteText(src / "kernels" / "grids.py", kGridModule);
  WriteText(src / "main.cc", kMain);
  KernelProject project(src, build);
  project.WriteCMakeLists("MODULES kernels/grids.py ARCHITECTURES 90 NAMESPACE itest", /*with_app=*/true);
  ProcessResult configured = project.Configure(TestPython());
  ASSERT_TRUE(configured.Succeeded()) << configured.output;
  ProcessResult built = project.Build();
  ASSERT_TRUE(built.Succeeded()) << built.output;

  ProcessResult app = triton_aot::testing::Run({(build / "app").string()});
  ASSERT_TRUE(app.Succeeded()) << app.output;
  EXPECT_EQ(app.output,
            "grids.fill: grid dimension x = cdiv(n, BLOCK) is 36028797018963968, more than CUDA's limit of "
            "2147483647 (n=9223372036854775807, BLOCK=256)\n"
            "grids.fill: grid dimension y = rows * 2 overflows 64 bits (rows=18446744073709551615)\n"
            "grids.fill: grid dimension y = rows * 2 overflows 64 bits (rows=4611686018427387904)\n"
            "grids.fill: grid dimension y = rows * 2 is 65536, more than CUDA's limit of 65535 (rows=32768)\n"
            "grids.fill: grid dimension x = cdiv(n, BLOCK) is -36028797018963968, less than 0 "
            "(n=-9223372036854775808, BLOCK=256)\n"
            "grids.fill: grid dimension z = n // d divides by zero (n=256, d=0)\n"
            "grids.fill: grid dimension x = cdiv(n, BLOCK) is -1, less than 0 (n=-256, BLOCK=256)\n"
            "grids.fill: grid dimension x (as passed) is 2147483648, more than CUDA's limit of 2147483647\n"
            "ok\n"
            "ok\n");
}

}  // namespace
}  // namespace triton_aot::testing

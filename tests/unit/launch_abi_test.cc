// The launch ABI check against a fake driver's cuFuncGetParamInfo: a
// function whose parameters are not what the runtime packs is refused at
// load, with a message that says where they differ, and never launched.
#include "launch_abi.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fake_cuda_driver.h"
#include "runtime_test_kernels.h"

namespace triton_aot::testing {
namespace {

using internal::PackedLayout;
using Params = std::vector<std::pair<std::size_t, std::size_t>>;

// What Triton 3.6 compiles k to: x_ptr, n, then the two hidden pointers.
const Params kTriton36 = {{0, 8}, {8, 4}, {16, 8}, {24, 8}};

std::string Layout(const KernelImage& image) {
  std::string text;
  for (const auto& p : PackedLayout(image)) {
    text += p.name + "@" + std::to_string(p.offset) + ":" + std::to_string(p.size) + " ";
  }
  return text;
}

TEST(LaunchAbiTest, PacksEachParameterAtItsNaturalAlignment) {
  EXPECT_EQ(Layout(kPlain[0]), "x_ptr@0:8 n@8:4 global scratch@16:8 profile scratch@24:8 ");
  EXPECT_EQ(Layout(Image("n_is_1", kAlignedFatbin, kNIsOne)), "x_ptr@0:8 global scratch@8:8 profile scratch@16:8 ");
  KernelImage narrow_first = kPlain[0];
  const std::uint8_t bytes[] = {4, 2};
  narrow_first.arg_bytes = bytes;
  EXPECT_EQ(Layout(narrow_first), "x_ptr@0:4 n@4:2 global scratch@8:8 profile scratch@16:8 ");
}

// The message of the first launch of k with the function reporting `params`.
Status FirstLaunch(const Params& params, FakeCudaDriver& cuda, const KernelImage* images = kPlain) {
  cuda.SetParamInfo(params);
  Kernel kernel("mod.k", images, 2);
  return LaunchOfK{0x10000, 4096}.Run(kernel);
}

TEST(LaunchAbiTest, AMatchingFunctionLaunchesAndIsCheckedOnce) {
  FakeCudaDriver cuda;
  cuda.SetParamInfo(kTriton36);
  Kernel kernel("mod.k", kPlain, 2);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((LaunchOfK{0x10000, 4096}.Run(kernel).ok()));
  EXPECT_EQ(cuda.Calls("cuLaunchKernel"), 3u);
  EXPECT_EQ(cuda.Calls("cuFuncGetParamInfo"), 5u);  // four parameters, then "no more"
}

TEST(LaunchAbiTest, ASizeThatDiffersIsRefused) {
  FakeCudaDriver cuda;
  Status status = FirstLaunch({{0, 8}, {8, 8}, {16, 8}, {24, 8}}, cuda);
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_IMAGE);
  EXPECT_EQ(status.message().rfind("mod.k: variant 'aligned' on sm_90: launch ABI mismatch at parameter 1 (n): "
                                   "expected offset 8, size 4, found offset 8, size 8;",
                                   0),
            0u)
      << status.message();
  EXPECT_EQ(cuda.Calls("cuLaunchKernel"), 0u);
  EXPECT_EQ(cuda.Calls("cuModuleUnload"), 1u);
}

TEST(LaunchAbiTest, AnOffsetThatDiffersIsRefused) {
  FakeCudaDriver cuda;
  Status status = FirstLaunch({{0, 8}, {8, 4}, {12, 8}, {24, 8}}, cuda);
  EXPECT_NE(status.message().find("launch ABI mismatch at parameter 2 (global scratch): expected offset 16, size 8, "
                                  "found offset 12, size 8"),
            std::string::npos)
      << status.message();
  status = FirstLaunch({{0, 8}, {8, 4}, {16, 8}, {32, 8}}, cuda);
  EXPECT_NE(status.message().find("at parameter 3 (profile scratch): expected offset 24"), std::string::npos)
      << status.message();
  EXPECT_EQ(cuda.Calls("cuLaunchKernel"), 0u);
}

// A Triton whose kernels take one hidden pointer more, or one fewer.
TEST(LaunchAbiTest, AnotherNumberOfParametersIsRefused) {
  FakeCudaDriver cuda;
  Status more = FirstLaunch({{0, 8}, {8, 4}, {16, 8}, {24, 8}, {32, 8}}, cuda);
  EXPECT_NE(more.message().find("mod.k: variant 'aligned' on sm_90: launch ABI mismatch: expected 4 parameters (2 "
                                "passed arguments, then global scratch and profile scratch pointers), found 5"),
            std::string::npos)
      << more.message();
  Status fewer = FirstLaunch({{0, 8}, {8, 4}, {16, 8}}, cuda);
  EXPECT_NE(fewer.message().find("expected 4 parameters (2 passed arguments, then global scratch and profile scratch "
                                 "pointers), found 3"),
            std::string::npos)
      << fewer.message();
  EXPECT_EQ(fewer.code(), CUDA_ERROR_INVALID_IMAGE);
  EXPECT_EQ(cuda.Calls("cuLaunchKernel"), 0u);
}

TEST(LaunchAbiTest, AnArgumentCompiledInAsOneIsNotExpected) {
  FakeCudaDriver cuda;
  const KernelImage images[] = {Image("n_is_1", kAlignedFatbin, kNIsOne), Image("generic", kGenericFatbin, kGeneric)};
  cuda.SetParamInfo({{0, 8}, {8, 8}, {16, 8}});
  Kernel kernel("mod.k", images, 2);
  EXPECT_TRUE((LaunchOfK{0x10000, 1}.Run(kernel).ok()));
  Status status = LaunchOfK{0x10000, 2}.Run(kernel);  // the generic variant passes n
  EXPECT_NE(status.message().find("variant 'generic' on sm_90: launch ABI mismatch: expected 4 parameters"),
            std::string::npos)
      << status.message();
}

TEST(LaunchAbiTest, SkippedWhereTheDriverCannotTellOrTheTableHasNoSizes) {
  {
    FakeCudaDriver old_driver;  // before CUDA 12.4: no cuFuncGetParamInfo
    Kernel kernel("mod.k", kPlain, 2);
    EXPECT_TRUE((LaunchOfK{0x10000, 4096}.Run(kernel).ok()));
    EXPECT_EQ(old_driver.Calls("cuLaunchKernel"), 1u);
  }
  FakeCudaDriver cuda;
  KernelImage without_sizes[] = {kPlain[0], kPlain[1]};
  without_sizes[0].arg_bytes = without_sizes[1].arg_bytes = nullptr;
  EXPECT_TRUE(FirstLaunch({{0, 1}}, cuda, without_sizes).ok());
  EXPECT_EQ(cuda.Calls("cuFuncGetParamInfo"), 0u);
  EXPECT_EQ(cuda.Calls("cuLaunchKernel"), 1u);
}

}  // namespace
}  // namespace triton_aot::testing

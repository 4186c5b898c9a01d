// The autotuner against a fake driver whose events report set timings: it
// times every candidate of the hint group that holds, keeps the fastest per
// key, and its table survives a save and a load.
#include "autotuner.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "fake_cuda_driver.h"
#include "runtime_test_kernels.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;

const KernelImage kTuned[] = {Image("rowmajor_config0", kAlignedFatbin, kAligned, kArchs, 2, 0),
                              Image("rowmajor_config1", kConfig1Fatbin, kAligned, kArchs, 2, 1),
                              Image("generic_config0", kGenericFatbin, kGeneric, kArchs, 2, 0)};
const std::int64_t kKey[] = {4096};

class AutotunerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cuda_.milliseconds = {{kAlignedFatbin, 2.0f}, {kConfig1Fatbin, 1.5f}, {kGenericFatbin, 1.0f}};
    std::string templ = (fs::temp_directory_path() / "triton-aot-autotuner-test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  FakeCudaDriver cuda_;
  fs::path dir_;
};

TEST_F(AutotunerTest, TimesEachConfigOfTheGroupAndRunsTheFastest) {
  Kernel kernel("mod.tuned", kTuned, 3);
  kernel.SetAutotune(true);
  ASSERT_TRUE((LaunchOfK{0x10000, 4096}.Run(kernel, kKey, 1)).ok());
  // 2 warm-up and 5 timed runs of each aligned config, then the launch itself.
  ASSERT_EQ(cuda_.launches.size(), 15u);
  EXPECT_EQ(cuda_.launches[0].fatbin, kAlignedFatbin);
  EXPECT_EQ(cuda_.launches[7].fatbin, kConfig1Fatbin);
  EXPECT_EQ(cuda_.launches[14].fatbin, kConfig1Fatbin);
  EXPECT_EQ(cuda_.Calls("cuEventDestroy"), 2u);
  const ArgValue aligned[] = {ArgValue::Pointer(0x10000), ArgValue::Integer(4096)};
  EXPECT_EQ(kernel.TunedVariant(kKey, 1, aligned), 1);
  // Tuned once per key: the next launch runs the winner alone.
  ASSERT_TRUE((LaunchOfK{0x10000, 4096}.Run(kernel, kKey, 1)).ok());
  EXPECT_EQ(cuda_.launches.size(), 16u);
  EXPECT_EQ(cuda_.launches.back().fatbin, kConfig1Fatbin);
  // Unaligned arguments are another group, with one config.
  const ArgValue unaligned[] = {ArgValue::Pointer(0x10004), ArgValue::Integer(4096)};
  EXPECT_EQ(kernel.TunedVariant(kKey, 1, unaligned), -1);
  ASSERT_TRUE((LaunchOfK{0x10004, 4096}.Run(kernel, kKey, 1)).ok());
  EXPECT_EQ(kernel.TunedVariant(kKey, 1, unaligned), 2);
}

TEST_F(AutotunerTest, WithoutAutotuningTheDefaultConfigRuns) {
  Kernel kernel("mod.tuned", kTuned, 3);
  ASSERT_TRUE((LaunchOfK{0x10000, 4096}.Run(kernel, kKey, 1)).ok());
  ASSERT_EQ(cuda_.launches.size(), 1u);
  EXPECT_EQ(cuda_.launches[0].fatbin, kAlignedFatbin);
}

TEST_F(AutotunerTest, ASavedTableChoosesWithoutTimingInAnotherProcess) {
  const std::string path = (dir_ / "table.txt").string();
  {
    Kernel kernel("mod.tuned", kTuned, 3);
    kernel.SetAutotune(true);
    ASSERT_TRUE((LaunchOfK{0x10000, 4096}.Run(kernel, kKey, 1)).ok());
    ASSERT_TRUE(kernel.SaveAutotuneTable(path).ok());
  }
  std::ifstream in(path);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line, "mod.tuned 4096 rowmajor_config0 rowmajor_config1");
  cuda_.launches.clear();
  Kernel later("mod.tuned", kTuned, 3);
  later.SetAutotune(true);
  ASSERT_TRUE(later.LoadAutotuneTable(path).ok());
  ASSERT_TRUE((LaunchOfK{0x10000, 4096}.Run(later, kKey, 1)).ok());
  ASSERT_EQ(cuda_.launches.size(), 1u);
  EXPECT_EQ(cuda_.launches[0].fatbin, kConfig1Fatbin);
}

TEST_F(AutotunerTest, ATableWhoseWinnerIsOfAnotherGroupIsRefusedWithItsLine) {
  const std::string path = (dir_ / "table.txt").string();
  std::ofstream(path) << "mod.tuned 4096 rowmajor_config0 rowmajor_config1\n"
                         "mod.tuned 4096 rowmajor_config0 generic_config0\n";
  Kernel kernel("mod.tuned", kTuned, 3);
  Status status = kernel.LoadAutotuneTable(path);
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(status.message(), "mod.tuned: " + path + ":2: variant 'generic_config0' does not belong to the group of "
                                  "'rowmajor_config0' (the table is from another build of these kernels)");
  // Nothing of a refused table is kept.
  const ArgValue aligned[] = {ArgValue::Pointer(0x10000), ArgValue::Integer(4096)};
  EXPECT_EQ(kernel.TunedVariant(kKey, 1, aligned), -1);
  // A group must be named by its first variant.
  std::ofstream(path) << "mod.tuned 4096 rowmajor_config1 rowmajor_config1\n";
  status = kernel.LoadAutotuneTable(path);
  EXPECT_NE(status.message().find(path + ":1: variant 'rowmajor_config1' does not belong to the group of "
                                  "'rowmajor_config1'"),
            std::string::npos)
      << status.message();
}

}  // namespace
}  // namespace triton_aot::testing

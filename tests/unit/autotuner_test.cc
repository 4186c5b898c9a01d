// The autotuner against a fake driver whose events report set timings: it
// times every candidate of the hint group that holds, keeps the fastest per
// key, and its table survives a save and a load.
#include "autotuner.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

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

// --- Tuning buffers (reset_to_zero, restore_value) ---------------------------

// x_ptr as a tuning buffer of 4-byte elements, and its size: 1024 elements.
constexpr TuningBuffer kZeroX[] = {{0, 4, true, false}};
constexpr TuningBuffer kRestoreX[] = {{0, 4, false, true}};
constexpr TuningBuffer kZeroAndRestoreX[] = {{0, 4, true, true}};
const grid::Int kElements[] = {1024};

// What the stream gets for the seven runs of one config's trial (2 warm-up,
// then 5 between the start and stop events): `before` each run, the launch of
// `fatbin`, then `after`.
std::vector<std::string> Trial(const std::string& fatbin, const std::vector<std::string>& before,
                               const std::vector<std::string>& after) {
  std::vector<std::string> out;
  for (int run = 0; run < 7; ++run) {
    out.insert(out.end(), before.begin(), before.end());
    if (run >= 2) out.push_back("record 1");
    out.push_back("launch " + fatbin);
    if (run >= 2) out.push_back("record 2");
    out.insert(out.end(), after.begin(), after.end());
  }
  return out;
}

std::vector<std::string> Joined(std::initializer_list<std::vector<std::string>> parts) {
  std::vector<std::string> out;
  for (const std::vector<std::string>& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// A tuned launch of k on the 4096-byte buffer at 0x10000 (`x_ptr` into it).
struct BufferLaunch {
  LaunchOfK launch;
  explicit BufferLaunch(CUdeviceptr x_ptr = 0x10000, const grid::Int* elements = kElements)
      : launch{x_ptr, 4096} {
    launch.buffer_elements = elements;
  }
  Status Run(Kernel& kernel) { return launch.Run(kernel, kKey, 1); }
};

// The kernel reads what it writes: each run adds 1 to every byte of the buffer.
void AddOnEveryLaunch(FakeCudaDriver& cuda) {
  cuda.on_launch = [&cuda](const void*) {
    for (unsigned char& byte : cuda.memory.at(0x10000)) ++byte;
  };
}

TEST_F(AutotunerTest, ResetToZeroBuffersAreZeroedBeforeEveryRunOfEveryTrialAndOnceMoreBeforeTheLaunch) {
  cuda_.memory[0x10000].assign(4096, 5);
  Kernel kernel("mod.tuned", kTuned, 3, kZeroX, 1);
  kernel.SetAutotune(true);
  BufferLaunch launch;
  ASSERT_TRUE(launch.Run(kernel).ok());
  const std::vector<std::string> zero = {"zero 10000 1000"};
  EXPECT_EQ(cuda_.stream, Joined({Trial("a1", zero, {}), Trial("a3", zero, {}), zero, {"launch a3"}}));
  // Tuned: the next launch of the key runs alone and touches no buffer.
  cuda_.stream.clear();
  ASSERT_TRUE(launch.Run(kernel).ok());
  EXPECT_EQ(cuda_.stream, std::vector<std::string>{"launch a3"});
}

TEST_F(AutotunerTest, RestoreValueBuffersAreSavedOnceAndRestoredAfterEveryRunOfEveryTrial) {
  cuda_.memory[0x10000].assign(4096, 5);
  Kernel kernel("mod.tuned", kTuned, 3, kRestoreX, 1);
  kernel.SetAutotune(true);
  BufferLaunch launch;
  ASSERT_TRUE(launch.Run(kernel).ok());
  // Saved to a stream-ordered copy, restored from it, freed before the launch.
  const std::vector<std::string> restore = {"copy 10000 100000 1000"};
  EXPECT_EQ(cuda_.stream, Joined({{"alloc 100000 1000", "copy 100000 10000 1000"}, Trial("a1", {}, restore),
                                  Trial("a3", {}, restore), {"free 100000", "launch a3"}}));
  EXPECT_TRUE(cuda_.memory.count(0x100000) == 0) << "the copy was not freed";
}

TEST_F(AutotunerTest, TheCallersBufferEndsAsIfOnlyTheChosenConfigHadRunOnce) {
  AddOnEveryLaunch(cuda_);
  // reset_to_zero: zeroed, then the one launch, as Triton's Autotuner leaves it.
  cuda_.memory[0x10000].assign(4096, 5);
  Kernel zeroed("mod.tuned", kTuned, 3, kZeroX, 1);
  zeroed.SetAutotune(true);
  ASSERT_TRUE(BufferLaunch().Run(zeroed).ok());
  EXPECT_EQ(cuda_.memory.at(0x10000), std::vector<unsigned char>(4096, 1));
  // restore_value: the caller's values, then the one launch.
  cuda_.memory[0x10000].assign(4096, 5);
  Kernel restored("mod.tuned", kTuned, 3, kRestoreX, 1);
  restored.SetAutotune(true);
  ASSERT_TRUE(BufferLaunch().Run(restored).ok());
  EXPECT_EQ(cuda_.memory.at(0x10000), std::vector<unsigned char>(4096, 6));
  // Both: zeroed, then the one launch.
  cuda_.memory[0x10000].assign(4096, 5);
  Kernel both("mod.tuned", kTuned, 3, kZeroAndRestoreX, 1);
  both.SetAutotune(true);
  ASSERT_TRUE(BufferLaunch().Run(both).ok());
  EXPECT_EQ(cuda_.memory.at(0x10000), std::vector<unsigned char>(4096, 1));
  // Only the bytes of the buffer: the rest of its allocation is the kernel's.
  cuda_.memory[0x10000].assign(8192, 5);
  Kernel part("mod.tuned", kTuned, 3, kZeroX, 1);
  part.SetAutotune(true);
  ASSERT_TRUE(BufferLaunch().Run(part).ok());
  EXPECT_EQ(std::vector<unsigned char>(cuda_.memory.at(0x10000).begin(), cuda_.memory.at(0x10000).begin() + 4096),
            std::vector<unsigned char>(4096, 1));
  EXPECT_EQ(cuda_.memory.at(0x10000)[4096], 5 + 15);  // 14 runs of trials, then the launch
}

TEST_F(AutotunerTest, ABufferLargerThanItsAllocationFailsTuningNamingTheBytesAndTouchesNothing) {
  cuda_.memory[0x10000].assign(2048 + 0x400, 5);
  Kernel kernel("mod.tuned", kTuned, 3, kZeroX, 1);
  kernel.SetAutotune(true);
  Status status = BufferLaunch(0x10400).Run(kernel);
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(status.message(), "mod.tuned: autotuning: buffer_sizes gives reset_to_zero buffer 'x_ptr' 4096 bytes "
                              "(1024 elements), but its allocation holds only 2048 bytes from 0x10400: correct its "
                              "size in buffer_sizes, or pass a buffer that large");
  EXPECT_TRUE(cuda_.launches.empty());
  EXPECT_TRUE(cuda_.stream.empty()) << cuda_.stream.front();
  EXPECT_EQ(cuda_.memory.at(0x10000), std::vector<unsigned char>(2048 + 0x400, 5));
  const ArgValue aligned[] = {ArgValue::Pointer(0x10400), ArgValue::Integer(4096)};
  EXPECT_EQ(kernel.TunedVariant(kKey, 1, aligned), -1);
}

TEST_F(AutotunerTest, ABufferOutsideEveryAllocationOrOfNegativeSizeFailsTuning) {
  Kernel kernel("mod.tuned", kTuned, 3, kRestoreX, 1);
  kernel.SetAutotune(true);
  Status status = BufferLaunch(0x50000).Run(kernel);
  EXPECT_EQ(status.code(), CUDA_ERROR_NOT_FOUND);
  EXPECT_EQ(status.message(), "mod.tuned: autotuning: cannot find the allocation of restore_value buffer 'x_ptr' at "
                              "0x50000: cuMemGetAddressRange: CUDA_ERROR_NOT_FOUND; tuning zeroes or restores it, "
                              "so it must be device memory the CUDA driver allocated");
  const grid::Int negative[] = {-3};
  status = BufferLaunch(0x50000, negative).Run(kernel);
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(status.message(), "mod.tuned: autotuning: buffer_sizes gives restore_value buffer 'x_ptr' -3 elements for "
                              "these arguments: a size must not be negative; check its expression in buffer_sizes "
                              "against the arguments");
  const grid::Int overflowed[] = {grid::Int(INT64_MAX) * 2};
  status = BufferLaunch(0x50000, overflowed).Run(kernel);
  EXPECT_EQ(status.message(), "mod.tuned: autotuning: the size buffer_sizes gives restore_value buffer 'x_ptr' "
                              "overflows 64 bits for these arguments; check its expression in buffer_sizes against "
                              "the arguments");
  status = BufferLaunch(0x50000, nullptr).Run(kernel);
  EXPECT_NE(status.message().find("the launch passed no sizes for the kernel's tuning buffers"), std::string::npos)
      << status.message();
  EXPECT_TRUE(cuda_.launches.empty());
}

TEST_F(AutotunerTest, ABufferThatCannotBeRestoredOrZeroedStopsTuningAtOnce) {
  cuda_.memory[0x10000].assign(4096, 5);
  // The save works; the restore after the first run fails.
  cuda_.on_launch = [this](const void*) { cuda_.memcpy_result = CUDA_ERROR_OUT_OF_MEMORY; };
  Kernel restored("mod.tuned", kTuned, 3, kRestoreX, 1);
  restored.SetAutotune(true);
  Status status = BufferLaunch().Run(restored);
  EXPECT_EQ(status.code(), CUDA_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(status.message(), "mod.tuned: autotuning: cannot restore restore_value buffer 'x_ptr' after a trial, so "
                              "it holds what the trial left: CUDA_ERROR_OUT_OF_MEMORY");
  EXPECT_EQ(cuda_.launches.size(), 1u) << "no other config may run on the buffer";
  EXPECT_EQ(cuda_.stream.back(), "free 100000");
  EXPECT_EQ(cuda_.Calls("cuEventDestroy"), 2u);

  cuda_.launches.clear();
  cuda_.on_launch = nullptr;
  cuda_.memset_result = CUDA_ERROR_OUT_OF_MEMORY;
  Kernel zeroed("mod.tuned", kTuned, 3, kZeroX, 1);
  zeroed.SetAutotune(true);
  status = BufferLaunch().Run(zeroed);
  EXPECT_EQ(status.message(), "mod.tuned: autotuning: cannot zero reset_to_zero buffer 'x_ptr': "
                              "CUDA_ERROR_OUT_OF_MEMORY");
  EXPECT_TRUE(cuda_.launches.empty());
}

TEST_F(AutotunerTest, ANullOrEmptyBufferIsLeftAlone) {
  Kernel kernel("mod.tuned", kTuned, 3, kZeroX, 1);
  kernel.SetAutotune(true);
  ASSERT_TRUE(BufferLaunch(0).Run(kernel).ok());
  cuda_.memory[0x20000].assign(4096, 5);
  const grid::Int none[] = {0};
  ASSERT_TRUE(BufferLaunch(0x20000, none).Run(kernel).ok());
  EXPECT_EQ(cuda_.Calls("cuMemGetAddressRange"), 0u);
  for (const std::string& work : cuda_.stream) EXPECT_EQ(work.rfind("zero", 0), std::string::npos) << work;
  EXPECT_EQ(cuda_.memory.at(0x20000), std::vector<unsigned char>(4096, 5));
}

TEST_F(AutotunerTest, ASingleCandidateIsNotTimedAndItsBuffersAreNotTouched) {
  // Unaligned arguments have one config: as Triton with one config, it just runs.
  cuda_.memory[0x10000].assign(4100, 5);
  AddOnEveryLaunch(cuda_);
  Kernel kernel("mod.tuned", kTuned, 3, kZeroX, 1);
  kernel.SetAutotune(true);
  ASSERT_TRUE(BufferLaunch(0x10004).Run(kernel).ok());
  EXPECT_EQ(cuda_.stream, std::vector<std::string>{"launch a2"});
  EXPECT_EQ(cuda_.memory.at(0x10000), std::vector<unsigned char>(4100, 6));
  const ArgValue unaligned[] = {ArgValue::Pointer(0x10004), ArgValue::Integer(4096)};
  EXPECT_EQ(kernel.TunedVariant(kKey, 1, unaligned), 2);
}

}  // namespace
}  // namespace triton_aot::testing

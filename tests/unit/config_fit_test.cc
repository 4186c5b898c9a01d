// Autotune configs that need more shared memory than an arch has: left out of
// that arch, as Triton's autotuner skips them, and an error only when no
// config fits. With the fake compiler, which reports the shared memory a
// test gives each config.
#include "config_fit.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compile_module_fixture.h"
#include "load_answer.h"
#include "test_support.h"
#include "timing_log.h"

namespace triton_aot {
namespace {

// sm_80's most shared memory per block, and more.
constexpr int64_t kSm80Limit = 166912;
constexpr int64_t kOverSm80 = 200 * 1024;
constexpr int64_t kOverSm90 = 240 * 1024;

class ConfigFitTest : public CompileModuleTest {
 protected:
  void SetUp() override {
    CompileModuleTest::SetUp();
    const json entry = {{"kernel", "tuned_kernel"},
                        {"signature", {{"x_ptr", "*fp32"}, {"n", "i32"}}},
                        {"grid", json::array({"cdiv(n, BLOCK)"})},
                        {"constexprs", {{"EVEN", true}}}};
    script_.load_answer = testing::LoadAnswer(json::array({entry}));
    script_.load_answer["triton_file"] = dir_ / "triton/__init__.py";
    script_.load_answer["triton_key"] = "key-of-this-triton";
    WriteText(dir_.path() / "src/adds.py", "# the tuned kernel's module\n");
  }

  // Config BLOCK=64 needs `small` bytes of shared memory on every arch,
  // BLOCK=128 needs `large`.
  void SharedMemory(int64_t small, int64_t large) {
    script_.edit_outcome = [small, large](const CompileJob& job, CompileOutcome* outcome) {
      outcome->metadata["shared"] = job.constexprs.value("BLOCK", 0) == 128 ? large : small;
    };
  }

  json Metadata() const { return json::parse(ReadText(dir_.path() / "out/adds.json")); }
};

TEST_F(ConfigFitTest, AConfigTooLargeForAnArchIsLeftOutOfItAlone) {
  SharedMemory(1024, kOverSm80);
  CompileOk();
  const json kernel = Metadata()["kernels"][0];
  ASSERT_EQ(kernel["variants"].size(), 2u) << kernel.dump(2);
  const json& large = kernel["variants"][1];
  ASSERT_EQ(large["archs"].size(), 1u) << "built for sm_90a only";
  EXPECT_EQ(large["archs"][0]["arch"], "sm_90a");
  ASSERT_EQ(kernel["left_out"].size(), 1u);
  EXPECT_EQ(kernel["left_out"][0]["variant"], large["name"]);
  EXPECT_EQ(kernel["left_out"][0]["arch"], "sm_80");
  EXPECT_EQ(kernel["left_out"][0]["why"],
            fmt::format("needs {} bytes of shared memory on sm_80, but a block there can have at most {}", kOverSm80,
                        kSm80Limit));

  const std::string source = ReadText(dir_.path() / "out/adds.cpp");
  EXPECT_NE(source.find("// Not built for sm_80: the config is too large there, or the kernel's"), std::string::npos)
      << source;
  EXPECT_NE(source.find("[] = {80};"), std::string::npos) << source;
  const std::string header = ReadText(dir_.path() / "out/adds.h");
  EXPECT_NE(header.find("configs left out of sm_80 (too large there, or pruned: see 'triton-aot report'): " +
                        large["name"].get<std::string>()),
            std::string::npos)
      << header;

  int skipped = 0;
  for (const TimingRecord& record : TimingRecords()) {
    EXPECT_TRUE(record.ok);
    if (record.skipped.empty()) continue;
    ++skipped;
    EXPECT_EQ(record.arch, "sm_80");
  }
  EXPECT_EQ(skipped, 1) << "the log says which compile was left out, and why";
}

TEST_F(ConfigFitTest, AConfigTooLargeForEveryArchIsNotGeneratedAtAll) {
  SharedMemory(1024, kOverSm90);
  CompileOk();
  const json kernel = Metadata()["kernels"][0];
  ASSERT_EQ(kernel["variants"].size(), 1u) << kernel.dump(2);
  EXPECT_EQ(kernel["variants"][0]["autotune_config"], 0);
  EXPECT_EQ(kernel["left_out"].size(), 2u);
  EXPECT_EQ(testing::ListFiles(dir_.path() / "out/adds").size(), 1u) << "one fatbin: the config that fits";
  const std::string source = ReadText(dir_.path() / "out/adds.cpp");
  EXPECT_EQ(source.find("Not built for"), std::string::npos) << "the kept config runs everywhere";
}

TEST_F(ConfigFitTest, AnArchNoConfigFitsIsAnErrorThatSaysWhatToDo) {
  SharedMemory(kOverSm80, kOverSm80 + 4096);
  std::string err;
  EXPECT_FALSE(Compile(&err));
  EXPECT_EQ(err, fmt::format("{}:{}: error: kernel 'tuned_kernel': none of its 2 @triton.autotune configs fits "
                             "sm_80: the smallest needs {} bytes of shared memory, and a block there can have at most "
                             "{}: add a config with smaller blocks or fewer num_stages, or leave sm_80 out of "
                             "ARCHITECTURES",
                             dir_ / "src/adds.py", testing::EntryLine(0), kOverSm80, kSm80Limit));
  EXPECT_FALSE(fs::exists(dir_.path() / "out/adds.json")) << "nothing is written";
}

TEST_F(ConfigFitTest, AFailedCompileHasNoSharedMemoryToCheckAndIsReportedAsItsFailure) {
  script_.edit_outcome = [](const CompileJob& job, CompileOutcome* outcome) {
    if (job.constexprs.value("BLOCK", 0) != 128) return;
    outcome->ok = false;
    outcome->error = "out of registers";
    outcome->metadata = nullptr;  // as a failed compile comes back
  };
  std::string err;
  EXPECT_FALSE(Compile(&err));
  EXPECT_NE(err.find("Triton failed to compile it:\n  out of registers"), std::string::npos) << err;
  EXPECT_EQ(err.find("internal error"), std::string::npos) << err;
}

// The frontend's answer for a config the kernel's early_config_prune leaves
// out of the job's arch: ok, nothing compiled, and why.
void PruneOut(CompileOutcome* outcome) {
  outcome->pruned = "the kernel's early_config_prune left it out";
  outcome->metadata = nullptr;
}

TEST_F(ConfigFitTest, AConfigThePrunerLeavesOutOfAnArchIsLeftOutOfItAndTheCacheRemembersWhy) {
  script_.load_answer["kernels"]["tuned_kernel"]["autotune"]["early_config_prune"] = true;
  SharedMemory(1024, 2048);
  const auto shared = script_.edit_outcome;
  script_.edit_outcome = [shared](const CompileJob& job, CompileOutcome* outcome) {
    shared(job, outcome);
    if (job.arch == 80 && job.prune_config == 1) PruneOut(outcome);
  };
  CompileOk();
  std::vector<int> asked;
  for (const CompileJob& job : script_.compiled) asked.push_back(job.prune_config);
  EXPECT_EQ(asked, (std::vector<int>{0, 0, 1, 1})) << "each job names its config, for the pruner";
  const json first = Metadata();
  const json& kernel = first["kernels"][0];
  ASSERT_EQ(kernel["left_out"].size(), 1u) << kernel.dump(2);
  EXPECT_EQ(kernel["left_out"][0]["arch"], "sm_80");
  EXPECT_EQ(kernel["left_out"][0]["why"], "the kernel's early_config_prune left it out of sm_80");
  EXPECT_EQ(kernel["variants"][1]["archs"].size(), 1u) << "config1 is built for sm_90a only";

  // From the cache: the same outputs, and no compile (the pruner's answer is
  // cached with the compiles').
  fs::remove_all(dir_.path() / "out");
  const size_t compiled = script_.compiled.size();
  CompileOk();
  EXPECT_EQ(script_.compiled.size(), compiled);
  EXPECT_EQ(Metadata(), first);
}

TEST_F(ConfigFitTest, APrunerThatKeepsNothingThatFitsAnArchFailsAsNoConfigFitting) {
  script_.load_answer["kernels"]["tuned_kernel"]["autotune"]["early_config_prune"] = true;
  SharedMemory(kOverSm80, kOverSm80);
  const auto shared = script_.edit_outcome;
  script_.edit_outcome = [shared](const CompileJob& job, CompileOutcome* outcome) {
    shared(job, outcome);
    if (job.arch == 80 && job.prune_config == 1) PruneOut(outcome);
  };
  std::string err;
  EXPECT_FALSE(Compile(&err));
  EXPECT_NE(err.find("none of its 1 @triton.autotune configs fits sm_80"), std::string::npos) << err;
}

TEST_F(ConfigFitTest, WithoutAPrunerNoJobAsksForOne) {
  SharedMemory(1024, 2048);
  CompileOk();
  for (const CompileJob& job : script_.compiled) EXPECT_EQ(job.prune_config, -1);
}

TEST_F(ConfigFitTest, ConfigsThatFitEverywhereAreNotTouched) {
  SharedMemory(1024, 2048);
  CompileOk();
  const json kernel = Metadata()["kernels"][0];
  EXPECT_FALSE(kernel.contains("left_out"));
  for (const json& variant : kernel["variants"]) EXPECT_EQ(variant["archs"].size(), 2u);
  EXPECT_EQ(ReadText(dir_.path() / "out/adds.cpp").find("Not built for"), std::string::npos);
}

}  // namespace
}  // namespace triton_aot

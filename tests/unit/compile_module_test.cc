// The compile edge with a fake compiler: no Python, no Triton, real cubins,
// fatbins and files. Each test runs in milliseconds.
#include "compile_module.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compile_module_fixture.h"
#include "fake_compiler.h"
#include "load_answer.h"
#include "ninja_depfile_reader.h"
#include "test_support.h"
#include "timing_log.h"

namespace triton_aot {
namespace {

TEST_F(CompileModuleTest, AFirstBuildCompilesEveryVariantForEveryArchIntoItsOutputs) {
  CompileOk();
  EXPECT_EQ(script_.loads, 1);
  EXPECT_EQ(script_.compile_calls, 1) << "all jobs go to the compiler at once";
  ASSERT_EQ(script_.compiled.size(), 4u);
  EXPECT_EQ(script_.compiled[0].arch, 80);
  EXPECT_EQ(script_.compiled[1].arch, 90);
  EXPECT_EQ(script_.compiled[0].divisible_by_16, (std::vector<int>{0, 1, 2}));
  EXPECT_TRUE(script_.compiled[2].divisible_by_16.empty());
  EXPECT_EQ(ListFiles(dir_.path() / "out"),
            (std::vector<std::string>{"adds.cpp", "adds.h", "adds.json", "adds/add_kernel.aligned.fatbin",
                                      "adds/add_kernel.generic.fatbin"}))
      << "the outputs and nothing else: no scratch folder, no temporary";
  const std::string fatbin = ReadText(dir_.path() / "out/adds/add_kernel.aligned.fatbin");
  EXPECT_GT(fatbin.size(), 2 * 2984u) << "two cubins and a PTX";
  EXPECT_NE(ReadText(dir_.path() / "out/adds.h").find("add_kernel("), std::string::npos);
}

TEST_F(CompileModuleTest, TheDepfileListsTheModuleItsImportsTritonsFilesAndTheTools) {
  CompileOk();
  testing::NinjaDepfile depfile;
  std::string err;
  ASSERT_TRUE(testing::ReadNinjaDepfile(ReadText(dir_ / "adds.d"), &depfile, &err)) << err;
  EXPECT_EQ(depfile.outputs, (std::vector<std::string>{dir_ / "out/adds.h"}));
  EXPECT_EQ(depfile.inputs, (std::vector<std::string>{dir_ / "src/adds.py", dir_ / "src/helper.py",
                                            dir_ / "triton/__init__.py", dir_ / "triton/compiler.py",
                                            testing::Fatbinary(), testing::ToolkitPtxas()}));
}

TEST_F(CompileModuleTest, TheTimingLogHasALinePerJobWithItsCacheState) {
  CompileOk();
  CompileOk();
  const std::vector<TimingRecord> records = TimingRecords();
  ASSERT_EQ(records.size(), 8u);
  for (size_t i = 0; i < records.size(); ++i) {
    const TimingRecord& r = records[i];
    EXPECT_EQ(r.module, "adds");
    EXPECT_EQ(r.kernel, "add_kernel");
    EXPECT_EQ(r.variant, i % 4 < 2 ? "aligned" : "generic");
    EXPECT_EQ(r.arch, i % 2 == 0 ? "sm_80" : "sm_90a");
    EXPECT_EQ(r.cache, i < 4 ? "miss" : "hit");
    EXPECT_EQ(r.compiler, i < 4 ? "process" : "none") << "a build from the cache starts no compiler";
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.edge_output, (fs::path(dir_ / "out") / "adds.h").string());
    EXPECT_LE(r.edge_start_us, r.edge_end_us);
  }
}

TEST_F(CompileModuleTest, ABuildFromTheCacheStartsNoCompilerAndGivesTheSameBytes) {
  CompileOk();
  const auto first = Outputs();
  fs::remove_all(dir_ / "out");
  CompileOk();
  EXPECT_EQ(script_.compilers_made, 1) << "the load answer was recalled and every job was a hit";
  EXPECT_EQ(Outputs(), first);
}

TEST_F(CompileModuleTest, ANewArchCompilesOnlyItsJobs) {
  CompileOk();
  options_.archs = Archs({"80", "90", "100"});
  CompileOk();
  ASSERT_EQ(script_.compiled.size(), 6u);
  EXPECT_EQ(script_.compiled[4].arch, 100);
  EXPECT_EQ(script_.compiled[5].arch, 100);
}

TEST_F(CompileModuleTest, OnlyTheFatbinsOfRemovedVariantsAreRemoved) {
  WriteText(dir_.path() / "out/adds/checked_in.fatbin", "a file of the user's\n");
  CompileOk();
  json spec = AddKernelSpec();
  spec[0]["variants"].erase(0);  // "aligned" goes
  script_.load_answer["spec"] = spec;
  script_.load_answer["spec_lines"] = testing::SpecLines(spec);
  WriteText(dir_.path() / "src/adds.py", "# the kernel module, edited\n");
  CompileOk();
  EXPECT_EQ(ListFiles(dir_.path() / "out"),
            (std::vector<std::string>{"adds.cpp", "adds.h", "adds.json", "adds/add_kernel.generic.fatbin",
                                      "adds/checked_in.fatbin"}));
  EXPECT_EQ(ReadText(dir_.path() / "out/adds/checked_in.fatbin"), "a file of the user's\n");
}

TEST_F(CompileModuleTest, AModuleEditedWhileItCompilesIsCompiledAgainFromTheEditedBytes) {
  bool edited = false;
  script_.edit_outcome = [&](const CompileJob&, CompileOutcome*) {
    if (!std::exchange(edited, true)) WriteText(dir_.path() / "src/adds.py", "# the kernel module, edited\n");
  };
  CompileOk();
  EXPECT_EQ(script_.loads, 2) << "the edge loaded the edited module";
  EXPECT_EQ(script_.compiled.size(), 8u) << "and compiled it: its bytes make another key";
  script_.edit_outcome = nullptr;
  CompileOk();
  EXPECT_EQ(script_.compiled.size(), 8u) << "the cache holds the edited module's kernels";
  EXPECT_EQ(script_.compilers_made, 2);
}

TEST_F(CompileModuleTest, AHelperEditedWhileItCompilesIsCompiledAgain) {
  bool edited = false;
  script_.edit_outcome = [&](const CompileJob&, CompileOutcome*) {
    if (!std::exchange(edited, true)) WriteText(dir_.path() / "src/helper.py", "# imported by it, edited\n");
  };
  CompileOk();
  EXPECT_EQ(script_.loads, 2);
  EXPECT_EQ(script_.compiled.size(), 8u);
}

TEST_F(CompileModuleTest, AHelperEditedBeforeALateLoadIsNotCompiledUnderTheRecalledKey) {
  CompileOk();
  options_.archs = Archs({"80", "90", "100"});  // the load is recalled; sm_100's jobs load the module again
  script_.before_load = [&] { WriteText(dir_.path() / "src/helper.py", "# imported by it, edited\n"); };
  CompileOk();
  EXPECT_EQ(script_.loads, 3) << "the late load saw another helper, so the edge started again";
  EXPECT_EQ(script_.compiled.size(), 4u + 6u) << "every job, keyed by the edited helper";
}

TEST_F(CompileModuleTest, ALoadThatFailsWhileTheModuleIsBeingWrittenIsTriedAgain) {
  // An editor that truncates the file, then writes it: the load saw it half-written.
  script_.load_error = Diagnostic::At(dir_ / "src/adds.py", 1, 0, "the module declares nothing to build");
  int loads = 0;
  script_.before_load = [&] {
    if (++loads == 1) WriteText(dir_.path() / "src/adds.py", "# the kernel module, written out\n");
    if (loads == 2) script_.load_error.reset();
  };
  CompileOk();
  EXPECT_EQ(script_.loads, 2);
}

TEST_F(CompileModuleTest, AModuleThatKeepsChangingFailsTheEdgeAfterThreeAttempts) {
  int edits = 0;
  script_.edit_outcome = [&](const CompileJob& job, CompileOutcome*) {
    if (job.id == 0) WriteText(dir_.path() / "src/adds.py", fmt::format("# edit {}\n", ++edits));
  };
  std::string err;
  EXPECT_FALSE(Compile(&err));
  EXPECT_EQ(edits, 3);
  EXPECT_EQ(err, std::string(dir_ / "src/adds.py") +
                     ": error: changed while it was being compiled, 3 times in a row, so the outputs may be of an "
                     "earlier version of it: build again once it has stopped changing");
}

TEST_F(CompileModuleTest, WithoutACacheEveryBuildCompiles) {
  options_.cache_dir.clear();
  CompileOk();
  CompileOk();
  EXPECT_EQ(script_.loads, 2);
  EXPECT_EQ(script_.compiled.size(), 8u);
  for (const TimingRecord& r : TimingRecords()) EXPECT_EQ(r.cache, "");
}

// A failed edge leaves the outputs of the last good build exactly as they
// were, and nothing of its own behind.
class FailedCompileModuleTest : public CompileModuleTest {
 protected:
  void SetUp() override {
    CompileModuleTest::SetUp();
    CompileOk();
    before_ = Outputs();
    for (const auto& [file, bytes] : before_) mtimes_[file] = testing::MTime(dir_.path() / "out" / file);
    options_.cache_dir.clear();  // so that every job reaches the fake
  }

  // The message of a failed build, checked to leave everything as it was.
  std::string Failure() {
    std::string err;
    EXPECT_FALSE(Compile(&err));
    EXPECT_EQ(Outputs(), before_);
    for (const auto& [file, mtime] : mtimes_) {
      EXPECT_EQ(testing::MTime(dir_.path() / "out" / file), mtime) << file << " was rewritten";
    }
    return err;
  }

  std::map<std::string, std::string> before_;
  std::map<std::string, fs::file_time_type> mtimes_;
};

TEST_F(FailedCompileModuleTest, TheSameErrorEverywhereIsSaidOnceAtItsPlace) {
  script_.edit_outcome = [&](const CompileJob&, CompileOutcome* outcome) {
    *outcome = CompileOutcome{outcome->id, false, 0, 0, "unsupported op", dir_ / "src/adds.py", 7, 3, {}};
  };
  EXPECT_EQ(Failure(), dir_ / "src/adds.py" +
                           ":7:3: error: kernel 'add_kernel', variants 'aligned' and 'generic', sm_80 and sm_90a: "
                           "unsupported op");
  const std::vector<TimingRecord> records = TimingRecords();
  ASSERT_EQ(records.size(), 8u) << "the failed jobs are logged too";
  EXPECT_FALSE(records.back().ok);
  EXPECT_EQ(records.back().error, "unsupported op");
}

TEST_F(FailedCompileModuleTest, AnErrorOfSomeJobsNamesThemAndTheVariantsLine) {
  script_.edit_outcome = [&](const CompileJob& job, CompileOutcome* outcome) {
    if (job.arch == 90 && !job.divisible_by_16.empty()) outcome->ok = false, outcome->error = "out of registers";
  };
  EXPECT_EQ(Failure(), fmt::format("{}:{}: error: kernel 'add_kernel', variant 'aligned', sm_90a: Triton failed to "
                                   "compile it:\n  out of registers",
                                   dir_ / "src/adds.py", testing::VariantLine(0, 0)));
}

TEST_F(FailedCompileModuleTest, TooMuchSharedMemoryForAnArchIsABuildError) {
  script_.edit_outcome = [](const CompileJob& job, CompileOutcome* outcome) {
    if (job.arch == 80 && job.divisible_by_16.empty()) outcome->metadata["shared"] = 200 * 1024;
  };
  const std::string err = Failure();
  EXPECT_NE(err.find(fmt::format("adds.py:{}: error: kernel 'add_kernel', variant 'generic' needs 204800 bytes of "
                                 "shared memory on sm_80",
                                 testing::VariantLine(0, 1))),
            std::string::npos)
      << err;
}

TEST_F(FailedCompileModuleTest, ACompilerThatCannotBeAskedFailsTheEdge) {
  script_.compile_error = Diagnostic::Plain("the compile service's worker ended: killed by signal 9");
  EXPECT_EQ(Failure(), "triton-aot: error: " + dir_ / "src/adds.py" +
                           ": the compile service's worker ended: killed by signal 9");
}

TEST_F(FailedCompileModuleTest, AModuleThatFailsToLoadFailsTheEdge) {
  script_.load_error = Diagnostic::At(dir_ / "src/adds.py", 3, 0, "NameError: name 'tl' is not defined");
  EXPECT_EQ(Failure(), dir_ / "src/adds.py" + ":3: error: NameError: name 'tl' is not defined");
}

TEST_F(CompileModuleTest, ALoadThatFailsAfterARecalledAnswerIsSaidOnce) {
  CompileOk();
  const auto before = Outputs();
  // The load answer is recalled, but the new arch's jobs miss: the compiler
  // must load the module after all, and that fails.
  options_.archs = Archs({"80", "90", "100"});
  script_.load_error = Diagnostic::At(dir_ / "src/adds.py", 3, 0, "NameError: name 'tl' is not defined");
  std::string err;
  EXPECT_FALSE(Compile(&err));
  EXPECT_EQ(script_.loads, 2);
  EXPECT_EQ(err, dir_ / "src/adds.py" + ":3: error: NameError: name 'tl' is not defined");
  EXPECT_EQ(Outputs(), before);
}

TEST_F(FailedCompileModuleTest, AFatbinaryThatFailsFailsTheEdge) {
  options_.fatbinary = "/bin/false";
  const std::string err = Failure();
  EXPECT_EQ(err.rfind("triton-aot: error: " + dir_ / "src/adds.py" + ": ", 0), 0u) << err;
}

TEST_F(FailedCompileModuleTest, ACacheOthersCanWriteIsRefused) {
  options_.cache_dir = dir_ / "cache";
  fs::permissions(dir_ / "cache", fs::perms::others_write, fs::perm_options::add);
  const std::string err = Failure();
  EXPECT_EQ(err.rfind("triton-aot: error: the artifact cache '" + dir_ / "cache" + "' is not safe to use", 0), 0u)
      << err;
  EXPECT_EQ(script_.compilers_made, 1) << "nothing was loaded or compiled";
}

TEST_F(FailedCompileModuleTest, ASpecErrorPointsAtTheSpec) {
  script_.load_answer = testing::LoadAnswer(json::array({{{"kernel", "no_such_kernel"}}}));
  const std::string err = Failure();
  EXPECT_EQ(err.rfind(fmt::format("{}:{}: error: ", dir_ / "src/adds.py", testing::EntryLine(0)), 0), 0u) << err;
}

}  // namespace
}  // namespace triton_aot

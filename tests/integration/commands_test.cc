// The driver's commands besides compile, end to end on a real build:
// `report` (and `report --trace`) over its timing log and .ninja_log, and
// `service status` and `service stop` on its compile service, each with the
// ways a user can get them wrong.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>

#include <nlohmann/json.hpp>

#include "kernel_project.h"
#include "sample_modules.h"
#include "subprocess.h"
#include "test_support.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

ProcessResult Driver(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv = {TRITON_AOT_DRIVER};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return Run(argv);
}

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
    WriteSampleModules(dir_.path() / "src");
    project_.WriteCMakeLists("MODULES kernels/a.py kernels/b.py ARCHITECTURES 90 NAMESPACE itest");
  }
  void Build() {
    const ProcessResult configured = project_.Configure(TestPython());
    ASSERT_TRUE(configured.Succeeded()) << configured.output;
    const ProcessResult built = project_.Build();
    ASSERT_TRUE(built.Succeeded()) << built.output;
  }
  std::string Log() const { return (project_.build_dir() / "triton_aot_timing.jsonl").string(); }
  std::string Tree() const { return project_.build_dir().string(); }

  TempDir dir_;
  KernelProject project_{dir_.path() / "src", dir_.path() / "build"};
};

// a.py: 1 variant, b.py: 2 variants; one arch.
constexpr int kCompiles = 3;

TEST_F(CommandsTest, ReportSumsUpEveryCompileOfTheLog) {
  Build();
  const ProcessResult first = Driver({"report", Log()});
  ASSERT_TRUE(first.Succeeded()) << first.output;
  EXPECT_EQ(first.output.rfind("3 compiles, ", 0), 0u) << first.output;
  EXPECT_NE(first.output.find(" 0 failed\ncache: 0 hits, 3 misses\n"), std::string::npos) << first.output;
  EXPECT_NE(first.output.find("slowest kernels:\n"), std::string::npos) << first.output;
  EXPECT_NE(first.output.find("s  b.copy (2 compiles)\n"), std::string::npos) << first.output;
  EXPECT_NE(first.output.find("s  a.double_it (1 compiles)\n"), std::string::npos) << first.output;
  // --top, and a rebuild from nothing, all from the cache, in the same log.
  fs::remove_all(project_.build_dir() / "triton_aot");
  ASSERT_TRUE(project_.Build().Succeeded());
  const ProcessResult second = Driver({"report", Log(), "--top", "1"});
  ASSERT_TRUE(second.Succeeded()) << second.output;
  EXPECT_EQ(second.output.rfind("6 compiles, ", 0), 0u) << second.output;
  EXPECT_NE(second.output.find("cache: 3 hits, 3 misses\n"), std::string::npos) << second.output;
  EXPECT_NE(second.output.find("slowest kernels (cache hits left out):\n"), std::string::npos) << second.output;
  EXPECT_EQ(Count(second.output, " compiles)\n"), 1) << second.output;
}

TEST_F(CommandsTest, ReportSkipsLinesThatAreNotRecordsAndSaysSo) {
  Build();
  WriteText(Log(), ReadText(Log()) + "not json\n{\"module\": 1}\n");
  const ProcessResult report = Driver({"report", Log()});
  ASSERT_TRUE(report.Succeeded()) << report.output;
  EXPECT_EQ(report.output.rfind("3 compiles, ", 0), 0u) << report.output;
  EXPECT_NE(report.output.find("2 lines of the log are not valid records and were skipped"), std::string::npos)
      << report.output;
}

TEST_F(CommandsTest, ReportOfALogThatIsNotThereIsAnError) {
  const ProcessResult report = Driver({"report", (dir_.path() / "no.jsonl").string()});
  EXPECT_EQ(report.exit_code, 1) << report.output;
  EXPECT_EQ(report.output, "triton-aot: error: cannot read timing log '" + (dir_.path() / "no.jsonl").string() +
                               "': No such file or directory\n");
}

TEST_F(CommandsTest, TraceOfTheLatestBuildFromNinjasLogAndTheTimingLog) {
  Build();
  const std::string trace = (dir_.path() / "build.json").string();
  const ProcessResult report = Driver({"report", Log(), "--trace", trace});
  ASSERT_TRUE(report.Succeeded()) << report.output;
  const std::regex summary(R"(trace: (\d+) edges on (\d+) lanes, 2 of them Triton edges with 3 variants \(0 cache )"
                           R"(hits\), from \.ninja_log and the timing log: )" +
                           std::regex_replace(trace, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)"));
  std::smatch match;
  ASSERT_TRUE(std::regex_search(report.output, match, summary)) << report.output;
  EXPECT_GE(std::stoi(match[1]), 2);  // the Triton edges, and the C++ compiles and the link after them
  const json events = json::parse(ReadText(trace)).at("traceEvents");
  int edges = 0, variants = 0;
  for (const json& event : events) {
    if (event.value("ph", "") != "X") continue;
    edges += event.value("cat", "") != "variant";
    variants += event.value("cat", "") == "variant";
  }
  EXPECT_EQ(edges, std::stoi(match[1])) << events.dump(1);
  EXPECT_EQ(variants, kCompiles) << events.dump(1);
}

TEST_F(CommandsTest, TraceWithoutNinjasLogShowsTheTimingLogAlone) {
  Build();
  const fs::path elsewhere = dir_.path() / "logs" / "timing.jsonl";
  fs::create_directories(elsewhere.parent_path());
  fs::copy_file(Log(), elsewhere);
  const ProcessResult report = Driver({"report", elsewhere.string(), "--trace", (dir_.path() / "t.json").string()});
  ASSERT_TRUE(report.Succeeded()) << report.output;
  EXPECT_NE(report.output.find("triton-aot: note: no " + (elsewhere.parent_path() / ".ninja_log").string() +
                               ": the trace shows the Triton edges of the timing log alone; pass --ninja-log"),
            std::string::npos)
      << report.output;
  EXPECT_NE(report.output.find("2 edges on "), std::string::npos) << report.output;
  EXPECT_NE(report.output.find("from the timing log alone"), std::string::npos) << report.output;
  // Given explicitly, the build's .ninja_log is read from anywhere.
  const ProcessResult given = Driver({"report", elsewhere.string(), "--trace", (dir_.path() / "t.json").string(),
                                      "--ninja-log", (project_.build_dir() / ".ninja_log").string()});
  ASSERT_TRUE(given.Succeeded()) << given.output;
  EXPECT_NE(given.output.find("from .ninja_log and the timing log"), std::string::npos) << given.output;
}

TEST_F(CommandsTest, TraceMistakesAreErrorsThatNameTheOption) {
  Build();
  const ProcessResult missing = Driver({"report", Log(), "--trace", (dir_.path() / "t.json").string(),
                                        "--ninja-log", (dir_.path() / "no_ninja_log").string()});
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_EQ(missing.output.find("triton-aot: error: --ninja-log: "), missing.output.find("triton-aot: error:"))
      << missing.output;
  EXPECT_NE(missing.output.find((dir_.path() / "no_ninja_log").string()), std::string::npos) << missing.output;

  WriteText(dir_.path() / "file", "a file, not a folder\n");
  const ProcessResult unwritable = Driver({"report", Log(), "--trace", (dir_.path() / "file" / "t.json").string()});
  EXPECT_EQ(unwritable.exit_code, 1) << unwritable.output;
  EXPECT_NE(unwritable.output.find("triton-aot: error: --trace: "), std::string::npos) << unwritable.output;
  EXPECT_FALSE(fs::exists(dir_.path() / "t.json"));

  const ProcessResult alone = Driver({"report", Log(), "--ninja-log", (project_.build_dir() / ".ninja_log").string()});
  EXPECT_NE(alone.exit_code, 0) << alone.output;
  EXPECT_NE(alone.output.find("--ninja-log requires --trace"), std::string::npos) << alone.output;
}

TEST_F(CommandsTest, ServiceStatusAndStopOfABuildTree) {
  const ProcessResult none = Driver({"service", "status", Tree()});
  EXPECT_EQ(none.exit_code, 3) << none.output;
  EXPECT_EQ(none.output, "no compile service runs for " + Tree() + "\n");

  Build();
  const ProcessResult running = Driver({"service", "status", Tree()});
  EXPECT_EQ(running.exit_code, 0) << running.output;
  std::smatch pid;
  ASSERT_TRUE(std::regex_search(running.output, pid, std::regex(R"(^a compile service \(pid (\d+)\) serves )")))
      << running.output;
  EXPECT_TRUE(ProcessRunning(std::stoi(pid[1])));
  EXPECT_EQ(running.output, "a compile service (pid " + pid[1].str() + ") serves " + Tree() + "\n");

  const ProcessResult stopped = Driver({"service", "stop", Tree()});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.output;
  EXPECT_EQ(stopped.output, "stopped the compile service (pid " + pid[1].str() + ")\n");
  EXPECT_FALSE(ProcessRunning(std::stoi(pid[1])));
  EXPECT_EQ(Driver({"service", "status", Tree()}).exit_code, 3);
  const ProcessResult again = Driver({"service", "stop", Tree()});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(again.output, "no compile service runs for this build tree\n");
}

TEST_F(CommandsTest, ServiceCommandsRefuseAFolderOthersCanEnter) {
  Build();
  const fs::path folder = fs::path(std::getenv("XDG_RUNTIME_DIR")) / "triton-aot";
  ASSERT_TRUE(fs::is_directory(folder));
  fs::permissions(folder, fs::perms::group_read | fs::perms::group_exec, fs::perm_options::add);
  for (const char* action : {"status", "stop"}) {
    const ProcessResult refused = Driver({"service", action, Tree()});
    EXPECT_EQ(refused.exit_code, 1) << refused.output;
    EXPECT_NE(refused.output.find("triton-aot: error: service " + std::string(action) + ": the service folder '" +
                                  folder.string() + "' can be entered by other users"),
              std::string::npos)
        << refused.output;
  }
  fs::permissions(folder, fs::perms::group_all, fs::perm_options::remove);
  EXPECT_EQ(Driver({"service", "stop", Tree()}).exit_code, 0);
}

TEST_F(CommandsTest, AnUnknownServiceActionIsAnError) {
  const ProcessResult wrong = Driver({"service", "restart", Tree()});
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.output.find("restart not in {status,stop}"), std::string::npos) << wrong.output;
}

}  // namespace
}  // namespace triton_aot::testing

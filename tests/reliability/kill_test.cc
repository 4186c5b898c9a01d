// Interrupted builds: a build of several modules is killed at random moments,
// by SIGKILL of its drivers (a crash, the OOM killer) or by Ctrl-C (SIGINT to
// Ninja, which passes it on to every running edge), over and over, while the
// kernels change between builds. After every trial:
//   - every output under its final name is complete: byte-identical to what a
//     clean build of one of the two versions of the sources makes;
//   - Ninja has exited promptly, and no process of the build is left;
//   - every line of the timing log is valid JSON.
// At the end a plain rebuild must give exactly a clean build's outputs, and a
// second one nothing to do.
//
// TRITON_AOT_KILL_SEED and TRITON_AOT_KILL_TRIALS repeat a run or make it longer.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "kernel_project.h"
#include "service_client.h"
#include "subprocess.h"
#include "test_support.h"

extern char** environ;

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// {factor} differs between the two versions of the sources.
const char* kElementwise = R"src(import triton
import triton.language as tl


@triton.jit
def scale(x_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.store(y_ptr + offsets, tl.load(x_ptr + offsets, mask=mask) * {factor}, mask=mask)


@triton.jit
def shift(x_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.store(x_ptr + offsets, tl.load(x_ptr + offsets, mask=mask) + {factor}, mask=mask)


TRITON_AOT_KERNELS = [
    {"kernel": "scale", "signature": {"x_ptr": "*fp32:16", "y_ptr": "*fp32:16", "n": "i32"},
     "grid": ["cdiv(n, BLOCK)"],
     "variants": [{"name": f"b{b}", "constexprs": {"BLOCK": b}} for b in (128, 256, 512, 1024)]},
    {"kernel": "shift", "signature": {"x_ptr": "*fp16:16", "n": "i32"},
     "grid": ["cdiv(n, BLOCK)"],
     "variants": [{"name": f"b{b}", "constexprs": {"BLOCK": b}} for b in (256, 1024)]},
]
)src";

const char* kReduction = R"src(import triton
import triton.language as tl


@triton.jit
def row_sum(x_ptr, out_ptr, cols, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    offsets = tl.arange(0, BLOCK)
    x = tl.load(x_ptr + row * cols + offsets, mask=offsets < cols, other=0.0)
    tl.store(out_ptr + row, tl.sum(x, axis=0) * {factor})


TRITON_AOT_KERNELS = [
    {"kernel": "row_sum", "signature": {"x_ptr": "*fp32:16", "out_ptr": "*fp32", "cols": "i32"},
     "grid": [1],
     "variants": [{"name": f"b{b}", "constexprs": {"BLOCK": b}, "num_warps": w}
                  for b, w in ((256, 2), (1024, 4), (4096, 8))]},
]
)src";

const std::vector<std::string> kModules = {"elementwise", "reduction", "elementwise_copy"};

std::string SourceFor(const std::string& module, int version) {
  const std::string factor = version == 0 ? "2.0" : "3.0";
  return ReplaceAll(module == "reduction" ? kReduction : kElementwise, "{factor}", factor);
}

// The outputs less the depfiles, which name their build folder's paths.
std::map<std::string, std::string> WithoutDepfiles(std::map<std::string, std::string> files) {
  std::erase_if(files, [](const auto& file) { return fs::path(file.first).extension() == ".d"; });
  return files;
}

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::atoi(value) : fallback;
}

// Pids of live processes whose environment holds `tag` (NAME=value), and,
// when `comm` is given, whose command name is `comm`.
std::vector<pid_t> ProcessesTagged(const std::string& tag, const std::string& comm = "") {
  std::vector<pid_t> pids;
  DIR* proc = ::opendir("/proc");
  if (!proc) return pids;
  while (dirent* entry = ::readdir(proc)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
    if (pid <= 0) continue;
    const std::string dir = std::string("/proc/") + entry->d_name;
    if (!comm.empty() && ReadText(dir + "/comm") != comm + "\n") continue;
    const std::string environment = ReadText(dir + "/environ");
    std::istringstream vars(environment);
    for (std::string var; std::getline(vars, var, '\0');) {
      if (var == tag) {
        // Zombies have been killed already; only their parent's wait is left.
        const std::string stat = ReadText(dir + "/stat");
        const size_t state = stat.rfind(") ");
        if (state == std::string::npos || stat[state + 2] != 'Z') pids.push_back(pid);
        break;
      }
    }
  }
  ::closedir(proc);
  return pids;
}

// The build tree's compile service: a session leader running the service
// script. It is meant to outlive builds (its workers are not).
bool IsService(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  if (ReadText(dir + "/cmdline").find("triton_aot_service.py") == std::string::npos) return false;
  // After the command name: state, ppid, process group, session.
  const std::string stat = ReadText(dir + "/stat");
  const size_t end = stat.rfind(") ");
  if (end == std::string::npos) return false;
  std::istringstream fields(stat.substr(end + 2));
  std::string state;
  pid_t parent = 0, group = 0, session = 0;
  fields >> state >> parent >> group >> session;
  return session == pid;
}

std::vector<pid_t> ExceptService(std::vector<pid_t> pids) {
  std::erase_if(pids, IsService);
  return pids;
}

// Ninja in a process group of its own, as a shell runs a foreground job,
// with its output in a file.
class NinjaRun {
 public:
  NinjaRun(const std::vector<std::string>& argv, const std::string& tag, const fs::path& log) {
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<std::string> env = {tag};
    for (char** e = environ; *e; ++e) env.emplace_back(*e);
    std::vector<std::string> args = argv;
    std::vector<char*> arg_ptrs, env_ptrs;
    for (std::string& a : args) arg_ptrs.push_back(a.data());
    for (std::string& e : env) env_ptrs.push_back(e.data());
    arg_ptrs.push_back(nullptr);
    env_ptrs.push_back(nullptr);
    if (posix_spawn(&pid_, args[0].c_str(), &actions, &attr, arg_ptrs.data(), env_ptrs.data()) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  ~NinjaRun() {
    if (pid_ > 0 && !exited_) {
      ::kill(-pid_, SIGKILL);
      int status;
      ::waitpid(pid_, &status, 0);
    }
  }
  pid_t pid() const { return pid_; }

  // Waits up to `limit` for Ninja to exit; false if it is still running.
  bool WaitFor(std::chrono::milliseconds limit, int* status) {
    const Clock::time_point deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      if (::waitpid(pid_, status, WNOHANG) == pid_) {
        exited_ = true;
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
};

class KillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
    WriteSources(0);
    project_.WriteCMakeLists("MODULES kernels/elementwise.py kernels/reduction.py kernels/elementwise_copy.py "
                             "ARCHITECTURES 90 NAMESPACE ktest");
  }

  void WriteSources(int version) {
    for (const std::string& module : kModules) {
      WriteText(src_ / "kernels" / (module + ".py"), SourceFor(module == "elementwise_copy" ? "elementwise" : module,
                                                               version));
    }
  }

  // What a clean build of `version` makes: name -> bytes (depfiles aside:
  // they name this folder's paths, and are the same for both versions).
  std::map<std::string, std::string> CleanBuildOf(int version, std::chrono::milliseconds* took) {
    const KernelProject clean(src_, dir_.path() / ("clean" + std::to_string(version)));
    WriteSources(version);
    ProcessResult configured = clean.Configure(TestPython());
    EXPECT_TRUE(configured.Succeeded()) << configured.output;
    const Clock::time_point start = Clock::now();
    ProcessResult built = clean.Build();
    *took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    EXPECT_TRUE(built.Succeeded()) << built.output;
    return WithoutDepfiles(ReadTree(clean.generated_dir()));
  }

  TempDir dir_;
  fs::path src_ = dir_.path() / "src";
  KernelProject project_{src_, dir_.path() / "build"};
};

TEST_F(KillTest, RandomKillsAndInterruptsNeverLeaveAPartialOutputOrAStrayProcess) {
  const int trials = EnvInt("TRITON_AOT_KILL_TRIALS", 50);
  const unsigned seed = static_cast<unsigned>(EnvInt("TRITON_AOT_KILL_SEED", 20261127));
  std::printf("seed %u, %d trials (TRITON_AOT_KILL_SEED, TRITON_AOT_KILL_TRIALS)\n", seed, trials);

  std::chrono::milliseconds clean_time[2];
  const std::map<std::string, std::string> clean[2] = {CleanBuildOf(0, &clean_time[0]),
                                                        CleanBuildOf(1, &clean_time[1])};
  ASSERT_FALSE(clean[0].empty());
  ASSERT_EQ(clean[0].size(), clean[1].size());
  ASSERT_NE(clean[0], clean[1]) << "the two versions must give different outputs";
  std::printf("clean builds took %lld and %lld ms\n", static_cast<long long>(clean_time[0].count()),
              static_cast<long long>(clean_time[1].count()));

  // Without the artifact cache, so that every trial's edges compile: they
  // alternate between two versions whose kernels the cache would hold.
  ProcessResult configured = project_.Configure(TestPython(), {"-DTRITON_AOT_CACHE=OFF"});
  ASSERT_TRUE(configured.Succeeded()) << configured.output;
  const fs::path generated = project_.generated_dir();
  // Kills land at random moments of a build as long as the trials' builds:
  // with the build tree's compile service already warm, as after the first.
  WriteSources(1);
  ASSERT_TRUE(project_.Build().Succeeded());
  WriteSources(0);
  const Clock::time_point warm_start = Clock::now();
  ProcessResult warm_build = project_.Build();
  ASSERT_TRUE(warm_build.Succeeded()) << warm_build.output;
  const auto longest = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - warm_start);
  std::printf("a build with the service warm took %lld ms\n", static_cast<long long>(longest.count()));
  const fs::path timing_log = project_.build_dir() / "triton_aot_timing.jsonl";
  const std::string tag = "TRITON_AOT_KILL_TRIAL=" + dir_.path().string();

  std::mt19937 random(seed);
  std::map<std::string, int> outcomes;
  int killed_mid_build = 0;
  // Enough SIGKILLs must land while a driver runs to test anything. On a busy
  // machine fewer of the first trials' do (a build's start takes longer than
  // the warm build measured), so more trials run, within a time budget made
  // from the measured build: a slow machine takes longer, it does not fail.
  const int needed_mid_build = std::max(1, trials / 8);
  const auto budget =
      std::max<Clock::duration>(std::chrono::minutes(15), 8 * trials * (longest + std::chrono::seconds(2)));
  const Clock::time_point test_start = Clock::now();
  for (int trial = 0; trial < trials || (killed_mid_build < needed_mid_build && trial < 8 * trials &&
                                         Clock::now() - test_start < budget / 2);
       ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial) + " (seed " + std::to_string(seed) + ")");
    ASSERT_LT(Clock::now() - test_start, budget) << "the trials took far longer than their measured builds";
    const int version = trial % 2;  // every trial has work to do
    WriteSources(version);
    for (const std::string& module : kModules) Touch(src_ / "kernels" / (module + ".py"));
    const bool interrupt = std::uniform_int_distribution<int>(0, 1)(random) == 1;
    const auto delay = std::chrono::milliseconds(std::uniform_int_distribution<long long>(0, longest.count())(random));

    NinjaRun ninja(project_.BuildCommand(), tag, dir_.path() / "ninja.log");
    ASSERT_GT(ninja.pid(), 0);
    std::this_thread::sleep_for(delay);
    int status = 0;
    if (interrupt) {
      ::kill(-ninja.pid(), SIGINT);  // what a terminal's Ctrl-C does to its foreground job
    } else {
      const std::vector<pid_t> drivers = ProcessesTagged(tag, "triton-aot");
      killed_mid_build += !drivers.empty();
      for (pid_t driver : drivers) ::kill(driver, SIGKILL);
    }
    ASSERT_TRUE(ninja.WaitFor(interrupt ? std::chrono::seconds(10) : std::chrono::seconds(120), &status))
        << (interrupt ? "Ninja did not stop within 10 s of Ctrl-C" : "the build did not end");
    outcomes[std::string(interrupt ? "SIGINT" : "SIGKILL") + (WIFEXITED(status) && WEXITSTATUS(status) == 0
                                                                   ? " after the build"
                                                                   : " mid-build")]++;

    // Nothing of the build lives on but the compile service. A Python
    // frontend, or a service worker, dies with its driver at once; a ptxas it
    // started may finish its file first.
    auto frontends = [&] {
      std::vector<pid_t> found;
      for (pid_t pid : ExceptService(ProcessesTagged(tag))) {
        const std::string command = ReadText("/proc/" + std::to_string(pid) + "/cmdline");
        if (command.find("triton_aot_frontend.py") != std::string::npos ||
            command.find("triton_aot_service.py") != std::string::npos) {
          found.push_back(pid);
        }
      }
      return found;
    };
    std::vector<pid_t> left = frontends();
    for (int waited = 0; !left.empty() && waited < 20; ++waited) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      left = frontends();
    }
    ASSERT_TRUE(left.empty()) << left.size() << " Python frontends outlived their build by 1 s, e.g. pid " << left[0];
    left = ExceptService(ProcessesTagged(tag));
    for (int waited = 0; !left.empty() && waited < 100; ++waited) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      left = ExceptService(ProcessesTagged(tag));
    }
    ASSERT_TRUE(left.empty()) << left.size() << " processes of the build outlived it by 5 s, e.g. pid " << left[0]
                              << ": " << ReadText("/proc/" + std::to_string(left[0]) + "/cmdline");

    // Whatever is there under a final name is complete.
    for (const auto& [name, bytes] : ReadTree(generated)) {
      if (fs::path(name).extension() == ".d" || name.find(".tmp.") != std::string::npos ||
          name.find(".scratch.") != std::string::npos) {
        continue;
      }
      ASSERT_TRUE(clean[0].count(name)) << name << " is not an output of a clean build";
      EXPECT_TRUE(bytes == clean[0].at(name) || bytes == clean[1].at(name))
          << name << " is neither version's clean output: a partial or mixed write";
    }
    std::istringstream lines(ReadText(timing_log));
    int line_number = 0;
    for (std::string line; std::getline(lines, line);) {
      ++line_number;
      EXPECT_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded())
          << "timing log line " << line_number << " is not JSON: " << line;
    }
    if (HasFatalFailure() || HasNonfatalFailure()) break;
  }
  for (const auto& [outcome, count] : outcomes) std::printf("%s: %d trials\n", outcome.c_str(), count);
  std::printf("%d SIGKILLs hit a running driver\n", killed_mid_build);
  int trials_run = 0;
  for (const auto& [outcome, count] : outcomes) trials_run += count;
  EXPECT_GE(killed_mid_build, needed_mid_build)
      << "too few SIGKILLs hit a running driver to test anything, in " << trials_run << " trials";

  // A plain rebuild recovers completely.
  const int version = trials % 2;
  WriteSources(version);
  for (const std::string& module : kModules) Touch(src_ / "kernels" / (module + ".py"));
  ProcessResult rebuilt = project_.Build();
  ASSERT_TRUE(rebuilt.Succeeded()) << rebuilt.output;
  EXPECT_EQ(WithoutDepfiles(ReadTree(generated)), clean[version])
      << "the rebuild differs from a clean build (or left temporary files)";
  EXPECT_EQ(TemporaryFiles(project_.build_dir()), std::vector<std::string>{});
  ProcessResult again = project_.Build();
  EXPECT_NE(again.output.find("no work to do"), std::string::npos) << again.output;

  // The service the trials shared served them all, and goes when asked.
  std::string what, err;
  ASSERT_TRUE(StopService(DefaultServiceFolder(Environment::OfThisProcess()), project_.build_dir().string(), &what, &err)) << err;
  std::vector<pid_t> left = ProcessesTagged(tag);
  for (int waited = 0; !left.empty() && waited < 100; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    left = ProcessesTagged(tag);
  }
  EXPECT_TRUE(left.empty()) << left.size() << " processes of the build outlived its service by 5 s";
}

// Without the compile service the edge's Python is a child of the driver:
// when the driver is SIGKILLed (the OOM killer), Python must die with it, not
// hold on to the machine. This module tells its pid, then never finishes
// importing.
const char* kStuckModule = R"src(import os
import time

with open(os.environ["STUCK_PID_FILE"] + ".tmp", "w") as f:
    f.write(str(os.getpid()))
os.rename(os.environ["STUCK_PID_FILE"] + ".tmp", os.environ["STUCK_PID_FILE"])
time.sleep(600)
)src";

TEST(KilledDriverTest, ItsPythonDiesWithIt) {
  if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
  TempDir dir;
  WriteText(dir.path() / "src" / "stuck.py", kStuckModule);
  const fs::path pid_file = dir.path() / "python.pid";
  ProcessOptions options;
  options.env["STUCK_PID_FILE"] = pid_file.string();
  Child driver;
  std::string err;
  const Clock::time_point started = Clock::now();
  ASSERT_TRUE(driver.Start(DriverCompileCommand(dir.path() / "src" / "stuck.py", PlainCompileOptions(dir.path() / "out")),
                           options, &err))
      << err;
  // Python has started and is importing the module: its pid is there.
  while (!fs::exists(pid_file) && Clock::now() - started < std::chrono::seconds(120)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(fs::exists(pid_file)) << "Python did not start importing the module within 120 s";
  const auto startup = Clock::now() - started;
  const pid_t python = std::stoi(ReadText(pid_file));
  ASSERT_TRUE(ProcessRunning(python));
  driver.Signal(SIGKILL);
  ProcessResult ended;
  driver.Wait(&ended);
  ASSERT_EQ(ended.signal, SIGKILL);
  // The kernel signals it at once; the bound only spares a loaded machine.
  const auto bound = std::max<Clock::duration>(std::chrono::seconds(10), 10 * startup);
  const Clock::time_point killed = Clock::now();
  while (ProcessRunning(python) && Clock::now() - killed < bound) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const bool survived = ProcessRunning(python);
  if (survived) ::kill(python, SIGKILL);
  EXPECT_FALSE(survived) << "the driver's Python outlived it by "
                         << std::chrono::duration_cast<std::chrono::seconds>(bound).count() << " s";
}

}  // namespace
}  // namespace triton_aot::testing

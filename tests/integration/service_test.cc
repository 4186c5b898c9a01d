// The warm compile service, through real builds (CMake, Ninja, the driver,
// Triton): it starts once per build tree and is reused, exits when idle, is
// replaced when what it was started with changes, serves its own user only,
// gives way to a Python of the edge's own when it cannot be used, and a crash
// in one of its workers fails that module alone. Artifacts are the same bytes
// whichever way they were made.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <thread>

#include "kernel_project.h"
#include "sample_modules.h"
#include "service_client.h"
#include "test_support.h"
#include "timing_log.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;

// Dies with a segmentation fault while the module is imported.
const char* kCrashingModule = R"src(import ctypes

ctypes.string_at(0)
)src";

// Stands in for a Python that cannot run the service: it runs the frontend
// normally but fails at once when asked to start the service.
const char* kPythonWithoutService = R"src(#!/bin/sh
case "$*" in
  *triton_aot_service.py*) echo "no service here" >&2; exit 3 ;;
esac
exec "@PYTHON@" "$@"
)src";

std::vector<TimingRecord> TimingRecords(const fs::path& build_dir) {
  std::vector<TimingRecord> records;
  int bad = 0;
  std::string err;
  ReadTimingLog((build_dir / "triton_aot_timing.jsonl").string(), &records, &bad, &err);
  return records;
}

std::multiset<std::string> Compilers(const std::vector<TimingRecord>& records) {
  std::multiset<std::string> compilers;
  for (const TimingRecord& r : records) compilers.insert(r.compiler);
  return compilers;
}

bool Alive(pid_t pid) { return ProcessRunning(pid); }

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
    // Services of this test live in a folder of its own, so that the test
    // sees only its own.
    folder_parent_ = dir_.path() / "run";
    fs::create_directories(folder_parent_);
    fs::permissions(folder_parent_, fs::perms::owner_all, fs::perm_options::replace);
    ::setenv("XDG_RUNTIME_DIR", folder_parent_.c_str(), 1);
    WriteSampleModules(src_);
    project_.WriteCMakeLists("MODULES kernels/a.py kernels/b.py ARCHITECTURES 90 NAMESPACE itest");
  }

  // The build tree's service: its pid, or -1.
  pid_t ServicePid() const {
    pid_t pid = -1;
    std::string err;
    return ServiceRunning(DefaultServiceFolder(Environment::OfThisProcess()), project_.build_dir().string(), &pid, &err) == ServiceState::kRunning
               ? pid
               : -1;
  }
  void ConfigureAndBuild(const std::vector<std::string>& cache_entries = {}) {
    const ProcessResult configured = project_.Configure(TestPython(), cache_entries);
    ASSERT_TRUE(configured.Succeeded()) << configured.output;
    const ProcessResult built = project_.Build();
    ASSERT_TRUE(built.Succeeded()) << built.output;
  }

  TempDir dir_;
  fs::path src_ = dir_.path() / "src";
  fs::path folder_parent_;
  KernelProject project_{src_, dir_.path() / "build"};
};

TEST_F(ServiceTest, OneServiceServesEveryEdgeAndIsReused) {
  ConfigureAndBuild({"-DTRITON_AOT_CACHE=OFF"});
  const pid_t first = ServicePid();
  ASSERT_GT(first, 0) << "no compile service runs after a build";
  EXPECT_EQ(Compilers(TimingRecords(project_.build_dir())), std::multiset<std::string>({"service", "service", "service"}));

  // The next build's edges go to the same, already warm service.
  WriteText(src_ / "kernels" / "b.py", ReadText(src_ / "kernels" / "b.py") + "\n# edited\n");
  const ProcessResult rebuilt = project_.Build();
  ASSERT_TRUE(rebuilt.Succeeded()) << rebuilt.output;
  EXPECT_EQ(ServicePid(), first);
  EXPECT_EQ(Compilers(TimingRecords(project_.build_dir())).count("service"), 5u);
  // One service per build tree: it is the only Python the build left running.
  const ProcessResult pythons = testing::Run({"pgrep", "-f", "triton_aot_service.py --socket " + DefaultServiceFolder(Environment::OfThisProcess())});
  EXPECT_EQ(Count(pythons.output, "\n"), 1) << pythons.output;
}

TEST_F(ServiceTest, ExitsWhenIdle) {
  const ProcessResult configured = project_.Configure(TestPython(), {"-DTRITON_AOT_SERVICE_IDLE_TIMEOUT=3"});
  ASSERT_TRUE(configured.Succeeded()) << configured.output;
  // The Triton edge alone, so that the service was busy a moment ago.
  const ProcessResult built = project_.Build({"triton_aot/kern/a.h"});
  ASSERT_TRUE(built.Succeeded()) << built.output;
  const pid_t pid = ServicePid();
  ASSERT_GT(pid, 0);
  for (int waited = 0; Alive(pid) && waited < 100; ++waited) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(Alive(pid)) << "the service still runs 10 s after a 3 s idle timeout";
  // It removed its socket: the next build starts a new service.
  ServicePaths paths;
  std::string why;
  ASSERT_TRUE(ServicePathsFor(DefaultServiceFolder(Environment::OfThisProcess()), project_.build_dir().string(), &paths, &why)) << why;
  EXPECT_FALSE(fs::exists(paths.socket));
  EXPECT_NE(ReadText(paths.log).find("idle for 3 s: exiting"), std::string::npos) << ReadText(paths.log);
}

TEST_F(ServiceTest, IsReplacedWhenPtxasOrPythonEnvironmentChanges) {
  if (ToolkitPtxas().empty()) GTEST_SKIP() << "no CUDA toolkit ptxas";
  const fs::path ptxas = dir_.path() / "tools" / "ptxas";
  fs::create_directories(ptxas.parent_path());
  fs::copy_file(ToolkitPtxas(), ptxas);
  ConfigureAndBuild({"-DTRITON_AOT_CACHE=OFF", "-DTRITON_AOT_PTXAS=" + ptxas.string()});
  const pid_t first = ServicePid();
  ASSERT_GT(first, 0);

  // A reinstalled ptxas (here: a newer modification time).
  Touch(ptxas);
  Touch(src_ / "kernels" / "b.py");
  ProcessResult built = project_.Build();
  ASSERT_TRUE(built.Succeeded()) << built.output;
  const pid_t second = ServicePid();
  EXPECT_GT(second, 0);
  EXPECT_NE(second, first);
  for (int waited = 0; Alive(first) && waited < 50; ++waited) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(Alive(first)) << "the replaced service still runs";

  // Python's start-up environment, which a running Python cannot take on.
  Touch(src_ / "kernels" / "b.py");
  ProcessOptions with_pythonpath;
  with_pythonpath.env["PYTHONPATH"] = (dir_.path() / "elsewhere").string();
  built = project_.Build({}, with_pythonpath);
  ASSERT_TRUE(built.Succeeded()) << built.output;
  EXPECT_NE(ServicePid(), second);
  ServicePaths paths;
  std::string why;
  ASSERT_TRUE(ServicePathsFor(DefaultServiceFolder(Environment::OfThisProcess()), project_.build_dir().string(), &paths, &why)) << why;
  EXPECT_GT(ServicePid(), 0) << ReadText(paths.log);
}

TEST_F(ServiceTest, ACrashingWorkerFailsOnlyItsModule) {
  WriteText(src_ / "kernels" / "crash.py", kCrashingModule);
  project_.WriteCMakeLists("MODULES kernels/a.py kernels/b.py kernels/crash.py ARCHITECTURES 90 NAMESPACE itest");
  const ProcessResult configured = project_.Configure(TestPython(), {"-DTRITON_AOT_CACHE=OFF"});
  ASSERT_TRUE(configured.Succeeded()) << configured.output;
  const ProcessResult built = project_.Build({"-k", "0"});
  ASSERT_FALSE(built.Succeeded());
  EXPECT_NE(built.output.find("crash.py: the compile service's worker"), std::string::npos) << built.output;
  EXPECT_NE(built.output.find("stopped unexpectedly (killed by signal 11 (SIGSEGV))"), std::string::npos)
      << built.output;
  // Python's own account of where it crashed comes with it.
  EXPECT_NE(built.output.find("crash.py\", line 3"), std::string::npos) << built.output;
  EXPECT_TRUE(fs::exists(project_.generated_dir() / "a.h"));
  EXPECT_TRUE(fs::exists(project_.generated_dir() / "b.h"));
  EXPECT_FALSE(fs::exists(project_.generated_dir() / "crash.h"));
  // The service itself lives on and serves the next build.
  const pid_t pid = ServicePid();
  EXPECT_GT(pid, 0);
  Touch(src_ / "kernels" / "a.py");
  EXPECT_FALSE(project_.Build({"-k", "0"}).Succeeded());
  EXPECT_EQ(ServicePid(), pid);
}

TEST_F(ServiceTest, FallsBackToAPythonOfItsOwnWhenTheServiceCannotStart) {
  const fs::path python = dir_.path() / "tools" / "python";
  std::string script = kPythonWithoutService;
  script.replace(script.find("@PYTHON@"), 8, TestPython());
  WriteText(python, script);
  MakeExecutable(python);
  ConfigureAndBuild({"-DTRITON_AOT_PYTHON=" + python.string(), "-DTRITON_AOT_CACHE=OFF"});
  EXPECT_EQ(Compilers(TimingRecords(project_.build_dir())), std::multiset<std::string>({"process", "process", "process"}));
  EXPECT_EQ(ServicePid(), -1);
  ServicePaths paths;
  std::string why;
  ASSERT_TRUE(ServicePathsFor(DefaultServiceFolder(Environment::OfThisProcess()), project_.build_dir().string(), &paths, &why)) << why;
  EXPECT_NE(ReadText(paths.log).find("no service here"), std::string::npos);
}

TEST_F(ServiceTest, VerboseDriverSaysWhyTheServiceIsNotUsed) {
  ConfigureAndBuild({"-DTRITON_AOT_CACHE=OFF"});
  // The driver's command for b.py, as Ninja runs it, plus --verbose.
  const ProcessResult commands = testing::Run({"ninja", "-C", project_.build_dir().string(), "-t", "commands"});
  std::string command;
  for (size_t begin = 0, end; begin < commands.output.size(); begin = end + 1) {
    end = commands.output.find('\n', begin);
    if (end == std::string::npos) end = commands.output.size();
    const std::string line = commands.output.substr(begin, end - begin);
    // "cd <build> && <driver> compile ... && cmake -E cmake_transform_depfile ...": the driver's part.
    const size_t driver = line.find(" compile ");
    if (driver != std::string::npos && line.find("b.py") != std::string::npos) {
      command = line.substr(0, line.find(" && ", driver));
    }
  }
  ASSERT_FALSE(command.empty()) << commands.output;
  const fs::path blocked = dir_.path() / "blocked";
  WriteText(blocked, "a file where the service folder's parent should be");
  ProcessOptions env;
  env.env["XDG_RUNTIME_DIR"] = blocked.string();
  const ProcessResult run = testing::Run({"sh", "-c", command + " --verbose"}, project_.build_dir().string(), env);
  ASSERT_TRUE(run.Succeeded()) << run.output;
  EXPECT_NE(run.output.find("compiling in a Python of this edge's own; the compile service is not used: cannot "
                            "create the service folder '" + blocked.string() + "/triton-aot'"),
            std::string::npos)
      << run.output;
}

// Running as root, the tests can act as another user (setpriv), as a shared
// machine has them.
class ForeignUserTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    if (IsSkipped()) return;
    if (::geteuid() != 0 || testing::Run({"setpriv", "--version"}).exit_code != 0) {
      GTEST_SKIP() << "needs root and setpriv to act as another user";
    }
  }
};

TEST_F(ForeignUserTest, TheDriverUsesNoFolderOfAnotherUser) {
  const fs::path folder = folder_parent_ / "triton-aot";
  fs::create_directories(folder);
  ASSERT_EQ(::chown(folder.c_str(), 65534, 65534), 0);
  ::chmod(folder.c_str(), 0700);
  ConfigureAndBuild({"-DTRITON_AOT_CACHE=OFF"});
  EXPECT_EQ(Compilers(TimingRecords(project_.build_dir())), std::multiset<std::string>({"process", "process", "process"}));
  EXPECT_TRUE(fs::is_empty(folder)) << "the driver put something into another user's folder";

  ServicePaths paths;
  std::string why;
  EXPECT_FALSE(ServicePathsFor(folder.string(), project_.build_dir().string(), &paths, &why));
  EXPECT_NE(why.find("belongs to user 65534, not to you"), std::string::npos) << why;
  // Nor one that others may enter.
  ASSERT_EQ(::chown(folder.c_str(), 0, 0), 0);
  ::chmod(folder.c_str(), 0755);
  EXPECT_FALSE(ServicePathsFor(folder.string(), project_.build_dir().string(), &paths, &why));
  EXPECT_NE(why.find("can be entered by other users (mode 755)"), std::string::npos) << why;
}

TEST_F(ForeignUserTest, TheServiceServesItsOwnUserOnly) {
  ConfigureAndBuild({"-DTRITON_AOT_CACHE=OFF"});
  ServicePaths paths;
  std::string why;
  ASSERT_TRUE(ServicePathsFor(DefaultServiceFolder(Environment::OfThisProcess()), project_.build_dir().string(), &paths, &why)) << why;
  // Open the way to the socket, as a careless umask or chmod would.
  ::chmod(dir_.path().c_str(), 0755);
  ::chmod(folder_parent_.c_str(), 0755);
  ::chmod(paths.dir.c_str(), 0755);
  ::chmod(paths.socket.c_str(), 0777);
  const std::string client =
      "import socket, sys\n"
      "s = socket.socket(socket.AF_UNIX)\n"
      "s.connect(sys.argv[1])\n"
      "s.settimeout(10)\n"
      "try:\n"
      "    s.sendall(b'{\"op\": \"status\"}\\n')\n"
      "    answer = s.recv(1000)\n"
      "except ConnectionError:\n"
      "    answer = b''\n"
      "print('answer:', repr(answer))\n";
  const ProcessResult foreign = testing::Run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", TestPython(), "-c",
                                     client, paths.socket});
  ::chmod(paths.dir.c_str(), 0700);
  EXPECT_NE(foreign.output.find("answer: b''"), std::string::npos) << foreign.output;
  EXPECT_NE(ReadText(paths.log).find("refused a connection from user 65534"), std::string::npos) << ReadText(paths.log);
  // Its own user is still served.
  EXPECT_GT(ServicePid(), 0);
}

}  // namespace
}  // namespace triton_aot::testing

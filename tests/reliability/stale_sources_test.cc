// Nothing stale: the outputs, and the artifact cache behind them, always hold
// what compiling the sources' exact bytes gives, wherever the files a module
// imports live, however it imports them and whenever they are edited:
//   - a module edited at random moments during its build (seeded): the next
//     `ninja` leaves exactly a clean build's outputs of the final bytes, and
//     every version's cache entries give that version's bytes after
//     `rm -rf build`;
//   - a helper outside the source root (through a symlink in the tree, or a
//     folder the module puts on sys.path) is a dependency and part of the key;
//   - a stale .pyc beside a helper is never used;
//   - an installed distribution is keyed by its version, and an upgrade
//     reruns the edge.
//
// Ninja before 1.12 can miss an edit made in the last milliseconds of an edge
// (NinjaRecordedTheEditAsBuilt); where its log shows it did, the trial
// touches the module, as the next edit would.
//
// TRITON_AOT_EDIT_SEED and TRITON_AOT_EDIT_TRIALS repeat a run or make it longer.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "content_hash.h"
#include "kernel_project.h"
#include "test_support.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using Files = std::map<std::string, std::string>;

// {import} brings FACTOR in; {factor} is the kernel's own constant.
// A helper's constants; a kernel may read only a module's constexpr globals.
std::string Constants(const std::string& assignments) { return "import triton.language as tl\n" + assignments; }

const char* kModule = R"src(import triton
import triton.language as tl
{import}


@triton.jit
def scale(x_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.store(y_ptr + offsets, tl.load(x_ptr + offsets, mask=mask) * FACTOR * {factor}, mask=mask)


TRITON_AOT_KERNELS = [
    {"kernel": "scale", "signature": {"x_ptr": "*fp32:16", "y_ptr": "*fp32:16", "n": "i32"},
     "constexprs": {"BLOCK": 256}, "grid": ["cdiv(n, BLOCK)"]},
]
)src";

std::string Module(const std::string& import, const std::string& factor) {
  return ReplaceAll(ReplaceAll(kModule, "{import}", import), "{factor}", factor);
}

// The kernel edge's first output, as a Ninja target.
const char* kEdgeTarget = "triton_aot/kern/k.h";

// Ninja before 1.12 records an edge that left an output unchanged (restat) as
// new as its inputs are when it has ended: an edit in the few milliseconds
// between the edge's last look at its sources and Ninja's stat afterwards
// looks built. (1.12 records the command's start instead.) True when this
// Ninja does that and its log shows that it did for this edit of `source`.
bool NinjaRecordedTheEditAsBuilt(const KernelProject& project, const fs::path& source) {
  const ProcessResult version = testing::Run({project.BuildCommand()[0], "--version"});
  int major = 0, minor = 0;
  if (std::sscanf(version.output.c_str(), "%d.%d", &major, &minor) != 2 || major > 1 || minor >= 12) return false;
  std::istringstream log(ReadText(project.build_dir() / ".ninja_log"));
  long long recorded = -1;
  for (std::string line; std::getline(log, line);) {
    long long start, end, mtime;
    char output[4096];
    if (std::sscanf(line.c_str(), "%lld %lld %lld %4095s", &start, &end, &mtime, output) == 4 &&
        std::string(output) == kEdgeTarget) {
      recorded = mtime;
    }
  }
  struct stat info {};
  if (::stat(source.c_str(), &info) != 0) return false;
  return recorded >= info.st_mtim.tv_sec * 1'000'000'000LL + info.st_mtim.tv_nsec;
}

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::atoi(value) : fallback;
}

// The outputs less the depfile, which names its build folder's paths: name ->
// SHA-256 of the bytes (short to print when they differ).
Files Outputs(const KernelProject& project) {
  Files files = ReadTree(project.generated_dir());
  std::erase_if(files, [](const auto& file) { return fs::path(file.first).extension() == ".d"; });
  for (auto& [name, bytes] : files) bytes = Sha256Hex(bytes);
  return files;
}

class StaleSourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
    KernelProject(src_, "").WriteCMakeLists("MODULES kernels/k.py ARCHITECTURES 90 NAMESPACE stale");
  }

  // Configures `project` (once) and runs its kernel edge (the C++ after it
  // is of no interest here); the build must succeed.
  static ProcessResult BuildOk(const KernelProject& project, const std::vector<std::string>& entries = {},
                               const ProcessOptions& options = {}) {
    if (!fs::exists(project.build_dir() / "build.ninja")) {
      const ProcessResult configured = project.Configure(TestPython(), entries);
      EXPECT_TRUE(configured.Succeeded()) << configured.output;
    }
    const ProcessResult built = project.Build({kEdgeTarget}, options);
    EXPECT_TRUE(built.Succeeded()) << built.output;
    return built;
  }

  // What a clean build of the sources as they are now makes, without the cache.
  Files CleanOutputs(const ProcessOptions& options = {}) {
    const KernelProject clean(src_, dir_.path() / "clean");
    fs::remove_all(clean.build_dir() / "triton_aot");
    BuildOk(clean, {"-DTRITON_AOT_CACHE=OFF"}, options);
    return Outputs(clean);
  }

  // The outputs after `rm -rf build` and a build from the warm cache.
  Files RebuiltFromTheCache(const ProcessOptions& options = {}) {
    fs::remove_all(project_.build_dir());
    BuildOk(project_, {}, options);
    return Outputs(project_);
  }

  TempDir dir_;
  fs::path src_ = dir_.path() / "src";
  fs::path module_ = src_ / "kernels" / "k.py";
  KernelProject project_{src_, dir_.path() / "build"};
};

TEST_F(StaleSourcesTest, EditsDuringABuildNeverLeaveStaleOutputsOrCacheEntries) {
  const int trials = EnvInt("TRITON_AOT_EDIT_TRIALS", 30);
  const unsigned seed = static_cast<unsigned>(EnvInt("TRITON_AOT_EDIT_SEED", 20261202));
  std::printf("seed %u, %d trials (TRITON_AOT_EDIT_SEED, TRITON_AOT_EDIT_TRIALS)\n", seed, trials);
  std::mt19937 random(seed);
  const auto version = [](int i) { return Module("FACTOR = tl.constexpr(1.0)", fmt::format("{}.5", i)); };

  WriteText(module_, version(0));
  BuildOk(project_);
  // The edits fall anywhere in a build that compiles, as long as the last one took.
  WriteText(module_, version(1000));
  Clock::time_point start = Clock::now();
  BuildOk(project_);
  Clock::duration build_time = Clock::now() - start;
  std::map<int, Files> clean;  // by version
  int recompiled_in_the_edge = 0, rerun_by_the_next = 0, lost_to_ninja = 0;
  // Each trial builds version 2t, edited into version 2t + 1 at a random moment.
  for (int trial = 1; trial <= trials; ++trial) {
    const auto delay = std::uniform_int_distribution<int64_t>(0, build_time.count() * 5 / 4)(random);
    ProcessResult during;
    WriteText(module_, version(2 * trial));
    start = Clock::now();
    std::thread build([&] { during = project_.Build({kEdgeTarget}); });
    std::this_thread::sleep_for(Clock::duration(delay));
    WriteText(module_, version(2 * trial + 1));
    build.join();
    build_time = Clock::now() - start;
    ASSERT_TRUE(during.Succeeded()) << "trial " << trial << ": " << during.output;
    recompiled_in_the_edge += Count(during.output, "changed while its edge ran") > 0;
    clean[trial] = CleanOutputs();  // of the final bytes
    rerun_by_the_next += Outputs(project_) != clean[trial];

    BuildOk(project_);  // runs the edge again if the first build could not see the edit
    if (Outputs(project_) != clean[trial] && NinjaRecordedTheEditAsBuilt(project_, module_)) {
      ++lost_to_ninja;
      Touch(module_);
      BuildOk(project_);
    }
    ASSERT_NE(BuildOk(project_).output.find("no work to do"), std::string::npos) << "trial " << trial;
    ASSERT_EQ(Outputs(project_), clean[trial]) << "trial " << trial << ": the outputs are not the final bytes'";
  }
  std::printf("of %d edits, %d came while the edge ran and were compiled again in it, %d too late for it and were "
              "compiled by the next build (%d of them missed by Ninja before 1.12)\n",
              trials, recompiled_in_the_edge, rerun_by_the_next, lost_to_ninja);
  // Every version's entries hold that version's kernels.
  for (int trial = 1; trial <= trials; trial += 6) {
    WriteText(module_, version(2 * trial + 1));
    EXPECT_EQ(RebuiltFromTheCache(), clean[trial]) << "the cache's entries for version " << trial;
  }
}

TEST_F(StaleSourcesTest, AHelperOutsideTheSourceRootIsADependencyAndPartOfTheKey) {
  const fs::path outside = dir_.path() / "outside";
  WriteText(outside / "far.py", Constants("FACTOR = tl.constexpr(2.0)\n"));
  WriteText(outside / "path_helper" / "farther.py", Constants("OFFSET = tl.constexpr(1.0)\n"));
  fs::create_directories(module_.parent_path());
  fs::create_symlink(outside / "far.py", module_.parent_path() / "far.py");
  const std::string imports = fmt::format("import sys\nsys.path.insert(0, {:?})\nfrom far import FACTOR\n"
                                          "from farther import OFFSET",
                                          (outside / "path_helper").string());
  WriteText(module_, ReplaceAll(Module(imports, "1.0"), "* FACTOR *", "* FACTOR + OFFSET *"));
  BuildOk(project_);
  const Files first = Outputs(project_);

  for (const auto& [file, edit] : {std::pair{outside / "far.py", "FACTOR = tl.constexpr(3.0)\n"},
                                   std::pair{outside / "path_helper" / "farther.py", "OFFSET = tl.constexpr(4.0)\n"}}) {
    WriteText(file, Constants(edit));
    const ProcessResult rebuilt = BuildOk(project_);
    EXPECT_EQ(rebuilt.output.find("no work to do"), std::string::npos) << file << " is not a dependency";
    const Files clean = CleanOutputs();
    EXPECT_NE(clean, first);
    EXPECT_EQ(Outputs(project_), clean) << "after editing " << file;
    EXPECT_EQ(RebuiltFromTheCache(), clean) << file << " is not part of the key";
  }
}

TEST_F(StaleSourcesTest, AStaleBytecodeFileBesideAHelperIsNeverUsed) {
  const fs::path helper = module_.parent_path() / "helper.py";
  WriteText(helper, Constants("FACTOR = tl.constexpr(2.0)\n"));
  const ProcessResult compiled = testing::Run({TestPython(), "-c", "import py_compile, sys; py_compile.compile(sys.argv[1])",
                                      helper.string()});
  ASSERT_TRUE(compiled.Succeeded()) << compiled.output;
  WriteText(module_, Module("from helper import FACTOR", "1.0"));
  BuildOk(project_);
  // The same size and modification time: Python's check of the .pyc passes.
  const fs::file_time_type stamp = fs::last_write_time(helper);
  WriteText(helper, Constants("FACTOR = tl.constexpr(3.0)\n"));
  fs::last_write_time(helper, stamp);
  Touch(module_);
  BuildOk(project_);
  fs::remove_all(module_.parent_path() / "__pycache__");
  const Files clean = CleanOutputs();
  EXPECT_EQ(Outputs(project_), clean) << "the .pyc of the helper's earlier bytes was used";
}

TEST_F(StaleSourcesTest, AnInstalledDistributionIsKeyedByItsVersionAndAnUpgradeRerunsTheEdge) {
  const fs::path site = dir_.path() / "site";
  const auto install = [&](const std::string& version, const std::string& factor) {
    for (const fs::directory_entry& entry : fs::directory_iterator(site)) {
      if (entry.path().extension() == ".dist-info") fs::remove_all(entry.path());
    }
    const fs::path info = site / ("scalelib-" + version + ".dist-info");
    WriteText(site / "scalelib" / "__init__.py", Constants("FACTOR = tl.constexpr(" + factor + ")\n"));
    WriteText(info / "METADATA", "Metadata-Version: 2.1\nName: scalelib\nVersion: " + version + "\n");
    WriteText(info / "RECORD", "scalelib/__init__.py,,\nscalelib-" + version + ".dist-info/METADATA,,\n");
  };
  fs::create_directories(site);
  install("1.0", "2.0");
  ProcessOptions with_site;
  with_site.env["PYTHONPATH"] = site.string();
  WriteText(module_, Module("from scalelib import FACTOR", "1.0"));
  BuildOk(project_, {}, with_site);
  const Files first = Outputs(project_);
  const std::string depfile = ReadText(project_.generated_dir() / "k.d");
  EXPECT_NE(depfile.find((site / "scalelib-1.0.dist-info" / "METADATA").string()), std::string::npos) << depfile;
  EXPECT_EQ(depfile.find((site / "scalelib" / "__init__.py").string()), std::string::npos)
      << "a distribution's files are known by its version, not one by one: " << depfile;

  install("1.1", "3.0");
  const ProcessResult upgraded = BuildOk(project_, {}, with_site);
  EXPECT_EQ(upgraded.output.find("no work to do"), std::string::npos) << "the upgrade did not rerun the edge";
  const Files clean = CleanOutputs(with_site);
  EXPECT_NE(clean, first);
  EXPECT_EQ(Outputs(project_), clean);
  EXPECT_EQ(RebuiltFromTheCache(with_site), clean) << "the version is not part of the key";
}

}  // namespace
}  // namespace triton_aot::testing

// Two clean builds of the same kernel sources give the same bytes: fatbins,
// metadata and generated sources hold no timestamp, no absolute path of the
// source or build folder, and nothing whose order depends on hashing, the
// number of parallel jobs or the environment. Caches keyed on contents, and
// builds checked against each other, depend on it.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "depfile.h"
#include "kernel_project.h"
#include "test_support.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;

const char* kScaleHelper = R"src(import triton


@triton.jit
def scale(x, factor):
    return x * factor
)src";

const char* kShiftHelper = R"src(import triton


@triton.jit
def shift(x, by):
    return x + by
)src";

// Kernels, variants and constexprs deliberately out of alphabetical order, an
// autotuned kernel, a renamed one, hints and an argument compiled in as 1:
// any ordering that is not the spec's (a set, a sorted map, a hash) shows.
const char* kOrdered = R"src(import triton
import triton.language as tl
from shift_helper import shift
from scale_helper import scale


@triton.jit
def zeta(x_ptr, out_ptr, n, FACTOR: tl.constexpr, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.store(out_ptr + offsets, scale(tl.load(x_ptr + offsets, mask=mask), FACTOR), mask=mask)


@triton.autotune(configs=[triton.Config({"BLOCK": 256}, num_warps=4),
                          triton.Config({"BLOCK": 64}, num_warps=2)],
                 key=["n"])
@triton.jit
def alpha(x_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.store(x_ptr + offsets, shift(tl.load(x_ptr + offsets, mask=mask), 1.0), mask=mask)


@triton.jit
def mid(src_ptr, dst_ptr, n, stride, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.store(dst_ptr + offsets, tl.load(src_ptr + offsets * stride, mask=mask), mask=mask)


TRITON_AOT_KERNELS = [
    {"kernel": "zeta", "signature": {"x_ptr": "*fp32", "out_ptr": "*fp32", "n": "i32"},
     "constexprs": {"FACTOR": 3, "BLOCK": 512}, "grid": ["cdiv(n, BLOCK)"],
     "variants": [{"name": "wide", "signature": {"x_ptr": "*fp32:16", "out_ptr": "*fp32:16", "n": "i32:16"},
                   "num_warps": 8},
                  {"name": "narrow", "constexprs": {"BLOCK": 128}}]},
    {"kernel": "alpha", "signature": {"x_ptr": "*fp16:16", "n": "i32"}, "grid": ["cdiv(n, BLOCK)"]},
    {"kernel": "mid", "name": "middle",
     "signature": {"src_ptr": "*bf16", "dst_ptr": "*bf16", "n": "i32", "stride": "i32"},
     "constexprs": {"BLOCK": 256}, "grid": ["cdiv(n, BLOCK)"],
     "variants": [{"name": "unit", "signature": {"stride": "i32:1"}}, {"name": "any"}]},
]
)src";

// A second module, so that the edges of a build run in parallel with -j2.
const char* kSmall = R"src(import triton
import triton.language as tl
from scale_helper import scale


@triton.jit
def halve(x_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.store(x_ptr + offsets, scale(tl.load(x_ptr + offsets, mask=mask), 0.5), mask=mask)


TRITON_AOT_KERNELS = [
    {"kernel": "halve", "signature": {"x_ptr": "*fp32:16", "n": "i32"},
     "constexprs": {"BLOCK": 1024}, "grid": ["cdiv(n, BLOCK)"]},
]
)src";

const std::vector<std::string> kExpectedArtifacts = {
    "ordered.cpp",
    "ordered.d",
    "ordered.h",
    "ordered.json",
    "ordered/alpha.config0.fatbin",
    "ordered/alpha.config1.fatbin",
    "ordered/middle.any.fatbin",
    "ordered/middle.unit.fatbin",
    "ordered/zeta.narrow.fatbin",
    "ordered/zeta.wide.fatbin",
    "small.cpp",
    "small.d",
    "small.h",
    "small.json",
    "small/halve.default.fatbin",
};

// One clean build: where its sources and build folder are, and how Ninja runs.
struct CleanBuild {
  KernelProject project;
  std::vector<std::string> ninja_args;
  ProcessOptions environment;
};

// Environments that differ in everything that must not matter. Neither sets
// SOURCE_DATE_EPOCH: the outputs must not need it to be reproducible.
ProcessOptions Environment(const std::string& hash_seed, const std::string& time_zone, const std::string& locale) {
  ProcessOptions options;
  options.env["PYTHONHASHSEED"] = hash_seed;
  options.env["TZ"] = time_zone;
  options.env["LC_ALL"] = locale;
  options.env["SOURCE_DATE_EPOCH"] = std::nullopt;
  return options;
}

// Where two byte strings first differ, with some bytes of each around it.
std::string FirstDifference(const std::string& a, const std::string& b) {
  const auto [ai, bi] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  const size_t at = static_cast<size_t>(ai - a.begin());
  auto around = [at](const std::string& s) {
    std::string shown;
    for (size_t i = at >= 40 ? at - 40 : 0; i < std::min(s.size(), at + 40); ++i) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      shown += c >= 0x20 && c < 0x7f ? std::string(1, static_cast<char>(c)) : "\\x" + fmt::format("{:02x}", c);
    }
    return shown;
  };
  return fmt::format("sizes {} and {}, first difference at byte {}:\n  {}\n  {}", a.size(), b.size(), at, around(a),
                     around(b));
}

class DeterminismTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
    WriteText(src_ / "kernels" / "scale_helper.py", kScaleHelper);
    WriteText(src_ / "kernels" / "shift_helper.py", kShiftHelper);
    WriteText(src_ / "kernels" / "ordered.py", kOrdered);
    WriteText(src_ / "kernels" / "small.py", kSmall);
    KernelProject(src_, "").WriteCMakeLists(
        "MODULES kernels/ordered.py kernels/small.py ARCHITECTURES 80 90 NAMESPACE dtest");
  }

  static void ConfigureAndBuild(const CleanBuild& build) {
    ProcessResult configured = build.project.Configure(TestPython());
    ASSERT_TRUE(configured.Succeeded()) << configured.output;
    ProcessResult built = build.project.Build(build.ninja_args, build.environment);
    ASSERT_TRUE(built.Succeeded()) << built.output;
  }

  // Both builds made the same complete set of files with the same bytes, and
  // no file but a depfile names any of `private_folders` (as given, or as the
  // kernel resolves it).
  static void ExpectSameBytes(const CleanBuild& first, const CleanBuild& second,
                              const std::vector<fs::path>& private_folders) {
    const fs::path one = first.project.generated_dir(), two = second.project.generated_dir();
    ASSERT_EQ(ListFiles(one), kExpectedArtifacts);
    ASSERT_EQ(ListFiles(two), kExpectedArtifacts);
    std::set<std::string> folders;
    for (const fs::path& folder : private_folders) {
      folders.insert(folder.string());
      folders.insert(fs::canonical(folder).string());
    }
    for (const std::string& name : kExpectedArtifacts) {
      std::string one_bytes = ReadText(one / name), two_bytes = ReadText(two / name);
      ASSERT_FALSE(one_bytes.empty()) << name << " is empty";
      if (fs::path(name).extension() == ".d") {
        // A depfile names the module and its output by absolute path, by
        // design; with those folders taken out, it must match too (the same
        // dependencies in the same order).
        for (const CleanBuild* build : {&first, &second}) {
          std::string& bytes = build == &first ? one_bytes : two_bytes;
          bytes = ReplaceAll(bytes, EscapeDepfilePath(build->project.build_dir().string()), "<build>");
          bytes = ReplaceAll(bytes, EscapeDepfilePath(build->project.source_dir().string()), "<source>");
        }
        EXPECT_EQ(one_bytes, two_bytes) << name << " names other dependencies, or in another order";
        continue;
      }
      for (const auto& [bytes, build] : {std::pair{&one_bytes, &first}, std::pair{&two_bytes, &second}}) {
        std::string found;
        for (const std::string& folder : folders) {
          const size_t at = bytes->find(folder);
          if (at != std::string::npos) found += fmt::format("\n  {} at byte {}", folder, at);
        }
        EXPECT_TRUE(found.empty()) << name << " of the build in " << build->project.build_dir()
                                   << " holds absolute paths of a source or build folder:" << found;
      }
      EXPECT_TRUE(one_bytes == two_bytes)
          << name << " differs between the builds: " << FirstDifference(one_bytes, two_bytes);
    }
  }

  TempDir dir_;
  fs::path src_ = dir_.path() / "src";
};

TEST_F(DeterminismTest, BuildFoldersOfAnyNameAndDepthGiveTheSameBytes) {
  const CleanBuild first{KernelProject(src_, dir_.path() / "build"), {"-j1"}, Environment("1", "UTC", "C")};
  const CleanBuild second{KernelProject(src_, dir_.path() / "out" / "a deeper" / "build.two"),
                          {"-j2"},
                          Environment("98765", "Asia/Kathmandu", "C.UTF-8")};
  ASSERT_NO_FATAL_FAILURE(ConfigureAndBuild(first));
  ASSERT_NO_FATAL_FAILURE(ConfigureAndBuild(second));
  ExpectSameBytes(first, second, {first.project.build_dir(), second.project.build_dir()});
}

// Triton's line information names the module by absolute path, as C++
// compilers' debug information does, so that profilers find the source. A
// build that must not depend on where the sources are turns it off.
TEST_F(DeterminismTest, WithoutLineInfoACopyOfTheSourcesElsewhereGivesTheSameBytes) {
  // The same bytes at another absolute path, last modified long ago.
  const fs::path copy = dir_.path() / "elsewhere" / "copy of src";
  fs::create_directories(copy.parent_path());
  fs::copy(src_, copy, fs::copy_options::recursive);
  for (const std::string& name : ListFiles(copy)) {
    fs::last_write_time(copy / name, fs::file_time_type::clock::now() - std::chrono::hours(24 * 1000));
  }
  CleanBuild first{KernelProject(src_, dir_.path() / "build"), {"-j1"}, Environment("1", "UTC", "C")};
  CleanBuild second{KernelProject(copy, dir_.path() / "elsewhere" / "nested" / "b"),
                    {"-j2"},
                    Environment("4242", "America/St_Johns", "C.UTF-8")};
  first.environment.env["TRITON_DISABLE_LINE_INFO"] = "1";
  second.environment.env["TRITON_DISABLE_LINE_INFO"] = "1";
  ASSERT_NO_FATAL_FAILURE(ConfigureAndBuild(first));
  ASSERT_NO_FATAL_FAILURE(ConfigureAndBuild(second));
  ExpectSameBytes(first, second, {src_, copy, first.project.build_dir(), second.project.build_dir()});
}

TEST_F(DeterminismTest, LineInfoNamesTheSourcesForProfilers) {
  const CleanBuild build{KernelProject(src_, dir_.path() / "build"), {}, Environment("1", "UTC", "C")};
  ASSERT_NO_FATAL_FAILURE(ConfigureAndBuild(build));
  const std::string fatbin = ReadText(build.project.generated_dir() / "small" / "halve.default.fatbin");
  EXPECT_NE(fatbin.find((src_ / "kernels").string()), std::string::npos)
      << "the cubins' line table should name the module's folder";
}

}  // namespace
}  // namespace triton_aot::testing

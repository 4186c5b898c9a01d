// The artifact cache, through real builds: a rebuild from nothing runs no
// Triton compile, what a kernel is made of (its module, the helpers it
// imports, Triton's settings) is in the key, a damaged entry is compiled
// again, the size limit holds, and the bytes are the same with and without
// the cache and the service.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "artifact_cache.h"
#include "kernel_project.h"
#include "sample_modules.h"
#include "test_support.h"
#include "timing_log.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;

// The timing records of the latest build's `latest` compiles.
std::vector<TimingRecord> LatestRecords(const fs::path& build_dir, size_t latest) {
  std::vector<TimingRecord> records;
  int bad = 0;
  std::string err;
  ReadTimingLog((build_dir / "triton_aot_timing.jsonl").string(), &records, &bad, &err);
  if (records.size() > latest) records.erase(records.begin(), records.end() - static_cast<ptrdiff_t>(latest));
  return records;
}

// cache state ("hit"/"miss") -> how many variants of the latest build had it.
std::map<std::string, int> CacheStates(const fs::path& build_dir, size_t latest) {
  std::map<std::string, int> states;
  for (const TimingRecord& r : LatestRecords(build_dir, latest)) states[r.cache]++;
  return states;
}

// module -> who loaded it for the latest build: "service", "process", or
// "none" when no Python was needed at all.
std::map<std::string, std::string> Compilers(const fs::path& build_dir, size_t latest) {
  std::map<std::string, std::string> compilers;
  for (const TimingRecord& r : LatestRecords(build_dir, latest)) compilers[r.module] = r.compiler;
  return compilers;
}

std::map<std::string, std::string> WithoutDepfiles(std::map<std::string, std::string> files) {
  std::erase_if(files, [](const auto& file) { return fs::path(file.first).extension() == ".d"; });
  return files;
}

// The cache's entry files holding a blob named `blob`: "cubin" for a compiled
// variant, "load.json" for what loading a module answered.
std::vector<fs::path> Entries(const fs::path& cache, const std::string& blob) {
  std::vector<fs::path> entries;
  for (const auto& file : fs::recursive_directory_iterator(cache / "v1")) {
    const std::string name = file.path().filename().string();
    if (file.is_regular_file() && file.path().parent_path().parent_path().filename() == "v1" && name[0] != '.' &&
        ReadText(file.path()).find(blob) != std::string::npos) {
      entries.push_back(file.path());
    }
  }
  return entries;
}

class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
    WriteSampleModules(src_);
    project_.WriteCMakeLists("MODULES kernels/a.py kernels/b.py ARCHITECTURES 80 90 NAMESPACE itest");
  }
  // A build from an empty build folder.
  void CleanBuild(const KernelProject& project, const std::vector<std::string>& cache_entries = {},
                  const ProcessOptions& env = {}) {
    fs::remove_all(project.build_dir());
    const ProcessResult configured = project.Configure(TestPython(), cache_entries);
    ASSERT_TRUE(configured.Succeeded()) << configured.output;
    const ProcessResult built = project.Build({}, env);
    ASSERT_TRUE(built.Succeeded()) << built.output;
  }

  TempDir dir_;
  fs::path src_ = dir_.path() / "src";
  KernelProject project_{src_, dir_.path() / "build"};
};

// 3 variants x 2 archs.
constexpr size_t kCompiles = 6;

TEST_F(CacheTest, ARebuildFromNothingRunsNoTritonCompileAndGivesTheSameBytes) {
  CleanBuild(project_);
  EXPECT_EQ(CacheStates(project_.build_dir(), kCompiles), (std::map<std::string, int>{{"miss", 6}}));
  const auto first = ReadTree(project_.generated_dir());
  CleanBuild(project_);
  EXPECT_EQ(CacheStates(project_.build_dir(), kCompiles), (std::map<std::string, int>{{"hit", 6}}));
  EXPECT_EQ(ReadTree(project_.generated_dir()), first);
  // Not even Python: what loading each module answered was remembered too.
  EXPECT_EQ(Compilers(project_.build_dir(), kCompiles),
            (std::map<std::string, std::string>{{"a", "none"}, {"b", "none"}}));
  EXPECT_EQ(Entries(project_.artifact_cache_dir(), "cubin").size(), kCompiles);
  EXPECT_EQ(Entries(project_.artifact_cache_dir(), "load.json").size(), 2u);
}

TEST_F(CacheTest, EditingAnImportedHelperOrATritonSettingMissesTheCache) {
  CleanBuild(project_);
  // a.py's kernel is made of helper.py too.
  WriteText(src_ / "kernels" / "helper.py", ReadText(src_ / "kernels" / "helper.py") + "\n# edited\n");
  CleanBuild(project_);
  EXPECT_EQ(CacheStates(project_.build_dir(), kCompiles), (std::map<std::string, int>{{"hit", 4}, {"miss", 2}}));
  // a.py was loaded again, since a file it imports changed; b.py was not.
  EXPECT_EQ(Compilers(project_.build_dir(), kCompiles),
            (std::map<std::string, std::string>{{"a", "service"}, {"b", "none"}}));
  // Triton's own cache-invalidating settings are in the key, too.
  ProcessOptions no_line_info;
  no_line_info.env["TRITON_DISABLE_LINE_INFO"] = "1";
  const auto with_line_info = ReadTree(project_.generated_dir());
  CleanBuild(project_, {}, no_line_info);
  EXPECT_EQ(CacheStates(project_.build_dir(), kCompiles), (std::map<std::string, int>{{"miss", 6}}));
  EXPECT_NE(ReadTree(project_.generated_dir()), with_line_info);
}

TEST_F(CacheTest, ADamagedEntryIsCompiledAgain) {
  CleanBuild(project_);
  const auto first = ReadTree(project_.generated_dir());
  std::vector<fs::path> entries = Entries(project_.artifact_cache_dir(), "cubin");
  ASSERT_EQ(entries.size(), kCompiles);
  std::string bytes = ReadText(entries[0]);
  bytes[bytes.size() / 2] ^= 0x20;
  WriteText(entries[0], bytes);
  CleanBuild(project_);
  EXPECT_EQ(CacheStates(project_.build_dir(), kCompiles), (std::map<std::string, int>{{"hit", 5}, {"miss", 1}}));
  EXPECT_EQ(ReadTree(project_.generated_dir()), first);
  // The entry was replaced by a good one.
  CleanBuild(project_);
  EXPECT_EQ(CacheStates(project_.build_dir(), kCompiles), (std::map<std::string, int>{{"hit", 6}}));
}

TEST_F(CacheTest, TheSizeLimitHoldsByEvictingTheLeastRecentlyUsed) {
  CleanBuild(project_);
  const ArtifactCache::Usage full = ArtifactCache(project_.artifact_cache_dir().string(), 0).Measure();
  ASSERT_EQ(full.entries, kCompiles + 2);  // and one load answer per module
  // Room for about half of them, filled anew.
  const uint64_t limit = full.bytes / 2;
  fs::remove_all(project_.artifact_cache_dir());
  CleanBuild(project_, {"-DTRITON_AOT_CACHE_SIZE=" + std::to_string(limit)});
  const ArtifactCache::Usage bounded = ArtifactCache(project_.artifact_cache_dir().string(), 0).Measure();
  EXPECT_LE(bounded.bytes, limit);
  EXPECT_GT(bounded.entries, 0u);
  EXPECT_LT(bounded.entries, kCompiles + 2);
}

TEST_F(CacheTest, TheBytesAreTheSameWithAndWithoutServiceAndCache) {
  CleanBuild(project_, {"-DTRITON_AOT_SERVICE=OFF", "-DTRITON_AOT_CACHE=OFF"});
  const auto plain = WithoutDepfiles(ReadTree(project_.generated_dir()));
  const KernelProject elsewhere(src_, dir_.path() / "other" / "build");
  CleanBuild(elsewhere, {"-DTRITON_AOT_SERVICE=ON", "-DTRITON_AOT_CACHE=ON"});
  EXPECT_EQ(CacheStates(elsewhere.build_dir(), kCompiles), (std::map<std::string, int>{{"miss", 6}}));
  EXPECT_EQ(WithoutDepfiles(ReadTree(elsewhere.generated_dir())), plain);
  CleanBuild(elsewhere, {"-DTRITON_AOT_SERVICE=OFF"});
  EXPECT_EQ(CacheStates(elsewhere.build_dir(), kCompiles), (std::map<std::string, int>{{"hit", 6}}));
  EXPECT_EQ(WithoutDepfiles(ReadTree(elsewhere.generated_dir())), plain);
}

}  // namespace
}  // namespace triton_aot::testing

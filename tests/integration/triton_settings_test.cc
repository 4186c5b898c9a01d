// Triton keys its own cache on some environment variables
// (get_cache_invalidating_env_vars); each of them must be in ours too
// (IsTritonSetting, driver/cache_key.h), or a rebuild with the cache could
// reuse what Triton would compile differently.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cache_key.h"
#include "sample_modules.h"
#include "test_support.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;

// Words of capital letters, digits and '_' in `path` (a native library):
// among them, the names of the environment variables it reads.
std::set<std::string> VariableNamesIn(const fs::path& path) {
  std::set<std::string> names;
  std::ifstream in(path, std::ios::binary);
  std::string word;
  const auto end_word = [&] {
    if (word.size() >= 4 && word.size() <= 64 && std::isupper(static_cast<unsigned char>(word[0]))) names.insert(word);
    word.clear();
  };
  for (char buffer[1 << 16]; in.read(buffer, sizeof buffer) || in.gcount() > 0;) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      const char c = buffer[i];
      if (std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_') {
        word += c;
      } else if (std::islower(static_cast<unsigned char>(c))) {
        word = "-";  // part of a longer identifier: not a name on its own
      } else {
        end_word();
      }
    }
  }
  end_word();
  return names;
}

// Triton's list is not public: every name its native library holds is set,
// and Triton says which of them it keys on.
TEST(TritonSettingsTest, EveryVariableTritonKeysItsCacheOnIsATritonSetting) {
  if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
  const fs::path library = fs::path(TritonBinDir()).parent_path().parent_path().parent_path() / "_C" / "libtriton.so";
  ASSERT_TRUE(fs::exists(library)) << library;
  ProcessOptions options;
  for (const std::string& name : VariableNamesIn(library)) {
    if (name.starts_with("LD_") || name.starts_with("PYTHON") || std::getenv(name.c_str())) continue;
    options.env[name] = "1";
  }
  const ProcessResult keyed =
      testing::Run({TestPython(), "-c",
                    "from triton._C.libtriton import get_cache_invalidating_env_vars as keyed\n"
                    "print('\\n'.join(sorted(keyed())))"},
                   "", options);
  ASSERT_TRUE(keyed.Succeeded()) << keyed.output;
  std::istringstream lines(keyed.output);
  int count = 0;
  for (std::string name; std::getline(lines, name);) {
    ++count;
    EXPECT_TRUE(IsTritonSetting(name)) << name << ": Triton keys its cache on it; add it to cache_key.cc";
  }
  EXPECT_NE(keyed.output.find("TRITON_DISABLE_LINE_INFO\n"), std::string::npos)
      << "the probe found none of Triton's settings:\n" << keyed.output;
  EXPECT_GT(count, 1);
}

// TRITON_DEFAULT_FP_FUSION changes numerics (and 3.10 flips its default):
// each arch's metadata says whether the compile fused multiply-adds.
TEST(TritonSettingsTest, FpFusionIsRecordedPerArch) {
  if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
  TempDir dir;
  const fs::path module = dir.path() / "b.py";
  WriteText(module, kTwoVariantsModule);
  for (const char* fused : {"1", "0"}) {
    const fs::path out = dir.path() / (std::string("out-") + fused);
    ProcessOptions options;
    options.env["TRITON_DEFAULT_FP_FUSION"] = fused;
    const ProcessResult compiled = testing::Run(DriverCompileCommand(module, PlainCompileOptions(out)), "", options);
    ASSERT_TRUE(compiled.Succeeded()) << compiled.output;
    const nlohmann::json metadata = nlohmann::json::parse(ReadText(out / "b.json"));
    for (const nlohmann::json& variant : metadata["kernels"][0]["variants"]) {
      EXPECT_EQ(variant["archs"][0]["enable_fp_fusion"], std::string(fused) == "1") << variant.dump();
    }
  }
}

}  // namespace
}  // namespace triton_aot::testing

// Every part of every cache key (driver/cache_key.h), and an input that
// changes it. The rows below are the table of what a key holds: a part
// without a row fails EveryPartHasARow, and a row whose change leaves its
// part alone (or changes another) fails EachChangeChangesExactlyItsParts.
// tests/integration/key_change_test.cc makes the same changes in real builds.
#include "cache_key.h"

#include <gtest/gtest.h>

#include <cctype>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace triton_aot {
namespace {

using nlohmann::ordered_json;

// Everything any key is made of, with a value for each.
struct KeyInputs {
  ModuleKeyInputs module = {
      .frontend_sha256 = "f1",
      .module = {"/src/kernels.py", "m1"},
      .imports = {{"/src/helper.py", "h1"}},
      .distributions = {"numpy 2.1.0"},
      .triton_version = "3.6.0",
      .triton_key = "3.6.0-abc",
      .triton_sources = {{"language/core.py", "c1"}, {"backends/nvidia/lib/libdevice.10.bc", "d1"}},
      .settings = {"TRITON_DISABLE_LINE_INFO=0"},
  };
  std::string module_key = "module key 1";
  CompileJob job = [] {
    CompileJob job;
    job.function = "scale";
    job.signature = ordered_json{{"x_ptr", "*fp32"}, {"n", "i32"}, {"stride", "i32"}, {"BLOCK", "constexpr"}};
    job.constexprs = ordered_json{{"BLOCK", 256}};
    job.divisible_by_16 = {0};
    job.options = ordered_json{{"num_warps", 4}, {"num_stages", 3}};
    job.arch = 90;
    return job;
  }();
  PtxasInfo ptxas = {"/usr/local/cuda/bin/ptxas", "13.0", {}};
  std::string ptxas_stamp = "123 456.789";
  LoadKeyInputs load = {
      .frontend_identity = "python 1",
      .module = {"/src/kernels.py", "m1"},
      .source_root = "/src",
      .settings = {},
  };
};

enum class Key { kModule, kJob, kLoad };

KeyParts PartsOf(Key key, const KeyInputs& in) {
  switch (key) {
    case Key::kModule: return ModuleKeyParts(in.module);
    case Key::kJob: return JobKeyParts(in.module_key, in.job, in.ptxas, in.ptxas_stamp);
    case Key::kLoad: return LoadKeyParts(in.load);
  }
  return {};
}

const char* NameOf(Key key) { return key == Key::kModule ? "module" : key == Key::kJob ? "job" : "load"; }

// Parts that no input changes: a new key format changes them.
const std::set<std::string> kFixedParts = {"format"};

struct Row {
  Key key;
  std::string input;                 // what the user changed
  std::function<void(KeyInputs&)> change;
  std::set<std::string> parts;       // the parts it must change, and only those
};

void PrintTo(const Row& row, std::ostream* out) { *out << NameOf(row.key) << " key: " << row.input; }

const Row kRows[] = {
    // What every compile of a module shares.
    {Key::kModule, "the driver's version", [](KeyInputs& in) { in.module.driver_version = "9.9.9"; }, {"driver"}},
    {Key::kModule, "the frontend script", [](KeyInputs& in) { in.module.frontend_sha256 = "f2"; }, {"frontend"}},
    {Key::kModule, "the module's source", [](KeyInputs& in) { in.module.module.sha256 = "m2"; }, {"module"}},
    {Key::kModule, "the module's path", [](KeyInputs& in) { in.module.module.path = "/moved/kernels.py"; }, {"module"}},
    {Key::kModule, "an imported file's source", [](KeyInputs& in) { in.module.imports[0].sha256 = "h2"; },
     {"imports"}},
    {Key::kModule, "an imported file's path", [](KeyInputs& in) { in.module.imports[0].path = "/src/other.py"; },
     {"imports"}},
    {Key::kModule, "one more imported file",
     [](KeyInputs& in) { in.module.imports.push_back({"/src/more.py", "x"}); }, {"imports"}},
    {Key::kModule, "an imported distribution's version",
     [](KeyInputs& in) { in.module.distributions = {"numpy 2.2.0"}; }, {"distributions"}},
    {Key::kModule, "one more imported distribution",
     [](KeyInputs& in) { in.module.distributions.push_back("kernel-lib 0.3"); }, {"distributions"}},
    {Key::kModule, "Triton's version", [](KeyInputs& in) { in.module.triton_version = "3.7.1"; }, {"triton version"}},
    {Key::kModule, "Triton's compiler (its own key)", [](KeyInputs& in) { in.module.triton_key = "3.6.0-abd"; },
     {"triton key"}},
    {Key::kModule, "a Python source of Triton", [](KeyInputs& in) { in.module.triton_sources[0].sha256 = "c2"; },
     {"triton sources"}},
    {Key::kModule, "Triton's libdevice", [](KeyInputs& in) { in.module.triton_sources[1].sha256 = "d2"; },
     {"triton sources"}},
    {Key::kModule, "a Triton setting's value",
     [](KeyInputs& in) { in.module.settings = {"TRITON_DISABLE_LINE_INFO=1"}; }, {"settings"}},
    {Key::kModule, "a compiler setting Triton keys on",
     [](KeyInputs& in) { in.module.settings.push_back("DISABLE_PTXAS_OPT=1"); }, {"settings"}},
    // One compile.
    {Key::kJob, "anything of the module", [](KeyInputs& in) { in.module_key = "module key 2"; }, {"module key"}},
    {Key::kJob, "the kernel", [](KeyInputs& in) { in.job.function = "scale2"; }, {"function"}},
    {Key::kJob, "an argument's type", [](KeyInputs& in) { in.job.signature["x_ptr"] = "*fp16"; }, {"signature"}},
    {Key::kJob, "a ':16' hint", [](KeyInputs& in) { in.job.divisible_by_16 = {0, 1}; }, {"divisible by 16"}},
    {Key::kJob, "a ':1' hint (compiled in as a constant)",
     [](KeyInputs& in) {
       in.job.signature["stride"] = "constexpr";
       in.job.constexprs["stride"] = 1;
     },
     {"signature", "constexprs"}},
    {Key::kJob, "a constexpr's value", [](KeyInputs& in) { in.job.constexprs["BLOCK"] = 512; }, {"constexprs"}},
    {Key::kJob, "num_warps", [](KeyInputs& in) { in.job.options["num_warps"] = 8; }, {"options"}},
    {Key::kJob, "num_stages", [](KeyInputs& in) { in.job.options["num_stages"] = 2; }, {"options"}},
    {Key::kJob, "num_ctas", [](KeyInputs& in) { in.job.options["num_ctas"] = 2; }, {"options"}},
    {Key::kJob, "maxnreg", [](KeyInputs& in) { in.job.options["maxnreg"] = 128; }, {"options"}},
    {Key::kJob, "the arch", [](KeyInputs& in) { in.job.arch = 80; }, {"arch"}},
    {Key::kJob, "ptxas's path", [](KeyInputs& in) { in.ptxas.path = "/opt/cuda/bin/ptxas"; }, {"ptxas path"}},
    {Key::kJob, "ptxas's version", [](KeyInputs& in) { in.ptxas.version = "13.1"; }, {"ptxas version"}},
    {Key::kJob, "ptxas's file (rebuilt or replaced)", [](KeyInputs& in) { in.ptxas_stamp = "124 456.790"; },
     {"ptxas file"}},
    // What loading a module answers.
    {Key::kLoad, "the driver's version", [](KeyInputs& in) { in.load.driver_version = "9.9.9"; }, {"driver"}},
    {Key::kLoad, "the Python, frontend or tools",
     [](KeyInputs& in) { in.load.frontend_identity = "python 2"; }, {"frontend"}},
    {Key::kLoad, "the module's source", [](KeyInputs& in) { in.load.module.sha256 = "m2"; }, {"module"}},
    {Key::kLoad, "the module's path", [](KeyInputs& in) { in.load.module.path = "/moved/kernels.py"; }, {"module"}},
    {Key::kLoad, "the source root", [](KeyInputs& in) { in.load.source_root = "/"; }, {"source root"}},
    {Key::kLoad, "a Triton setting",
     [](KeyInputs& in) { in.load.settings = {"DISABLE_MMA_V3=1"}; }, {"settings"}},
    {Key::kLoad, "the arch the module is loaded for", [](KeyInputs& in) { in.load.target_arch = 100; },
     {"target arch"}},
};

std::set<std::string> ChangedParts(const KeyParts& before, const KeyParts& after) {
  std::set<std::string> changed;
  for (const KeyPart& part : after) {
    bool same = false;
    for (const KeyPart& old : before) same |= old.name == part.name && old.value == part.value;
    if (!same) changed.insert(part.name);
  }
  return changed;
}

class CacheKeyRowTest : public ::testing::TestWithParam<Row> {};

TEST_P(CacheKeyRowTest, EachChangeChangesExactlyItsParts) {
  const Row& row = GetParam();
  const KeyInputs base;
  KeyInputs changed;
  row.change(changed);
  const KeyParts before = PartsOf(row.key, base), after = PartsOf(row.key, changed);
  EXPECT_EQ(ChangedParts(before, after), row.parts);
  EXPECT_NE(KeyDigest(before), KeyDigest(after));
}

// "ModuleKey_TheModuleSSource": the row's input in letters and digits.
std::string RowName(const ::testing::TestParamInfo<Row>& info) {
  std::string name = std::string(NameOf(info.param.key)) + "Key_";
  bool word_start = true;
  for (char c : info.param.input) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      name += word_start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      word_start = false;
    } else {
      word_start = true;
    }
  }
  name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return name;
}

INSTANTIATE_TEST_SUITE_P(Rows, CacheKeyRowTest, ::testing::ValuesIn(kRows), RowName);

TEST(CacheKeyTest, EveryPartHasARow) {
  for (Key key : {Key::kModule, Key::kJob, Key::kLoad}) {
    std::set<std::string> parts, covered;
    for (const KeyPart& part : PartsOf(key, KeyInputs())) {
      EXPECT_TRUE(parts.insert(part.name).second) << NameOf(key) << " key: part '" << part.name << "' twice";
    }
    for (const Row& row : kRows) {
      if (row.key == key) covered.insert(row.parts.begin(), row.parts.end());
    }
    for (const std::string& part : parts) {
      EXPECT_TRUE(covered.count(part) || kFixedParts.count(part))
          << NameOf(key) << " key: part '" << part << "' has no row in kRows: add the input that changes it";
    }
    for (const std::string& part : covered) {
      EXPECT_TRUE(parts.count(part)) << NameOf(key) << " key: kRows names a part '" << part << "' it does not have";
    }
  }
}

TEST(CacheKeyTest, KeysOfDifferentKindsNeverMeet) {
  const KeyInputs in;
  const std::set<std::string> formats = {PartsOf(Key::kModule, in)[0].value, PartsOf(Key::kJob, in)[0].value,
                                         PartsOf(Key::kLoad, in)[0].value};
  EXPECT_EQ(formats.size(), 3u);
  for (Key key : {Key::kModule, Key::kJob, Key::kLoad}) EXPECT_EQ(PartsOf(key, in)[0].name, "format");
}

TEST(CacheKeyTest, TheDigestFramesEveryPart) {
  EXPECT_EQ(KeyDigest({{"a", "bc"}}), KeyDigest({{"a", "bc"}}));
  EXPECT_NE(KeyDigest({{"a", "bc"}}), KeyDigest({{"ab", "c"}}));
  EXPECT_NE(KeyDigest({{"a", "b"}, {"c", "d"}}), KeyDigest({{"c", "d"}, {"a", "b"}}));
  EXPECT_EQ(KeyDigest({{"a", "b"}}).size(), 64u);
}

TEST(TritonSettingsTest, TritonsKnobsAndTheCompilerSettingsItKeysOn) {
  for (const char* name : {"TRITON_DISABLE_LINE_INFO", "TRITON_DEFAULT_FP_FUSION", "TRITON_KERNEL_OVERRIDE",
                           "TRITON_PTXAS_PATH", "DISABLE_PTXAS_OPT", "DISABLE_MMA_V3", "DISABLE_LLVM_OPT",
                           "MLIR_ENABLE_DUMP", "LLVM_IR_ENABLE_DUMP", "NVPTX_ENABLE_DUMP", "AMDGCN_USE_BUFFER_OPS",
                           "USE_IR_LOC", "ALLOW_LHS_TMEM_LAYOUT_CONVERSION"}) {
    EXPECT_TRUE(IsTritonSetting(name)) << name;
  }
  // Where files go, TritonAOT's own settings, and everything else.
  for (const char* name : {"TRITON_CACHE_DIR", "TRITON_DUMP_DIR", "TRITON_AOT_CACHE_DIR", "TRITON_AOT_CACHE_SIZE",
                           "PATH", "HOME", "TRITON", "DISABLE", "XLLVM_X", "MAKEFLAGS"}) {
    EXPECT_FALSE(IsTritonSetting(name)) << name;
  }
}

TEST(TritonSettingsTest, PicksTheSettingsOutOfAnEnvironmentSorted) {
  const char* entries[] = {"PATH=/bin", "TRITON_DISABLE_LINE_INFO=1", "DISABLE_PTXAS_OPT=", "TRITON_CACHE_DIR=/c",
                           "MLIR_ENABLE_DUMP=0", nullptr};
  EXPECT_EQ(TritonSettings(Environment::FromEntries(const_cast<char* const*>(entries))),
            (std::vector<std::string>{"DISABLE_PTXAS_OPT=", "MLIR_ENABLE_DUMP=0", "TRITON_DISABLE_LINE_INFO=1"}));
}

}  // namespace
}  // namespace triton_aot

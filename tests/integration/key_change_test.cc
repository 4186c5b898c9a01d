// Every input of every cache key, changed alone, in real compiles with real
// Triton: the compiles it touches miss the artifact cache and the others hit,
// the module is loaded again exactly when its load key or a file it was made
// of changed, and the outputs equal those of a clean build without the cache.
// The rows name the key parts (driver/cache_key.h) they change; a part that no
// row changes fails EveryKeyPartIsChangedByARow.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cache_key.h"
#include "kernel_project.h"
#include "sample_modules.h"
#include "service_client.h"
#include "test_support.h"
#include "timing_log.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;

const char* kModule = R"src(import triton
import triton.language as tl
from helper import twice


@triton.jit
def scale(x_ptr, y_ptr, n, stride, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.store(y_ptr + offsets * stride, twice(tl.load(x_ptr + offsets, mask=mask)), mask=mask)


@triton.jit
def shift(x_ptr, y_ptr, n, stride, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.store(y_ptr + offsets * stride, tl.load(x_ptr + offsets, mask=mask) + 1, mask=mask)


TRITON_AOT_KERNELS = [
    {"kernel": "scale",
     "signature": {"x_ptr": "*fp32:16", "y_ptr": "*fp32:16", "n": "i32", "stride": "i32"},
     "grid": ["cdiv(n, BLOCK)"],
     "variants": [
         {"name": "small", "constexprs": {"BLOCK": 256}},
         {"name": "large", "constexprs": {"BLOCK": 1024}, "num_warps": 8},
     ]},
]
)src";

const std::set<std::string> kAll = {"scale.small.sm_90a", "scale.large.sm_90a"};

// A ptxas that is the toolkit's, under another name; its `--version` answer
// comes from the file beside it, so that a row can change the version alone.
std::string PtxasWrapper(const fs::path& dir) {
  return "#!/bin/sh\nif [ \"$1\" = --version ]; then cat '" + (dir / "ptxas-version").string() + "'; exit 0; fi\nexec '" +
         ToolkitPtxas() + "' \"$@\"\n";
}

// One row's world: its sources, tools and driver options. A row's setup and
// change edit it.
struct Case {
  fs::path dir;
  std::string module = kModule;
  std::string helper = kHelperModule;
  fs::path source_dir = dir / "src";
  std::map<std::string, std::string> options;
  std::map<std::string, std::optional<std::string>> env;

  void Edit(const std::string& from, const std::string& to) { module = ReplaceAll(module, from, to); }
  void Write() const {
    WriteText(source_dir / "kernels.py", module);
    WriteText(source_dir / "helper.py", helper);
  }
  // The toolkit's ptxas under another name, as the --ptxas option.
  fs::path UseWrappedPtxas() {
    WriteText(dir / "tools" / "ptxas", PtxasWrapper(dir / "tools"));
    MakeExecutable(dir / "tools" / "ptxas");
    WriteText(dir / "tools" / "ptxas-version", Run({ToolkitPtxas(), "--version"}).output);
    options["--ptxas"] = (dir / "tools" / "ptxas").string();
    return dir / "tools" / "ptxas";
  }
  // A Triton of the row's own, found first on PYTHONPATH: the installed one's
  // folders with links to its files, `copies` replaced by copies to edit.
  fs::path UseTritonCopy(const std::vector<std::string>& copies) {
    const fs::path installed = fs::path(TritonBinDir()).parent_path().parent_path().parent_path();
    const fs::path triton = dir / "site" / "triton";
    fs::create_directories(triton.parent_path());
    EXPECT_TRUE(Run({"cp", "-rs", installed.string(), triton.string()}).Succeeded());
    for (const std::string& file : copies) {
      fs::remove(triton / file);
      fs::copy_file(installed / file, triton / file);
    }
    env["PYTHONPATH"] = triton.parent_path().string();
    return triton;
  }
  // An installed distribution "tinylib" of `version` on PYTHONPATH, which
  // the module imports; its files are the same in every version.
  void InstallTinylib(const std::string& version) {
    const fs::path site = dir / "dists";
    fs::remove_all(site);
    WriteText(site / "tinylib" / "__init__.py", "ONE = 1\n");
    const std::string info = "tinylib-" + version + ".dist-info";
    WriteText(site / info / "METADATA", "Metadata-Version: 2.1\nName: tinylib\nVersion: " + version + "\n");
    WriteText(site / info / "RECORD", "tinylib/__init__.py,,\n" + info + "/METADATA,,\n");
    env["PYTHONPATH"] = site.string();
    if (module.find("import tinylib") == std::string::npos) module = "import tinylib\n" + module;
  }
  // The frontend's Python files copied to edit, as the --frontend option.
  void UseFrontendCopy() {
    const fs::path installed = fs::path(TRITON_AOT_FRONTEND).parent_path();
    fs::create_directories(dir / "frontend");
    for (const fs::directory_entry& file : fs::directory_iterator(installed)) {
      if (file.path().extension() == ".py") fs::copy_file(file.path(), dir / "frontend" / file.path().filename());
    }
    options["--frontend"] = (dir / "frontend" / "triton_aot_frontend.py").string();
  }
  void Append(const fs::path& file, const std::string& text) { WriteText(file, ReadText(file) + text); }
};

// Each change of a spec is an edit of its module too, so it misses every
// compile of the module; that it changes the job key's part alone is checked
// in cache_key_test.cc.
struct Row {
  std::string input;
  std::set<std::string> parts;  // "module:imports": the key and the part it changes
  std::function<void(Case&)> setup = [](Case&) {};
  std::function<void(Case&)> change;
  std::set<std::string> misses = kAll;  // "kernel.variant.sm"
  bool loads_again = true;              // with no miss, whether Python must run
  // False where Triton itself gives other bytes from run to run.
  bool deterministic = true;
};

const Row kRows[] = {
    {.input = "nothing", .change = [](Case&) {}, .misses = {}, .loads_again = false},
    {.input = "the kernel's code",
     .parts = {"module:module", "load:module"},
     .change = [](Case& c) { c.Edit("tl.arange(0, BLOCK)\n    mask", "tl.arange(0, BLOCK) + 0\n    mask"); }},
    {.input = "the module's path",
     .parts = {"module:module", "load:module"},
     .change = [](Case& c) { c.source_dir = c.dir / "moved"; }},
    {.input = "an imported helper",
     .parts = {"module:imports"},
     .change = [](Case& c) { c.helper = ReplaceAll(c.helper, "x * 2", "x * 3"); }},
    {.input = "the kernel a spec entry names",
     .parts = {"job:function"},
     .change = [](Case& c) { c.Edit(R"({"kernel": "scale",)", R"({"kernel": "shift",)"); },
     .misses = {"shift.small.sm_90a", "shift.large.sm_90a"}},
    {.input = "an argument's type",
     .parts = {"job:signature"},
     .change = [](Case& c) { c.Edit(R"("stride": "i32")", R"("stride": "i64")"); }},
    {.input = "a ':16' hint",
     .parts = {"job:divisible by 16"},
     .change = [](Case& c) { c.Edit(R"("n": "i32")", R"("n": "i32:16")"); }},
    {.input = "a ':1' hint",
     .parts = {"job:signature", "job:constexprs"},
     .change = [](Case& c) { c.Edit(R"("stride": "i32")", R"("stride": "i32:1")"); }},
    {.input = "a constexpr of one variant",
     .parts = {"job:constexprs"},
     .change = [](Case& c) { c.Edit(R"({"BLOCK": 256})", R"({"BLOCK": 512})"); }},
    {.input = "num_warps of one variant",
     .parts = {"job:options"},
     .change = [](Case& c) { c.Edit(R"("num_warps": 8)", R"("num_warps": 4)"); }},
    {.input = "num_stages of one variant",
     .parts = {"job:options"},
     .change = [](Case& c) { c.Edit(R"({"BLOCK": 256}})", R"({"BLOCK": 256}, "num_stages": 2})"); }},
    // Triton 3.6 lays out a num_ctas > 1 kernel for sm_90 in an order that
    // depends on heap addresses: two cold compiles can differ
    // (docs/reliability.md).
    {.input = "num_ctas of one variant",
     .parts = {"job:options"},
     .change = [](Case& c) { c.Edit(R"("num_warps": 8)", R"("num_warps": 8, "num_ctas": 2)"); },
     .deterministic = false},
    {.input = "maxnreg of one variant",
     .parts = {"job:options"},
     .change = [](Case& c) { c.Edit(R"({"BLOCK": 256}})", R"({"BLOCK": 256}, "maxnreg": 128})"); }},
    {.input = "the arch",
     .parts = {"job:arch"},
     .change = [](Case& c) { c.options["--arch"] = "80"; },
     .misses = {"scale.small.sm_80", "scale.large.sm_80"}},
    {.input = "ptxas's path",
     .parts = {"job:ptxas path"},
     .change = [](Case& c) { c.UseWrappedPtxas(); }},
    {.input = "ptxas's version",
     .parts = {"job:ptxas version"},
     .setup = [](Case& c) { c.UseWrappedPtxas(); },
     .change =
         [](Case& c) {
           WriteText(c.dir / "tools" / "ptxas-version", "Cuda compilation tools, release 12.9, V12.9.86\n");
         }},
    {.input = "ptxas's file, with the same version",
     .parts = {"job:ptxas file"},
     .setup = [](Case& c) { c.UseWrappedPtxas(); },
     .change = [](Case& c) { c.Append(c.dir / "tools" / "ptxas", "# rebuilt\n"); }},
    {.input = "the version of an installed distribution the module imports",
     .parts = {"module:distributions"},
     .setup = [](Case& c) { c.InstallTinylib("1.0"); },
     .change = [](Case& c) { c.InstallTinylib("1.1"); }},
    {.input = "Triton's version",
     .parts = {"module:triton version", "module:triton key", "module:triton sources"},
     .setup = [](Case& c) { c.UseTritonCopy({"__init__.py"}); },
     .change =
         [](Case& c) {
           // A local version ("3.6.0+patched"): still a supported release.
           const fs::path init = c.dir / "site" / "triton" / "__init__.py";
           std::string text = ReadText(init);
           text.insert(text.find('\'', text.find("__version__ = '") + 15), "+patched");
           WriteText(init, text);
         }},
    {.input = "a source of Triton's compiler",
     .parts = {"module:triton key", "module:triton sources"},
     .setup = [](Case& c) { c.UseTritonCopy({"language/core.py"}); },
     .change = [](Case& c) { c.Append(c.dir / "site" / "triton" / "language" / "core.py", "\n# patched\n"); }},
    {.input = "Triton's files reinstalled, with the same bytes",
     .setup = [](Case& c) { c.UseTritonCopy({"__init__.py"}); },
     .change = [](Case& c) { Touch(c.dir / "site" / "triton" / "__init__.py"); },
     .misses = {}},
    {.input = "a Triton setting",
     .parts = {"module:settings", "load:settings"},
     .change = [](Case& c) { c.env["TRITON_DISABLE_LINE_INFO"] = "1"; }},
    {.input = "a compiler setting Triton keys on",
     .parts = {"module:settings", "load:settings"},
     .change = [](Case& c) { c.env["DISABLE_PTXAS_OPT"] = "1"; }},
    {.input = "the frontend script",
     .parts = {"module:frontend"},
     .setup = [](Case& c) { c.UseFrontendCopy(); },
     .change = [](Case& c) { c.Append(c.dir / "frontend" / "triton_aot_frontend.py", "\n# edited\n"); }},
    {.input = "the protocol module the frontend shares with the service",
     .parts = {"module:frontend"},
     .setup = [](Case& c) { c.UseFrontendCopy(); },
     .change = [](Case& c) { c.Append(c.dir / "frontend" / "triton_aot_protocol.py", "\n# edited\n"); }},
    {.input = "the Python",
     .parts = {"load:frontend"},
     .setup =
         [](Case& c) {
           WriteText(c.dir / "tools" / "python", "#!/bin/sh\nexec '" + TestPython() + "' \"$@\"\n");
           MakeExecutable(c.dir / "tools" / "python");
           c.options["--python"] = (c.dir / "tools" / "python").string();
         },
     .change = [](Case& c) { c.Append(c.dir / "tools" / "python", "# another Python\n"); },
     .misses = {}},
    {.input = "the source root",
     .parts = {"load:source root"},
     .change = [](Case& c) { c.options["--source-root"] = c.dir.string(); },
     .misses = {}},
};

// Key parts no row can change alone from outside the driver (cache_key_test.cc
// changes each): its version is compiled in, and another first arch changes
// the jobs' archs too.
const std::set<std::string> kUnitOnly = {"module:driver", "load:driver", "load:target arch"};

// A job key part every module key part reaches.
const std::set<std::string> kThroughOtherParts = {"job:module key"};

void PrintTo(const Row& row, std::ostream* out) { *out << row.input; }

// Names of the files that only one of `a` and `b` has, or that differ.
std::vector<std::string> DifferentFiles(const std::map<std::string, std::string>& a,
                                        const std::map<std::string, std::string>& b) {
  std::vector<std::string> names;
  for (const auto& [name, bytes] : a) {
    if (!b.count(name) || b.at(name) != bytes) names.push_back(name);
  }
  for (const auto& [name, bytes] : b) {
    if (!a.count(name)) names.push_back(name);
  }
  return names;
}

struct Built {
  ProcessResult result;
  std::map<std::string, std::string> cache;  // "kernel.variant.sm" -> "hit" / "miss"
  std::set<std::string> compilers;           // "none", "service", "process"
  std::map<std::string, std::string> outputs;
};

class KeyChangeTest : public ::testing::TestWithParam<Row> {
 protected:
  void SetUp() override {
    if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
    if (ToolkitPtxas().empty()) GTEST_SKIP() << "no CUDA toolkit ptxas was found when this build was configured";
  }
  void TearDown() override {
    std::string what, err;
    StopService(DefaultServiceFolder(Environment::OfThisProcess()), (dir_.path() / "tree").string(), &what, &err);
  }

  // Compiles the case into `out`, with the artifact cache `cache` (empty:
  // none) and the compile service (or not).
  Built Compile(const Case& c, const std::string& out, const std::string& cache, bool service) {
    c.Write();
    std::map<std::string, std::string> options = PlainCompileOptions(dir_.path() / out);
    options["--timing-log"] = (dir_.path() / (out + ".jsonl")).string();
    if (!cache.empty()) {
      options.erase("--no-cache");
      options["--cache-dir"] = (dir_.path() / cache).string();
    }
    if (service) {
      options.erase("--no-service");
      options["--build-tree"] = (dir_.path() / "tree").string();
    }
    for (const auto& [option, value] : c.options) options[option] = value;
    ProcessOptions process;
    process.env = c.env;
    Built built;
    built.result = testing::Run(DriverCompileCommand(c.source_dir / "kernels.py", options), "", process);
    std::vector<TimingRecord> records;
    int bad = 0;
    std::string err;
    ReadTimingLog(options["--timing-log"], &records, &bad, &err);
    for (const TimingRecord& r : records) {
      built.cache[r.kernel + "." + r.variant + "." + r.arch] = r.cache;
      built.compilers.insert(r.compiler);
    }
    built.outputs = ReadTree(dir_.path() / out);
    return built;
  }

  TempDir dir_;
};

TEST_P(KeyChangeTest, MissesWhatItChangesAndGivesWhatACleanBuildGives) {
  const Row& row = GetParam();
  Case c{dir_.path()};
  row.setup(c);
  const Built base = Compile(c, "base", "cache", true);
  ASSERT_TRUE(base.result.Succeeded()) << base.result.output;

  row.change(c);
  const Built cached = Compile(c, "cached", "cache", true);
  ASSERT_TRUE(cached.result.Succeeded()) << cached.result.output;
  std::set<std::string> misses;
  for (const auto& [job, state] : cached.cache) {
    EXPECT_TRUE(state == "hit" || state == "miss") << job << ": " << state;
    if (state == "miss") misses.insert(job);
  }
  EXPECT_EQ(misses, row.misses);
  const bool python_ran = cached.compilers != std::set<std::string>{"none"};
  EXPECT_EQ(python_ran, !row.misses.empty() || row.loads_again) << "compilers: " << cached.compilers.size();

  const Built clean = Compile(c, "clean", "", false);
  ASSERT_TRUE(clean.result.Succeeded()) << clean.result.output;
  EXPECT_EQ(clean.compilers, std::set<std::string>{"process"});
  EXPECT_FALSE(cached.outputs.empty());
  if (!row.deterministic) return;
  EXPECT_EQ(DifferentFiles(cached.outputs, clean.outputs), std::vector<std::string>{})
      << "a cached build's outputs differ from a clean build's";
}

// "TheKernelSCode": the row's input in letters and digits.
std::string RowName(const ::testing::TestParamInfo<Row>& info) {
  std::string name;
  bool word_start = true;
  for (char c : info.param.input) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      name += word_start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    }
    word_start = !std::isalnum(static_cast<unsigned char>(c));
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Inputs, KeyChangeTest, ::testing::ValuesIn(kRows), RowName);

TEST(KeyChangeRowsTest, EveryKeyPartIsChangedByARow) {
  std::set<std::string> parts, covered = kThroughOtherParts;
  const auto add = [&](const char* key, const KeyParts& key_parts) {
    for (const KeyPart& part : key_parts) {
      if (part.name != "format") parts.insert(std::string(key) + ":" + part.name);
    }
  };
  add("module", ModuleKeyParts({}));
  add("job", JobKeyParts("", CompileJob(), PtxasInfo(), ""));
  add("load", LoadKeyParts({}));
  for (const Row& row : kRows) covered.insert(row.parts.begin(), row.parts.end());
  covered.insert(kUnitOnly.begin(), kUnitOnly.end());
  for (const std::string& part : parts) {
    EXPECT_TRUE(covered.count(part)) << "no row of kRows changes the key part " << part;
  }
  for (const std::string& part : covered) EXPECT_TRUE(parts.count(part)) << "no key has a part " << part;
}

}  // namespace
}  // namespace triton_aot::testing

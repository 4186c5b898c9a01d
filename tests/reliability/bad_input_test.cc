// The bad-input corpus: every way a user can get a kernel module, its spec,
// the driver's options or the machine wrong, each run through the real driver
// with real Triton. Each must fail with a non-zero exit and one message that
// says where (file:line, or the option), what is wrong and what to do, while
// the outputs of the last good build stay exactly as they were and no
// temporary file is left behind.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "atomic_file.h"
#include "kernel_project.h"
#include "test_support.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;

// The good module that every case starts from; line numbers matter below.
const char* kGoodModule = R"src(import triton
import triton.language as tl


@triton.jit
def scale(x_ptr, y_ptr, n, alpha, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    x = tl.load(x_ptr + offsets, mask=mask)
    tl.store(y_ptr + offsets, x * alpha, mask=mask)


TRITON_AOT_KERNELS = [
    {"kernel": "scale",
     "signature": {"x_ptr": "*fp32:16", "y_ptr": "*fp32:16", "n": "i32", "alpha": "fp32"},
     "grid": ["cdiv(n, BLOCK)"],
     "variants": [
         {"name": "small", "constexprs": {"BLOCK": 256}},
         {"name": "large", "constexprs": {"BLOCK": 1024}, "num_warps": 8},
     ]},
]
)src";

// A matmul whose large tiles need more shared memory than sm_86 has.
const char* kBigTileMatmul = R"src(import triton
import triton.language as tl


@triton.jit
def matmul(a_ptr, b_ptr, c_ptr, K, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr):
    rm = tl.arange(0, BM)
    rn = tl.arange(0, BN)
    rk = tl.arange(0, BK)
    acc = tl.zeros((BM, BN), dtype=tl.float32)
    for k in range(0, K, BK):
        a = tl.load(a_ptr + rm[:, None] * K + (k + rk)[None, :])
        b = tl.load(b_ptr + (k + rk)[:, None] * BN + rn[None, :])
        acc += tl.dot(a, b)
    tl.store(c_ptr + rm[:, None] * BN + rn[None, :], acc)


TRITON_AOT_KERNELS = [
    {"kernel": "matmul",
     "signature": {"a_ptr": "*fp16:16", "b_ptr": "*fp16:16", "c_ptr": "*fp32:16", "K": "i32:16"},
     "constexprs": {"BM": 256, "BN": 256, "BK": 64},
     "grid": [1],
     "variants": [{"name": "huge", "num_stages": 4, "num_warps": 8}]},
]
)src";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("test bug: '" + from + "' is not in the module");
  return text.replace(at, from.size(), to);
}

std::string Shell(const std::string& body) { return "#!/bin/sh\n" + body + "\n"; }

struct BadInput {
  std::string name;
  std::string module = kGoodModule;             // src/kernels.py
  std::map<std::string, std::string> files;     // more files, relative to the case folder
  std::map<std::string, std::string> options;   // driver options replaced or added (DriverCompileCommand)
  std::map<std::string, std::optional<std::string>> env;
  // The message must match `where` (a regex; {module} and {dir} stand for
  // the module's and the case folder's paths) and contain `what` and `todo`.
  std::string where;
  std::string what;
  std::string todo;
  std::string module_name = "kernels.py";
};

std::ostream& operator<<(std::ostream& os, const BadInput& c) { return os << c.name; }

// Whether `program` is on PATH.
bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

// The compile of a case, with the artifact cache (each test's own).
std::map<std::string, std::string> DefaultOptions(const fs::path& dir) {
  std::map<std::string, std::string> options = PlainCompileOptions(dir / "out");
  options.erase("--no-cache");
  options["--depfile"] = (dir / "out" / "kernels.d").string();
  options["--timing-log"] = (dir / "timing.jsonl").string();
  return options;
}

// What the baseline is made of: the good module, the driver, the frontend
// and the tools, each by its stamp. A baseline made of anything else is made
// again.
std::string BaselineKey(const fs::path& root) {
  std::string key = kGoodModule;
  for (const auto& [option, value] : DefaultOptions(root)) key += option + "=" + value + "\n";
  for (const std::string& file : {std::string(TRITON_AOT_DRIVER), std::string(TRITON_AOT_FRONTEND), Fatbinary(),
                                  ToolkitPtxas(), TestPython()}) {
    key += file + " " + FileStamp(file) + "\n";
  }
  return key;
}

// The outputs of one good build, made once and shared by every case (and by
// every test process: ctest runs each case on its own), without the
// artifact cache: they are what Triton compiled.
const fs::path& Baseline() {
  static const fs::path baseline = [] {
    const fs::path root = fs::path(TRITON_AOT_BUILD_DIR) / "tests" / "reliability" / "bad-input-baseline";
    fs::create_directories(root.parent_path());
    const int lock = ::open((root.string() + ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    ::flock(lock, LOCK_EX);
    const std::string key = BaselineKey(root);
    if (ReadText(root / "key") != key) {
      fs::remove_all(root);
      WriteText(root / "src" / "kernels.py", kGoodModule);
      std::map<std::string, std::string> options = DefaultOptions(root);
      options["--no-cache"] = "";
      ProcessResult built = Run(DriverCompileCommand(root / "src" / "kernels.py", options));
      if (!built.Succeeded()) {
        fs::remove_all(root);
        throw std::runtime_error("the good module does not build:\n" + built.output);
      }
      WriteText(root / "key", key);
    }
    ::close(lock);
    return root;
  }();
  return baseline;
}

class BadInputFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
  }

  // Runs the case: the good build's outputs in place, then the bad input.
  ProcessResult RunCase(const BadInput& c, const std::vector<std::string>& prefix = {}) {
    Prepare(c);
    return Execute(c, prefix);
  }

  void Prepare(const BadInput& c) {
    fs::copy(Baseline() / "out", dir_.path() / "out", fs::copy_options::recursive);
    WriteText(dir_.path() / "src" / c.module_name, c.module);
    for (const auto& [name, text] : c.files) {
      WriteText(dir_.path() / name, ReplaceAll(text, "{dir}", dir_.path().string()));
      if (text.rfind("#!", 0) == 0) MakeExecutable(dir_.path() / name);
    }
    before_ = ReadTree(dir_.path() / "out");
  }

  // `prefix` runs the driver under another program (prlimit, setpriv).
  ProcessResult Execute(const BadInput& c, const std::vector<std::string>& prefix) {
    std::map<std::string, std::string> options = DefaultOptions(dir_.path());
    for (const auto& [option, value] : c.options) options[option] = ReplaceAll(value, "{dir}", dir_.path().string());
    std::vector<std::string> argv = prefix;
    const std::vector<std::string> driver = DriverCompileCommand(dir_.path() / "src" / c.module_name, options);
    argv.insert(argv.end(), driver.begin(), driver.end());
    ProcessOptions process;
    for (const auto& [name, value] : c.env) {
      process.env[name] = value ? std::optional(ReplaceAll(*value, "{dir}", dir_.path().string())) : std::nullopt;
    }
    return triton_aot::testing::Run(argv, "", process);
  }

  void ExpectOneClearMessageAndNothingLost(const BadInput& c, const ProcessResult& result) {
    std::printf("the driver said:\n%s", result.output.c_str());  // for reading the corpus's messages
    EXPECT_FALSE(result.Succeeded()) << result.output;
    EXPECT_EQ(result.signal, 0) << "the driver died of a signal:\n" << result.output;
    EXPECT_EQ(CountMessages(result.output), 1) << "one message, not several:\n" << result.output;
    std::string where = ReplaceAll(c.where, "{module}", RegexEscape((dir_.path() / "src" / c.module_name).string()));
    where = ReplaceAll(where, "{dir}", RegexEscape(dir_.path().string()));
    EXPECT_TRUE(std::regex_search(result.output, std::regex("(^|\n)" + where)))
        << "expected the message to start with /" << where << "/:\n" << result.output;
    const std::string what = ReplaceAll(c.what, "{dir}", dir_.path().string());
    const std::string todo = ReplaceAll(c.todo, "{dir}", dir_.path().string());
    EXPECT_NE(result.output.find(what), std::string::npos) << "expected '" << what << "' in:\n" << result.output;
    EXPECT_NE(result.output.find(todo), std::string::npos) << "expected '" << todo << "' in:\n" << result.output;
    EXPECT_EQ(ReadTree(dir_.path() / "out"), before_) << "the good build's outputs changed";
    EXPECT_EQ(TemporaryFiles(dir_.path()), std::vector<std::string>{}) << "temporary files left behind";
  }

  TempDir dir_;
  std::map<std::string, std::string> before_;
};

class BadInputTest : public BadInputFixture, public ::testing::WithParamInterface<BadInput> {};

TEST_P(BadInputTest, FailsWithOneClearMessageAndKeepsTheLastGoodOutputs) {
  const BadInput& c = GetParam();
  ExpectOneClearMessageAndNothingLost(c, RunCase(c));
}

const char* kOldPtxas = R"(case "$1" in
  --version) echo "Cuda compilation tools, release 11.8, V11.8.89" ;;
  --help) echo "--gpu-name  Allowed values for this option: 'sm_50','sm_60','sm_70','sm_75','sm_80','sm_86','sm_89'" ;;
  *) exit 1 ;;
esac)";

const BadInput kCorpus[] = {
    // The module's Python.
    {.name = "SyntaxError",
     .module = Replace(kGoodModule, "def scale(x_ptr,", "def scale(x_ptr +,"),
     .where = "{module}:6:[0-9]+: error: ",
     .what = "invalid syntax",
     .todo = ""},
    {.name = "ImportErrorInAHelper",
     .module = Replace(kGoodModule, "import triton\n", "import triton\nimport helper\n"),
     .files = {{"src/helper.py", "import math\nfrom math import no_such_function\n"}},
     .where = "{dir}/src/helper\\.py:2: error: ",
     .what = "cannot import name 'no_such_function' from 'math'",
     .todo = "(while loading "},
    {.name = "MissingPythonPackage",
     .module = Replace(kGoodModule, "import triton\n", "import triton\nimport no_such_package\n"),
     .where = "{module}:2: error: ",
     .what = "No module named 'no_such_package'",
     .todo = "install it for"},
    {.name = "ExceptionAtImport",
     .module = Replace(kGoodModule, "import triton\n", "import triton\nBLOCKS = 1024 // 0\n"),
     .where = "{module}:2: error: ",
     .what = "ZeroDivisionError",
     .todo = ""},
    {.name = "EmptyModule",
     .module = "",
     .where = "{module}:1: error: ",
     .what = "TRITON_AOT_KERNELS",
     .todo = "add a list TRITON_AOT_KERNELS"},
    {.name = "ModuleNameIsNotAnIdentifier",
     .where = "{dir}/src/my-kernels\\.py:1: error: ",
     .what = "is not a C++ identifier",
     .todo = "rename the file",
     .module_name = "my-kernels.py"},
    {.name = "ImportRunsForever",
     .module = Replace(kGoodModule, "import triton\n", "import time\nimport triton\nwhile True:\n    time.sleep(0.05)\n"),
     .options = {{"--load-timeout", "3"}},
     .where = "{module}:4: error: ",
     .what = "did not finish within 3 s",
     .todo = "--load-timeout"},
    // The spec.
    {.name = "SpecNamesAKernelThatDoesNotExist",
     .module = Replace(kGoodModule, R"({"kernel": "scale",)", R"({"kernel": "scael",)"),
     .where = "{module}:14: error: ",
     .what = "scael",
     .todo = "scale"},
    {.name = "SpecIsNotAList",
     .module = Replace(Replace(kGoodModule, "TRITON_AOT_KERNELS = [", "TRITON_AOT_KERNELS = ("), "]},\n]", "]},\n)[0]"),
     .where = "{module}:13: error: ",
     .what = "list",
     .todo = "one per kernel"},
    {.name = "SpecEntryMissesTheSignature",
     .module = Replace(kGoodModule,
                       R"(     "signature": {"x_ptr": "*fp32:16", "y_ptr": "*fp32:16", "n": "i32", "alpha": "fp32"},
)",
                       ""),
     .where = "{module}:14: error: ",
     .what = "signature",
     .todo = "every entry needs kernel and signature"},
    {.name = "SpecHasAnUnknownField",
     .module = Replace(kGoodModule, R"("num_warps": 8})", R"("num_warp": 8})"),
     .where = "{module}:19: error: ",
     .what = "num_warp",
     .todo = "num_warps"},
    {.name = "SpecFieldHasTheWrongType",
     .module = Replace(kGoodModule, R"("num_warps": 8})", R"("num_warps": "8"})"),
     .where = "{module}:19: error: ",
     .what = "num_warps",
     .todo = "must be a positive integer"},
    {.name = "SpecHoldsSomethingThatIsNotData",
     .module = Replace(kGoodModule, R"x("grid": ["cdiv(n, BLOCK)"],)x", R"x("grid": [lambda meta: 1],)x"),
     .where = "{module}:13: error: ",
     .what = "plain data",
     .todo = "(dict, list, str, int, float, bool) or Triton dtypes (tl.float16)"},
    {.name = "SpecHoldsAnIntegerWiderThan64Bits",
     .module = Replace(kGoodModule, R"({"BLOCK": 256})", R"({"BLOCK": 2**64 + 1})"),
     .where = "{module}:13: error: ",
     .what = "the integer 18446744073709551617, which does not fit in 64 bits",
     .todo = "use a smaller value"},
    {.name = "SpecHoldsANumberThatIsNotFinite",
     .module = Replace(kGoodModule, R"({"BLOCK": 256})", R"({"BLOCK": float("inf")})"),
     .where = "{module}:13: error: ",
     .what = "inf, which is not a finite number",
     .todo = "use a finite float"},
    {.name = "UnknownArgumentType",
     .module = Replace(kGoodModule, R"("alpha": "fp32")", R"("alpha": "fp33")"),
     .where = "{module}:1[45]: error: ",
     .what = "fp33",
     .todo = "use a scalar"},
    {.name = "UnknownHint",
     .module = Replace(kGoodModule, R"("n": "i32")", R"("n": "i32:17")"),
     .where = "{module}:1[45]: error: ",
     .what = "17",
     .todo = "16"},
    {.name = "SignatureMissesAnArgument",
     .module = Replace(kGoodModule, R"(, "alpha": "fp32"})", "}"),
     .where = "{module}:1[45]: error: ",
     .what = "alpha",
     .todo = "add it"},
    {.name = "ConstexprMissing",
     .module = Replace(kGoodModule, R"({"name": "small", "constexprs": {"BLOCK": 256}})", R"({"name": "small"})"),
     .where = "{module}:18: error: ",
     .what = "BLOCK",
     .todo = "add it to constexprs"},
    {.name = "ConstexprOfTheWrongType",
     .module = Replace(kGoodModule, R"({"BLOCK": 256})", R"({"BLOCK": [256]})"),
     .where = "{module}:18: error: ",
     .what = "BLOCK",
     .todo = "must be an int, float, bool, str or Triton dtype"},
    {.name = "GridNamesAnUnknownArgument",
     .module = Replace(kGoodModule, R"x("cdiv(n, BLOCK)")x", R"x("cdiv(m, BLOCK)")x"),
     .where = "{module}:1[46]: error: ",
     .what = "'m'",
     .todo = "it may read the integer arguments and constexprs"},
    // Names that generated C++ would declare twice or that would hide what it uses.
    {.name = "KernelNamesCollideInTheGeneratedHeader",
     .module = Replace(kGoodModule, "\n]\n", R"src(
    {"kernel": "scale", "name": "scale_variants",
     "signature": {"x_ptr": "*fp32", "y_ptr": "*fp32", "n": "i32", "alpha": "fp32"},
     "grid": ["cdiv(n, BLOCK)"], "constexprs": {"BLOCK": 256}},
]
)src"),
     .where = "{module}:21: error: ",
     .what = "makes the header declare 'scale_variants', which it declares for kernel 'scale' too",
     .todo = "give the entry a (different) \"name\""},
    {.name = "KernelNameHidesATypeTheGeneratedCodeUses",
     .module = Replace(kGoodModule, R"({"kernel": "scale",)", R"({"kernel": "scale", "name": "CUstream",)"),
     .where = "{module}:14: error: ",
     .what = "'CUstream' would hide the type",
     .todo = "give the entry a (different) \"name\""},
    {.name = "ModuleNamedLikeACppKeyword",
     .where = "{module}:1: error: ",
     .what = "'int' is a C++ keyword",
     .todo = "rename the file",
     .module_name = "int.py"},
    {.name = "ModuleNamedLikeANamespaceTheGeneratedCodeUses",
     .where = "{module}:1: error: ",
     .what = "a namespace named 'std' would hide",
     .todo = "rename the file",
     .module_name = "std.py"},
    {.name = "NamespacePartIsACppKeyword",
     .options = {{"--namespace", "kernels::class"}},
     .where = "triton-aot: error: --namespace: ",
     .what = "'class' is a C++ keyword",
     .todo = "choose another"},
    {.name = "DuplicateVariant",
     .module = Replace(kGoodModule, R"({"name": "large")", R"({"name": "small")"),
     .where = "{module}:19: error: ",
     .what = "small",
     .todo = "give each its own name"},
    // Triton's compiler.
    {.name = "TritonRejectsTheKernelBody",
     .module = Replace(kGoodModule, "tl.arange(0, BLOCK)", "tl.arange(0, 3)"),
     .where = "{module}:7:[0-9]+: error: kernel 'scale', variants 'small' and 'large', sm_90a: ",
     .what = "power of 2",
     .todo = ""},
    {.name = "VariantNeedsMoreSharedMemoryThanTheArchHas",
     .module = kBigTileMatmul,
     .options = {{"--arch", "86"}},
     .where = "{module}:23: error: kernel 'matmul', variant 'huge' needs [0-9]+ bytes of shared memory on sm_86",
     .what = "at most 101376",
     .todo = "lower num_stages"},
    // Options and tools.
    {.name = "MalformedArchitecture",
     .options = {{"--arch", "9x"}},
     .where = "triton-aot: error: --arch: ",
     .what = "'9x' is not a GPU architecture",
     .todo = "e.g. 80, 90a, 100"},
    {.name = "UnsupportedArchitecture",
     .options = {{"--arch", "70"}},
     .where = "triton-aot: error: --arch: ",
     .what = "older than Triton supports",
     .todo = "75 or newer"},
    {.name = "NamespaceIsNotACppName",
     .options = {{"--namespace", "1kernels"}},
     .where = "triton-aot: error: --namespace: ",
     .what = "cannot name the generated code's namespace: '1kernels' is not a C++ identifier",
     .todo = "e.g. kernels"},
    {.name = "PtxasMissing",
     .options = {{"--ptxas", "{dir}/no/ptxas"}},
     .where = "triton-aot: error: {module}: ",
     .what = "{dir}/no/ptxas",
     .todo = "point it at a ptxas that exists"},
    {.name = "PtxasNotExecutable",
     .files = {{"tools/ptxas", "not a program"}},
     .options = {{"--ptxas", "{dir}/tools/ptxas"}},
     .where = "triton-aot: error: {module}: ",
     .what = "{dir}/tools/ptxas",
     .todo = "is executable"},
    {.name = "PtxasTooOldForTheArch",
     .files = {{"tools/ptxas", Shell(kOldPtxas)}},
     .options = {{"--ptxas", "{dir}/tools/ptxas"}},
     .where = "triton-aot: error: {module}: ",
     .what = "CUDA 11.8, which cannot compile for sm_90a",
     .todo = "supports sm_90a"},
    {.name = "TritonPtxasPathPointsAtNothing",
     .env = {{"TRITON_PTXAS_PATH", "{dir}/nothing/ptxas"}},
     .where = "triton-aot: error: {module}: ",
     .what = "{dir}/nothing/ptxas",
     .todo = "TRITON_PTXAS_PATH"},
    {.name = "FatbinaryFails",
     .files = {{"tools/fatbinary", Shell("echo 'fatbinary fatal   : out of cheese' >&2\nexit 3")}},
     .options = {{"--fatbinary", "{dir}/tools/fatbinary"}},
     .where = "triton-aot: error: {module}: ",
     .what = "out of cheese",
     .todo = "--fatbinary"},
    {.name = "FatbinaryMissing",
     .options = {{"--fatbinary", "{dir}/no/fatbinary"}},
     .where = "triton-aot: error: {module}: ",
     .what = "{dir}/no/fatbinary",
     .todo = "--fatbinary"},
    {.name = "PythonWithoutTriton",
     .files = {{"tools/python", Shell("exec \"" + TestPython() + "\" -S -I \"$@\"")}},
     .options = {{"--python", "{dir}/tools/python"}},
     .where = "triton-aot: error: ",
     .what = "cannot import triton",
     .todo = "pip install triton"},
    {.name = "PythonMissing",
     .options = {{"--python", "{dir}/no/python3"}},
     .where = "triton-aot: error: {module}: ",
     .what = "{dir}/no/python3",
     .todo = "--python"},
    {.name = "OutputFolderIsAFile",
     .files = {{"blocker", "a file where a folder should be"}},
     .options = {{"--output-dir", "{dir}/blocker/out"}},
     .where = "triton-aot: error: --output-dir: ",
     .what = "{dir}/blocker/out",
     .todo = "choose another folder"},
};

INSTANTIATE_TEST_SUITE_P(Corpus, BadInputTest, ::testing::ValuesIn(kCorpus),
                         [](const ::testing::TestParamInfo<BadInput>& info) { return info.param.name; });

// A full disk, in miniature: a file-size limit (RLIMIT_FSIZE) stops the
// first large write, wherever it happens (Triton's files, the fatbins).
TEST_F(BadInputFixture, DiskFull) {
  if (!OnPath("prlimit")) GTEST_SKIP() << "needs prlimit (util-linux) to set a file-size limit";
  const BadInput c = {.name = "DiskFull",
                      .where = "triton-aot: error: {module}: ",
                      .what = "File too large",
                      .todo = "ulimit -f"};
  ExpectOneClearMessageAndNothingLost(c, RunCase(c, {"prlimit", "--fsize=4096", "--"}));
}

// Root may write anywhere, so when root the driver runs as nobody, who may
// not write the read-only output folder.
TEST_F(BadInputFixture, UnwritableOutputFolder) {
  const BadInput c = {.name = "UnwritableOutputFolder",
                      .where = "triton-aot: error: ",
                      .what = "Permission denied",
                      .todo = "fix its permissions"};
  if (::geteuid() == 0 && !OnPath("setpriv")) GTEST_SKIP() << "needs setpriv (util-linux) to drop root";
  Prepare(c);
  // Others may enter the case folder (nobody must reach the module), but
  // nobody may write the output folder, and its owner may not either.
  fs::permissions(dir_.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                   fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(dir_.path() / "out", fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                  fs::perm_options::remove);
  std::vector<std::string> prefix;
  if (::geteuid() == 0) prefix = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"};
  ExpectOneClearMessageAndNothingLost(c, Execute(c, prefix));
}

// Not bad input, but input that careless tools break: paths with spaces,
// non-ASCII letters and characters that are special to the shell, for the
// sources, the module, a helper and the build folder. They must simply
// work, including the depfile (a rebuild has nothing to do).
TEST(UnusualPathsTest, SpacesNonAsciiAndSpecialCharactersInEveryPathWork) {
  if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
  TempDir dir;
  // Only characters that every tool in the chain accepts: CMake refuses '#'
  // in an output's path and its rewriting of depfiles for Ninja splits
  // paths at '$' and '#', and Ninja (1.11 at least) reads '&' and '\'' in a
  // depfile as separators. (The driver's own depfile escapes what Ninja
  // needs escaped; see depfile_test.cc and the depfile fuzzer.)
  const fs::path root = dir.path() / "with space";
  const KernelProject project(root / "\u00fcn\u00efc\u00f8d\u00e9 \u2713 (x=1+2, y@home) [v1]" / "src",
                              root / "b\u00fcild (release) ~%");
  // The helper is known to Ninja only through the depfile.
  WriteText(project.source_dir() / "k\u00e9rnels dir" / "scale.py",
            Replace(kGoodModule, "import triton\n", "import triton\nimport h\u00e9lper\n"));
  WriteText(project.source_dir() / "k\u00e9rnels dir" / "h\u00e9lper.py", "SCALE = 2\n");
  project.WriteCMakeLists("MODULES \"k\u00e9rnels dir/scale.py\" ARCHITECTURES 90 NAMESPACE k");
  ProcessResult configured = project.Configure(TestPython());
  ASSERT_TRUE(configured.Succeeded()) << configured.output;
  ProcessResult built = project.Build();
  ASSERT_TRUE(built.Succeeded()) << built.output;
  EXPECT_EQ(ListFiles(project.generated_dir()),
            (std::vector<std::string>{"scale.cpp", "scale.d", "scale.h", "scale.json",
                                      "scale/scale.large.fatbin", "scale/scale.small.fatbin"}));
  ProcessResult again = project.Build();
  EXPECT_NE(again.output.find("no work to do"), std::string::npos) << again.output;
  Touch(project.source_dir() / "k\u00e9rnels dir" / "h\u00e9lper.py");
  ProcessResult touched = project.Build();
  ASSERT_TRUE(touched.Succeeded()) << touched.output;
  EXPECT_EQ(Count(touched.output, "Compiling Triton kernels"), 1) << "the depfile must name the helper:\n"
                                                                  << touched.output;
}

}  // namespace
}  // namespace triton_aot::testing

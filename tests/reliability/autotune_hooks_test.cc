// @triton.autotune's arguments beyond configs and key, through the real
// driver and Triton: what a compiled program cannot do (hooks, a perf_model) is
// refused with one message at the kernel's spec entry, a buffer named in
// reset_to_zero or restore_value needs a size, and one that has it is built
// and described in the generated code. Nothing is ever silently dropped.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <regex>
#include <string>
#include <vector>

#include "test_support.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;

// An atomic accumulation into c_ptr: running it twice doubles c, so tuning
// must zero c before each trial.
const char* kAccumulate = R"src(import triton
import triton.language as tl


def zero_c(nargs):
    nargs["c_ptr"].zero_()


@triton.autotune(configs=[triton.Config({"BLOCK": 64}, num_warps=2), triton.Config({"BLOCK": 128}, num_warps=4)],
                 key=["n"], reset_to_zero=["c_ptr"])
@triton.jit
def accumulate(x_ptr, c_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.atomic_add(c_ptr + offsets % 8, tl.load(x_ptr + offsets, mask=mask), mask=mask)


TRITON_AOT_KERNELS = [
    {"kernel": "accumulate",
     "signature": {"x_ptr": "*fp32", "c_ptr": "*fp32", "n": "i32"},
     "grid": ["cdiv(n, BLOCK)"],
     "buffer_sizes": {"c_ptr": "8"}},
]
)src";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("test bug: '" + from + "' is not in the module");
  return text.replace(at, from.size(), to);
}

// The line of `module` that holds `text`, counted from 1.
int LineOf(const std::string& module, const std::string& text) {
  const size_t at = module.find(text);
  if (at == std::string::npos) throw std::runtime_error("test bug: '" + text + "' is not in the module");
  return 1 + static_cast<int>(std::count(module.begin(), module.begin() + static_cast<long>(at), '\n'));
}

struct Refused {
  std::string name;
  std::string module;
  std::vector<std::string> says;  // fragments of the one message, after "<module>:<entry line>: error: "
};

std::ostream& operator<<(std::ostream& os, const Refused& c) { return os << c.name; }

class AutotuneHooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
  }
  ProcessResult Compile(const std::string& module) {
    WriteText(module_path(), module);
    return ::triton_aot::testing::Run(DriverCompileCommand(module_path(), PlainCompileOptions(dir_.path() / "out")));
  }
  fs::path module_path() const { return dir_.path() / "src" / "kernels.py"; }

  TempDir dir_;
};

class AutotuneRefusedTest : public AutotuneHooksTest, public ::testing::WithParamInterface<Refused> {};

TEST_P(AutotuneRefusedTest, FailsWithOneMessageAtTheKernelsEntryAndWritesNothing) {
  const Refused& c = GetParam();
  const ProcessResult result = Compile(c.module);
  std::printf("the driver said:\n%s", result.output.c_str());
  EXPECT_FALSE(result.Succeeded()) << result.output;
  EXPECT_EQ(CountMessages(result.output), 1) << result.output;
  const std::string where =
      module_path().string() + ":" + std::to_string(LineOf(c.module, R"({"kernel": "accumulate",)")) + ": error: ";
  EXPECT_EQ(result.output.rfind(where, 0), 0u) << "expected the message to start with " << where << ":\n"
                                               << result.output;
  for (const std::string& fragment : c.says) {
    EXPECT_NE(result.output.find(fragment), std::string::npos) << "expected '" << fragment << "' in:\n"
                                                               << result.output;
  }
  EXPECT_EQ(ListFiles(dir_.path() / "out"), std::vector<std::string>{});
}

const Refused kRefused[] = {
    {.name = "UserPreHook",
     .module = Replace(kAccumulate, R"(reset_to_zero=["c_ptr"])", R"(reset_to_zero=["c_ptr"], pre_hook=zero_c)"),
     .says = {"kernel 'accumulate': @triton.autotune(pre_hook=...) runs Python before each trial while tuning, and a "
              "compiled program has no Python",
              "do that work in the kernel or in the caller, and remove pre_hook"}},
    {.name = "UserPostHook",
     .module = Replace(kAccumulate, R"(reset_to_zero=["c_ptr"])",
                       R"(reset_to_zero=["c_ptr"], post_hook=lambda nargs, exception: None)"),
     .says = {"@triton.autotune(post_hook=...) runs Python after each trial while tuning", "remove post_hook"}},
    {.name = "ConfigPreHook",
     .module = Replace(kAccumulate, R"(triton.Config({"BLOCK": 128}, num_warps=4))",
                       R"(triton.Config({"BLOCK": 128}, num_warps=4, pre_hook=zero_c))"),
     .says = {"@triton.autotune config 1 has a pre_hook, which runs Python before each launch of that config",
              "remove the config's pre_hook"}},
    {.name = "PruneConfigsByPerfModel",
     .module = Replace(kAccumulate, R"(reset_to_zero=["c_ptr"])",
                       R"(reset_to_zero=["c_ptr"], prune_configs_by={"perf_model": lambda **kw: 1.0, "top_k": 1})"),
     .says = {"@triton.autotune(prune_configs_by={\"perf_model\": ...}) estimates run times from the sizes of each "
              "launch",
              "choose them in the entry with \"configs\": [<indices>] (the pruners are then not run), or remove "
              "perf_model and top_k"}},
    // Triton's own hooks are told from the user's without its user_defined_* flags too.
    {.name = "UserPreHookSeenWithoutTritonsFlag",
     .module = Replace(Replace(kAccumulate, R"(reset_to_zero=["c_ptr"])",
                               R"(reset_to_zero=["c_ptr"], pre_hook=zero_c)"),
                       "\n\nTRITON_AOT_KERNELS", "\ndel accumulate.user_defined_pre_hook\n\nTRITON_AOT_KERNELS"),
     .says = {"@triton.autotune(pre_hook=...) runs Python before each trial"}},
    // Buffers without a size, or that are not pointers.
    {.name = "ResetToZeroBufferWithoutSize",
     .module = Replace(kAccumulate, R"x("grid": ["cdiv(n, BLOCK)"],
     "buffer_sizes": {"c_ptr": "8"}},)x",
                       R"x("grid": ["cdiv(n, BLOCK)"]},)x"),
     .says = {"kernel 'accumulate': reset_to_zero buffer 'c_ptr' has no size: add \"buffer_sizes\": {\"c_ptr\": "
              "\"<elements>\"} to the entry, its number of fp32 elements as an integer expression over the "
              "arguments and constexprs (e.g. \"M * N\")"}},
    {.name = "RestoreValueBufferWithoutSize",
     .module = Replace(Replace(kAccumulate, R"(reset_to_zero=["c_ptr"])", R"(restore_value=["x_ptr"])"),
                       R"("buffer_sizes": {"c_ptr": "8"}},)", R"("buffer_sizes": {}},)"),
     .says = {"restore_value buffer 'x_ptr' has no size: add \"buffer_sizes\": {\"x_ptr\": \"<elements>\"}"}},
    {.name = "ResetToZeroNamesAnInteger",
     .module = Replace(kAccumulate, R"(reset_to_zero=["c_ptr"])", R"(reset_to_zero=["c_ptr", "n"])"),
     .says = {"@triton.autotune(reset_to_zero=[...]) names 'n', which is i32, not a pointer: name only pointer "
              "arguments"}},
    {.name = "RestoreValueNamesNoArgument",
     .module = Replace(kAccumulate, R"(reset_to_zero=["c_ptr"])", R"(reset_to_zero=["c_ptr"], restore_value=["d"])"),
     .says = {"@triton.autotune(restore_value=[...]) names 'd', which is not an argument of accumulate(x_ptr, c_ptr, "
              "n)"}},
    {.name = "SizeOfABufferNeitherListNames",
     .module = Replace(kAccumulate, R"({"c_ptr": "8"})", R"({"c_ptr": "8", "x_ptr": "n"})"),
     .says = {"buffer_sizes names 'x_ptr', which neither reset_to_zero nor restore_value of its @triton.autotune "
              "names: remove it"}},
};

INSTANTIATE_TEST_SUITE_P(Corpus, AutotuneRefusedTest, ::testing::ValuesIn(kRefused),
                         [](const ::testing::TestParamInfo<Refused>& info) { return info.param.name; });

TEST_F(AutotuneHooksTest, BuffersWithSizesAreBuiltAndDescribedInTheGeneratedCode) {
  // Triton installs hooks of its own for reset_to_zero and restore_value:
  // they are not the user's, with or without its user_defined_* flags.
  for (const bool without_flags : {false, true}) {
    std::string module = Replace(kAccumulate, R"(reset_to_zero=["c_ptr"])",
                                 R"(reset_to_zero=["c_ptr"], restore_value=["x_ptr"])");
    module = Replace(module, R"({"c_ptr": "8"})", R"({"c_ptr": "8", "x_ptr": "n"})");
    if (without_flags) {
      module = Replace(module, "\n\nTRITON_AOT_KERNELS",
                       "\ndel accumulate.user_defined_pre_hook\ndel accumulate.user_defined_post_hook\n\n"
                       "TRITON_AOT_KERNELS");
    }
    const ProcessResult result = Compile(module);
    ASSERT_TRUE(result.Succeeded()) << result.output;
    const std::string header = ReadText(dir_.path() / "out" / "kernels.h");
    EXPECT_NE(header.find("// tuning restores x_ptr (n elements)\n"), std::string::npos) << header;
    EXPECT_NE(header.find("// tuning zeroes c_ptr (8 elements)\n"), std::string::npos) << header;
    const std::string source = ReadText(dir_.path() / "out" / "kernels.cpp");
    EXPECT_NE(source.find("kernels.accumulate\", accumulate_variants, 2, kAccumulateTuningBuffers, 2);"),
              std::string::npos)
        << source;
    EXPECT_NE(source.find("const triton_aot::grid::Int buffer_elements[] = {n, 8};"),
              std::string::npos)
        << source;
    const std::string metadata = ReadText(dir_.path() / "out" / "kernels.json");
    EXPECT_NE(metadata.find("\"tuning_buffers\""), std::string::npos) << metadata;
  }
}

}  // namespace
}  // namespace triton_aot::testing

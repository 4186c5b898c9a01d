// Kernel modules written as kernel libraries write them, built unchanged:
// modules that ask Triton's driver for the GPU at import (on a machine with
// none) and specs in a file of their own that build an installed package's
// kernel.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>

#include "kernel_project.h"
#include "test_support.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;

// Asks the driver at import, as persistent kernels do for their grid; each
// arch's kernel stores what its load was told, as numbers whose hex digits
// stand out in the SASS (as an immediate, or inside an instruction's
// encoding where ptxas packs the constant into one). sm_90's SM count comes from the module's own table (an H100 PCIe).
const char* kAsksAtImport = R"src(import triton
import triton.language as tl
from triton.runtime import driver

TRITON_AOT_ARCH_PROPERTIES = {90: {"multiprocessor_count": 114}}

NUM_SMS = tl.constexpr(driver.active.utils.get_device_properties(0)["multiprocessor_count"])
ARCH = tl.constexpr(driver.active.get_current_target().arch)


@triton.jit
def stamp(out_ptr):
    tl.store(out_ptr, NUM_SMS * 1000 + 777)
    tl.store(out_ptr + 1, ARCH * 1000 + 777)


TRITON_AOT_KERNELS = [{"kernel": "stamp", "signature": {"out_ptr": "*i32"}, "grid": ["1"]}]
)src";

// The same through torch, as kernel libraries more often ask: answered as the
// target too, though the edge's Python sees no GPU.
const char* kAsksTorchAtImport = R"src(import torch
import triton
import triton.language as tl

TRITON_AOT_ARCH_PROPERTIES = {90: {"multiprocessor_count": 114}}

assert torch.cuda.is_available()
_props = torch.cuda.get_device_properties(torch.cuda.current_device())
NUM_SMS = tl.constexpr(_props.multi_processor_count)
MAJOR = tl.constexpr(torch.cuda.get_device_capability()[0])


@triton.jit
def stamp(out_ptr):
    tl.store(out_ptr, NUM_SMS * 1000 + 777)
    tl.store(out_ptr + 1, MAJOR * 1000003 + 12345)


TRITON_AOT_KERNELS = [{"kernel": "stamp", "signature": {"out_ptr": "*i32"}, "grid": ["1"]}]
)src";

// A constexpr whose value the spec gives per arch, as a kernel library's
// Python wrapper would choose it by the device.
const char* kPerArchConstexpr = R"src(import triton
import triton.language as tl


@triton.jit
def stamp(out_ptr, NUM_SMS: tl.constexpr):
    tl.store(out_ptr, NUM_SMS * 1000 + 777)


TRITON_AOT_KERNELS = [{"kernel": "stamp", "signature": {"out_ptr": "*i32"}, "grid": ["1"],
                       "constexprs": {"NUM_SMS": {"per_arch": {80: 108, "sm_90a": 114}}}}]
)src";

// A compute type given as libraries give it: a Triton dtype.
const char* kDtypeConstexpr = R"src(import triton
import triton.language as tl


@triton.jit
def cast(x_ptr, y_ptr, n, DTYPE: tl.constexpr, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offsets, mask=offsets < n)
    tl.store(y_ptr + offsets, x.to(DTYPE), mask=offsets < n)


TRITON_AOT_KERNELS = [{"kernel": "cast", "signature": {"x_ptr": "*fp32", "y_ptr": "*fp16", "n": "i32"},
                       "constexprs": {"DTYPE": tl.float16, "BLOCK": 128}, "grid": ["cdiv(n, BLOCK)"]}]
)src";

// An optional pointer, as libraries write them; the spec builds it without.
const char* kOptionalPointer = R"src(import triton
import triton.language as tl


@triton.jit
def add_bias(x_ptr, bias_ptr, out_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offsets, mask=offsets < n)
    if bias_ptr is not None:
        x += tl.load(bias_ptr + offsets, mask=offsets < n)
    tl.store(out_ptr + offsets, x, mask=offsets < n)


TRITON_AOT_KERNELS = [{"kernel": "add_bias", "name": "add_no_bias",
                       "signature": {"x_ptr": "*fp32", "bias_ptr": "none", "out_ptr": "*fp32", "n": "i32"},
                       "constexprs": {"BLOCK": 256}, "grid": ["cdiv(n, BLOCK)"]}]
)src";

const char* kOptionalPointerMain = R"src(#include <kern/bias.h>

int main() {
  triton_aot::DevicePtr<float> x{}, out{};
  return k::bias::add_no_bias(nullptr, x, out, 1024).ok() ? 0 : 1;
}
)src";

// A kernel library as pip installs it: the package and its .dist-info.
const char* kLibraryKernel = R"src(import triton
import triton.language as tl


@triton.jit
def _rms_norm_forward_kernel(x_ptr, y_ptr, w_ptr, stride, n_cols, eps, BLOCK_SIZE: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK_SIZE)
    mask = cols < n_cols
    x = tl.load(x_ptr + row * stride + cols, mask=mask, other=0.0).to(tl.float32)
    rstd = 1 / tl.sqrt(tl.sum(x * x, axis=0) / n_cols + eps)
    tl.store(y_ptr + row * stride + cols, x * rstd * tl.load(w_ptr + cols, mask=mask), mask=mask)
)src";

// The project's spec, in a file of its own: the library's module is untouched.
const char* kSpecBeside = R"src(from kernlib.ops.rms_norm import _rms_norm_forward_kernel

TRITON_AOT_KERNELS = [
    {"kernel": "_rms_norm_forward_kernel", "name": "rms_norm",
     "signature": {"x_ptr": "*fp32:16", "y_ptr": "*fp32:16", "w_ptr": "*fp32:16", "stride": "i32",
                   "n_cols": "i32", "eps": "fp32"},
     "constexprs": {"BLOCK_SIZE": 1024}, "launch_params": ["n_rows: i32"], "grid": ["n_rows"]},
]
)src";

// The row-wise kernels of tests/gpu/kernel_styles.py (which the GPU tests
// run): calls every launch function there is; it must compile.
// @triton.heuristics under @triton.autotune, as libraries stack them: CHUNKS
// reads only a constexpr, so the build computes it per config; EVEN_N reads
// an argument, so the spec gives it per variant with a guard.
const char* kHeuristics = R"src(import triton
import triton.language as tl


@triton.autotune(configs=[triton.Config({"BLOCK": 128}), triton.Config({"BLOCK": 256})], key=["n"])
@triton.heuristics({"CHUNKS": lambda args: args["BLOCK"] // 64 * 1000 + 777,
                    "EVEN_N": lambda args: args["n"] % args["BLOCK"] == 0})
@triton.jit
def stamp(out_ptr, n, BLOCK: tl.constexpr, CHUNKS: tl.constexpr, EVEN_N: tl.constexpr):
    if EVEN_N:
        tl.store(out_ptr, CHUNKS)
    else:
        tl.store(out_ptr + n, CHUNKS)


TRITON_AOT_KERNELS = [{"kernel": "stamp", "signature": {"out_ptr": "*i32", "n": "i32"}, "grid": ["1"],
                       "variants": [{"name": "even", "constexprs": {"EVEN_N": True}, "guard": "n % BLOCK == 0"},
                                    {"name": "ragged", "constexprs": {"EVEN_N": False}}]}]
)src";

const char* kRowWiseMain = R"src(#include <kern/kernel_styles.h>

namespace styles = k::kernel_styles;

int main() {
  triton_aot::DevicePtr<float> x{}, out{};
  const triton_aot::Grid rows{512, 1, 1};
  triton_aot::Status computed = styles::row_sum(nullptr, x, out, 4096, 4096, /*n_rows=*/512);
  triton_aot::Status given = styles::row_sum(rows, nullptr, x, out, 4096, 4096);
  triton_aot::Status only_given = styles::row_sum_given_grid(rows, nullptr, x, out, 4096, 4096);
  return computed.ok() && given.ok() && only_given.ok() ? 0 : 1;
}
)src";
class KernelStylesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
  }

  // The SASS of the cubin for `sm` in `fatbin`.
  static std::string Sass(const fs::path& fatbin, const std::string& sm) {
    const ProcessResult dumped = testing::Run({Cuobjdump(), "--dump-sass", "--gpu-architecture", sm, fatbin.string()});
    EXPECT_TRUE(dumped.Succeeded()) << dumped.output;
    return dumped.output;
  }

  // Writes `module` as <name>.py beside main.cc (built into an app when
  // `with_app`), configures with `python` and builds for `archs`.
  void BuildModule(const std::string& name, const std::string& module, const std::string& archs,
                   bool with_app = false, const std::string& python = TestPython()) {
    WriteText(project_.source_dir() / (name + ".py"), module);
    project_.WriteCMakeLists("MODULES " + name + ".py ARCHITECTURES " + archs + " NAMESPACE k", with_app);
    const ProcessResult configured = project_.Configure(python);
    ASSERT_TRUE(configured.Succeeded()) << configured.output;
    const ProcessResult built = project_.Build();
    ASSERT_TRUE(built.Succeeded()) << built.output;
  }

  // The sm_80 and sm_90a SASS of the stamp kernel of asks.py.
  std::pair<std::string, std::string> StampSass() const {
    const fs::path fatbin = project_.generated_dir() / "asks" / "stamp.default.fatbin";
    return {Sass(fatbin, "sm_80"), Sass(fatbin, "sm_90a")};
  }

  // A Python that has kernlib 1.2.0 installed in a folder of its own.
  fs::path PythonWithKernelLibrary() {
    const fs::path site = dir_.path() / "site";
    WriteText(site / "kernlib" / "__init__.py", "");
    WriteText(site / "kernlib" / "ops" / "__init__.py", "");
    WriteText(site / "kernlib" / "ops" / "rms_norm.py", kLibraryKernel);
    const fs::path info = site / "kernlib-1.2.0.dist-info";
    WriteText(info / "METADATA", "Metadata-Version: 2.1\nName: kernlib\nVersion: 1.2.0\n");
    WriteText(info / "top_level.txt", "kernlib\n");
    WriteText(info / "RECORD", "kernlib/__init__.py,,\nkernlib/ops/__init__.py,,\nkernlib/ops/rms_norm.py,,\n"
                               "kernlib-1.2.0.dist-info/METADATA,,\nkernlib-1.2.0.dist-info/RECORD,,\n");
    const fs::path python = dir_.path() / "python-with-kernlib";
    WriteText(python, "#!/bin/sh\nPYTHONPATH='" + site.string() + "' exec '" + TestPython() + "' \"$@\"\n");
    MakeExecutable(python);
    return python;
  }

  TempDir dir_;
  KernelProject project_{dir_.path() / "src", dir_.path() / "build"};
};

TEST_F(KernelStylesTest, AModuleThatAsksTheDriverAtImportGetsEachArchsAnswers) {
  if (Cuobjdump().empty()) GTEST_SKIP() << "no cuobjdump in the CUDA toolkit";
  ASSERT_NO_FATAL_FAILURE(BuildModule("asks", kAsksAtImport, "80 90"));
  const auto [sm80, sm90] = StampSass();
  EXPECT_NE(sm80.find("1a8e9"), std::string::npos) << "108 SMs (A100) * 1000 + 777:\n" << sm80;
  EXPECT_NE(sm80.find("13b89"), std::string::npos) << "arch 80 * 1000 + 777:\n" << sm80;
  EXPECT_NE(sm90.find("1c059"), std::string::npos) << "114 SMs, the module's own table:\n" << sm90;
  EXPECT_NE(sm90.find("16299"), std::string::npos) << "arch 90 * 1000 + 777:\n" << sm90;

  // Rebuilt from the artifact cache, with the load answer recalled: the same bytes.
  const std::map<std::string, std::string> first = ReadTree(project_.generated_dir());
  fs::remove_all(project_.generated_dir());
  ASSERT_TRUE(project_.Build().Succeeded());
  EXPECT_EQ(TreeDifference(ReadTree(project_.generated_dir()), first), "");
}

TEST_F(KernelStylesTest, AModuleThatAsksTorchAtImportGetsEachArchsAnswers) {
  if (Cuobjdump().empty()) GTEST_SKIP() << "no cuobjdump in the CUDA toolkit";
  if (!testing::Run({TestPython(), "-c", "import torch"}).Succeeded()) {
    GTEST_SKIP() << "torch is not installed in " << TestPython();
  }
  ASSERT_NO_FATAL_FAILURE(BuildModule("asks", kAsksTorchAtImport, "80 90"));
  const auto [sm80, sm90] = StampSass();
  EXPECT_NE(sm80.find("1a8e9"), std::string::npos) << "108 SMs * 1000 + 777:\n" << sm80;
  EXPECT_NE(sm80.find("7a4251"), std::string::npos) << "major 8 * 1000003 + 12345:\n" << sm80;
  EXPECT_NE(sm90.find("1c059"), std::string::npos) << "114 SMs, the module's own table:\n" << sm90;
  EXPECT_NE(sm90.find("898494"), std::string::npos) << "major 9 * 1000003 + 12345:\n" << sm90;
}

TEST_F(KernelStylesTest, AConstexprMayTakeAValuePerArch) {
  if (Cuobjdump().empty()) GTEST_SKIP() << "no cuobjdump in the CUDA toolkit";
  ASSERT_NO_FATAL_FAILURE(BuildModule("asks", kPerArchConstexpr, "80 90"));
  const auto [sm80, sm90] = StampSass();
  EXPECT_NE(sm80.find("1a8e9"), std::string::npos) << "sm_80's value, 108 * 1000 + 777:\n" << sm80;
  EXPECT_EQ(sm80.find("1c059"), std::string::npos) << "not sm_90a's:\n" << sm80;
  EXPECT_NE(sm90.find("1c059"), std::string::npos) << "sm_90a's value, 114 * 1000 + 777:\n" << sm90;
  const std::string header = ReadText(project_.generated_dir() / "asks.h");
  EXPECT_NE(header.find("with NUM_SMS={sm_80: 108, sm_90a: 114}"), std::string::npos) << header;
}

TEST_F(KernelStylesTest, AConstexprMayBeATritonDtype) {
  ASSERT_NO_FATAL_FAILURE(BuildModule("cast", kDtypeConstexpr, "90"));
  const std::string header = ReadText(project_.generated_dir() / "cast.h");
  EXPECT_NE(header.find("with DTYPE=fp16, BLOCK=128"), std::string::npos) << header;
}

TEST_F(KernelStylesTest, AnArgumentTypedNoneIsCompiledAsNoneAndLeftOutOfTheApi) {
  WriteText(project_.source_dir() / "main.cc", kOptionalPointerMain);
  ASSERT_NO_FATAL_FAILURE(BuildModule("bias", kOptionalPointer, "90", /*with_app=*/true));
  const std::string header = ReadText(project_.generated_dir() / "bias.h");
  EXPECT_NE(header.find("// add_no_bias(x_ptr: *fp32, out_ptr: *fp32, n: i32)"), std::string::npos) << header;
  EXPECT_NE(header.find("with bias_ptr=None, BLOCK=256"), std::string::npos) << header;
}

TEST_F(KernelStylesTest, ASpecBesideBuildsAnInstalledPackagesKernelKnownByItsDistribution) {
  ASSERT_NO_FATAL_FAILURE(
      BuildModule("rms_spec", kSpecBeside, "90", /*with_app=*/false, PythonWithKernelLibrary().string()));
  const std::string header = ReadText(project_.generated_dir() / "rms_spec.h");
  EXPECT_NE(header.find("triton_aot::Status rms_norm("), std::string::npos) << header;
  const std::string depfile = ReadText(project_.generated_dir() / "rms_spec.d");
  EXPECT_NE(depfile.find("kernlib-1.2.0.dist-info/METADATA"), std::string::npos)
      << "an upgrade or reinstall of the library rebuilds the module:\n" << depfile;
  EXPECT_EQ(depfile.find("rms_norm.py"), std::string::npos) << "a distribution's files go by its metadata";
}

TEST_F(KernelStylesTest, LaunchParametersFeedTheGridAndAnEntryWithoutAGridTakesTheCallers) {
  WriteText(project_.source_dir() / "main.cc", kRowWiseMain);
  const std::string module = ReadText(TRITON_AOT_SOURCE_DIR "/tests/gpu/kernel_styles.py");
  ASSERT_NO_FATAL_FAILURE(BuildModule("kernel_styles", module, "90", /*with_app=*/true));
  const std::string header = ReadText(project_.generated_dir() / "kernel_styles.h");
  EXPECT_NE(header.find("// grid: (n_rows, 1, 1); variants: default\n// the grid also reads n_rows: i32"),
            std::string::npos)
      << header;
  EXPECT_NE(header.find("// grid: given by the caller; variants: default"), std::string::npos) << header;
  EXPECT_EQ(Count(header, "triton_aot::Status row_sum_given_grid("), 1) << "only the launch with a grid:\n" << header;
  const std::string metadata = ReadText(project_.generated_dir() / "kernel_styles.json");
  EXPECT_NE(metadata.find("\"launch_params\": [\n        {\n          \"name\": \"n_rows\""), std::string::npos)
      << metadata;
}

// The tutorial's softmax, its next_power_of_2 block written as a family: one
// variant per block, each guarded by the rows it covers.
TEST_F(KernelStylesTest, AFamilyBuildsAGuardedVariantPerBlock) {
  WriteText(project_.source_dir() / "main.cc", kRowWiseMain);
  const std::string module = ReadText(TRITON_AOT_SOURCE_DIR "/tests/gpu/kernel_styles.py");
  ASSERT_NO_FATAL_FAILURE(BuildModule("kernel_styles", module, "90", /*with_app=*/true));
  const std::string header = ReadText(project_.generated_dir() / "kernel_styles.h");
  EXPECT_NE(header.find("variants: block_16, block_32, block_64"), std::string::npos) << header;
  EXPECT_NE(header.find("block_16384 (kernel_styles.py:"), std::string::npos) << header;
  EXPECT_NE(header.find("block_16384 (kernel_styles.py:58): when n_cols <= BLOCK_SIZE\n//       with BLOCK_SIZE=16384; "
                        "num_warps=16"),
            std::string::npos)
      << header;
  const std::string metadata = ReadText(project_.generated_dir() / "kernel_styles.json");
  EXPECT_EQ(Count(metadata, "\"guard\": \"n_cols <= BLOCK_SIZE\""), 11) << metadata;
  const std::string source = ReadText(project_.generated_dir() / "kernel_styles.cpp");
  EXPECT_NE(source.find("triton_aot::grid::less_equal(n_cols, 16384),  // block_16384"), std::string::npos) << source;
}

TEST_F(KernelStylesTest, HeuristicsThatReadOnlyConstexprsAreComputedAsEachConfigBuilds) {
  if (Cuobjdump().empty()) GTEST_SKIP() << "no cuobjdump in the CUDA toolkit";
  ASSERT_NO_FATAL_FAILURE(BuildModule("heur", kHeuristics, "90"));
  const fs::path fatbins = project_.generated_dir() / "heur";
  // CHUNKS = BLOCK // 64 * 1000 + 777: 2777 (0xad9) for BLOCK=128, 4777 (0x12a9) for 256, seen in
  // the SASS as an immediate or inside an instruction's encoding.
  EXPECT_NE(Sass(fatbins / "stamp.even_config0.fatbin", "sm_90a").find("0ad9"), std::string::npos);
  EXPECT_NE(Sass(fatbins / "stamp.ragged_config1.fatbin", "sm_90a").find("12a9"), std::string::npos);
  const std::string header = ReadText(project_.generated_dir() / "heur.h");
  EXPECT_NE(header.find("even_config0 (heur.py:17): when n % BLOCK == 0"), std::string::npos) << header;
}

TEST_F(KernelStylesTest, AHeuristicThatReadsAnArgumentSaysToWriteItAsAGuard) {
  std::string module = kHeuristics;
  module = module.substr(0, module.find("TRITON_AOT_KERNELS")) +
           "TRITON_AOT_KERNELS = [{\"kernel\": \"stamp\", \"signature\": {\"out_ptr\": \"*i32\", \"n\": \"i32\"}, "
           "\"grid\": [\"1\"]}]\n";
  WriteText(project_.source_dir() / "heur.py", module);
  project_.WriteCMakeLists("MODULES heur.py ARCHITECTURES 90 NAMESPACE k", false);
  ASSERT_TRUE(project_.Configure(TestPython()).Succeeded());
  const ProcessResult built = project_.Build();
  EXPECT_FALSE(built.Succeeded());
  EXPECT_NE(built.output.find("@triton.heuristics computes 'EVEN_N' from 'n', which is known only at launch: give "
                              "'EVEN_N' in the variants' constexprs"),
            std::string::npos)
      << built.output;
}

}  // namespace
}  // namespace triton_aot::testing

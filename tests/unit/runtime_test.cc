// The runtime's Kernel, Status and autotune tables, on a machine with or
// without a GPU: nothing here loads or launches a kernel.
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "triton_aot/runtime.h"

namespace triton_aot {
namespace {

namespace fs = std::filesystem;

constexpr ArgHint kAny = ArgHint::kNone, k16 = ArgHint::kDivisibleBy16;

// Tables of a kernel k(x_ptr, n).
const char* const kNames[] = {"x_ptr", "n"};
const ArgHint kAligned[] = {k16, k16};
const ArgHint kGeneric[] = {kAny, kAny};

KernelImage Image(const char* variant, const ArgHint* hints, int config = -1) {
  return KernelImage{"k", variant, "k", nullptr, 0, hints, kNames, nullptr, 2, nullptr, 0, config, "", nullptr};
}

const KernelImage kPlain[] = {Image("aligned", kAligned), Image("generic", kGeneric)};
const KernelImage kTuned[] = {Image("rowmajor_config0", kAligned, 0), Image("rowmajor_config1", kAligned, 1),
                              Image("generic_config0", kGeneric, 0), Image("generic_config1", kGeneric, 1)};

struct Args {
  ArgValue values[2];
  Args(CUdeviceptr x_ptr, std::int64_t n) : values{ArgValue::Pointer(x_ptr), ArgValue::Integer(n)} {}
  operator const ArgValue*() const { return values; }
};
const Args kAlignedArgs(0x10000, 4096);
const Args kUnalignedArgs(0x10004, 4096);

// The variant Choose picks, or its error message.
std::string Chosen(const Kernel& kernel, const ArgValue* args, const LaunchOptions& options = {}) {
  std::size_t index = 99;
  Status status = kernel.Choose(args, options, &index);
  if (!status.ok()) return "error: " + status.message();
  return kernel.name() == std::string("mod.tuned") ? kTuned[index].variant : kPlain[index].variant;
}

TEST(StatusTest, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_TRUE(static_cast<bool>(status));
  EXPECT_EQ(status.code(), CUDA_SUCCESS);
  EXPECT_EQ(status.message(), "");
  Status failed(CUDA_ERROR_INVALID_VALUE, "why");
  EXPECT_FALSE(failed.ok());
  EXPECT_FALSE(static_cast<bool>(failed));
  EXPECT_EQ(failed.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(failed.message(), "why");
}

TEST(KernelChooseTest, PicksTheAlignedOrGenericVariantByArgumentValues) {
  Kernel kernel("mod.plain", kPlain, 2);
  EXPECT_EQ(std::string(kernel.name()), "mod.plain");
  EXPECT_EQ(Chosen(kernel, kAlignedArgs), "aligned");
  EXPECT_EQ(Chosen(kernel, kUnalignedArgs), "generic");
  EXPECT_EQ(Chosen(kernel, Args(0x10000, 4097)), "generic");
}

// Through the public Choose: the aligned variant only where both promises
// hold, at every offset from a multiple of 16.
TEST(KernelChooseTest, TheAlignedVariantOnlyAtMultiplesOf16) {
  Kernel kernel("mod.plain", kPlain, 2);
  EXPECT_EQ(Chosen(kernel, Args(0x10000, 4096)), "aligned");
  for (std::int64_t offset : {1, 2, 4, 8}) {
    EXPECT_EQ(Chosen(kernel, Args(0x10000 + offset, 4096)), "generic") << "pointer + " << offset;
    EXPECT_EQ(Chosen(kernel, Args(0x10000, 4096 + offset)), "generic") << "n + " << offset;
    EXPECT_EQ(Chosen(kernel, Args(0x10000 + 16 * offset, 4096 + 16 * offset)), "aligned") << 16 * offset;
  }
}

TEST(KernelChooseTest, HonoursAVariantName) {
  Kernel kernel("mod.plain", kPlain, 2);
  LaunchOptions generic;
  generic.variant = "generic";
  EXPECT_EQ(Chosen(kernel, kAlignedArgs, generic), "generic");
  LaunchOptions aligned;
  aligned.variant = "aligned";
  EXPECT_EQ(Chosen(kernel, kUnalignedArgs, aligned),
            "error: mod.plain: variant 'aligned' needs x_ptr divisible by 16 (it is 0x10004)");
}

TEST(KernelChooseTest, AnUnknownVariantNameIsAnErrorThatListsTheVariants) {
  Kernel kernel("mod.plain", kPlain, 2);
  LaunchOptions options;
  options.variant = "fast";
  std::size_t index = 99;
  Status status = kernel.Choose(kAlignedArgs, options, &index);
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(status.message(), "mod.plain: there is no variant 'fast'; the variants are: aligned, generic");
  EXPECT_EQ(index, 99u);
}

TEST(KernelChooseTest, AutotunedKernelsRunTheDefaultConfigOfTheHintGroupThatHolds) {
  Kernel kernel("mod.tuned", kTuned, 4);
  EXPECT_EQ(Chosen(kernel, kAlignedArgs), "rowmajor_config0");
  EXPECT_EQ(Chosen(kernel, kUnalignedArgs), "generic_config0");
  kernel.SetDefaultConfig(1);
  EXPECT_EQ(Chosen(kernel, kAlignedArgs), "rowmajor_config1");
  EXPECT_EQ(Chosen(kernel, kUnalignedArgs), "generic_config1");
}

TEST(KernelChooseTest, HonoursAConfigIndex) {
  Kernel kernel("mod.tuned", kTuned, 4);
  LaunchOptions config1;
  config1.config = 1;
  EXPECT_EQ(Chosen(kernel, kAlignedArgs, config1), "rowmajor_config1");
  EXPECT_EQ(Chosen(kernel, kUnalignedArgs, config1), "generic_config1");
  LaunchOptions config5;
  config5.config = 5;
  EXPECT_EQ(Chosen(kernel, kAlignedArgs, config5).rfind("error: mod.tuned: there is no config 5; the variants are: ", 0),
            0u);
  // The name wins over the index.
  LaunchOptions both;
  both.config = 1;
  both.variant = "generic_config0";
  EXPECT_EQ(Chosen(kernel, kAlignedArgs, both), "generic_config0");
}

TEST(KernelChooseTest, ArgumentsNoVariantAcceptsAreAnError) {
  Kernel kernel("mod.aligned_only", kPlain, 1);
  std::size_t index = 99;
  Status status = kernel.Choose(kUnalignedArgs, {}, &index);
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(status.message().rfind("mod.aligned_only: no variant accepts these arguments: variant 'aligned' needs "
                                   "x_ptr divisible by 16",
                                   0),
            0u)
      << status.message();
}

bool HaveCudaDriver() {
  void* library = ::dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (library) ::dlclose(library);
  return library != nullptr;
}

TEST(KernelLaunchTest, WithoutTheCudaDriverFailsAndSaysWhy) {
  if (HaveCudaDriver()) GTEST_SKIP() << "libcuda.so.1 is installed here: this tests machines without it";
  Kernel kernel("mod.plain", kPlain, 2);
  CUdeviceptr x_ptr = 0x10000;
  std::int32_t n = 4096;
  void* const params[] = {&x_ptr, &n};
  const grid::Dims grids[2] = {{4, 1, 1}, {4, 1, 1}};
  Status status = kernel.Launch(nullptr, kAlignedArgs, params, nullptr, grids, nullptr, 0, {});
  EXPECT_EQ(status.code(), CUDA_ERROR_NOT_INITIALIZED);
  EXPECT_EQ(status.message().rfind("mod.plain: ", 0), 0u) << status.message();
  EXPECT_NE(status.message().find("the CUDA driver (libcuda.so.1) is not installed"), std::string::npos)
      << status.message();
  // Nothing was loaded, so there is nothing to unload.
  EXPECT_TRUE(kernel.Unload().ok());
  EXPECT_TRUE(UnloadAll().ok());
}

// What triton_aot_check_gpu prints, run with `library_dir` searched first
// for libcuda.so.1 and `cuinit` as the fake driver's cuInit result.
std::string CheckGpuOutput(const std::string& library_dir, const std::string& cuinit = "0") {
  const std::string command =
      "FAKE_CUDA_INIT=" + cuinit + " LD_LIBRARY_PATH='" + library_dir + "' '" TRITON_AOT_CHECK_GPU "' 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return "popen failed";
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
  ::pclose(pipe);
  return output;
}

TEST(CheckGpuTest, WithoutTheDriverSaysThereIsNone) {
  if (HaveCudaDriver()) GTEST_SKIP() << "libcuda.so.1 is installed here: this tests machines without it";
  std::string why;
  EXPECT_EQ(CheckGpu(&why), GpuAvailability::kNoDriver);
  EXPECT_NE(why.find("libcuda.so.1) is not installed"), std::string::npos) << why;
}

// The CUDA toolkit's stub library stands in for the driver at link time; on
// a machine without a GPU it is no driver, not a broken one.
TEST(CheckGpuTest, TheToolkitsStubOfTheDriverIsNoDriver) {
  const std::string stub = TRITON_AOT_TEST_CUDA_STUB;
  if (stub.empty()) GTEST_SKIP() << "the CUDA toolkit has no stubs/libcuda.so here";
  std::string templ = (fs::temp_directory_path() / "triton-aot-stub.XXXXXX").string();
  ASSERT_NE(::mkdtemp(templ.data()), nullptr);
  const fs::path dir = templ;
  fs::create_symlink(stub, dir / "libcuda.so.1");
  const std::string output = CheckGpuOutput(dir.string());
  fs::remove_all(dir);
  EXPECT_EQ(output.rfind("no driver: ", 0), 0u) << output;
  EXPECT_NE(output.find("stub"), std::string::npos) << output;
}

// A driver that fails is broken, and a test on it must fail; one without a
// GPU, or the toolkit's stub, is none, and a test may skip.
TEST(CheckGpuTest, TellsADriverThatFailsFromNoGpu) {
  const struct {
    const char* cuinit;
    const char* found;
    const char* why;
  } cases[] = {
      {"100", "no device: ", "finds no GPU (cuInit: CUDA_ERROR_NO_DEVICE)"},
      {"34", "no driver: ", "the CUDA toolkit's stub"},
      {"803", "broken: ", "cuInit failed (error 803)"},
      {"999", "broken: ", "cuInit failed (error 999)"},
      {"0", "broken: ", "lacks cuCtxGetCurrent"},  // a driver without the entry points the runtime needs
  };
  for (const auto& c : cases) {
    const std::string output = CheckGpuOutput(TRITON_AOT_FAKE_DRIVER_DIR, c.cuinit);
    EXPECT_EQ(output.rfind(c.found, 0), 0u) << "cuInit " << c.cuinit << ": " << output;
    EXPECT_NE(output.find(c.why), std::string::npos) << "cuInit " << c.cuinit << ": " << output;
  }
}

// A fresh folder for autotune tables, removed at the end of the test.
class AutotuneTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "triton-aot-runtime-test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  static std::vector<std::string> Lines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::sort(lines.begin(), lines.end());
    return lines;
  }

  fs::path dir_;
  Kernel kernel_{"mod.tuned", kTuned, 4};
};

TEST_F(AutotuneTableTest, AMissingFileIsAnError) {
  const std::string path = (dir_ / "missing.txt").string();
  Status status = kernel_.LoadAutotuneTable(path);
  EXPECT_EQ(status.code(), CUDA_ERROR_FILE_NOT_FOUND);
  EXPECT_NE(status.message().find("mod.tuned: cannot read autotune table '" + path + "'"), std::string::npos)
      << status.message();
}

TEST_F(AutotuneTableTest, AMalformedLineSaysWhere) {
  const std::string path = Write("table.txt", "mod.tuned 1,2,3 rowmajor_config0 rowmajor_config1\n"
                                              "mod.tuned 1,2,3 rowmajor_config0\n");
  Status status = kernel_.LoadAutotuneTable(path);
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_NE(status.message().find(path + ":2: expected '<kernel> <key values> <group> <variant>'"), std::string::npos)
      << status.message();

  const std::string bad_key = Write("bad_key.txt", "mod.tuned 1,x,3 rowmajor_config0 rowmajor_config1\n");
  status = kernel_.LoadAutotuneTable(bad_key);
  EXPECT_NE(status.message().find(bad_key + ":1: 'x' is not an integer key value"), std::string::npos)
      << status.message();
}

TEST_F(AutotuneTableTest, AnUnknownVariantIsAnError) {
  const std::string path = Write("table.txt", "\nmod.tuned 1,2,3 rowmajor_config0 rowmajor_config9\n");
  Status status = kernel_.LoadAutotuneTable(path);
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_NE(status.message().find(path + ":2: no variant named 'rowmajor_config9'"), std::string::npos)
      << status.message();
}

TEST_F(AutotuneTableTest, SaveWritesBackWhatWasLoadedAndIgnoresOtherKernels) {
  const std::vector<std::string> ours = {"mod.tuned -5,7,0 generic_config0 generic_config1",
                                         "mod.tuned 128,256,64 rowmajor_config0 rowmajor_config1",
                                         "mod.tuned 4096,4096,4096 rowmajor_config0 rowmajor_config0"};
  const std::string path = Write("table.txt", "mod.other 1 whatever\n" + ours[1] + "\n\n" + ours[2] +
                                                  "\nmod.tuned_too not even four fields\n" + ours[0] + "\n");
  ASSERT_TRUE(kernel_.LoadAutotuneTable(path).ok());
  const std::string saved = (dir_ / "saved.txt").string();
  ASSERT_TRUE(kernel_.SaveAutotuneTable(saved).ok());
  EXPECT_EQ(Lines(saved), ours);
}

TEST_F(AutotuneTableTest, SavingToAnUnwritablePathIsAnError) {
  Status status = kernel_.SaveAutotuneTable((dir_ / "no" / "such" / "folder.txt").string());
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("cannot write autotune table"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace triton_aot

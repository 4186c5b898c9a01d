// Builds small projects with CMake, Ninja, the real driver and real Triton,
// and checks what a user of add_triton_kernels() relies on: one edge per
// module, incremental rebuilds, clear failures that keep earlier outputs, and
// fatbins with every requested arch.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <string>

#include "kernel_project.h"
#include "sample_modules.h"
#include "test_support.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;


// Checks that the embedded fatbins are there and look like fatbins.
const char* kMain = R"src(#include <cstdio>
#include <cstring>

#include <kern/a.h>
#include <kern/b.h>

static bool IsFatbin(const triton_aot::KernelImage& image) {
  const unsigned char magic[] = {0x50, 0xED, 0x55, 0xBA};
  return image.fatbin_size > 16 && std::memcmp(image.fatbin, magic, 4) == 0;
}

int main() {
  int good = 0;
  for (const auto& image : itest::a::double_it_variants) good += IsFatbin(image);
  for (const auto& image : itest::b::copy_variants) good += IsFatbin(image);
  std::printf("%d fatbins\n", good);
  return good == 3 ? 0 : 1;
}
)src";

class BuildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
    WriteSampleModules(src_);
    WriteText(src_ / "main.cc", kMain);
    WriteCMakeLists("MODULES kernels/a.py kernels/b.py ARCHITECTURES 90 NAMESPACE itest");
  }

  void WriteCMakeLists(const std::string& arguments, bool with_app = true) {
    project().WriteCMakeLists(arguments, with_app);
  }
  ProcessResult Configure(const std::string& python = TestPython()) { return project().Configure(python); }
  ProcessResult Build(const std::vector<std::string>& extra = {}) { return project().Build(extra); }
  // This test's sources and build folder.
  KernelProject project() const { return KernelProject(src_, build_); }

  void ConfigureAndBuild() {
    ProcessResult configured = Configure();
    ASSERT_TRUE(configured.Succeeded()) << configured.output;
    ProcessResult built = Build();
    ASSERT_TRUE(built.Succeeded()) << built.output;
  }

  // Contents and mtime of every generated file of target kern.
  std::map<std::string, std::pair<std::string, fs::file_time_type>> Snapshot() {
    std::map<std::string, std::pair<std::string, fs::file_time_type>> files;
    for (const std::string& name : ListFiles(generated_)) {
      files[name] = {ReadText(generated_ / name), MTime(generated_ / name)};
    }
    return files;
  }

  // CMake wraps long messages; compare with runs of white space folded.
  static std::string Squeeze(const std::string& text) {
    return std::regex_replace(text, std::regex("\\s+"), " ");
  }

  TempDir dir_;
  fs::path src_ = dir_.path() / "src with space";
  fs::path build_ = dir_.path() / "build";
  fs::path generated_ = build_ / "triton_aot" / "kern";
};

TEST_F(BuildTest, OneEdgePerModuleThenNothingToDo) {
  ConfigureAndBuild();
  // Every driver run is one Ninja edge, and there is one per module.
  ProcessResult commands = Build({"-t", "commands", "app"});
  ASSERT_TRUE(commands.Succeeded()) << commands.output;
  EXPECT_EQ(Count(commands.output, " compile "), 2) << commands.output;
  EXPECT_EQ(Count(commands.output, "kernels/a.py"), 1);
  EXPECT_EQ(Count(commands.output, "kernels/b.py"), 1);

  ProcessResult app = triton_aot::testing::Run({(build_ / "app").string()});
  EXPECT_TRUE(app.Succeeded()) << app.output;
  EXPECT_EQ(app.output, "3 fatbins\n");

  ProcessResult again = Build();
  ASSERT_TRUE(again.Succeeded()) << again.output;
  EXPECT_NE(again.output.find("no work to do"), std::string::npos) << again.output;
}

TEST_F(BuildTest, TouchingAModuleRerunsExactlyItsEdge) {
  ConfigureAndBuild();
  Touch(src_ / "kernels" / "b.py");
  ProcessResult rebuilt = Build();
  ASSERT_TRUE(rebuilt.Succeeded()) << rebuilt.output;
  EXPECT_EQ(Count(rebuilt.output, "Compiling Triton kernels b.py"), 1) << rebuilt.output;
  EXPECT_EQ(Count(rebuilt.output, "Compiling Triton kernels a.py"), 0) << rebuilt.output;
  // Same bytes out, same mtimes: nothing downstream recompiles or relinks.
  EXPECT_EQ(Count(rebuilt.output, "Building CXX"), 0) << rebuilt.output;
  EXPECT_EQ(Count(rebuilt.output, "Linking"), 0) << rebuilt.output;
  ProcessResult again = Build();
  EXPECT_NE(again.output.find("no work to do"), std::string::npos) << again.output;
}

TEST_F(BuildTest, TouchingAHelperRerunsExactlyItsImporters) {
  ConfigureAndBuild();
  Touch(src_ / "kernels" / "helper.py");
  ProcessResult rebuilt = Build();
  ASSERT_TRUE(rebuilt.Succeeded()) << rebuilt.output;
  EXPECT_EQ(Count(rebuilt.output, "Compiling Triton kernels a.py"), 1) << rebuilt.output;
  EXPECT_EQ(Count(rebuilt.output, "Compiling Triton kernels b.py"), 0) << rebuilt.output;
  ProcessResult again = Build();
  EXPECT_NE(again.output.find("no work to do"), std::string::npos) << again.output;
}

// A new driver may compile or generate differently: every edge runs again.
// The project builds with a copy of the driver, so that the test can replace
// it without touching the one other tests use.
TEST_F(BuildTest, ANewDriverRerunsEveryEdge) {
  const fs::path driver = dir_.path() / "tools" / "triton-aot";
  fs::create_directories(driver.parent_path());
  fs::copy_file(TRITON_AOT_DRIVER, driver);
  WriteCMakeLists("MODULES kernels/a.py kernels/b.py ARCHITECTURES 90 NAMESPACE itest", /*with_app=*/false);
  WriteText(src_ / "CMakeLists.txt",
            ReplaceAll(ReadText(src_ / "CMakeLists.txt"), "find_package(TritonAOT REQUIRED CONFIG)\n",
                       "find_package(TritonAOT REQUIRED CONFIG)\n"
                       "get_target_property(configs TritonAOT::driver IMPORTED_CONFIGURATIONS)\n"
                       "foreach(config IN LISTS configs)\n"
                       "  set_property(TARGET TritonAOT::driver PROPERTY IMPORTED_LOCATION_${config} \"" +
                           driver.string() + "\")\n"
                           "endforeach()\n"));
  ConfigureAndBuild();
  ProcessResult commands = Build({"-t", "commands"});
  EXPECT_NE(commands.output.find(driver.string() + " compile "), std::string::npos) << commands.output;
  Touch(driver);
  ProcessResult rebuilt = Build();
  ASSERT_TRUE(rebuilt.Succeeded()) << rebuilt.output;
  EXPECT_EQ(Count(rebuilt.output, "Compiling Triton kernels a.py"), 1) << rebuilt.output;
  EXPECT_EQ(Count(rebuilt.output, "Compiling Triton kernels b.py"), 1) << rebuilt.output;
  ProcessResult again = Build();
  EXPECT_NE(again.output.find("no work to do"), std::string::npos) << again.output;
}

TEST_F(BuildTest, EditingAKernelRecompilesTheCodeThatEmbedsIt) {
  ConfigureAndBuild();
  const std::string before = ReadText(generated_ / "b" / "copy.small.fatbin");
  std::string edited = kTwoVariantsModule;
  edited.replace(edited.find("tl.load(src_ptr + offsets, mask=mask)"), 37,
                 "tl.load(src_ptr + offsets, mask=mask) + 1.0");
  WriteText(src_ / "kernels" / "b.py", edited);
  Touch(src_ / "kernels" / "b.py");
  ProcessResult rebuilt = Build();
  ASSERT_TRUE(rebuilt.Succeeded()) << rebuilt.output;
  EXPECT_NE(ReadText(generated_ / "b" / "copy.small.fatbin"), before);
  // The fatbin changed, so the object that embeds it must be rebuilt (the
  // assembler's .incbin is invisible to the compiler's dependency scan).
  EXPECT_EQ(Count(rebuilt.output, "b.cpp.o"), 1) << rebuilt.output;
  EXPECT_EQ(Count(rebuilt.output, "a.cpp.o"), 0) << rebuilt.output;
}

TEST_F(BuildTest, SyntaxErrorFailsWithItsLocationAndKeepsEarlierOutputs) {
  ConfigureAndBuild();
  auto before = Snapshot();
  ASSERT_FALSE(before.empty());
  std::string broken = kTwoVariantsModule;
  broken.replace(broken.find("def copy(src_ptr"), 16, "def copy(src_ptr +");  // line 6
  WriteText(src_ / "kernels" / "b.py", broken);
  Touch(src_ / "kernels" / "b.py");
  ProcessResult failed = Build();
  EXPECT_FALSE(failed.Succeeded());
  EXPECT_TRUE(std::regex_search(failed.output, std::regex("kernels/b\\.py:6:[0-9]+: error: ")))
      << failed.output;
  EXPECT_EQ(Snapshot(), before) << "a failed edge must leave the earlier outputs as they were";
  for (const std::string& name : ListFiles(build_)) {
    EXPECT_EQ(name.find(".scratch."), std::string::npos) << name;
    EXPECT_EQ(name.find(".tmp."), std::string::npos) << name;
  }
}

TEST_F(BuildTest, AFailingImportNamesTheModuleTheLineAndTheMissingName) {
  std::string broken = kImportsHelperModule;
  broken.replace(broken.find("from helper import twice"), 24, "from helper import thrice");  // line 3
  WriteText(src_ / "kernels" / "a.py", broken);
  ProcessResult configured = Configure();
  ASSERT_TRUE(configured.Succeeded()) << configured.output;
  ProcessResult failed = Build();
  EXPECT_FALSE(failed.Succeeded());
  EXPECT_TRUE(std::regex_search(failed.output, std::regex("kernels/a\\.py:3: error: cannot import name 'thrice' from 'helper'")))
      << failed.output;
}

TEST_F(BuildTest, AMissingModuleIsNamedWithWhatToDo) {
  std::string broken = kImportsHelperModule;
  broken.replace(broken.find("from helper import twice"), 24, "from helpers import twice");  // line 3
  WriteText(src_ / "kernels" / "a.py", broken);
  ProcessResult configured = Configure();
  ASSERT_TRUE(configured.Succeeded()) << configured.output;
  ProcessResult failed = Build();
  EXPECT_FALSE(failed.Succeeded());
  EXPECT_TRUE(std::regex_search(failed.output, std::regex("kernels/a\\.py:3: error: No module named 'helpers': "
                                                          "install it for .*, or, if it is a file of the project")))
      << failed.output;
}

TEST_F(BuildTest, FatbinHoldsACubinPerArchAndThePtxOfTheNewest) {
  WriteCMakeLists("MODULES kernels/b.py ARCHITECTURES 80 90 NAMESPACE itest", /*with_app=*/false);
  ConfigureAndBuild();
  const std::string cuobjdump = Cuobjdump();
  if (cuobjdump.empty()) GTEST_SKIP() << "no cuobjdump in the CUDA toolkit or Triton's wheel";
  for (const char* variant : {"small", "large"}) {
    const fs::path fatbin = generated_ / "b" / (std::string("copy.") + variant + ".fatbin");
    ProcessResult listed = triton_aot::testing::Run({cuobjdump, "--list-elf", "--list-ptx", fatbin.string()});
    ASSERT_TRUE(listed.Succeeded()) << listed.output;
    EXPECT_EQ(Count(listed.output, "ELF file"), 2) << listed.output;
    EXPECT_EQ(Count(listed.output, "sm_80.cubin"), 1) << listed.output;
    EXPECT_EQ(Count(listed.output, "sm_90"), 2) << listed.output;  // the sm_90a cubin and its PTX
    EXPECT_EQ(Count(listed.output, "PTX file"), 1) << listed.output;
    EXPECT_EQ(Count(listed.output, "sm_90a.ptx"), 1) << listed.output;
  }
}

TEST_F(BuildTest, TimingLogHasALinePerVariantAndArchAndAReport) {
  ConfigureAndBuild();
  const std::string log = ReadText(build_ / "triton_aot_timing.jsonl");
  EXPECT_EQ(Count(log, "\n"), 3) << log;  // a: 1 variant, b: 2 variants; one arch
  EXPECT_EQ(Count(log, "\"status\":\"ok\""), 3) << log;
  ProcessResult report = triton_aot::testing::Run({TRITON_AOT_DRIVER, "report", (build_ / "triton_aot_timing.jsonl").string()});
  ASSERT_TRUE(report.Succeeded()) << report.output;
  EXPECT_NE(report.output.find("3 compiles"), std::string::npos) << report.output;
  EXPECT_NE(report.output.find("b.copy (2 compiles)"), std::string::npos) << report.output;
}

TEST_F(BuildTest, MissingPtxasThatWasAskedForIsAnError) {
  WriteCMakeLists("MODULES kernels/b.py ARCHITECTURES 90 PTXAS /nonexistent/ptxas", /*with_app=*/false);
  ProcessResult configured = Configure();
  ASSERT_TRUE(configured.Succeeded()) << configured.output;
  ProcessResult failed = Build();
  EXPECT_FALSE(failed.Succeeded());
  EXPECT_NE(failed.output.find("ptxas '/nonexistent/ptxas' (from --ptxas) does not exist"), std::string::npos)
      << failed.output;
}

TEST_F(BuildTest, TheLoadTimeoutComesFromTheCacheVariable) {
  WriteText(src_ / "kernels" / "b.py", "import time\nwhile True:\n    time.sleep(0.05)\n");
  WriteCMakeLists("MODULES kernels/b.py ARCHITECTURES 90", /*with_app=*/false);
  ProcessResult configured = project().Configure(TestPython(), {"-DTRITON_AOT_LOAD_TIMEOUT=2"});
  ASSERT_TRUE(configured.Succeeded()) << configured.output;
  ProcessResult failed = Build();
  EXPECT_FALSE(failed.Succeeded());
  EXPECT_TRUE(std::regex_search(failed.output, std::regex("kernels/b\\.py:3: error: loading the module did not "
                                                          "finish within 2 s")))
      << failed.output;
}

TEST_F(BuildTest, ConfigureWithoutTritonSaysWhatToDo) {
  // An interpreter that cannot see site-packages, so `import triton` fails.
  const fs::path python = dir_.path() / "python-without-triton";
  WriteText(python, "#!/bin/sh\nexec \"" + TestPython() + "\" -S -I \"$@\"\n");
  MakeExecutable(python);
  ProcessResult configured = Configure(python.string());
  EXPECT_FALSE(configured.Succeeded());
  EXPECT_NE(Squeeze(configured.output).find("cannot import triton"), std::string::npos) << configured.output;
  EXPECT_NE(Squeeze(configured.output).find("-DTRITON_AOT_PYTHON=/path/to/python"), std::string::npos)
      << configured.output;
}

TEST_F(BuildTest, UnknownKeywordIsAnError) {
  WriteCMakeLists("ARCHITECTURE 90 MODULES kernels/b.py", /*with_app=*/false);
  ProcessResult configured = Configure();
  EXPECT_FALSE(configured.Succeeded());
  EXPECT_NE(Squeeze(configured.output).find("unknown arguments: ARCHITECTURE 90."), std::string::npos)
      << configured.output;
}

TEST_F(BuildTest, MisspeltKeywordAfterModulesIsAnError) {
  // A multi-value keyword swallows what follows it; a non-.py entry gives it away.
  WriteCMakeLists("MODULES kernels/b.py ARCHITECTURE 90", /*with_app=*/false);
  ProcessResult configured = Configure();
  EXPECT_FALSE(configured.Succeeded());
  EXPECT_NE(Squeeze(configured.output).find("MODULES entry 'ARCHITECTURE' is not a .py file"), std::string::npos)
      << configured.output;
}

}  // namespace
}  // namespace triton_aot::testing

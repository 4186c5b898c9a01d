// The depfile of an edge, written by the real driver with real Triton, lists
// exactly what the edge's outputs are made of: the module, the project's
// files it imports, Triton's files, the ptxas of each arch and fatbinary.
// Whatever is missing there would not rebuild when it changes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "kernel_project.h"
#include "ninja_depfile_reader.h"
#include "sample_modules.h"
#include "test_support.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;

// A ptxas of its own name that is the toolkit's.
fs::path WrappedPtxas(const fs::path& path) {
  WriteText(path, "#!/bin/sh\nexec '" + ToolkitPtxas() + "' \"$@\"\n");
  MakeExecutable(path);
  return path;
}

TEST(EdgeInputsTest, TheDepfileListsTheModuleItsImportsTritonsFilesAndEachTool) {
  if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
  if (ToolkitPtxas().empty()) GTEST_SKIP() << "no CUDA toolkit ptxas was found when this build was configured";
  TempDir dir;
  // a.py imports helper.py.
  WriteSampleModules(dir.path() / "src");
  const fs::path module = dir.path() / "src" / "kernels" / "a.py";
  const fs::path helper = dir.path() / "src" / "kernels" / "helper.py";
  // sm_90 and sm_100 get a ptxas each: TRITON_PTXAS_PATH, and
  // TRITON_PTXAS_BLACKWELL_PATH for arch 100 and up.
  const fs::path hopper = WrappedPtxas(dir.path() / "tools" / "ptxas-hopper");
  const fs::path blackwell = WrappedPtxas(dir.path() / "tools" / "ptxas-blackwell");
  ProcessOptions env;
  env.env["TRITON_PTXAS_PATH"] = hopper.string();
  env.env["TRITON_PTXAS_BLACKWELL_PATH"] = blackwell.string();
  const fs::path out = dir.path() / "out";
  std::map<std::string, std::string> options = PlainCompileOptions(out);
  options["--depfile"] = (out / "a.d").string();
  std::vector<std::string> command = DriverCompileCommand(module, options);
  command.push_back("--arch=100");
  const ProcessResult built = testing::Run(command, "", env);
  ASSERT_TRUE(built.Succeeded()) << built.output;

  NinjaDepfile depfile;
  std::string err;
  ASSERT_TRUE(ReadNinjaDepfile(ReadText(out / "a.d"), &depfile, &err)) << err;
  EXPECT_EQ(depfile.outputs, std::vector<std::string>{(out / "a.h").string()});
  ASSERT_FALSE(depfile.inputs.empty());
  EXPECT_EQ(depfile.inputs[0], module.string());
  std::set<std::string> inputs(depfile.inputs.begin(), depfile.inputs.end());
  EXPECT_EQ(inputs.size(), depfile.inputs.size()) << "an input is listed twice";
  // The project's files and the tools, each once.
  for (const fs::path& file : {module, helper, hopper, blackwell, fs::path(Fatbinary())}) {
    EXPECT_EQ(inputs.erase(file.string()), 1u) << file << " is not in the depfile";
  }
  // The rest is Triton: its sources, its libdevice and its native library.
  const fs::path triton = fs::path(TritonBinDir()).parent_path().parent_path().parent_path();
  for (const char* file : {"__init__.py", "_C/libtriton.so", "language/core.py", "compiler/compiler.py",
                           "backends/nvidia/compiler.py", "backends/nvidia/lib/libdevice.10.bc"}) {
    EXPECT_EQ(inputs.count((triton / file).string()), 1u) << file << " of Triton is not in the depfile";
  }
  for (const std::string& input : inputs) {
    EXPECT_EQ(input.rfind(triton.string() + "/", 0), 0u) << input << ": neither the project's, a tool, nor Triton's";
  }
}

}  // namespace
}  // namespace triton_aot::testing

// The Triton versions TritonAOT supports (driver/frontend/triton_aot_versions.py):
// one older than 3.5 is refused at configure and by the driver, with one
// message naming the versions that work; one newer than the newest tested is
// a warning, and the build goes on. The compat tests build with each real
// release; here the installed Triton is copied and its version edited.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "kernel_project.h"
#include "sample_modules.h"
#include "test_support.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;

// `text` with each run of white space made one space: CMake wraps messages.
std::string Squeezed(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t';
    if (!space) {
      out += c;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  return out;
}

class TritonVersionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
  }

  // A Python that imports a copy of the installed Triton whose __version__
  // is `version` (the rest symlinks to the real files).
  fs::path PythonWithTritonVersion(const std::string& version) {
    const fs::path installed = fs::path(TritonBinDir()).parent_path().parent_path().parent_path();
    const fs::path site = dir_.path() / ("site-" + version);
    fs::create_directories(site);
    EXPECT_TRUE(testing::Run({"cp", "-rs", installed.string(), (site / "triton").string()}).Succeeded());
    const fs::path init = site / "triton" / "__init__.py";
    std::string text = ReadText(init);
    fs::remove(init);
    const size_t start = text.find("__version__ = '") + 15;
    text.replace(start, text.find('\'', start) - start, version);
    WriteText(init, text);
    const fs::path python = dir_.path() / ("python-" + version);
    WriteText(python, "#!/bin/sh\nPYTHONPATH='" + site.string() + "' exec '" + TestPython() + "' \"$@\"\n");
    MakeExecutable(python);
    return python;
  }

  KernelProject Project(const std::string& name) {
    KernelProject project(dir_.path() / name / "src", dir_.path() / name / "build");
    WriteText(project.source_dir() / "b.py", kTwoVariantsModule);
    project.WriteCMakeLists("MODULES b.py ARCHITECTURES 90 NAMESPACE k");
    return project;
  }

  TempDir dir_;
};

TEST_F(TritonVersionTest, OlderThanSupportedFailsConfigureWithTheVersionsThatWork) {
  const KernelProject project = Project("old");
  const ProcessResult configured = project.Configure(PythonWithTritonVersion("3.4.0").string());
  EXPECT_FALSE(configured.Succeeded());
  const std::string said = Squeezed(configured.output);
  EXPECT_NE(said.find("Triton 3.4.0 is older than TritonAOT supports: it works with Triton 3.5 to 3.9 (tested: 3.5.1,"),
            std::string::npos)
      << configured.output;
  EXPECT_NE(said.find("); install one of those, e.g. pip install"), std::string::npos) << "says what to do: " << said;
}

TEST_F(TritonVersionTest, OlderThanSupportedIsOneErrorOfTheDriverAndWritesNothing) {
  const fs::path module = dir_.path() / "src" / "b.py";
  WriteText(module, kTwoVariantsModule);
  std::map<std::string, std::string> options = PlainCompileOptions(dir_.path() / "out");
  options["--python"] = PythonWithTritonVersion("3.4.0").string();
  const ProcessResult compiled = testing::Run(DriverCompileCommand(module, options));
  EXPECT_FALSE(compiled.Succeeded());
  EXPECT_EQ(CountMessages(compiled.output), 1) << compiled.output;
  EXPECT_NE(compiled.output.find(module.string() + ": Triton 3.4.0 is older than TritonAOT supports"),
            std::string::npos)
      << compiled.output;
  EXPECT_EQ(ListFiles(dir_.path() / "out"), std::vector<std::string>{});
}

TEST_F(TritonVersionTest, NewerThanTestedWarnsAtConfigureAndBuildsRecordingTheVersion) {
  const KernelProject project = Project("new");
  const ProcessResult configured = project.Configure(PythonWithTritonVersion("3.10.0").string());
  ASSERT_TRUE(configured.Succeeded()) << configured.output;
  EXPECT_NE(configured.output.find("CMake Warning"), std::string::npos) << configured.output;
  EXPECT_NE(Squeezed(configured.output)
                .find("Triton 3.10.0 is newer than the versions TritonAOT was tested with (3.5 to 3.9"),
            std::string::npos)
      << configured.output;
  const ProcessResult built = project.Build();
  ASSERT_TRUE(built.Succeeded()) << built.output;
  EXPECT_NE(ReadText(project.generated_dir() / "b.json").find("\"triton_version\": \"3.10.0\""), std::string::npos);
  EXPECT_NE(ReadText(project.generated_dir() / "b.cpp").find("with Triton 3.10.0"), std::string::npos);
  EXPECT_EQ(ReadText(project.generated_dir() / "b.h").find("3.10.0"), std::string::npos)
      << "the header is the same whichever Triton compiled the kernels";
  EXPECT_NE(ReadText(project.build_dir() / "triton_aot_timing.jsonl").find("\"triton_version\":\"3.10.0\""),
            std::string::npos)
      << "the timing log says which Triton compiled";
}

// Whatever fails while an error is being reported (here: the function the
// lookup of the error's line calls fails, as when a release drops a name),
// the user sees Triton's own error.
TEST_F(TritonVersionTest, AFailureWhileReportingACompileErrorLeavesTritonsErrorToSee) {
  const fs::path module = dir_.path() / "src" / "bad.py";
  WriteText(module, R"src(import triton
import triton.language as tl
import triton.compiler.code_generator  # binds its own reference first
import triton.runtime.jit


def _broken(fn):
    raise ImportError("cannot import name 'get_jit_fn_file_line'")


# What the lookup of an error's line calls in Triton 3.5 to 3.7 (3.8 removed
# it); Triton's compiler keeps the reference it bound above.
triton.runtime.jit.get_jit_fn_file_line = _broken


@triton.jit
def kernel(x_ptr, BLOCK: tl.constexpr):
    tl.store(x_ptr + tl.arange(0, BLOCK), undefined_name)


TRITON_AOT_KERNELS = [{"kernel": "kernel", "signature": {"x_ptr": "*fp32"}, "grid": "1",
                       "constexprs": {"BLOCK": 64}}]
)src");
  const ProcessResult compiled = testing::Run(DriverCompileCommand(module, PlainCompileOptions(dir_.path() / "out")));
  EXPECT_FALSE(compiled.Succeeded());
  EXPECT_NE(compiled.output.find("undefined_name"), std::string::npos) << "Triton's error: " << compiled.output;
  EXPECT_EQ(compiled.output.find("ImportError"), std::string::npos) << compiled.output;
  EXPECT_EQ(compiled.output.find("Traceback"), std::string::npos) << compiled.output;
}

}  // namespace
}  // namespace triton_aot::testing

// A compile service that takes connections but answers nothing (stopped
// with SIGSTOP, or stuck): the edge waits for its greeting no longer than
// the documented 30 s, compiles in a Python of its own, and retires the
// wedged service, so that the next edge starts a new one instead of waiting
// as well. The outputs are those of a clean build.
#include <signal.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "environment.h"
#include "kernel_project.h"
#include "service_client.h"
#include "subprocess.h"
#include "test_support.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;

const char* kModule = R"src(import triton
import triton.language as tl


@triton.jit
def scale(x_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.store(x_ptr + offsets, tl.load(x_ptr + offsets, mask=mask) * {factor}, mask=mask)


TRITON_AOT_KERNELS = [
    {"kernel": "scale", "signature": {"x_ptr": "*fp32:16", "n": "i32"}, "constexprs": {"BLOCK": 256},
     "grid": ["cdiv(n, BLOCK)"]},
]
)src";

pid_t ServiceOf(const KernelProject& project) {
  pid_t pid = 0;
  std::string err;
  const ServiceState state =
      ServiceRunning(DefaultServiceFolder(Environment::OfThisProcess()), project.build_dir().string(), &pid, &err);
  return state == ServiceState::kRunning ? pid : 0;
}

TEST(WedgedServiceTest, AStoppedServiceCostsOneEdgeTheGreetingTimeoutAndIsReplaced) {
  if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
  TempDir dir;
  const fs::path module = dir.path() / "src" / "kernels" / "k.py";
  KernelProject project(dir.path() / "src", dir.path() / "build");
  project.WriteCMakeLists("MODULES kernels/k.py ARCHITECTURES 90 NAMESPACE wedged");
  WriteText(module, ReplaceAll(kModule, "{factor}", "2.0"));
  ASSERT_TRUE(project.Configure(TestPython(), {"-DTRITON_AOT_CACHE=OFF"}).Succeeded());
  ASSERT_TRUE(project.Build().Succeeded());
  const pid_t wedged = ServiceOf(project);
  ASSERT_GT(wedged, 0) << "the first build started the build tree's service";

  ASSERT_EQ(::kill(wedged, SIGSTOP), 0);
  WriteText(module, ReplaceAll(kModule, "{factor}", "3.0"));
  const ProcessResult built = project.Build();
  ::kill(wedged, SIGCONT);  // in case it was not retired
  ASSERT_TRUE(built.Succeeded()) << built.output;
  EXPECT_FALSE(ProcessRunning(wedged)) << "the wedged service was left running";

  WriteText(module, ReplaceAll(kModule, "{factor}", "4.0"));
  ASSERT_TRUE(project.Build().Succeeded());
  const pid_t replacement = ServiceOf(project);
  EXPECT_GT(replacement, 0) << "the next edge started a new service";
  EXPECT_NE(replacement, wedged);

  const KernelProject clean(dir.path() / "src", dir.path() / "clean");
  ASSERT_TRUE(clean.Configure(TestPython(), {"-DTRITON_AOT_CACHE=OFF", "-DTRITON_AOT_SERVICE=OFF"}).Succeeded());
  ASSERT_TRUE(clean.Build().Succeeded());
  auto without_depfiles = [](std::map<std::string, std::string> files) {
    std::erase_if(files, [](const auto& file) { return fs::path(file.first).extension() == ".d"; });
    return files;
  };
  EXPECT_TRUE(without_depfiles(ReadTree(project.generated_dir())) == without_depfiles(ReadTree(clean.generated_dir())))
      << "the outputs are not a clean build's";
}

}  // namespace
}  // namespace triton_aot::testing

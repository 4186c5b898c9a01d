// An autotune list as kernel libraries write it, with configs too large for
// some archs (tests/gpu/autotune_fit.py), built unchanged with the real
// Triton: each config is left out of the archs it does not fit, the build
// says so in its metadata, header and report, and fails only for an arch
// that no config fits.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kernel_project.h"
#include "test_support.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class AutotuneFitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
    module_ = ReadText(TRITON_AOT_SOURCE_DIR "/tests/gpu/autotune_fit.py");
  }

  ProcessResult Build(const std::string& archs, const ProcessOptions& options = {}) {
    WriteText(project_.source_dir() / "autotune_fit.py", module_);
    project_.WriteCMakeLists("MODULES autotune_fit.py ARCHITECTURES " + archs + " NAMESPACE k");
    const ProcessResult configured = project_.Configure(TestPython());
    EXPECT_TRUE(configured.Succeeded()) << configured.output;
    return project_.Build({}, options);
  }

  TempDir dir_;
  KernelProject project_{dir_.path() / "src", dir_.path() / "build"};
  std::string module_;
};

TEST_F(AutotuneFitTest, EachConfigIsLeftOutOfTheArchsItDoesNotFit) {
  const ProcessResult built = Build("80 90");
  ASSERT_TRUE(built.Succeeded()) << built.output;
  const json kernel = json::parse(ReadText(project_.generated_dir() / "autotune_fit.json"))["kernels"][0];
  std::vector<std::string> built_for;
  for (const json& variant : kernel["variants"]) {
    std::string archs;
    for (const json& arch : variant["archs"]) archs += " " + arch["arch"].get<std::string>();
    built_for.push_back(variant["name"].get<std::string>() + ":" + archs);
  }
  EXPECT_EQ(built_for, (std::vector<std::string>{"config0: sm_80 sm_90a", "config1: sm_90a"}))
      << "config2 fits no arch: nothing is generated for it";
  std::vector<std::string> left_out;
  for (const json& config : kernel["left_out"]) {
    left_out.push_back(config["variant"].get<std::string>() + " " + config["arch"].get<std::string>());
    EXPECT_NE(config["why"].get<std::string>().find("bytes of shared memory on"), std::string::npos) << config;
  }
  EXPECT_EQ(left_out, (std::vector<std::string>{"config1 sm_80", "config2 sm_80", "config2 sm_90a"}));
  EXPECT_FALSE(fs::exists(project_.generated_dir() / "autotune_fit" / "matmul.config2.fatbin"));

  const std::string header = ReadText(project_.generated_dir() / "autotune_fit.h");
  EXPECT_NE(header.find("// configs left out of sm_80 (too large there, or pruned: see 'triton-aot report'): config1, "
                        "config2"),
            std::string::npos)
      << header;
  const ProcessResult report =
      testing::Run({TRITON_AOT_DRIVER, "report", (project_.build_dir() / "triton_aot_timing.jsonl").string()});
  ASSERT_TRUE(report.Succeeded()) << report.output;
  EXPECT_NE(report.output.find("0 failed"), std::string::npos) << report.output;
  EXPECT_NE(report.output.find("autotune configs left out of an arch (too large there, or pruned):\n  autotune_fit.matmul "
                               "[config1] sm_80: needs "),
            std::string::npos)
      << report.output;
}

// As `make -j1` would run the build: no token in its FIFO, only the slot the
// edge has. The edge runs its one compiler, where the build tree's pool alone
// would let it run one per core.
TEST_F(AutotuneFitTest, UnderAMakeJobserverTheEdgeRunsNoMoreCompilersThanItHasTokens) {
  const std::string fifo = (dir_.path() / "jobserver.fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int make_end = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK);  // make keeps it open
  ASSERT_GE(make_end, 0);
  ProcessOptions options;
  options.env["MAKEFLAGS"] = " -j1 --jobserver-auth=fifo:" + fifo;
  options.env["TRITON_AOT_EDGE_JOBS"] = "8";
  const ProcessResult built = Build("80 90", options);
  ::close(make_end);
  ASSERT_TRUE(built.Succeeded()) << built.output;
  const std::string log = ReadText(project_.build_dir() / "triton_aot_timing.jsonl");
  const std::string last = log.substr(log.rfind('\n', log.size() - 2) + 1);
  EXPECT_EQ(json::parse(last)["edge"]["workers"], 1) << last;
}

TEST_F(AutotuneFitTest, AnArchNoConfigFitsFailsTheBuildAndSaysWhatToDo) {
  const std::string first_config = "        triton.Config({\"BLOCK_M\": 64, \"BLOCK_N\": 64, \"BLOCK_K\": 32}, "
                                   "num_stages=3, num_warps=4),\n";
  const size_t at = module_.find(first_config);
  ASSERT_NE(at, std::string::npos);
  module_.erase(at, first_config.size());
  const ProcessResult built = Build("80");
  EXPECT_FALSE(built.Succeeded()) << built.output;
  EXPECT_NE(built.output.find("error: kernel 'matmul': none of its 2 @triton.autotune configs fits sm_80: the "
                              "smallest needs 180224 bytes of shared memory, and a block there can have at most "
                              "166912: add a config with smaller blocks or fewer num_stages, or leave sm_80 out of "
                              "ARCHITECTURES"),
            std::string::npos)
      << built.output;
  EXPECT_FALSE(fs::exists(project_.generated_dir() / "autotune_fit.h")) << "nothing is written";
}

}  // namespace
}  // namespace triton_aot::testing

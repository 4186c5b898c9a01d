// @triton.autotune(prune_configs_by={"early_config_prune": ...}) as kernel
// libraries write it (tests/gpu/autotune_prune.py), built unchanged with the
// real Triton: the pruner runs per arch, as the GPU of that arch would run
// it, and the configs it leaves out of an arch are left out of its build; a
// pruner that needs what only a launch knows fails at its own line, saying
// what to do.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kernel_project.h"
#include "test_support.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class AutotunePruneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
    module_ = ReadText(TRITON_AOT_SOURCE_DIR "/tests/gpu/autotune_prune.py");
  }

  void Replace(const std::string& from, const std::string& to) {
    const size_t at = module_.find(from);
    if (at == std::string::npos) throw std::runtime_error("test bug: '" + from + "' is not in the module");
    module_.replace(at, from.size(), to);
  }

  // The line of the module that holds `text`, counted from 1.
  int LineOf(const std::string& text) const {
    const size_t at = module_.find(text);
    if (at == std::string::npos) throw std::runtime_error("test bug: '" + text + "' is not in the module");
    return 1 + static_cast<int>(std::count(module_.begin(), module_.begin() + static_cast<long>(at), '\n'));
  }

  ProcessResult Build(const std::string& archs) {
    WriteText(module_path(), module_);
    project_.WriteCMakeLists("MODULES autotune_prune.py ARCHITECTURES " + archs + " NAMESPACE k");
    const ProcessResult configured = project_.Configure(TestPython());
    EXPECT_TRUE(configured.Succeeded()) << configured.output;
    return project_.Build();
  }

  fs::path module_path() const { return project_.source_dir() / "autotune_prune.py"; }
  json Kernel() const {
    return json::parse(ReadText(project_.generated_dir() / "autotune_prune.json"))["kernels"][0];
  }

  // "config0: sm_80 sm_90a": each variant built, and its archs.
  static std::vector<std::string> BuiltFor(const json& kernel) {
    std::vector<std::string> built;
    for (const json& variant : kernel["variants"]) {
      std::string archs;
      for (const json& arch : variant["archs"]) archs += " " + arch["arch"].get<std::string>();
      built.push_back(variant["name"].get<std::string>() + ":" + archs);
    }
    return built;
  }

  TempDir dir_;
  KernelProject project_{dir_.path() / "src", dir_.path() / "build"};
  std::string module_;
};

TEST_F(AutotunePruneTest, EachArchBuildsTheConfigsItsPrunerKeepsThere) {
  const ProcessResult built = Build("80 90");
  ASSERT_TRUE(built.Succeeded()) << built.output;
  const json kernel = Kernel();
  EXPECT_EQ(BuiltFor(kernel), (std::vector<std::string>{"config0: sm_80 sm_90a", "config1: sm_80 sm_90a",
                                                        "config2: sm_90a"}))
      << "config3 is pruned everywhere: nothing is generated for it";
  std::vector<std::string> left_out;
  for (const json& config : kernel["left_out"]) {
    left_out.push_back(config["variant"].get<std::string>() + " " + config["arch"].get<std::string>() + ": " +
                       config["why"].get<std::string>());
  }
  EXPECT_EQ(left_out, (std::vector<std::string>{
                          "config2 sm_80: the kernel's early_config_prune left it out of sm_80",
                          "config3 sm_80: the kernel's early_config_prune left it out of sm_80",
                          "config3 sm_90a: the kernel's early_config_prune left it out of sm_90a",
                      }));
  EXPECT_FALSE(fs::exists(project_.generated_dir() / "autotune_prune" / "matmul.config3.fatbin"));
  const ProcessResult report =
      testing::Run({TRITON_AOT_DRIVER, "report", (project_.build_dir() / "triton_aot_timing.jsonl").string()});
  ASSERT_TRUE(report.Succeeded()) << report.output;
  EXPECT_NE(report.output.find("autotune_prune.matmul [config2] sm_80: the kernel's early_config_prune left it out "
                               "of sm_80"),
            std::string::npos)
      << report.output;

  // A new build folder over the same artifact cache: the same outputs, the
  // pruner's choices among what it recalls.
  const std::string header = ReadText(project_.generated_dir() / "autotune_prune.h");
  fs::remove_all(project_.build_dir());
  const ProcessResult again = Build("80 90");
  ASSERT_TRUE(again.Succeeded()) << again.output;
  EXPECT_EQ(Kernel(), kernel);
  EXPECT_EQ(ReadText(project_.generated_dir() / "autotune_prune.h"), header);
}

// The fused-attention tutorial's habits (tests/gpu/attention.py): a pruner
// that reads a constexpr from kwargs, and one rule only for Hopper.
TEST_F(AutotunePruneTest, APrunerSeesTheConstexprsAsKwargsAndEachArchAsTheTarget) {
  module_ = ReadText(TRITON_AOT_SOURCE_DIR "/tests/gpu/attention.py");
  const ProcessResult built = Build("80 90");
  ASSERT_TRUE(built.Succeeded()) << built.output;
  EXPECT_EQ(BuiltFor(Kernel()),
            (std::vector<std::string>{"config0: sm_80 sm_90a", "config1: sm_80", "config2: sm_80 sm_90a"}))
      << "config1 (a small tile on 8 warps) is dropped for Hopper; config3's BLOCK_M is over N_CTX everywhere";
}

TEST_F(AutotunePruneTest, APrunerThatReadsALaunchSizeFailsAtThatLineAndSaysWhatToDo) {
  Replace("    kept = []\n", "    kept = [] if named_args[\"M\"] < 0 else []\n");
  const ProcessResult built = Build("80 90");
  EXPECT_FALSE(built.Succeeded()) << built.output;
  const std::string where = module_path().string() + ":" + std::to_string(LineOf("    kept = [] if")) + ": error: ";
  EXPECT_NE(built.output.find(where), std::string::npos) << built.output;
  EXPECT_NE(built.output.find("its @triton.autotune early_config_prune reads 'M', which is known only at launch, "
                              "while the build runs it to choose each arch's configs: choose them in the entry with "
                              "\"configs\": [<indices>] (the pruner is then not run)"),
            std::string::npos)
      << built.output;
  EXPECT_EQ(CountMessages(built.output), 1) << built.output;
  EXPECT_FALSE(fs::exists(project_.generated_dir() / "autotune_prune.h")) << "nothing is written";
}

TEST_F(AutotunePruneTest, APrunerThatKeepsNoConfigFailsAsTritonsAutotunerDoes) {
  Replace("    return kept\n", "    return []\n");
  const ProcessResult built = Build("80");
  EXPECT_FALSE(built.Succeeded()) << built.output;
  EXPECT_NE(built.output.find(module_path().string() + ":" + std::to_string(LineOf("def fits_shared_memory")) +
                              ": error: kernel 'matmul', "),
            std::string::npos)
      << built.output;
  EXPECT_NE(built.output.find("its @triton.autotune early_config_prune kept none of its 4 configs for sm_80, and "
                              "Triton's autotuner needs at least one"),
            std::string::npos)
      << built.output;
}

TEST_F(AutotunePruneTest, APrunerThatEditsTheConfigsFailsRatherThanBuildOthersThanTritonWouldRun) {
  Replace("    return kept\n", "    configs[1].num_stages = 2\n    return kept\n");
  const ProcessResult built = Build("80");
  EXPECT_FALSE(built.Succeeded()) << built.output;
  EXPECT_NE(built.output.find("its @triton.autotune early_config_prune changed config 1 (BLOCK_M: 128, "),
            std::string::npos)
      << built.output;
  EXPECT_NE(built.output.find("the build compiles the configs as the module defines them"), std::string::npos)
      << built.output;
}

TEST_F(AutotunePruneTest, TheEntrysChoiceOfConfigsStandsInForThePruner) {
  Replace("    driver = triton.runtime.driver.active\n", "    raise RuntimeError('the pruner ran')\n");
  Replace(R"({"kernel": "matmul_kernel", "name": "matmul",)",
          R"({"kernel": "matmul_kernel", "name": "matmul", "configs": [0, 1],)");
  const ProcessResult built = Build("90");
  ASSERT_TRUE(built.Succeeded()) << built.output;
  EXPECT_EQ(BuiltFor(Kernel()), (std::vector<std::string>{"config0: sm_90a", "config1: sm_90a"}));
  EXPECT_FALSE(Kernel().contains("left_out"));
}

}  // namespace
}  // namespace triton_aot::testing

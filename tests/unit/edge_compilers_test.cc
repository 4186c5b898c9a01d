// A module is loaded for the edge's first arch; one that asked Triton's driver
// for the target while it loaded is loaded again for each other arch, and
// each arch's jobs compile where the module was loaded for that arch.
#include "edge_compilers.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "compile_module_fixture.h"

namespace triton_aot {
namespace {

using TargetLoadTest = CompileModuleTest;

TEST_F(TargetLoadTest, AModuleThatDidNotAskIsLoadedOnceForTheFirstArch) {
  CompileOk();
  EXPECT_EQ(script_.load_targets, std::vector<int>{80});
  EXPECT_EQ(script_.compiled_by_target, std::vector<int>(4, 80));
}

TEST_F(TargetLoadTest, AModuleThatAskedIsLoadedForEachArchAndEachArchCompilesWhereItWasLoaded) {
  script_.load_answer["target_asked"] = true;
  CompileOk();
  EXPECT_EQ(script_.load_targets, (std::vector<int>{80, 90}));
  ASSERT_EQ(script_.compiled.size(), 4u);
  for (size_t i = 0; i < script_.compiled.size(); ++i) {
    EXPECT_EQ(script_.compiled_by_target[i], script_.compiled[i].arch) << "job " << i;
  }
  EXPECT_TRUE(fs::exists(dir_ / "out/adds.h"));
}

TEST_F(TargetLoadTest, ARecalledAnswerThatAskedLoadsOnlyTheArchsThatMissTheCache) {
  script_.load_answer["target_asked"] = true;
  CompileOk();
  fs::remove_all(dir_ / "out");
  script_.load_targets.clear();
  CompileOk();
  EXPECT_EQ(script_.load_targets, std::vector<int>{}) << "every job was in the cache";
}

TEST_F(TargetLoadTest, OtherKernelsForAnotherArchFailTheEdgeSayingWhy) {
  script_.load_answer["target_asked"] = true;
  script_.before_load = [this] {
    if (script_.loads == 2) script_.load_answer["spec"][0]["constexprs"]["BLOCK"] = 512;
  };
  std::string err;
  ASSERT_FALSE(Compile(&err));
  EXPECT_EQ(err, "triton-aot: error: " + dir_ / "src/adds.py" +
                     ": loaded for sm_90, its TRITON_AOT_KERNELS differs from the load for the edge's first arch (the "
                     "module asks Triton's driver for the target or the device at import, and the answer changed "
                     "what it defines): make what it defines the same for every arch, or build the archs in targets "
                     "of their own");
  EXPECT_FALSE(fs::exists(dir_ / "out/adds.h"));
}

// Triton's fused-attention tutorial filters its config list by the device at
// import: the message names the configs and what a build can do with them.
TEST_F(TargetLoadTest, AConfigListFilteredByTheTargetAtImportIsNamedWithAWayOut) {
  script_.load_answer = testing::LoadAnswer(json::array({{{"kernel", "tuned_kernel"},
                                                          {"signature", {{"x_ptr", "*fp32"}, {"n", "i32"}}},
                                                          {"grid", json::array({"cdiv(n, BLOCK)"})},
                                                          {"constexprs", {{"EVEN", true}}}}}));
  script_.load_answer["triton_file"] = dir_ / "triton/__init__.py";
  script_.load_answer["triton_key"] = "key-of-this-triton";
  script_.load_answer["target_asked"] = true;
  script_.before_load = [this] {
    if (script_.loads == 2) script_.load_answer["kernels"]["tuned_kernel"]["autotune"]["configs"].erase(0);
  };
  std::string err;
  ASSERT_FALSE(Compile(&err));
  EXPECT_NE(err.find("loaded for sm_90, kernel 'tuned_kernel' (its @triton.autotune configs) differs from the load "
                     "for the edge's first arch"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("(a config list filtered by the device at import can be filtered by an early_config_prune "
                     "instead, which the build runs per arch)"),
            std::string::npos)
      << err;
}

}  // namespace
}  // namespace triton_aot

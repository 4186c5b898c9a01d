#include "arch.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_support.h"

namespace triton_aot {
namespace {

Arch MustParse(const std::string& text) {
  Arch arch;
  std::string err;
  EXPECT_TRUE(ParseArch(text, &arch, &err)) << text << ": " << err;
  return arch;
}

std::string ParseError(const std::string& text) {
  Arch arch{12345};
  std::string err;
  EXPECT_FALSE(ParseArch(text, &arch, &err)) << "'" << text << "' was accepted";
  EXPECT_EQ(arch.capability, 12345) << "a failed parse must leave the output alone";
  return err;
}

// What a pruner or a module asks of Triton's driver at build time
// (triton_aot_target.py's table) must agree with the limit the build checks
// configs against: else a pruner would keep configs that are then left out,
// or drop some that fit.
TEST(MaxSharedMemoryPerBlockTest, IsWhatTheBuildTimeDriverReportsForEveryArch) {
  const std::string python = testing::TestPython();
  if (python.empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
  const std::vector<int> archs = {75, 80, 86, 87, 89, 90, 100, 101, 103, 110, 120, 121};
  std::string script = "import sys\nsys.path.insert(0, sys.argv[1])\nimport triton_aot_target as t\n";
  script += "for c in map(int, sys.argv[2:]): print(c, t.properties(c)['max_shared_mem'])\n";
  std::vector<std::string> argv = {python, "-c", script, TRITON_AOT_SOURCE_DIR "/driver/frontend"};
  std::string expected;
  for (int arch : archs) {
    argv.push_back(std::to_string(arch));
    expected += std::to_string(arch) + " " + std::to_string(MaxSharedMemoryPerBlock(arch)) + "\n";
  }
  const ProcessResult reported = testing::Run(argv);
  ASSERT_TRUE(reported.Succeeded()) << reported.output;
  EXPECT_EQ(reported.output, expected);
}

TEST(ParseArchTest, AcceptsTheSpellingsUsersWrite) {
  EXPECT_EQ(MustParse("80").capability, 80);
  EXPECT_EQ(MustParse("90a").capability, 90);
  // Names copied from nvcc command lines.
  EXPECT_EQ(MustParse("sm_90a").capability, 90);
  EXPECT_EQ(MustParse("sm_86").capability, 86);
  EXPECT_EQ(MustParse("compute_100").capability, 100);
  // The oldest architecture Triton supports.
  EXPECT_EQ(MustParse("75").capability, 75);
}

TEST(ParseArchTest, RejectsMalformedText) {
  for (const char* text : {"", "9x", "abc", "90f", "sm_", "sm90", "90aa", " 90"}) {
    std::string err = ParseError(text);
    // The message names the input and says what is accepted.
    EXPECT_NE(err.find(std::string("'") + text + "'"), std::string::npos) << err;
    EXPECT_NE(err.find("90a"), std::string::npos) << err;
  }
}

TEST(ParseArchTest, RejectsSuffixBelowHopper) {
  std::string err = ParseError("80a");
  EXPECT_NE(err.find("'80a'"), std::string::npos) << err;
  EXPECT_NE(err.find("90 and newer"), std::string::npos) << err;
}

TEST(ParseArchTest, RejectsArchitecturesTritonDoesNotSupport) {
  std::string err = ParseError("70");
  EXPECT_NE(err.find("'70'"), std::string::npos) << err;
  EXPECT_NE(err.find("75 or newer"), std::string::npos) << err;
}

TEST(ParseArchTest, RejectsNumbersNoComputeCapabilityHasNamingTheRange) {
  for (const char* text : {"1000", "sm_99999", "18446744073709551616", "99999999999999999999a"}) {
    std::string err = ParseError(text);
    EXPECT_NE(err.find(std::string("'") + text + "'"), std::string::npos) << err;
    EXPECT_NE(err.find("from 75 to 999"), std::string::npos) << err;
  }
  EXPECT_EQ(MustParse("999").capability, 999) << "unknown but possible: ptxas decides";
}

TEST(ArchTest, SmNameUsesTheArchSpecificTargetFromHopperOn) {
  EXPECT_EQ(Arch{75}.SmName(), "sm_75");
  EXPECT_EQ(Arch{80}.SmName(), "sm_80");
  EXPECT_EQ(Arch{89}.SmName(), "sm_89");
  EXPECT_EQ(Arch{90}.SmName(), "sm_90a");
  EXPECT_EQ(Arch{100}.SmName(), "sm_100a");
  EXPECT_EQ(Arch{120}.SmName(), "sm_120a");
}

TEST(MaxSharedMemoryPerBlockTest, KnowsTheLimitsOfEachGeneration) {
  EXPECT_EQ(MaxSharedMemoryPerBlock(80), 166912);
  EXPECT_EQ(MaxSharedMemoryPerBlock(86), 101376);
  EXPECT_EQ(MaxSharedMemoryPerBlock(90), 232448);
  EXPECT_EQ(MaxSharedMemoryPerBlock(100), 232448);
  EXPECT_EQ(MaxSharedMemoryPerBlock(120), 101376);
  EXPECT_EQ(MaxSharedMemoryPerBlock(42), 0) << "unknown: no check rather than a wrong one";
}

TEST(ParseArchListTest, SortsAndMergesSpellingsOfTheSameArch) {
  std::vector<Arch> archs;
  std::string err;
  ASSERT_TRUE(ParseArchList({"100", "90", "sm_80", "90a", "compute_90"}, &archs, &err)) << err;
  ASSERT_EQ(archs.size(), 3u);
  EXPECT_EQ(archs[0].capability, 80);
  EXPECT_EQ(archs[1].capability, 90);
  EXPECT_EQ(archs[2].capability, 100);
}

TEST(ParseArchListTest, FailsOnAnEmptyList) {
  std::vector<Arch> archs = {Arch{80}};
  std::string err;
  EXPECT_FALSE(ParseArchList({}, &archs, &err));
  EXPECT_NE(err.find("no GPU architecture"), std::string::npos) << err;
}

TEST(ParseArchListTest, FailsOnOneBadEntryAndNamesIt) {
  std::vector<Arch> archs;
  std::string err;
  EXPECT_FALSE(ParseArchList({"80", "9x", "90"}, &archs, &err));
  EXPECT_NE(err.find("'9x'"), std::string::npos) << err;
}

}  // namespace
}  // namespace triton_aot

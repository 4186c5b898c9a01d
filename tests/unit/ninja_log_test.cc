#include "report/ninja_log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_support.h"

namespace triton_aot {
namespace {

using testing::TempDir;
using testing::WriteText;

NinjaLog Parse(const std::string& text) {
  NinjaLog log;
  std::string err;
  EXPECT_TRUE(ParseNinjaLog(text, &log, &err)) << err;
  return log;
}

std::vector<std::string> Outputs(const NinjaLog& log) {
  std::vector<std::string> outputs;
  for (const NinjaEdge& edge : log.edges) {
    for (const std::string& output : edge.outputs) outputs.push_back(output);
  }
  return outputs;
}

// What Ninja 1.11 (v5) and 1.13 (v7) wrote for `build a b: r` then
// `build c: r a`; v6 has the same layout.
TEST(NinjaLogTest, ReadsEachVersion) {
  for (int version : {5, 6, 7}) {
    const NinjaLog log = Parse("# ninja log v" + std::to_string(version) +
                               "\n"
                               "0\t210\t1795825683491626078\ta\tc8676d6526ead633\n"
                               "0\t210\t1795825683491626078\tb\tc8676d6526ead633\n"
                               "211\t415\t1795825683695626087\tc\ta170924bbb775c21\n");
    EXPECT_EQ(log.version, version);
    EXPECT_EQ(log.malformed_lines, 0);
    ASSERT_EQ(log.edges.size(), 2u) << version;
    EXPECT_EQ(log.edges[0].start_ms, 0);
    EXPECT_EQ(log.edges[0].end_ms, 210);
    EXPECT_EQ(log.edges[0].outputs, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(log.edges[0].command_hash, "c8676d6526ead633");
    EXPECT_EQ(log.edges[1].start_ms, 211);
    EXPECT_EQ(log.edges[1].end_ms, 415);
    EXPECT_EQ(log.edges[1].outputs, (std::vector<std::string>{"c"}));
  }
}

TEST(NinjaLogTest, OtherVersionsAndMissingHeadersAreErrors) {
  for (const char* text : {"# ninja log v4\n0 1 2 a 3\n", "# ninja log v8\n", "# ninja log vX\n",
                           "0\t1\t2\ta\tff\n"}) {
    NinjaLog log;
    std::string err;
    EXPECT_FALSE(ParseNinjaLog(text, &log, &err)) << text;
    EXPECT_FALSE(err.empty()) << text;
  }
  NinjaLog log;
  std::string err;
  EXPECT_FALSE(ParseNinjaLog("# ninja log v8\n", &log, &err));
  EXPECT_NE(err.find("version 8"), std::string::npos) << err;
  EXPECT_NE(err.find("5 to 7"), std::string::npos) << err;
}

TEST(NinjaLogTest, AnEmptyLogHasNoEdges) {
  EXPECT_TRUE(Parse("").edges.empty());
  const NinjaLog log = Parse("# ninja log v7\n");
  EXPECT_EQ(log.version, 7);
  EXPECT_TRUE(log.edges.empty());
}

// Ninja appends each run's entries as its edges finish: an end time smaller
// than the one before starts a new build, and only the last is kept.
TEST(NinjaLogTest, KeepsOnlyTheLatestBuild) {
  const NinjaLog log = Parse(
      "# ninja log v5\n"
      "0\t100\t1\told1\th1\n"
      "0\t300\t1\told2\th2\n"
      "5\t40\t1\tmiddle\th3\n"  // ends before 300: a second build
      "0\t10\t1\tnew1\th4\n"    // ends before 40: the third and last
      "2\t10\t1\tnew2\th5\n"    // the same end: still the third
      "12\t50\t1\tnew3\th6\n");
  EXPECT_EQ(Outputs(log), (std::vector<std::string>{"new1", "new2", "new3"}));
}

// Ninja recompacts the log by writing it again from a header.
TEST(NinjaLogTest, AHeaderStartsOver) {
  const NinjaLog log = Parse(
      "# ninja log v5\n"
      "0\t100\t1\tbefore\th1\n"
      "# ninja log v7\n"
      "0\t200\t1\tafter\th2\n");
  EXPECT_EQ(log.version, 7);
  EXPECT_EQ(Outputs(log), (std::vector<std::string>{"after"}));
}

TEST(NinjaLogTest, GroupsTheOutputsOfOneEdgeAndSortsEdgesByStart) {
  const NinjaLog log = Parse(
      "# ninja log v7\n"
      "20\t30\t1\tlate\taa\n"
      "0\t40\t1\tgen/k.h\tbb\n"
      "0\t40\t1\tgen/k.cc\tbb\n"
      "0\t40\t1\tgen/k.json\tbb\n"
      "0\t40\t1\tother\tcc\n");  // same times, another command: another edge
  ASSERT_EQ(log.edges.size(), 3u);
  EXPECT_EQ(log.edges[0].outputs, (std::vector<std::string>{"gen/k.h", "gen/k.cc", "gen/k.json"}));
  EXPECT_EQ(log.edges[0].command_hash, "bb");
  EXPECT_EQ(log.edges[1].outputs, (std::vector<std::string>{"other"}));
  EXPECT_EQ(log.edges[2].outputs, (std::vector<std::string>{"late"}));
}

TEST(NinjaLogTest, MalformedLinesAreCountedAndSkipped) {
  const NinjaLog log = Parse(
      "# ninja log v5\n"
      "0\t10\t1\tgood1\th1\n"
      "garbage\n"
      "1\t2\t3\n"                     // too few fields
      "1\t2\t3\ta\th\textra\n"       // too many
      "x\t20\t1\tbad_start\th\n"
      "5\t-\t1\tbad_end\th\n"
      "30\t20\t1\tends_before_start\th\n"
      "-5\t20\t1\tnegative\th\n"
      "5\t20\t1\t\th\n"              // no output
      "5\t20\tmtime\tbad_mtime\th\n"
      "99999999999999999999\t1\t1\toverflow\th\n"
      "\n"                           // blank: neither entry nor error
      "# a comment\n"                // nor is a comment
      "5\t20\t1\tgood2\th2\r\n"      // CRLF
      "6\t25\t1\ttorn\t");           // killed mid-write, no hash
  EXPECT_EQ(log.malformed_lines, 11);
  EXPECT_EQ(Outputs(log), (std::vector<std::string>{"good1", "good2"}));
}

// A torn line from a build that was killed belongs to that build: the next
// build's log does not mention it.
TEST(NinjaLogTest, MalformedLinesAreCountedForTheLatestBuildOnly) {
  const NinjaLog log = Parse(
      "# ninja log v5\n"
      "0\t100\t1\ta\th1\n"
      "10\t1"
      "0\t10\t1\tb\th2\n");  // the torn line ran into the next build's first
  EXPECT_EQ(log.malformed_lines, 1);
  const NinjaLog next = Parse(
      "# ninja log v5\n"
      "0\t100\t1\ta\th1\n"
      "10\t1\n"
      "0\t10\t1\tb\th2\n");
  EXPECT_EQ(next.malformed_lines, 0);
  EXPECT_EQ(Outputs(next), (std::vector<std::string>{"b"}));
}

TEST(NinjaLogTest, ReadsAFileAndNamesItInErrors) {
  TempDir dir;
  WriteText(dir / ".ninja_log", "# ninja log v7\n0\t5\t1\tout\th\n");
  NinjaLog log;
  std::string err;
  ASSERT_TRUE(ReadNinjaLog(dir / ".ninja_log", &log, &err)) << err;
  EXPECT_EQ(Outputs(log), (std::vector<std::string>{"out"}));

  EXPECT_FALSE(ReadNinjaLog(dir / "missing/.ninja_log", &log, &err));
  EXPECT_NE(err.find("missing/.ninja_log"), std::string::npos) << err;

  WriteText(dir / "bad", "# ninja log v9\n");
  EXPECT_FALSE(ReadNinjaLog(dir / "bad", &log, &err));
  EXPECT_NE(err.find(dir / "bad"), std::string::npos) << err;
  EXPECT_NE(err.find("version 9"), std::string::npos) << err;
}

}  // namespace
}  // namespace triton_aot

#include "depfile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "ninja_depfile_reader.h"
#include "test_support.h"

namespace triton_aot {
namespace {

namespace fs = std::filesystem;
using testing::ReadText;
using testing::TempDir;
using testing::WriteText;

TEST(EscapeDepfilePathTest, PlainPathsAreUnchanged) {
  EXPECT_EQ(EscapeDepfilePath("/usr/include/stdio.h"), "/usr/include/stdio.h");
  EXPECT_EQ(EscapeDepfilePath("rel/dir/a-b_c.py"), "rel/dir/a-b_c.py");
}

TEST(EscapeDepfilePathTest, SpacesAndHashesGetABackslash) {
  EXPECT_EQ(EscapeDepfilePath("my kernels/a b.py"), "my\\ kernels/a\\ b.py");
  EXPECT_EQ(EscapeDepfilePath("issue#12.py"), "issue\\#12.py");
}

TEST(EscapeDepfilePathTest, DollarIsDoubled) { EXPECT_EQ(EscapeDepfilePath("cost$1/$x.py"), "cost$$1/$$x.py"); }

TEST(EscapeDepfilePathTest, BackslashesBeforeASpaceAreDoubled) {
  // "a\ b": one backslash then a space. In a depfile 2N+1 backslashes before a
  // space mean N backslashes and a space, so it must become three.
  EXPECT_EQ(EscapeDepfilePath("a\\ b"), "a\\\\\\ b");
  EXPECT_EQ(EscapeDepfilePath("a\\\\ b"), "a\\\\\\\\\\ b");
  // Backslashes elsewhere mean themselves and stay single.
  EXPECT_EQ(EscapeDepfilePath("a\\b"), "a\\b");
}

TEST(EscapeDepfilePathTest, BackslashesBeforeAHashOrColonGetOneMore) {
  // Ninja drops one backslash before '#' (or ':') and keeps the others: N
  // backslashes and a '#' are written as N+1, not doubled as before a space.
  EXPECT_EQ(EscapeDepfilePath("a\\#b"), "a\\\\#b");
  EXPECT_EQ(EscapeDepfilePath("a\\\\#b"), "a\\\\\\#b");
  EXPECT_EQ(EscapeDepfilePath("c\\:d"), "c\\\\:d");
  // A ':' on its own is plain text.
  EXPECT_EQ(EscapeDepfilePath("c:d"), "c:d");
}

TEST(EscapeDepfilePathTest, DollarAfterABackslashIsNotDoubled) {
  // Ninja keeps a backslash and the character after it as they are, '$'
  // included: "\\$$" would read as "\\$" and then a lone '$', which ends the
  // path.
  EXPECT_EQ(EscapeDepfilePath("a\\$b"), "a\\$b");
  EXPECT_EQ(EscapeDepfilePath("a\\$$b"), "a\\$$$b");
}

TEST(FormatDepfileTest, OneDependencyPerContinuedLine) {
  EXPECT_EQ(FormatDepfile("out/k.stamp", {"k.py", "my dir/helper.py"}),
            "out/k.stamp: \\\n  k.py \\\n  my\\ dir/helper.py\n");
}

// A path with a line break cannot be written as it is; what is written must
// still be one path on its own line, so that the paths after it are read
// back exactly (and Ninja, not finding the odd one, reruns the edge).
TEST(FormatDepfileTest, ALineBreakInAPathKeepsOnePathPerLine) {
  const std::vector<std::string> deps = {"a\nb.py", "c\rd.py", "e\r\nf.py", "g\\\nh.py", "next.py"};
  const std::string text = FormatDepfile("out.h", deps);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), static_cast<std::ptrdiff_t>(deps.size() + 1)) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos) << text;
  testing::NinjaDepfile read;
  std::string err;
  ASSERT_TRUE(testing::ReadNinjaDepfile(text, &read, &err)) << err;
  EXPECT_EQ(read.outputs, std::vector<std::string>{"out.h"});
  EXPECT_EQ(read.inputs, (std::vector<std::string>{"a b.py", "c d.py", "e  f.py", "g\\ h.py", "next.py"}));
}

TEST(FormatDepfileTest, TargetIsEscapedToo) { EXPECT_EQ(FormatDepfile("out dir/k.stamp", {}), "out\\ dir/k.stamp:\n"); }

// The Ninja this build uses, and what `ninja -t deps` lists for `target`.
std::vector<std::string> NinjaDeps(const fs::path& dir, const std::string& target) {
  ProcessResult r = testing::Run({TRITON_AOT_TEST_NINJA, "-t", "deps", target}, dir.string());
  EXPECT_TRUE(r.Succeeded()) << r.output;
  // "out.txt: #deps 3, deps mtime ... (VALID)" then one dep per line,
  // indented by four spaces, then a blank line.
  std::vector<std::string> deps;
  std::istringstream lines(r.output);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line.rfind(target + ": #deps", 0), 0u) << r.output;
  EXPECT_NE(line.find("(VALID)"), std::string::npos) << r.output;
  while (std::getline(lines, line) && line.rfind("    ", 0) == 0) deps.push_back(line.substr(4));
  return deps;
}

// What matters is that Ninja reads the paths back exactly: it is the reader
// of every depfile the driver writes.
TEST(FormatDepfileTest, NinjaReadsTheEscapedPathsBack) {
  const std::string ninja = TRITON_AOT_TEST_NINJA;
  if (ninja.empty() || ninja.find("ninja") == std::string::npos) GTEST_SKIP() << "this build does not use Ninja";
  TempDir dir;
  const std::vector<std::string> deps = {"plain.py",        "dir with space/a b.py", "cost$1.py",    "issue#12.py",
                                         "back\\ slash.py", "back\\#hash.py",        "c\\:colon.py", "d\\$dollar.py",
                                         "two\\\\ back\\\\#slashes.py"};
  for (const std::string& dep : deps) WriteText(dir.path() / dep, "# " + dep + "\n");
  WriteText(dir.path() / "prepared.d", FormatDepfile("out.txt", deps));
  WriteText(dir.path() / "build.ninja",
            "rule gen\n"
            "  command = cp prepared.d out.d && touch out.txt\n"
            "  depfile = out.d\n"
            "  deps = gcc\n"
            "build out.txt: gen\n");

  ProcessResult first = testing::Run({ninja}, dir.path().string());
  ASSERT_TRUE(first.Succeeded()) << first.output;
  EXPECT_EQ(NinjaDeps(dir.path(), "out.txt"), deps);

  // Had a path been misread, Ninja would look for a file that does not exist
  // and rebuild every time.
  ProcessResult second = testing::Run({ninja}, dir.path().string());
  ASSERT_TRUE(second.Succeeded()) << second.output;
  EXPECT_NE(second.output.find("no work to do"), std::string::npos) << second.output;

  // And a change to the file with a space in its path is noticed.
  fs::last_write_time(dir.path() / "dir with space/a b.py", fs::file_time_type::clock::now() + std::chrono::hours(1));
  ProcessResult third = testing::Run({ninja}, dir.path().string());
  ASSERT_TRUE(third.Succeeded()) << third.output;
  EXPECT_EQ(third.output.find("no work to do"), std::string::npos) << third.output;
}

}  // namespace
}  // namespace triton_aot

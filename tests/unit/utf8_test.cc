#include "utf8.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <string>

#include "test_support.h"

namespace triton_aot {
namespace {

TEST(FirstInvalidUtf8Test, AcceptsEveryValidCharacterAndFindsTheFirstBadByte) {
  EXPECT_EQ(FirstInvalidUtf8(""), std::nullopt);
  // ASCII, 2-, 3- and 4-byte characters, the largest code point.
  EXPECT_EQ(FirstInvalidUtf8("a/\xc3\xa9/\xe2\x9c\x93/\xf0\x9f\x98\x80/\xf4\x8f\xbf\xbf"), std::nullopt);
  EXPECT_EQ(FirstInvalidUtf8("/caf\xe9/x"), 4u) << "Latin-1";
  EXPECT_EQ(FirstInvalidUtf8("ab\x80"), 2u) << "a lone continuation byte";
  EXPECT_EQ(FirstInvalidUtf8("a\xc0\xaf"), 1u) << "an overlong '/'";
  EXPECT_EQ(FirstInvalidUtf8("a\xe0\x80\xaf"), 1u) << "an overlong '/' in three bytes";
  EXPECT_EQ(FirstInvalidUtf8("\xed\xb3\xa9"), 0u) << "a surrogate (U+DCE9)";
  EXPECT_EQ(FirstInvalidUtf8("\xf4\x90\x80\x80"), 0u) << "above U+10FFFF";
  EXPECT_EQ(FirstInvalidUtf8("ok\xe2\x9c"), 2u) << "a character cut short";
  EXPECT_EQ(FirstInvalidUtf8("\xff"), 0u);
}

TEST(EscapeInvalidUtf8Test, EscapesOnlyTheBadBytes) {
  EXPECT_EQ(EscapeInvalidUtf8("/caf\xe9/k\xc3\xa9rnels"), "/caf\\xe9/k\xc3\xa9rnels");
  EXPECT_EQ(EscapeInvalidUtf8("\xe2\x9c"), "\\xe2\\x9c");
  EXPECT_EQ(EscapeInvalidUtf8("a\\xe9 stays as it is"), "a\\xe9 stays as it is");
}

TEST(NonUtf8PathProblemTest, NamesTheOptionThePathTheByteAndWhatToRename) {
  EXPECT_EQ(NonUtf8PathProblem("--output-dir", "/b/k\xc3\xa9rnels"), "");
  EXPECT_EQ(NonUtf8PathProblem("--output-dir", "/b/caf\xe9/out"),
            "--output-dir: the path '/b/caf\\xe9/out' is not valid UTF-8 (byte 0xe9 at offset 6); TritonAOT passes "
            "paths to Python and Triton as UTF-8 text: rename 'caf\\xe9'");
  // The file itself, and a path without a folder.
  EXPECT_NE(NonUtf8PathProblem("the kernel module", "/src/k\xe9.py").find("rename 'k\\xe9.py'"), std::string::npos);
  EXPECT_NE(NonUtf8PathProblem("--depfile", "d\xe9").find("rename 'd\\xe9'"), std::string::npos);
}

TEST(JsonStringOfBytesTest, IsJsonThatEscapesWhatJsonMust) {
  const std::string text = "a \"quoted\" \\ path\n\t\x01 k\xc3\xa9rnels \xe2\x9c\x93";
  EXPECT_EQ(nlohmann::json::parse(JsonStringOfBytes(text)).get<std::string>(), text);
  EXPECT_EQ(JsonStringOfBytes("x\xe9y"), "\"x\\udce9y\"");
}

// What Python makes of it, as a worker of the compile service reads the
// edge's greeting: exactly the bytes, through os.fsencode.
TEST(JsonStringOfBytesTest, PythonReadsBackExactlyTheBytes) {
  const std::string python = testing::TestPython();
  if (python.empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
  std::string bytes;
  for (int byte = 1; byte < 256; ++byte) bytes += static_cast<char>(byte);
  bytes += "caf\xe9 \xe2\x9c\x93 \xe2\x9c \xed\xb3\xa9 \xf4\x90\x80\x80";
  const ProcessResult decoded =
      testing::Run({python, "-c", "import json, os, sys; print(os.fsencode(json.loads(sys.argv[1])).hex())",
                    JsonStringOfBytes(bytes)});
  ASSERT_TRUE(decoded.Succeeded()) << decoded.output;
  std::string hex;
  for (unsigned char byte : bytes) hex += fmt::format("{:02x}", byte);
  EXPECT_EQ(decoded.output, hex + "\n");
}

}  // namespace
}  // namespace triton_aot

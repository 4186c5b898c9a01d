#include "cpp_escape.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_support.h"

namespace triton_aot {
namespace {

using testing::TempDir;
using testing::WriteText;

// Text no one would name a kernel by, but a path, a version or a constexpr
// value might hold: each piece breaks unescaped C++ in its own way.
const std::string kHostile = std::string("a\"b\\c\nd\re\tf */ g/* ?\?= ?\?/ ?\? h\xc3\xa9 \xff\x01 ") +
                             std::string("\0", 1) + "7 end\\";

TEST(CppStringLiteralTest, EscapesWhatWouldEndOrChangeTheLiteral) {
  EXPECT_EQ(CppStringLiteral("axpy"), "\"axpy\"");
  EXPECT_EQ(CppStringLiteral("a\"b"), "\"a\\\"b\"");
  EXPECT_EQ(CppStringLiteral("a\\b"), "\"a\\\\b\"");
  EXPECT_EQ(CppStringLiteral("a\nb\tc\r"), "\"a\\nb\\tc\\r\"");
  EXPECT_EQ(CppStringLiteral("?\?="), "\"\\?\\?=\"");
  EXPECT_EQ(CppStringLiteral("*/"), "\"*/\"");
  // Octal escapes have three digits: a digit after one stays a digit.
  EXPECT_EQ(CppStringLiteral(std::string("\0" "7", 2)), "\"\\0007\"");
  EXPECT_EQ(CppStringLiteral("\xc3\xa9\xff"), "\"\\303\\251\\377\"");
  for (char c : CppStringLiteral(kHostile)) {
    EXPECT_TRUE(c >= 0x20 && c < 0x7f) << static_cast<int>(c);
  }
}

TEST(CppCommentTextTest, StaysOnOneLineAndContinuesNoLine) {
  EXPECT_EQ(CppCommentText("x_ptr: *fp32, \"q\""), "x_ptr: *fp32, \"q\"");
  EXPECT_EQ(CppCommentText("a\nb"), "a\\nb");
  EXPECT_EQ(CppCommentText("end\\"), "end\\134");
  EXPECT_EQ(CppCommentText("?\?/"), "?\\?/");
  const std::string text = CppCommentText(kHostile);
  EXPECT_EQ(text.find('\n'), std::string::npos) << text;
  EXPECT_EQ(text.find("??"), std::string::npos) << text;
}

TEST(AsmStringLiteralTest, EscapesForTheAssembler) {
  EXPECT_EQ(AsmStringLiteral("m/k.v.fatbin"), "\"m/k.v.fatbin\"");
  EXPECT_EQ(AsmStringLiteral("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(AsmStringLiteral(std::string("\n\0" "1", 3)), "\"\\n\\0001\"");
}

// The compiler's view: with warnings as errors, the literal holds exactly
// the bytes it was made from, the comment swallows no line, and the assembler
// reads its string back byte for byte.
TEST(CppEscapeTest, TheCompilerAndAssemblerReadBackTheExactBytes) {
  TempDir dir;
  // A file name may hold quotes, backslashes and line breaks too.
  const std::string file = dir / "we\"ird\\ na\nme.bin";
  WriteText(file, kHostile);
  const std::string program =
      "#include <cstdio>\n#include <cstring>\n\n// " + CppCommentText(kHostile) +
      "\nstatic const int kAfterTheComment = 1;\n"
      "static const char kText[] = " + CppStringLiteral(kHostile) + ";\n"
      "__asm__(\".pushsection .rodata\\n\" \".globl hostile_bytes\\n\" \"hostile_bytes:\\n\"\n" +
      "        " + CppStringLiteral(".ascii " + AsmStringLiteral(kHostile) + "\n") + "\n" +
      "        " + CppStringLiteral(".incbin " + AsmStringLiteral(file) + "\n") +
      "\n        \".popsection\\n\");\n"
      "extern \"C\" const char hostile_bytes[];\n\n"
      "int main() {\n"
      "  if (sizeof(kText) - 1 != " + std::to_string(kHostile.size()) + ") return 1;\n" +
      "  std::fwrite(kText, 1, sizeof(kText) - 1, stdout);\n"
      "  std::fwrite(hostile_bytes, 1, 2 * (sizeof(kText) - 1), stdout);\n"
      "  return kAfterTheComment == 1 ? 0 : 2;\n}\n";
  WriteText(dir / "main.cc", program);
  ProcessResult cc = testing::Run(
      {"c++", "-std=c++17", "-Wall", "-Wextra", "-Werror", "-pedantic", "-o", dir / "main", dir / "main.cc"});
  ASSERT_TRUE(cc.Succeeded()) << cc.output << "\n--- main.cc ---\n" << program;
  ProcessResult run = testing::Run({dir / "main"});
  ASSERT_TRUE(run.Succeeded()) << run.output;
  EXPECT_EQ(run.output, kHostile + kHostile + kHostile);
}

}  // namespace
}  // namespace triton_aot

#include "code_printer.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace triton_aot {
namespace {

TEST(CodePrinterTest, TemplatesLoseTheirFirstLineBreakAndCommonIndentation) {
  CodePrinter printer;
  printer.Emit({{"name", "axpy"}, {"count", "2"}}, R"cc(
    int $name$_count() {
      return $count$;
    }
  )cc");
  EXPECT_EQ(printer.text(), "int axpy_count() {\n  return 2;\n}\n");
}

TEST(CodePrinterTest, ACallbackAloneOnItsLineWritesAtThatIndentation) {
  CodePrinter printer;
  printer.Emit({{"body",
                 [&] {
                   printer.Emit("if (x) {\n  y();\n}\n");
                   printer.Emit({{"v", "1"}}, R"cc(
                     z = $v$;
                   )cc");
                 }}},
               R"cc(
                 void f() {
                   $body$
                 }
               )cc");
  EXPECT_EQ(printer.text(), "void f() {\n  if (x) {\n    y();\n  }\n  z = 1;\n}\n");
}

TEST(CodePrinterTest, AValueOfSeveralLinesKeepsTheIndentationOfItsLine) {
  CodePrinter printer;
  printer.Emit({{"rows", "{\n    1,\n},"}}, R"cc(
    const int k[] = {
        $rows$
    };
  )cc");
  EXPECT_EQ(printer.text(), "const int k[] = {\n    {\n        1,\n    },\n};\n");
}

TEST(CodePrinterTest, BlankLinesHaveNoSpacesAndDollarDollarIsADollar) {
  CodePrinter printer;
  printer.Emit({{"body", [&] { printer.Emit("a;\n\nb;\n"); }}}, R"cc(
    {
      $body$
      // costs $$5
    }
  )cc");
  EXPECT_EQ(printer.text(), "{\n  a;\n\n  b;\n  // costs $5\n}\n");
}

TEST(CodePrinterTest, AVariableWithoutAValueIsAnError) {
  CodePrinter printer;
  EXPECT_THROW(printer.Emit({{"a", "1"}}, "$a$ $b$"), std::invalid_argument);
  EXPECT_THROW(printer.Emit("x = $a"), std::invalid_argument);
}

TEST(FitOrOnePerLineTest, OneLineWhenItFitsElseAnItemALine) {
  EXPECT_EQ(FitOrOnePerLine("f(", {"int a", "int b"}, ");", 0), "f(int a, int b);");
  EXPECT_EQ(FitOrOnePerLine("f(", {"int a", "int b"}, ");", 0, false, 15), "f(\n    int a,\n    int b);");
  EXPECT_EQ(FitOrOnePerLine("int k[] = {", {"1", "2"}, "};", 0, true, 16), "int k[] = {\n    1,\n    2,\n};");
  // The indentation counts: "  f(int a, int b);" is 18 columns.
  EXPECT_EQ(FitOrOnePerLine("f(", {"int a", "int b"}, ");", 2, false, 18), "f(int a, int b);");
  EXPECT_EQ(FitOrOnePerLine("f(", {"int a", "int b"}, ");", 3, false, 18), "f(\n    int a,\n    int b);");
}

TEST(FitOrFilledTest, CallArgumentsFillTheLinesAfterTheHead) {
  EXPECT_EQ(FitOrFilled("return f(", {"a", "b", "c"}, ");", 2), "return f(a, b, c);");
  EXPECT_EQ(FitOrFilled("return f(", {"aaaa", "bbbb", "cccc"}, ");", 2, 18), "return f(\n    aaaa, bbbb,\n    cccc);");
}

TEST(WrapAtSpacesTest, BreaksAtSpacesWithinTheWidth) {
  EXPECT_EQ(WrappedComment("one two three", 0, 4, 12), "// one two\n//     three");
  EXPECT_EQ(WrappedComment("  indented text here", 2, 4, 16), "//   indented\n//       text\n//       here");
  EXPECT_EQ(WrappedComment("", 0), "//");
  // A word longer than a line stays whole.
  EXPECT_EQ(WrappedComment("a averyveryverylongword b", 0, 4, 10), "// a\n//     averyveryverylongword\n//     b");
  EXPECT_EQ(WrapAtSpaces("x + y + z", "  ", "      ", 0, 7), "  x + y\n      +\n      z");
}

TEST(FieldPerLineTest, AFieldALineWithItsNameAligned) {
  EXPECT_EQ(FieldPerLine({{"80", "capability"}, {"false", "arch_specific"}}, 0),
            "{\n    80,     // capability\n    false,  // arch_specific\n}");
  // A value that would make the aligned line too long gets its comment
  // right after it, and does not push the others.
  const std::string long_value(90, 'x');
  EXPECT_EQ(FieldPerLine({{"1", "a"}, {long_value, "b"}}, 0), "{\n    1,  // a\n    " + long_value + ",  // b\n}");
}

TEST(SplitStringLiteralTest, LongLiteralsBecomeAdjacentLiteralsBrokenAfterSpaces) {
  EXPECT_EQ(SplitStringLiteral("\"a b\"", 0), "\"a b\"");
  EXPECT_EQ(SplitStringLiteral("\"one two three\"", 0, 12), "\"one two \"\n\"three\"");
  // Escape sequences hold no space, so no piece ends inside one.
  EXPECT_EQ(SplitStringLiteral("\"\\\"aaa\\n \\134b\"", 0, 10), "\"\\\"aaa\\n \"\n\"\\134b\"");
}

TEST(FieldPerLineTest, AValueOfSeveralLinesHasItsCommentAfterTheLast) {
  EXPECT_EQ(FieldPerLine({{"1", "a"}, {"\"x \"\n\"y\"", "text"}}, 0),
            "{\n    1,    // a\n    \"x \"\n    \"y\",  // text\n}");
}

}  // namespace
}  // namespace triton_aot

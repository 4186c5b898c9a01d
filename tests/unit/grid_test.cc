#include "grid.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace triton_aot {
namespace {

using Values = std::map<std::string, int64_t>;

GridExpr MustParse(const std::string& text) {
  GridExpr expr;
  std::string err;
  EXPECT_TRUE(GridExpr::Parse(text, &expr, &err)) << text << ": " << err;
  return expr;
}

std::string ParseError(const std::string& text) {
  GridExpr expr;
  std::string err;
  EXPECT_FALSE(GridExpr::Parse(text, &expr, &err)) << "'" << text << "' was accepted";
  // Every parse error quotes the expression, so users find it in a long spec.
  EXPECT_NE(err.find("'" + text + "'"), std::string::npos) << err;
  return err;
}

// Evaluates `text` with `values`; fails the test when it cannot.
int64_t Eval(const std::string& text, const Values& values = {}) {
  GridExpr expr = MustParse(text);
  int64_t value = 0;
  std::string err;
  EXPECT_TRUE(expr.Evaluate(
      [&](const std::string& name) -> std::optional<int64_t> {
        auto it = values.find(name);
        return it == values.end() ? std::nullopt : std::optional<int64_t>(it->second);
      },
      &value, &err))
      << text << ": " << err;
  return value;
}

std::string EvalError(const std::string& text, const Values& values = {}) {
  GridExpr expr = MustParse(text);
  int64_t value = 0;
  std::string err;
  EXPECT_FALSE(expr.Evaluate(
      [&](const std::string& name) -> std::optional<int64_t> {
        auto it = values.find(name);
        return it == values.end() ? std::nullopt : std::optional<int64_t>(it->second);
      },
      &value, &err))
      << text << " evaluated to " << value;
  return err;
}

TEST(GridExprTest, Literals) {
  EXPECT_EQ(Eval("0"), 0);
  EXPECT_EQ(Eval("42"), 42);
  EXPECT_EQ(Eval("  7  "), 7);
}

TEST(GridExprTest, Names) {
  EXPECT_EQ(Eval("n", {{"n", 1000}}), 1000);
  EXPECT_EQ(Eval("BLOCK_SIZE", {{"BLOCK_SIZE", 64}}), 64);
  EXPECT_EQ(Eval("_x1", {{"_x1", 3}}), 3);
}

TEST(GridExprTest, PrecedenceFollowsPython) {
  EXPECT_EQ(Eval("1 + 2 * 3"), 7);
  EXPECT_EQ(Eval("(1 + 2) * 3"), 9);
  EXPECT_EQ(Eval("10 - 4 - 3"), 3);       // left-associative
  EXPECT_EQ(Eval("100 // 10 // 3"), 3);   // (100 // 10) // 3, not 100 // (10 // 3)
  EXPECT_EQ(Eval("2 * 7 % 4"), 2);        // (2 * 7) % 4
  EXPECT_EQ(Eval("1 + 17 // 4 * 2"), 9);  // 1 + ((17 // 4) * 2)
  EXPECT_EQ(Eval("((((5))))"), 5);
}

TEST(GridExprTest, FloorDivisionRoundsTowardMinusInfinity) {
  // Python: 7 // 2 == 3, -7 // 2 == -4, 7 // -2 == -4, -7 // -2 == 3.
  EXPECT_EQ(Eval("7 // 2"), 3);
  EXPECT_EQ(Eval("-7 // 2"), -4);
  EXPECT_EQ(Eval("7 // -2"), -4);
  EXPECT_EQ(Eval("-7 // -2"), 3);
  EXPECT_EQ(Eval("-8 // 2"), -4);  // exact: no rounding
  EXPECT_EQ(Eval("a // b", {{"a", -1}, {"b", 1000}}), -1);
}

TEST(GridExprTest, ModuloTakesTheSignOfTheDivisor) {
  // Python: 7 % 3 == 1, -7 % 3 == 2, 7 % -3 == -2, -7 % -3 == -1.
  EXPECT_EQ(Eval("7 % 3"), 1);
  EXPECT_EQ(Eval("-7 % 3"), 2);
  EXPECT_EQ(Eval("7 % -3"), -2);
  EXPECT_EQ(Eval("-7 % -3"), -1);
  EXPECT_EQ(Eval("6 % 3"), 0);
}

TEST(GridExprTest, CdivIsCeilingDivision) {
  EXPECT_EQ(Eval("cdiv(1000, 256)"), 4);
  EXPECT_EQ(Eval("cdiv(1024, 256)"), 4);
  EXPECT_EQ(Eval("cdiv(1025, 256)"), 5);
  EXPECT_EQ(Eval("cdiv(0, 256)"), 0);
  EXPECT_EQ(Eval("cdiv(n, BLOCK)", {{"n", 1}, {"BLOCK", 128}}), 1);
  // Same as Triton's cdiv, (a + b - 1) // b, for negative numerators.
  EXPECT_EQ(Eval("cdiv(-7, 2)"), -3);
}

TEST(GridExprTest, MinAndMax) {
  EXPECT_EQ(Eval("min(3, 5)"), 3);
  EXPECT_EQ(Eval("max(3, 5)"), 5);
  EXPECT_EQ(Eval("max(1, batch)", {{"batch", 0}}), 1);
  EXPECT_EQ(Eval("min(-1, -2)"), -2);
  EXPECT_EQ(Eval("max(cdiv(n, 4), min(n, 2) * 10)", {{"n", 9}}), 20);
}

TEST(GridExprTest, UnaryMinus) {
  EXPECT_EQ(Eval("-3"), -3);
  EXPECT_EQ(Eval("--3"), 3);
  EXPECT_EQ(Eval("-n + 10", {{"n", 4}}), 6);
  EXPECT_EQ(Eval("-(2 + 3) * 2"), -10);
  EXPECT_EQ(Eval("4 - -2"), 6);
}

TEST(GridExprTest, NamesListsEveryNameOnceSortedAndNotFunctions) {
  GridExpr expr = MustParse("cdiv(n, BLOCK) * m + max(n, 1) - min(k, BLOCK)");
  EXPECT_EQ(expr.Names(), (std::set<std::string>{"BLOCK", "k", "m", "n"}));
  EXPECT_TRUE(MustParse("cdiv(4, 2)").Names().empty());
}

TEST(GridExprTest, KeepsItsText) { EXPECT_EQ(MustParse("cdiv(n, 64)").text(), "cdiv(n, 64)"); }

TEST(GridExprTest, TrueDivisionPointsToTheAlternatives) {
  std::string err = ParseError("n / 2");
  EXPECT_NE(err.find("'//'"), std::string::npos) << err;
  EXPECT_NE(err.find("cdiv"), std::string::npos) << err;
  EXPECT_NE(err.find("column 3"), std::string::npos) << err;  // where the '/' is
}

TEST(GridExprTest, RejectsPower) {
  std::string err = ParseError("n ** 2");
  EXPECT_NE(err.find("'**'"), std::string::npos) << err;
}

TEST(GridExprTest, RejectsUnknownFunctions) {
  std::string err = ParseError("floor(n, 2)");
  EXPECT_NE(err.find("unknown function 'floor'"), std::string::npos) << err;
  EXPECT_NE(err.find("cdiv, min and max"), std::string::npos) << err;
}

TEST(GridExprTest, FunctionsTakeTwoArguments) {
  EXPECT_NE(ParseError("cdiv(n)").find("two arguments"), std::string::npos);
  EXPECT_NE(ParseError("max(1, 2, 3)").find("two arguments"), std::string::npos);
}

TEST(GridExprTest, RejectsUnbalancedParentheses) {
  EXPECT_NE(ParseError("(n + 1").find("expected ')'"), std::string::npos);
  EXPECT_NE(ParseError("n + 1)").find("unexpected ')'"), std::string::npos);
  ParseError("cdiv(n, 2");
}

TEST(GridExprTest, RejectsTrailingGarbage) {
  EXPECT_NE(ParseError("n 2").find("unexpected '2'"), std::string::npos);
  ParseError("n + 1;");
  ParseError("n.x");
}

TEST(GridExprTest, RejectsIncompleteExpressions) {
  EXPECT_NE(ParseError("").find("ends too early"), std::string::npos);
  EXPECT_NE(ParseError("n +").find("ends too early"), std::string::npos);
  ParseError("* 2");
  ParseError("()");
  ParseError("1.5");
}

TEST(GridExprTest, RejectsNumbersThatOverflow) {
  EXPECT_NE(ParseError("99999999999999999999").find("too large"), std::string::npos);
}

TEST(GridExprTest, RejectsExpressionsTooLongToWalkSafely) {
  // Nested this deep, the recursive parser (and evaluation and printing)
  // would run off the stack rather than answer.
  const std::string deep = std::string(30000, '(') + "n" + std::string(30000, ')');
  GridExpr expr;
  std::string err;
  EXPECT_FALSE(GridExpr::Parse(deep, &expr, &err));
  EXPECT_NE(err.find("column 257: an expression may be at most 256 characters long"), std::string::npos);

  // 256 characters are accepted, 257 are not.
  const std::string nested = std::string(127, '(') + "n" + std::string(127, ')') + " ";
  ASSERT_EQ(nested.size(), 256u);
  EXPECT_EQ(Eval(nested, {{"n", 3}}), 3);
  ParseError(nested + " ");
}

TEST(GridExprTest, DivisionByZeroFailsAtEvaluation) {
  for (const char* text : {"n // 0", "n % zero", "cdiv(n, zero)"}) {
    std::string err = EvalError(text, {{"n", 5}, {"zero", 0}});
    EXPECT_NE(err.find("division by zero"), std::string::npos) << text << ": " << err;
  }
}

TEST(GridExprTest, OverflowFailsAtEvaluation) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  const Values values = {{"big", kMax}, {"small", kMin}, {"wide", int64_t{1} << 32}};
  for (const char* text : {"big + 1", "small - 1", "-small", "wide * wide", "small // -1", "small * -1",
                           "cdiv(small, -1)"}) {
    std::string err = EvalError(text, values);
    EXPECT_NE(err.find("overflow"), std::string::npos) << text << ": " << err;
  }
}

TEST(GridExprTest, ResultsAtTheEdgesOfInt64AreExact) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  const Values values = {{"big", kMax}, {"small", kMin}};
  EXPECT_EQ(Eval("big - 1 + 1", values), kMax);
  EXPECT_EQ(Eval("small + 1 - 1", values), kMin);
  EXPECT_EQ(Eval("small % -1", values), 0);
  // cdiv(a, b) is (a + b - 1) // b, whose sum alone would not fit.
  EXPECT_EQ(Eval("cdiv(big, 2)", values), kMax / 2 + 1);
}

TEST(GridExprTest, CdivOfInt64MaxIsExactAtBuildTimeToo) {
  EXPECT_EQ(Eval("cdiv(big, 256)", {{"big", std::numeric_limits<int64_t>::max()}}), int64_t{1} << 55);
  EXPECT_EQ(Eval("cdiv(n, 0 - 256)", {{"n", std::numeric_limits<int64_t>::min() + 1}}),
            (int64_t{1} << 55) + 1);  // (n - 257) // -256, whose sum alone would not fit
}

TEST(GridExprTest, UnknownNameFailsAtEvaluation) {
  std::string err = EvalError("cdiv(n, BLOCK)", {{"n", 5}});
  EXPECT_NE(err.find("'BLOCK'"), std::string::npos) << err;
}

TEST(GridExprTest, ToCppUsesTheRuntimeHelpersAndMapsNames) {
  GridExpr expr = MustParse("cdiv(n, BLOCK) + m // 2 - k % 3 + max(n, 1)");
  std::set<std::string> asked;
  std::string cpp = expr.ToCpp([&](const std::string& name) {
    asked.insert(name);
    return "args." + name + "_value";
  });
  EXPECT_EQ(asked, expr.Names());
  EXPECT_NE(cpp.find("triton_aot::grid::cdiv("), std::string::npos) << cpp;
  EXPECT_NE(cpp.find("triton_aot::grid::floordiv("), std::string::npos) << cpp;
  EXPECT_NE(cpp.find("triton_aot::grid::mod("), std::string::npos) << cpp;
  EXPECT_NE(cpp.find("args.n_value"), std::string::npos) << cpp;
  EXPECT_NE(cpp.find("args.BLOCK_value"), std::string::npos) << cpp;
  // Raw names must not leak into the C++: only the callback's spelling.
  EXPECT_EQ(cpp.find("(n)"), std::string::npos) << cpp;
  EXPECT_EQ(cpp.find("(BLOCK)"), std::string::npos) << cpp;
  EXPECT_EQ(cpp.find(" / "), std::string::npos) << "C++ '/' truncates, unlike Python's '//': " << cpp;
}

TEST(GridExprTest, ToCppComputesWithCheckedIntegersOnly) {
  auto cpp = [](const std::string& text) { return MustParse(text).ToCpp([](const std::string& name) { return name; }); };
  // Functions take plain integers; an operator gets a grid::Int operand, so
  // that no C++ integer arithmetic (which may overflow) is left.
  EXPECT_EQ(cpp("cdiv(n, BLOCK)"), "triton_aot::grid::cdiv(n, BLOCK)");
  EXPECT_EQ(cpp("n"), "n");
  EXPECT_EQ(cpp("7"), "7");
  EXPECT_EQ(cpp("n * n"), "(triton_aot::grid::Int(n) * n)");
  EXPECT_EQ(cpp("2 * 3 + 1"), "((triton_aot::grid::Int(2) * 3) + 1)");
  EXPECT_EQ(cpp("1 + n * 2"), "(1 + (triton_aot::grid::Int(n) * 2))");
  EXPECT_EQ(cpp("-n"), "(-triton_aot::grid::Int(n))");
  EXPECT_EQ(cpp("-(n - 1)"), "(-(triton_aot::grid::Int(n) - 1))");
  EXPECT_EQ(cpp("M // 16 + 1"), "(triton_aot::grid::floordiv(M, 16) + 1)");
  EXPECT_EQ(cpp("max(1, n % 3)"), "triton_aot::grid::max(1, triton_aot::grid::mod(n, 3))");
  EXPECT_EQ(cpp("min(a, b) - 1"), "(triton_aot::grid::min(a, b) - 1)");
}

}  // namespace
}  // namespace triton_aot

// Conditions (variant guards): the grid expression language plus
// comparisons, `and`, `or` and `not`, with Python's meaning.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "grid.h"
#include "triton_aot/grid.h"

namespace triton_aot {
namespace {

using Values = std::map<std::string, int64_t>;

// The condition's value (1 or 0), or its evaluation error.
std::string Evaluated(const std::string& text, const Values& values = {}) {
  GridExpr expr;
  std::string err;
  if (!GridExpr::ParseCondition(text, &expr, &err)) return "parse error: " + err;
  int64_t value = -1;
  const bool ok = expr.Evaluate(
      [&](const std::string& name) -> std::optional<int64_t> {
        auto it = values.find(name);
        return it == values.end() ? std::nullopt : std::optional<int64_t>(it->second);
      },
      &value, &err);
  return ok ? std::to_string(value) : err;
}

std::string ConditionError(const std::string& text) {
  GridExpr expr;
  std::string err;
  EXPECT_FALSE(GridExpr::ParseCondition(text, &expr, &err)) << "'" << text << "' was accepted";
  return err;
}

TEST(GridConditionTest, Comparisons) {
  const Values n = {{"n", 1024}};
  EXPECT_EQ(Evaluated("n <= 1024", n), "1");
  EXPECT_EQ(Evaluated("n < 1024", n), "0");
  EXPECT_EQ(Evaluated("n >= 1025", n), "0");
  EXPECT_EQ(Evaluated("n > -1", n), "1");
  EXPECT_EQ(Evaluated("n % 16 == 0", n), "1");
  EXPECT_EQ(Evaluated("n % 3 != 0", n), "1");
  EXPECT_EQ(Evaluated("cdiv(n, 128) * 128 == n", n), "1");
}

TEST(GridConditionTest, ChainedComparisonsMeanWhatTheyMeanInPython) {
  EXPECT_EQ(Evaluated("1 <= n <= 1024", {{"n", 1024}}), "1");
  EXPECT_EQ(Evaluated("1 <= n <= 1024", {{"n", 0}}), "0");
  EXPECT_EQ(Evaluated("0 < n < 4 < m", {{"n", 3}, {"m", 5}}), "1");
  EXPECT_EQ(Evaluated("0 < n < 4 < m", {{"n", 3}, {"m", 4}}), "0");
}

TEST(GridConditionTest, NotBindsLooserThanComparisonsAndAndTighterThanOr) {
  const Values v = {{"a", 1}, {"b", 0}};
  EXPECT_EQ(Evaluated("not a == 1", v), "0");            // not (a == 1)
  EXPECT_EQ(Evaluated("a == 1 or b == 1 and a == 0", v), "1");  // a == 1 or (b == 1 and a == 0)
  EXPECT_EQ(Evaluated("(a == 1 or b == 1) and a == 0", v), "0");
  EXPECT_EQ(Evaluated("not not a == 1", v), "1");
  EXPECT_EQ(Evaluated("not (a == 0 or b == 1)", v), "1");
}

TEST(GridConditionTest, AndAndOrStopWherePythonStops) {
  // The right side divides by zero, but Python never evaluates it.
  EXPECT_EQ(Evaluated("d != 0 and n % d == 0", {{"n", 10}, {"d", 0}}), "0");
  EXPECT_EQ(Evaluated("d == 0 or n % d == 0", {{"n", 10}, {"d", 0}}), "1");
  // Where Python does evaluate it, the fault is the condition's.
  EXPECT_EQ(Evaluated("d == 0 and n % d == 0", {{"n", 10}, {"d", 0}}), "division by zero");
  EXPECT_EQ(Evaluated("n * n > 0", {{"n", int64_t{1} << 40}}), "integer overflow: a value does not fit in 64 bits");
}

TEST(GridConditionTest, KeywordsAreWholeWords) {
  EXPECT_EQ(Evaluated("notes > 1 and order < 2 or android == 3", {{"notes", 2}, {"order", 1}, {"android", 0}}), "1");
}

TEST(GridConditionTest, AGuardMustBeAConditionAndItsOperandsMustFit) {
  EXPECT_EQ(ConditionError("n"),
            "guard 'n', column 1: a guard is a condition: compare the numbers ('n % 16 == 0', 'n != 0')");
  EXPECT_NE(ConditionError("n and m > 1").find("a guard is a condition"), std::string::npos);
  EXPECT_NE(ConditionError("(n < 1) + 1 > 0").find("a comparison is a condition, not a number"), std::string::npos);
  EXPECT_NE(ConditionError("min(n < 1, 2) > 0").find("min() takes two arguments"), std::string::npos);
  EXPECT_NE(ConditionError("n <").find("expression ends too early"), std::string::npos);
  EXPECT_NE(ConditionError("and n > 1").find("'and' needs an operand before it"), std::string::npos);
  EXPECT_NE(ConditionError("n = 1").find("unexpected '='"), std::string::npos);
}

TEST(GridConditionTest, GridExpressionsStayNumbers) {
  GridExpr expr;
  std::string err;
  EXPECT_FALSE(GridExpr::Parse("n < 4", &expr, &err));
  EXPECT_EQ(err, "grid expression 'n < 4', column 3: unexpected '<'");
}

TEST(GridConditionTest, NamesAreThoseOfEverySide) {
  GridExpr expr;
  std::string err;
  ASSERT_TRUE(GridExpr::ParseCondition("n_cols <= BLOCK and not K % BLOCK_K == 0", &expr, &err)) << err;
  EXPECT_EQ(expr.Names(), (std::set<std::string>{"BLOCK", "BLOCK_K", "K", "n_cols"}));
}

TEST(GridConditionTest, TheRuntimeComputesThemInConstantExpressions) {
  using grid::Int;
  static_assert(grid::logical_and(grid::less(Int(1), Int(2)), grid::equal(Int(3), Int(3))).value() == 1);
  static_assert(grid::logical_or(grid::not_equal(Int(1), Int(1)), grid::greater_equal(Int(2), Int(3))).value() == 0);
  static_assert(!grid::logical_and(Int(1), grid::mod(Int(1), Int(0))).ok());
  static_assert(grid::logical_and(Int(0), grid::mod(Int(1), Int(0))).ok());
  static_assert(grid::logical_not(Int(0)).value() == 1);
  EXPECT_FALSE(grid::logical_not(Int::Failed(grid::Fault::kOverflow)).ok());
}

}  // namespace
}  // namespace triton_aot

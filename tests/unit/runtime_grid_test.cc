// The runtime's grid arithmetic (triton_aot/grid.h), which generated launch
// code evaluates grid expressions with: Python's integer semantics within 64
// bits, a fault where a result does not fit or a divisor is zero, and the
// same results the driver's GridExpr::Evaluate checks specs with.
#include "triton_aot/grid.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "grid.h"

namespace triton_aot {
namespace {

using grid::Fault;
using grid::Int;
using Int128 = __int128;

constexpr std::int64_t kMax = INT64_MAX;
constexpr std::int64_t kMin = INT64_MIN;

static_assert(grid::cdiv(10, 4).value() == 3 && grid::floordiv(-7, 2).value() == -4 && grid::mod(-7, 2).value() == 1,
              "usable in constant expressions");
static_assert(!grid::cdiv(1, 0).ok(), "faults too");

// What Python computes, from exact real division (the operands are small).
std::int64_t PythonFloorDiv(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(std::floor(static_cast<double>(a) / static_cast<double>(b)));
}

Int128 FloorDiv128(Int128 a, Int128 b) {
  Int128 q = a / b;
  if (q * b != a && ((a < 0) != (b < 0))) --q;
  return q;
}

// `value` is `exact` when that fits in int64, and an overflow otherwise.
::testing::AssertionResult IsExact(Int value, Int128 exact) {
  const bool fits = exact >= kMin && exact <= kMax;
  if (fits && value.ok() && value.value() == static_cast<std::int64_t>(exact)) return ::testing::AssertionSuccess();
  if (!fits && value.fault() == Fault::kOverflow) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << (value.ok() ? std::to_string(value.value()) : "a fault")
                                       << (fits ? ", exact value fits" : ", exact value does not fit");
}

std::optional<std::int64_t> DriverEval(const std::string& text, std::int64_t a, std::int64_t b, std::string* err) {
  GridExpr expr;
  EXPECT_TRUE(GridExpr::Parse(text, &expr, err)) << *err;
  std::int64_t value = 0;
  if (!expr.Evaluate([&](const std::string& name) -> std::optional<std::int64_t> { return name == "a" ? a : b; },
                     &value, err)) {
    return std::nullopt;
  }
  return value;
}

const std::vector<std::int64_t> kValues = {-1000003, -4096, -1025, -33, -17, -16, -15, -8, -7, -3, -2, -1, 0, 1,
                                           2,        3,     7,     8,   15,  16,  17,  33,  1024, 1025, 65536, 999983};
// Where 64-bit arithmetic goes wrong.
const std::vector<std::int64_t> kEdges = {kMin,     kMin + 1, kMin / 2, -(std::int64_t{1} << 32), -256, -2, -1, 0, 1, 2,
                                          255,      256,      std::int64_t{1} << 32, kMax / 2, kMax - 1, kMax};

TEST(RuntimeGridTest, FloorDivisionAndModuloFollowPython) {
  EXPECT_EQ(grid::floordiv(7, 2).value(), 3);
  EXPECT_EQ(grid::floordiv(-7, 2).value(), -4);
  EXPECT_EQ(grid::floordiv(7, -2).value(), -4);
  EXPECT_EQ(grid::floordiv(-7, -2).value(), 3);
  EXPECT_EQ(grid::mod(-7, 2).value(), 1);
  EXPECT_EQ(grid::mod(7, -2).value(), -1);
  EXPECT_EQ(grid::mod(-8, 2).value(), 0);
  for (std::int64_t a : kValues) {
    for (std::int64_t b : kValues) {
      if (b == 0) continue;
      ASSERT_EQ(grid::floordiv(a, b).value(), PythonFloorDiv(a, b)) << a << " // " << b;
      ASSERT_EQ(grid::mod(a, b).value(), a - PythonFloorDiv(a, b) * b) << a << " % " << b;
    }
  }
}

TEST(RuntimeGridTest, CdivRoundsUpAsTritonsCdiv) {
  EXPECT_EQ(grid::cdiv(0, 1024).value(), 0);
  EXPECT_EQ(grid::cdiv(1, 1024).value(), 1);
  EXPECT_EQ(grid::cdiv(1024, 1024).value(), 1);
  EXPECT_EQ(grid::cdiv(1025, 1024).value(), 2);
  EXPECT_EQ(grid::cdiv(-7, 2).value(), -3);
  for (std::int64_t a : kValues) {
    for (std::int64_t b : kValues) {
      if (b == 0) continue;
      // triton.cdiv(a, b) is (a + b - 1) // b, negative divisors included.
      ASSERT_EQ(grid::cdiv(a, b).value(), PythonFloorDiv(a + b - 1, b)) << "cdiv(" << a << ", " << b << ")";
    }
  }
}

TEST(RuntimeGridTest, CdivOfInt64MaxIsExactNotNegative) {
  EXPECT_EQ(grid::cdiv(kMax, 256).value(), std::int64_t{1} << 55);
  EXPECT_TRUE(grid::cdiv(kMax, 256).ok());
  EXPECT_EQ(grid::cdiv(kMax, 1).value(), kMax);
  EXPECT_EQ(grid::cdiv(kMax, kMax).value(), 1);
  EXPECT_EQ(grid::cdiv(kMin, 1).value(), kMin);
  EXPECT_EQ(grid::cdiv(kMin, 2).value(), kMin / 2);
  EXPECT_EQ(grid::cdiv(kMin, -1).fault(), Fault::kOverflow);
}

TEST(RuntimeGridTest, EveryOperationIsExactOrAnOverflowAtTheEdges) {
  for (std::int64_t a : kEdges) {
    ASSERT_TRUE(IsExact(-Int(a), -Int128{a})) << "-" << a;
    for (std::int64_t b : kEdges) {
      ASSERT_TRUE(IsExact(Int(a) + b, Int128{a} + b)) << a << " + " << b;
      ASSERT_TRUE(IsExact(Int(a) - b, Int128{a} - b)) << a << " - " << b;
      ASSERT_TRUE(IsExact(Int(a) * b, Int128{a} * b)) << a << " * " << b;
      ASSERT_TRUE(IsExact(grid::min(a, b), std::min(a, b))) << "min(" << a << ", " << b << ")";
      ASSERT_TRUE(IsExact(grid::max(a, b), std::max(a, b))) << "max(" << a << ", " << b << ")";
      if (b == 0) continue;
      ASSERT_TRUE(IsExact(grid::floordiv(a, b), FloorDiv128(a, b))) << a << " // " << b;
      ASSERT_TRUE(IsExact(grid::mod(a, b), a - FloorDiv128(a, b) * b)) << a << " % " << b;
      ASSERT_TRUE(IsExact(grid::cdiv(a, b), FloorDiv128(Int128{a} + b - 1, b))) << "cdiv(" << a << ", " << b << ")";
    }
  }
}

TEST(RuntimeGridTest, TwoToThe32SquaredOverflowsRatherThanWrappingToZero) {
  constexpr std::int64_t wide = std::int64_t{1} << 32;
  constexpr Int product = Int(wide) * wide;  // found in a constant expression too
  EXPECT_FALSE(product.ok());
  EXPECT_EQ(product.fault(), Fault::kOverflow);
  EXPECT_EQ((Int(wide) * (wide / 2)).fault(), Fault::kOverflow);  // 2^63: one past the end
  EXPECT_EQ((Int(wide) * -(wide / 2)).value(), kMin);               // -2^63 fits
}

TEST(RuntimeGridTest, Int64MinByMinusOneHasNoUndefinedBehaviour) {
  EXPECT_EQ(grid::floordiv(kMin, -1).fault(), Fault::kOverflow);
  EXPECT_TRUE(grid::mod(kMin, -1).ok());
  EXPECT_EQ(grid::mod(kMin, -1).value(), 0);  // Python: 0
  EXPECT_EQ((-Int(kMin)).fault(), Fault::kOverflow);
  EXPECT_EQ((Int(kMin) * -1).fault(), Fault::kOverflow);
}

TEST(RuntimeGridTest, DivisionByZeroIsAFaultNotZero) {
  EXPECT_EQ(grid::floordiv(5, 0).fault(), Fault::kDivisionByZero);
  EXPECT_EQ(grid::mod(5, 0).fault(), Fault::kDivisionByZero);
  EXPECT_EQ(grid::cdiv(5, 0).fault(), Fault::kDivisionByZero);
  EXPECT_EQ(grid::cdiv(0, 0).fault(), Fault::kDivisionByZero);
}

TEST(RuntimeGridTest, UnsignedValuesAboveInt64MaxOverflow) {
  EXPECT_EQ(Int(UINT64_MAX).fault(), Fault::kOverflow);
  EXPECT_EQ(Int(std::uint64_t{kMax} + 1).fault(), Fault::kOverflow);
  EXPECT_EQ(Int(std::uint64_t{kMax}).value(), kMax);
  EXPECT_EQ(Int(UINT32_MAX).value(), std::int64_t{UINT32_MAX});
  EXPECT_EQ(Int(true).value(), 1);
  // Through an operation, as generated code converts an argument.
  EXPECT_EQ(grid::cdiv(UINT64_MAX, 256).fault(), Fault::kOverflow);
}

TEST(RuntimeGridTest, AFaultPropagatesAndTheLeftOperandsComesFirst) {
  const Int zero_division = grid::floordiv(1, 0), overflow = Int(kMax) + 1;
  EXPECT_EQ((zero_division + overflow).fault(), Fault::kDivisionByZero);
  EXPECT_EQ((overflow + zero_division).fault(), Fault::kOverflow);
  EXPECT_EQ((overflow * 0).fault(), Fault::kOverflow);  // not 0
  EXPECT_EQ(grid::min(overflow, 1).fault(), Fault::kOverflow);
  EXPECT_EQ(grid::max(1, zero_division).fault(), Fault::kDivisionByZero);
  EXPECT_EQ(grid::cdiv(overflow, 0).fault(), Fault::kOverflow);
  EXPECT_EQ(grid::mod(zero_division, -1).fault(), Fault::kDivisionByZero);
  EXPECT_EQ((-zero_division).fault(), Fault::kDivisionByZero);
}

TEST(RuntimeGridTest, AgreesWithTheDriversEvaluationEdgesIncluded) {
  std::vector<std::int64_t> values = kValues;
  values.insert(values.end(), kEdges.begin(), kEdges.end());
  const std::pair<const char*, Int (*)(Int, Int)> operations[] = {
      {"a // b", grid::floordiv}, {"a % b", grid::mod},        {"cdiv(a, b)", grid::cdiv},
      {"min(a, b)", grid::min},   {"max(a, b)", grid::max},    {"a + b", [](Int a, Int b) { return a + b; }},
      {"a - b", [](Int a, Int b) { return a - b; }},           {"a * b", [](Int a, Int b) { return a * b; }}};
  for (const auto& [text, operation] : operations) {
    for (std::int64_t a : values) {
      for (std::int64_t b : values) {
        std::string err;
        const std::optional<std::int64_t> driver = DriverEval(text, a, b, &err);
        const Int runtime = operation(a, b);
        ASSERT_EQ(driver.has_value(), runtime.ok()) << text << " with a=" << a << ", b=" << b << ": " << err;
        if (driver) ASSERT_EQ(*driver, runtime.value()) << text << " with a=" << a << ", b=" << b;
        if (runtime.fault() == Fault::kOverflow) ASSERT_NE(err.find("overflow"), std::string::npos) << err;
        if (runtime.fault() == Fault::kDivisionByZero) ASSERT_EQ(err, "division by zero");
      }
    }
  }
}

}  // namespace
}  // namespace triton_aot

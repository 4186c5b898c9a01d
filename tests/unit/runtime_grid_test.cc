// The runtime's grid helpers (triton_aot/grid.h), which generated launch code
// evaluates grid expressions with: Python's integer semantics, the same
// results the driver's GridExpr::Evaluate checks specs with.
#include "triton_aot/grid.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "grid.h"

namespace triton_aot {
namespace {

static_assert(grid::cdiv(10, 4) == 3 && grid::floordiv(-7, 2) == -4 && grid::mod(-7, 2) == 1,
              "usable in constant expressions");

// What Python computes, from exact real division (the operands are small).
std::int64_t PythonFloorDiv(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(std::floor(static_cast<double>(a) / static_cast<double>(b)));
}

std::int64_t DriverEval(const std::string& text, std::int64_t a, std::int64_t b) {
  GridExpr expr;
  std::string err;
  EXPECT_TRUE(GridExpr::Parse(text, &expr, &err)) << err;
  std::int64_t value = 0;
  EXPECT_TRUE(expr.Evaluate([&](const std::string& name) -> std::optional<std::int64_t> { return name == "a" ? a : b; },
                            &value, &err))
      << text << " with a=" << a << ", b=" << b << ": " << err;
  return value;
}

const std::vector<std::int64_t> kValues = {-1000003, -4096, -1025, -33, -17, -16, -15, -8, -7, -3, -2, -1, 0, 1,
                                           2,        3,     7,     8,   15,  16,  17,  33,  1024, 1025, 65536, 999983};

TEST(RuntimeGridTest, FloorDivisionAndModuloFollowPython) {
  EXPECT_EQ(grid::floordiv(7, 2), 3);
  EXPECT_EQ(grid::floordiv(-7, 2), -4);
  EXPECT_EQ(grid::floordiv(7, -2), -4);
  EXPECT_EQ(grid::floordiv(-7, -2), 3);
  EXPECT_EQ(grid::mod(-7, 2), 1);
  EXPECT_EQ(grid::mod(7, -2), -1);
  EXPECT_EQ(grid::mod(-8, 2), 0);
  for (std::int64_t a : kValues) {
    for (std::int64_t b : kValues) {
      if (b == 0) continue;
      ASSERT_EQ(grid::floordiv(a, b), PythonFloorDiv(a, b)) << a << " // " << b;
      ASSERT_EQ(grid::mod(a, b), a - PythonFloorDiv(a, b) * b) << a << " % " << b;
    }
  }
}

TEST(RuntimeGridTest, CdivRoundsUpAsTritonsCdiv) {
  EXPECT_EQ(grid::cdiv(0, 1024), 0);
  EXPECT_EQ(grid::cdiv(1, 1024), 1);
  EXPECT_EQ(grid::cdiv(1024, 1024), 1);
  EXPECT_EQ(grid::cdiv(1025, 1024), 2);
  EXPECT_EQ(grid::cdiv(-7, 2), -3);
  for (std::int64_t a : kValues) {
    for (std::int64_t b : kValues) {
      if (b <= 0) continue;
      // triton.cdiv(a, b) is (a + b - 1) // b; for positive b that is -(-a // b).
      ASSERT_EQ(grid::cdiv(a, b), PythonFloorDiv(a + b - 1, b)) << "cdiv(" << a << ", " << b << ")";
    }
  }
}

TEST(RuntimeGridTest, AgreesWithTheDriversEvaluation) {
  for (std::int64_t a : kValues) {
    for (std::int64_t b : kValues) {
      if (b == 0) continue;
      ASSERT_EQ(grid::floordiv(a, b), DriverEval("a // b", a, b)) << a << " // " << b;
      ASSERT_EQ(grid::mod(a, b), DriverEval("a % b", a, b)) << a << " % " << b;
      ASSERT_EQ(grid::cdiv(a, b), DriverEval("cdiv(a, b)", a, b)) << "cdiv(" << a << ", " << b << ")";
    }
  }
}

TEST(RuntimeGridTest, DivisionByZeroIsZeroAtRunTimeAndAnErrorInSpecs) {
  EXPECT_EQ(grid::floordiv(5, 0), 0);
  EXPECT_EQ(grid::mod(5, 0), 0);
  EXPECT_EQ(grid::cdiv(5, 0), 0);
  GridExpr expr;
  std::string err;
  ASSERT_TRUE(GridExpr::Parse("cdiv(a, b)", &expr, &err)) << err;
  std::int64_t value = 0;
  EXPECT_FALSE(expr.Evaluate([](const std::string& name) -> std::optional<std::int64_t> { return name == "a" ? 5 : 0; },
                             &value, &err));
}

}  // namespace
}  // namespace triton_aot

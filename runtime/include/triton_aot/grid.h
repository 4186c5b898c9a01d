// Launch grids, and the integer helpers generated grid expressions use. They
// follow Python's semantics, as the expressions in kernel specs do.
#pragma once

#include <cstdint>

namespace triton_aot {

struct Grid {
  std::int64_t x = 1;
  std::int64_t y = 1;
  std::int64_t z = 1;
};

namespace grid {

// Division by zero yields 0 here; the runtime rejects a grid built from it
// only if it is out of range, so keep divisors non-zero.
constexpr std::int64_t floordiv(std::int64_t a, std::int64_t b) {
  if (b == 0) return 0;
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
constexpr std::int64_t mod(std::int64_t a, std::int64_t b) { return b == 0 ? 0 : a - floordiv(a, b) * b; }
// As triton.cdiv: (a + b - 1) // b.
constexpr std::int64_t cdiv(std::int64_t a, std::int64_t b) { return b == 0 ? 0 : floordiv(a + b - 1, b); }

}  // namespace grid
}  // namespace triton_aot

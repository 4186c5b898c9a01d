// Launch grids, and the checked integers generated code computes grid
// expressions with. They follow Python's semantics, as the expressions in
// kernel specs do, within 64 bits: an operation whose result does not fit,
// or that divides by zero, yields no number but a fault, which the launch
// reports. Nothing here has undefined behaviour, allocates or throws, and
// all of it works in constant expressions (GCC and Clang).
#pragma once

#include <cstdint>
#include <type_traits>

namespace triton_aot {

// A launch grid as a caller gives it: programs per dimension.
struct Grid {
  std::int64_t x = 1;
  std::int64_t y = 1;
  std::int64_t z = 1;
};

namespace grid {

// Why a grid expression has no value.
enum class Fault : std::uint8_t { kNone, kOverflow, kDivisionByZero };

// An int64, or the fault that stopped computing it. Every integer type
// converts implicitly (an unsigned value above INT64_MAX is an overflow), so
// that generated expressions read as the spec wrote them. An operation on a
// faulted operand keeps the fault, the left operand's first: the fault that
// evaluating from left to right meets first.
class Int {
 public:
  constexpr Int() = default;
  template <typename T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
  constexpr Int(T value)  // NOLINT(google-explicit-constructor): implicit on purpose
      : value_(Fits(value) ? static_cast<std::int64_t>(value) : 0),
        fault_(Fits(value) ? Fault::kNone : Fault::kOverflow) {}

  static constexpr Int Failed(Fault fault) {
    Int failed;
    failed.fault_ = fault;
    return failed;
  }

  constexpr bool ok() const { return fault_ == Fault::kNone; }
  constexpr Fault fault() const { return fault_; }
  // The number; 0 when !ok().
  constexpr std::int64_t value() const { return value_; }

 private:
  template <typename T>
  static constexpr bool Fits(T value) {
    if constexpr (sizeof(T) < sizeof(std::int64_t)) {
      return true;
    } else if constexpr (std::is_signed_v<T>) {
      return value >= INT64_MIN && value <= INT64_MAX;
    } else {
      return value <= static_cast<std::uint64_t>(INT64_MAX);
    }
  }

  std::int64_t value_ = 0;
  Fault fault_ = Fault::kNone;
};

namespace detail {

// The operands' fault, the left one's first; kNone when both are numbers.
constexpr Fault FaultOf(Int a, Int b) { return a.ok() ? b.fault() : a.fault(); }

constexpr Int Checked(bool overflowed, std::int64_t value) {
  return overflowed ? Int::Failed(Fault::kOverflow) : Int(value);
}

// Python's remainder, a - (a // b) * b: the sign of b. b is neither 0 nor -1
// (C++'s INT64_MIN % -1 is undefined).
constexpr std::int64_t Remainder(std::int64_t a, std::int64_t b) {
  const std::int64_t r = a % b;
  return (r != 0 && (r < 0) != (b < 0)) ? r + b : r;
}

}  // namespace detail

constexpr Int operator+(Int a, Int b) {
  if (Fault fault = detail::FaultOf(a, b); fault != Fault::kNone) return Int::Failed(fault);
  std::int64_t sum = 0;
  const bool overflowed = __builtin_add_overflow(a.value(), b.value(), &sum);
  return detail::Checked(overflowed, sum);
}

constexpr Int operator-(Int a, Int b) {
  if (Fault fault = detail::FaultOf(a, b); fault != Fault::kNone) return Int::Failed(fault);
  std::int64_t difference = 0;
  const bool overflowed = __builtin_sub_overflow(a.value(), b.value(), &difference);
  return detail::Checked(overflowed, difference);
}

constexpr Int operator*(Int a, Int b) {
  if (Fault fault = detail::FaultOf(a, b); fault != Fault::kNone) return Int::Failed(fault);
  std::int64_t product = 0;
  const bool overflowed = __builtin_mul_overflow(a.value(), b.value(), &product);
  return detail::Checked(overflowed, product);
}

constexpr Int operator-(Int a) { return Int(0) - a; }

// a // b: rounds toward minus infinity.
constexpr Int floordiv(Int a, Int b) {
  if (Fault fault = detail::FaultOf(a, b); fault != Fault::kNone) return Int::Failed(fault);
  if (b.value() == 0) return Int::Failed(Fault::kDivisionByZero);
  if (b.value() == -1) return -a;  // INT64_MIN // -1 does not fit
  const std::int64_t q = a.value() / b.value(), r = a.value() % b.value();
  return (r != 0 && (r < 0) != (b.value() < 0)) ? q - 1 : q;  // C++ rounds toward zero
}

// a % b: takes the sign of b.
constexpr Int mod(Int a, Int b) {
  if (Fault fault = detail::FaultOf(a, b); fault != Fault::kNone) return Int::Failed(fault);
  if (b.value() == 0) return Int::Failed(Fault::kDivisionByZero);
  return b.value() == -1 ? 0 : detail::Remainder(a.value(), b.value());
}

// As triton.cdiv: (a + b - 1) // b, exactly, also where the sum alone would
// not fit. With q = a // b and r = a % b, it is q + (r + b - 1) // b, and that
// last quotient is 0 or 1 for b > 0 (1 unless r == 0) and 1 or 2 for b < 0
// (2 only when r == b + 1).
constexpr Int cdiv(Int a, Int b) {
  const Int q = floordiv(a, b);
  if (!q.ok()) return q;
  const Int r = mod(a, b);
  if (b.value() > 0) return r.value() == 0 ? q : q + 1;
  return q + (r.value() == b.value() + 1 ? 2 : 1);
}

constexpr Int min(Int a, Int b) {
  if (Fault fault = detail::FaultOf(a, b); fault != Fault::kNone) return Int::Failed(fault);
  return b.value() < a.value() ? b : a;
}

constexpr Int max(Int a, Int b) {
  if (Fault fault = detail::FaultOf(a, b); fault != Fault::kNone) return Int::Failed(fault);
  return b.value() > a.value() ? b : a;
}

// Conditions (variant guards) are Ints too: 1 or 0, or the fault met on the
// way. `and` and `or` take the fault of their right side only where Python
// would evaluate it: both sides are computed, but nothing here has side
// effects, so that is the short circuit's meaning.
namespace detail {

constexpr Int Compared(Int a, Int b, bool result) {
  if (Fault fault = FaultOf(a, b); fault != Fault::kNone) return Int::Failed(fault);
  return Int(result ? 1 : 0);
}

}  // namespace detail

constexpr Int less(Int a, Int b) { return detail::Compared(a, b, a.value() < b.value()); }
constexpr Int less_equal(Int a, Int b) { return detail::Compared(a, b, a.value() <= b.value()); }
constexpr Int greater(Int a, Int b) { return detail::Compared(a, b, a.value() > b.value()); }
constexpr Int greater_equal(Int a, Int b) { return detail::Compared(a, b, a.value() >= b.value()); }
constexpr Int equal(Int a, Int b) { return detail::Compared(a, b, a.value() == b.value()); }
constexpr Int not_equal(Int a, Int b) { return detail::Compared(a, b, a.value() != b.value()); }

constexpr Int logical_and(Int a, Int b) {
  if (!a.ok() || a.value() == 0) return a;
  return b;
}

constexpr Int logical_or(Int a, Int b) {
  if (!a.ok() || a.value() != 0) return a;
  return b;
}

constexpr Int logical_not(Int a) { return a.ok() ? Int(a.value() == 0 ? 1 : 0) : a; }

// A grid as generated code computes it from a kernel's grid expressions.
struct Dims {
  Int x = 1;
  Int y = 1;
  Int z = 1;
};

}  // namespace grid
}  // namespace triton_aot

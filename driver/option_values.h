// Numbers on the driver's command line. The driver reads them itself rather
// than through CLI11, so that every value it does not take (negative, zero,
// too large, not a number, NaN, empty) gets the same kind of message: the
// option, the value, and the range it accepts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace triton_aot {

// What an option accepts: "a number of seconds" from `min` to `max`.
struct NumberRange {
  std::string_view noun;  // "a number of seconds", "a whole number of seconds", "a count"
  double min;
  double max;
  bool whole;  // digits only: no sign, fraction or exponent
};

// `text` in `range`; else `*err` is "'<text>' is not <noun> from <min> to
// <max>". (The caller puts the option's name before it.)
bool ParseNumber(std::string_view text, const NumberRange& range, double* value, std::string* err);

}  // namespace triton_aot

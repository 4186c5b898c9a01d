#include "option_values.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace triton_aot {

bool ParseNumber(std::string_view text, const NumberRange& range, double* value, std::string* err) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  double number = 0;
  bool parsed = false;
  if (range.whole) {
    uint64_t whole = 0;
    const auto [stop, ec] = std::from_chars(begin, end, whole);
    parsed = !text.empty() && stop == end && ec == std::errc();
    number = static_cast<double>(whole);
  } else {
    // from_chars also reads "inf" and "nan"; neither is in any range.
    const auto [stop, ec] = std::from_chars(begin, end, number);
    parsed = !text.empty() && stop == end && ec == std::errc() && std::isfinite(number);
  }
  if (!parsed || number < range.min || number > range.max) {
    *err = fmt::format("'{}' is not {} from {} to {}", text, range.noun, range.min, range.max);
    return false;
  }
  *value = number;
  return true;
}

}  // namespace triton_aot

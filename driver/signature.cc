#include "signature.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace triton_aot {
namespace {

constexpr std::array<std::string_view, 8> kIntegerTypes = {"i1", "i8", "i16", "i32", "i64", "u8", "u16", "u32"};
constexpr std::array<std::string_view, 8> kOtherTypes = {"u64", "fp16", "bf16", "fp32", "fp64", "fp8e4nv", "fp8e5",
                                                         "fp8e4b15"};

bool IsIntegerName(std::string_view dtype) {
  return dtype == "u64" || std::find(kIntegerTypes.begin(), kIntegerTypes.end(), dtype) != kIntegerTypes.end();
}

bool IsKnownName(std::string_view dtype) {
  return IsIntegerName(dtype) || std::find(kOtherTypes.begin(), kOtherTypes.end(), dtype) != kOtherTypes.end();
}

}  // namespace

std::string ArgType::TritonType() const { return (is_pointer ? "*" : "") + dtype; }

std::string ArgType::ToString() const {
  switch (hint) {
    case Hint::kDivisibleBy16: return TritonType() + ":16";
    case Hint::kEqualToOne: return TritonType() + ":1";
    case Hint::kNone: break;
  }
  return TritonType();
}

bool ArgType::IsInteger() const { return !is_pointer && IsIntegerName(dtype); }

bool ParseArgType(std::string_view text, ArgType* type, std::string* err) {
  ArgType parsed;
  std::string_view rest = text;
  if (!rest.empty() && rest.front() == '*') {
    parsed.is_pointer = true;
    rest.remove_prefix(1);
  }
  std::string_view hint;
  if (size_t colon = rest.find(':'); colon != std::string_view::npos) {
    hint = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  parsed.dtype = std::string(rest);
  if (!IsKnownName(rest) || (parsed.is_pointer && rest == "i1")) {
    *err = fmt::format(
        "'{}' is not an argument type: use a scalar (i1 i8 i16 i32 i64 u8 u16 u32 u64 fp16 bf16 fp32 fp64), "
        "or a pointer to one written with '*' (e.g. *fp16), optionally followed by a hint ':16' or ':1'",
        text);
    return false;
  }
  if (hint == "16") {
    parsed.hint = Hint::kDivisibleBy16;
    if (!parsed.is_pointer && !parsed.IsInteger()) {
      *err = fmt::format("'{}': the hint ':16' (divisible by 16) applies to pointers and integers only", text);
      return false;
    }
  } else if (hint == "1") {
    parsed.hint = Hint::kEqualToOne;
    if (!parsed.IsInteger()) {
      *err = fmt::format("'{}': the hint ':1' (equal to 1) applies to integers only", text);
      return false;
    }
  } else if (text.find(':') != std::string_view::npos) {
    *err = fmt::format("'{}': unknown hint ':{}': the hints are ':16' (divisible by 16) and ':1' (equal to 1)", text,
                       hint);
    return false;
  }
  *type = std::move(parsed);
  return true;
}

}  // namespace triton_aot

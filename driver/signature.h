// Kernel argument types as written in a kernel spec: "*fp16:16", "i32", "i32:1".
#pragma once

#include <string>
#include <string_view>

namespace triton_aot {

// A promise about an argument's value, which lets Triton specialise the code.
enum class Hint {
  kNone,
  kDivisibleBy16,  // ":16": a pointer aligned to 16 bytes, or an integer multiple of 16
  kEqualToOne,     // ":1": an integer equal to 1 (compiled in as a constant)
};

struct ArgType {
  bool is_pointer = false;
  std::string dtype;  // "fp16", "i32", ...
  Hint hint = Hint::kNone;

  std::string TritonType() const;  // "*fp16": what triton.compile's signature takes
  std::string ToString() const;    // "*fp16:16": what the spec says
  bool IsInteger() const;
  bool operator==(const ArgType&) const = default;
};

bool ParseArgType(std::string_view text, ArgType* type, std::string* err);

}  // namespace triton_aot

// Argument types as a kernel spec writes them (driver/signature.h), from
// arbitrary text: a type is either rejected with a message that quotes it, or
// accepted as exactly what it prints back.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "signature.h"

namespace {

using triton_aot::ArgType;
using triton_aot::Hint;

void Require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "signature_fuzzer: invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ArgType type;
  std::string err;
  if (!triton_aot::ParseArgType(text, &type, &err)) {
    Require(!err.empty(), "a rejected type has a message");
    Require(err.find("'" + std::string(text) + "'") != std::string::npos, "the message quotes the type");
    return 0;
  }
  Require(err.empty(), "an accepted type leaves the message alone");

  // What the spec said is what the metadata and generated comments print.
  Require(type.ToString() == text, "an accepted type prints back as written");
  Require(type.TritonType() == (type.is_pointer ? "*" : "") + type.dtype, "Triton's type is the '*' and dtype");
  Require(text.substr(0, type.TritonType().size()) == type.TritonType(), "Triton's type is the text before the hint");

  ArgType again;
  std::string again_err;
  Require(triton_aot::ParseArgType(type.ToString(), &again, &again_err) && again == type,
          "a printed type reads back equal");

  // Hints only where Triton can use them.
  if (type.hint == Hint::kEqualToOne) Require(type.IsInteger(), "':1' is only on integer scalars");
  if (type.hint == Hint::kDivisibleBy16) Require(type.is_pointer || type.IsInteger(), "':16' is on pointers, integers");
  if (type.IsInteger()) Require(!type.is_pointer, "an integer argument is a scalar");
  Require(!(type.is_pointer && type.dtype == "i1"), "there are no pointers to i1");
  return 0;
}

// The variants of one TRITON_AOT_KERNELS entry (spec.h): those the entry
// lists, or one implicit one, each multiplied by the kernel's @triton.autotune
// configs, with every constexpr resolved; then checked to be distinct.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol.h"
#include "spec.h"
#include "spec_fields.h"

namespace triton_aot {

// What an entry gives each of its variants.
struct VariantDefaults {
  std::vector<ArgType> base;                          // the entry's signature
  Variant variant;                                    // its types and launch options
  std::map<std::string, nlohmann::json> constexprs;   // its constexprs
  std::map<std::string, nlohmann::json> function_defaults;  // the @triton.jit function's constexpr defaults
  std::vector<bool> configs;  // by index, the autotune configs the entry builds; empty: all
};

// Fills kernel->variants from entry `index` of the spec; `lines` is the load
// answer's spec_lines, `autotune` the kernel's configs (null if none).
bool ExpandVariants(const nlohmann::json& entry, size_t index, const nlohmann::json& lines,
                    const VariantDefaults& defaults, const Autotune* autotune, KernelSpec* kernel, Checker& checker);

}  // namespace triton_aot

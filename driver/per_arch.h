// Constexpr values that differ per arch. A spec gives one as
// {"per_arch": {"80": 2, "90": 4, "default": 3}}: each built arch compiles the
// value its own key gives (keys are arch spellings, "90" or "sm_90a"), else
// the "default". Each job gets its arch's plain value (job_table.cc); what a
// launcher computes before it knows the device (grids, guards, buffer sizes)
// may not read one.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "arch.h"
#include "diagnostic.h"
#include "spec.h"

namespace triton_aot {

inline constexpr const char* kPerArchKey = "per_arch";

// Whether `value` is {"per_arch": ...}, well formed or not.
bool IsPerArch(const nlohmann::json& value);

// What is wrong with a per-arch value ("" when nothing): every key an arch or
// "default", each arch once, each value plain (`is_plain`).
std::string PerArchProblem(const nlohmann::json& value, bool (*is_plain)(const nlohmann::json&));

// The value `capability` compiles: its key's, else "default"'s, else null;
// a value that is not per-arch is its own.
nlohmann::ordered_json ValueForArch(const nlohmann::ordered_json& value, int capability);

// A plain constexpr value as the generated code's comments show it: a Triton
// dtype as Triton names it (fp16, unquoted, unlike the string "fp16"), null
// as None, the rest as JSON.
std::string ConstexprText(const nlohmann::json& value);

// "sm_80: 2, sm_90a: 4, others: 3": a per-arch value as the generated code's
// comments show it.
std::string PerArchSummary(const nlohmann::json& value);

// An error at the variant's line for the first per-arch constexpr that has no
// value for one of `archs`; true when every one has.
bool CheckPerArchCoverage(const ModuleSpec& spec, const std::vector<Arch>& archs, const std::string& module_path,
                          Diagnostic* error);

}  // namespace triton_aot

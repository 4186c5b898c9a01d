#include "per_arch.h"

#include <set>

#include <fmt/format.h>

namespace triton_aot {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr const char* kDefaultKey = "default";

// The capability a key names, or 0 for "default"; false for neither.
bool KeyCapability(const std::string& key, int* capability) {
  if (key == kDefaultKey) return (*capability = 0, true);
  Arch arch;
  std::string unused;
  if (!ParseArch(key, &arch, &unused)) return false;
  *capability = arch.capability;
  return true;
}

}  // namespace

bool IsPerArch(const json& value) { return value.is_object() && value.contains(kPerArchKey); }

std::string PerArchProblem(const json& value, bool (*is_plain)(const json&)) {
  const json& values = value[kPerArchKey];
  if (value.size() != 1 || !values.is_object() || values.empty()) {
    return "a per-arch value must be {\"per_arch\": {<arch>: <value>, ...}}, e.g. {\"per_arch\": {80: 2, 90: 4, "
           "\"default\": 3}}";
  }
  std::set<int> seen;
  for (const auto& [key, item] : values.items()) {
    int capability = 0;
    if (!KeyCapability(key, &capability)) {
      return fmt::format("per_arch key '{}' is no arch: use an arch such as 80, \"90a\" or \"sm_100\", or "
                         "\"default\"",
                         key);
    }
    if (!seen.insert(capability).second) {
      return fmt::format("per_arch names {} twice", capability == 0 ? "\"default\"" : Arch{capability}.SmName());
    }
    if (!is_plain(item)) {
      return fmt::format("per_arch value for '{}' must be an int, float, bool, str or Triton dtype, not {}", key,
                         item.dump());
    }
  }
  return "";
}

ordered_json ValueForArch(const ordered_json& value, int capability) {
  if (!IsPerArch(value)) return value;
  ordered_json fallback;
  for (const auto& [key, item] : value[kPerArchKey].items()) {
    int named = -1;
    if (!KeyCapability(key, &named)) continue;
    if (named == capability) return item;
    if (named == 0) fallback = item;
  }
  return fallback;
}

std::string ConstexprText(const json& value) {
  if (value.is_object() && value.contains("triton_dtype")) return value["triton_dtype"].get<std::string>();
  return value.is_null() ? "None" : value.dump();
}

std::string PerArchSummary(const json& value) {
  std::string out, fallback;
  for (const auto& [key, item] : value[kPerArchKey].items()) {
    int capability = 0;
    if (!KeyCapability(key, &capability)) continue;
    const std::string shown = ConstexprText(item);
    if (capability == 0) {
      fallback = shown;
    } else {
      out += fmt::format("{}{}: {}", out.empty() ? "" : ", ", Arch{capability}.SmName(), shown);
    }
  }
  return fallback.empty() ? out : out + (out.empty() ? "" : ", ") + "others: " + fallback;
}

bool CheckPerArchCoverage(const ModuleSpec& spec, const std::vector<Arch>& archs, const std::string& module_path,
                          Diagnostic* error) {
  for (const KernelSpec& kernel : spec.kernels) {
    for (const Variant& variant : kernel.variants) {
      for (const auto& [name, value] : variant.constexprs.items()) {
        if (!IsPerArch(value)) continue;
        for (const Arch& arch : archs) {
          if (!ValueForArch(value, arch.capability).is_null()) continue;
          *error = Diagnostic::At(module_path, variant.line, 0,
                                  fmt::format("kernel '{}', variant '{}': constexpr '{}' has no value for {} "
                                              "(it has {}): add {} to its per_arch values, or a \"default\"",
                                              kernel.name, variant.name, name, arch.SmName(), PerArchSummary(value),
                                              arch.capability));
          return false;
        }
      }
    }
  }
  return true;
}

}  // namespace triton_aot

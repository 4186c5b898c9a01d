#include "spec_variants.h"

#include <algorithm>

#include <fmt/format.h>

#include "per_arch.h"
#include "spec_family.h"

namespace triton_aot {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

const std::set<std::string> kVariantKeys = {"name",     "signature", "constexprs", "num_warps", "num_stages",
                                            "num_ctas", "maxnreg",   "guard",      "for_each"};

bool ComputedByHeuristics(const KernelSpec& kernel, const std::string& name) {
  return std::find(kernel.heuristics.begin(), kernel.heuristics.end(), name) != kernel.heuristics.end();
}

// A constexpr that @triton.heuristics computes (the variant gives it no
// value) cannot be read by the launcher's grid or guard: it is known only
// once the variant compiles.
bool CheckNotComputed(const KernelSpec& kernel, const Variant& variant, const GridExpr& expr, const char* reader,
                      Checker& checker) {
  for (const std::string& name : expr.Names()) {
    if (!ComputedByHeuristics(kernel, name) || variant.constexprs.contains(name)) continue;
    return checker.Fail(variant.line, fmt::format("kernel '{}', variant '{}': the {} reads '{}', which "
                                                  "@triton.heuristics computes as the kernel compiles: give it a "
                                                  "value in the variant's constexprs",
                                                  kernel.name, variant.name, reader, name));
  }
  return true;
}

// A launch computes its grid and checks its guards before it knows which
// arch's code the device runs, so neither may read a per-arch constexpr.
bool CheckNotPerArch(const KernelSpec& kernel, const Variant& variant, const GridExpr& expr, const char* reader,
                     Checker& checker) {
  for (const std::string& name : expr.Names()) {
    if (!variant.constexprs.contains(name) || !IsPerArch(variant.constexprs[name])) continue;
    return checker.Fail(variant.line, fmt::format("kernel '{}', variant '{}': the {} reads constexpr '{}', whose "
                                                  "value differs per arch ({}), and a launch computes its {} before "
                                                  "it knows which arch's code the device runs: give '{}' one value, "
                                                  "or read a launch parameter instead",
                                                  kernel.name, variant.name, reader, name,
                                                  PerArchSummary(variant.constexprs[name]), reader, name));
  }
  return true;
}

// Every constexpr the grid reads must be an integer in every variant.
bool CheckGridConstexprs(const KernelSpec& kernel, const Variant& variant, Checker& checker) {
  for (const GridExpr& expr : kernel.grid) {
    if (!CheckNotComputed(kernel, variant, expr, "grid", checker) ||
        !CheckNotPerArch(kernel, variant, expr, "grid", checker)) {
      return false;
    }
    for (const std::string& name : expr.Names()) {
      if (variant.constexprs.contains(name) && !variant.constexprs[name].is_number_integer()) {
        return checker.Fail(variant.line, fmt::format("kernel '{}', variant '{}': the grid reads constexpr '{}', "
                                                      "which is {} here; it must be an int",
                                                      kernel.name, variant.name, name,
                                                      variant.constexprs[name].dump()));
      }
    }
  }
  return true;
}

// A constexpr a guard reads must be an int or a bool in the variant.
bool CheckGuardConstexprs(const KernelSpec& kernel, const Variant& variant, Checker& checker) {
  if (!variant.guard) return true;
  if (!CheckNotComputed(kernel, variant, *variant.guard, "guard", checker) ||
      !CheckNotPerArch(kernel, variant, *variant.guard, "guard", checker)) {
    return false;
  }
  for (const std::string& name : variant.guard->Names()) {
    if (!variant.constexprs.contains(name)) continue;
    const ordered_json& value = variant.constexprs[name];
    if (!value.is_number_integer() && !value.is_boolean()) {
      return checker.Fail(variant.line, fmt::format("kernel '{}', variant '{}': the guard reads constexpr '{}', "
                                                    "which is {} here; it must be an int or a bool",
                                                    kernel.name, variant.name, name, value.dump()));
    }
  }
  return true;
}

// Fills variant->constexprs in parameter order, from the explicit values and
// the function's defaults; says which one is missing.
bool ResolveConstexprs(const KernelSpec& kernel, const std::map<std::string, json>& values,
                       const std::map<std::string, json>& defaults, Variant* variant, const std::string& what,
                       Checker& checker) {
  variant->constexprs = ordered_json::object();
  for (const Param& p : kernel.params) {
    if (!p.is_constexpr) continue;
    if (auto it = values.find(p.name); it != values.end()) {
      variant->constexprs[p.name] = it->second;
    } else if (auto d = defaults.find(p.name); d != defaults.end()) {
      variant->constexprs[p.name] = d->second;
    } else if (!ComputedByHeuristics(kernel, p.name)) {
      return checker.Fail(variant->line, fmt::format("{}: constexpr '{}' has no value: add it to constexprs "
                                                     "(or give the parameter a default)",
                                                     what, p.name));
    }
  }
  return true;
}

bool SameBuild(const Variant& a, const Variant& b) {
  return a.arg_types == b.arg_types && a.constexprs == b.constexprs && a.num_warps == b.num_warps &&
         a.num_stages == b.num_stages && a.num_ctas == b.num_ctas && a.maxnreg == b.maxnreg;
}


// The config's launch options, as a spec entry would give them.
json LaunchOptionsOf(const AutotuneConfig& config) {
  return {{"num_warps", config.num_warps},
          {"num_stages", config.num_stages},
          {"num_ctas", config.num_ctas},
          {"maxnreg", config.maxnreg ? json(*config.maxnreg) : json()}};
}

// One variant per autotune config, from the spec's variant `variant`.
bool ExpandAutotuned(const json& spec_variant, const Variant& variant, const std::string& base_name, bool named,
                     const std::map<std::string, json>& values, const VariantDefaults& defaults,
                     const Autotune& autotune, const std::string& vwhat, KernelSpec* kernel, Checker& checker) {
  const int vline = variant.line;
  for (const std::string& option : kLaunchOptions) {
    if (spec_variant.contains(option)) {
      return checker.Fail(vline, fmt::format("{}: the kernel is autotuned, so {} comes from its configs", vwhat,
                                             option));
    }
  }
  for (size_t c = 0; c < autotune.configs.size(); ++c) {
    if (!defaults.configs.empty() && !defaults.configs[c]) continue;
    const AutotuneConfig& config = autotune.configs[c];
    Variant tuned = variant;
    tuned.name = named ? fmt::format("{}_config{}", base_name, c) : fmt::format("config{}", c);
    tuned.autotune_config = static_cast<int>(c);
    std::map<std::string, json> tuned_values = values;
    const std::string cwhat = fmt::format("{}, @triton.autotune config {}", vwhat, c);
    for (const auto& [name, value] : config.kwargs.items()) {
      if (values.count(name) != 0) {
        return checker.Fail(vline, fmt::format("{}: constexpr '{}' is set both by the spec and by the config", cwhat,
                                               name));
      }
    }
    if (!ApplyConstexprs(config.kwargs, *kernel, &tuned_values, cwhat, vline, checker) ||
        !ApplyLaunchOptions(LaunchOptionsOf(config), &tuned, cwhat, vline, checker) ||
        !ResolveConstexprs(*kernel, tuned_values, defaults.function_defaults, &tuned, cwhat, checker)) {
      return false;
    }
    kernel->variants.push_back(std::move(tuned));
  }
  return true;
}

// Variant `v` of the entry (`count` in all; `named`: the entry lists them).
bool ExpandVariant(const json& spec_variant, size_t v, size_t count, bool named, int vline,
                   const VariantDefaults& defaults, const Autotune* autotune, KernelSpec* kernel, Checker& checker) {
  const std::string what = fmt::format("kernel '{}'", kernel->name);
  std::string vwhat = fmt::format("{}, variant {}", what, v);
  if (!spec_variant.is_object()) {
    return checker.Fail(vline, fmt::format("{} must be a dict, not {}", vwhat, TypeName(spec_variant)));
  }
  if (!CheckKeys(spec_variant, kVariantKeys, vwhat, vline, checker)) return false;
  std::string base_name = "default";
  if (spec_variant.contains("name")) {
    const json& name = spec_variant["name"];
    if (!name.is_string() || !IsIdentifier(name.get<std::string>())) {
      return checker.Fail(vline, fmt::format("{}: name must be a C++ identifier, not {}", vwhat, name.dump()));
    }
    base_name = name.get<std::string>();
  } else if (count > 1) {
    return checker.Fail(vline, fmt::format("{} has no name; with several variants each needs one", vwhat));
  }
  vwhat = fmt::format("{}, variant '{}'", what, base_name);

  Variant variant = defaults.variant;
  variant.line = vline;
  if (spec_variant.contains("signature") && !ApplySignature(spec_variant["signature"], *kernel, &defaults.base,
                                                            &variant.arg_types, vwhat, vline, checker)) {
    return false;
  }
  if (spec_variant.contains("guard")) {
    variant.guard.emplace();
    if (!ParseIntegerExpression(spec_variant["guard"], *kernel, variant.arg_types, {"guard", "guard", true},
                                &*variant.guard, vwhat, vline, checker)) {
      return false;
    }
  }
  std::map<std::string, json> values = defaults.constexprs;
  if (spec_variant.contains("constexprs") &&
      !ApplyConstexprs(spec_variant["constexprs"], *kernel, &values, vwhat, vline, checker)) {
    return false;
  }
  if (autotune) {
    return ExpandAutotuned(spec_variant, variant, base_name, named, values, defaults, *autotune, vwhat, kernel,
                           checker);
  }
  variant.name = base_name;
  if (!ApplyLaunchOptions(spec_variant, &variant, vwhat, vline, checker) ||
      !ResolveConstexprs(*kernel, values, defaults.function_defaults, &variant, vwhat, checker)) {
    return false;
  }
  kernel->variants.push_back(std::move(variant));
  return true;
}

// No two variants share a name or build the same thing.
bool CheckDistinct(const KernelSpec& kernel, Checker& checker) {
  const std::string what = fmt::format("kernel '{}'", kernel.name);
  for (size_t a = 0; a < kernel.variants.size(); ++a) {
    const Variant& va = kernel.variants[a];
    if (!CheckGridConstexprs(kernel, va, checker) || !CheckGuardConstexprs(kernel, va, checker)) return false;
    for (size_t b = 0; b < a; ++b) {
      const Variant& vb = kernel.variants[b];
      if (va.name == vb.name) {
        return checker.Fail(va.line,
                            fmt::format("{}: two variants are named '{}': give each its own name", what, va.name));
      }
      if (SameBuild(va, vb)) {
        return checker.Fail(va.line, fmt::format("{}: variants '{}' and '{}' are identical (same types, hints, "
                                                 "constexprs and options): remove one",
                                                 what, vb.name, va.name));
      }
    }
  }
  return true;
}

}  // namespace

bool ExpandVariants(const json& entry, size_t index, const json& lines, const VariantDefaults& defaults,
                    const Autotune* autotune, KernelSpec* kernel, Checker& checker) {
  const json variants = entry.value("variants", json::array({json::object()}));
  const bool named = entry.contains("variants");
  if (!variants.is_array() || variants.empty()) {
    return checker.Fail(kernel->line, fmt::format("kernel '{}': variants must be a non-empty list of dicts",
                                                  kernel->name));
  }
  for (size_t v = 0; v < variants.size(); ++v) {
    const int vline = named ? LineOf(lines, index, v) : kernel->line;
    std::vector<json> members;
    const std::string what = fmt::format("kernel '{}', variant {}", kernel->name, v);
    if (!FamilyMembers(variants[v], kernel->params, what, vline, &members, checker)) return false;
    for (const json& member : members) {
      if (!ExpandVariant(member, v, variants.size(), named, vline, defaults, autotune, kernel, checker)) return false;
    }
  }
  return CheckDistinct(*kernel, checker);
}

}  // namespace triton_aot

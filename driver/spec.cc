#include "spec.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "generated_names.h"
#include "spec_autotune.h"
#include "spec_fields.h"
#include "spec_variants.h"

namespace triton_aot {
namespace {

using nlohmann::json;

const std::set<std::string> kKernelKeys = {"kernel",    "name",       "signature", "grid",
                                           "constexprs", "num_warps",  "num_stages", "num_ctas",
                                           "maxnreg",   "variants",   "buffer_sizes", "launch_params",
                                           "configs"};

// The entry's kernel and C++ name, and the function's description.
bool ParseKernelName(const json& entry, const std::string& what, int line, const LoadAnswer& loaded,
                     Checker& checker, KernelSpec* kernel, const KernelDescription** desc) {
  if (!entry["kernel"].is_string()) {
    return checker.Fail(line, fmt::format("{}: kernel must be the name of a @triton.jit function, as a string", what));
  }
  kernel->function = entry["kernel"].get<std::string>();
  kernel->line = line;
  const auto found = loaded.kernels.find(kernel->function);
  if (found == loaded.kernels.end()) {
    std::vector<std::string> names;
    for (const auto& [name, description] : loaded.kernels) names.push_back(name);
    return checker.Fail(line, fmt::format("kernel '{}' is not a @triton.jit function of this module (found: {})",
                                          kernel->function, names.empty() ? "none" : Join(names)));
  }
  *desc = &found->second;
  kernel->heuristics = (*desc)->heuristics;
  kernel->name = kernel->function;
  if (entry.contains("name")) {
    if (!entry["name"].is_string() || !IsIdentifier(entry["name"].get<std::string>())) {
      return checker.Fail(line, fmt::format("{}: name must be a C++ identifier, not {}", what, entry["name"].dump()));
    }
    kernel->name = entry["name"].get<std::string>();
  }
  return true;
}

// The entry's signature, grid, constexprs and launch options: what each of
// its variants starts from.
bool ParseEntryDefaults(const json& entry, const KernelDescription& desc, int line, Checker& checker,
                        KernelSpec* kernel, VariantDefaults* defaults) {
  const std::string what = fmt::format("kernel '{}'", kernel->name);
  // An argument typed "none" is compiled as Triton compiles a None: a
  // constexpr, and no parameter of the launch functions.
  json signature = entry["signature"];
  for (const KernelParam& p : desc.params) {
    const bool none = !p.is_constexpr && signature.is_object() && signature.value(p.name, json()) == "none";
    if (none) {
      signature.erase(p.name);
      defaults->constexprs[p.name] = nullptr;
    }
    if (!p.is_constexpr && !none) kernel->arg_names.push_back(p.name);
    if (p.is_constexpr && !p.default_value.is_null()) defaults->function_defaults[p.name] = p.default_value;
    kernel->params.push_back({p.name, p.is_constexpr || none});
  }
  std::vector<ArgType>& base = defaults->base;
  base.assign(kernel->arg_names.size(), ArgType());
  if (!ApplySignature(signature, *kernel, nullptr, &base, what, line, checker)) return false;
  for (size_t i = 0; i < base.size(); ++i) {
    if (base[i].dtype.empty()) {
      return checker.Fail(line, fmt::format("{}: argument '{}' has no type in signature: add it (e.g. \"{}\": \"i32\")",
                                           what, kernel->arg_names[i], kernel->arg_names[i]));
    }
  }
  if (entry.contains("launch_params") &&
      !ParseLaunchParams(entry["launch_params"], kernel, what, line, checker)) {
    return false;
  }
  if (entry.contains("grid") && !ParseGrid(entry["grid"], *kernel, base, &kernel->grid, what, line, checker)) {
    return false;
  }
  if (!kernel->launch_params.empty() && kernel->grid.empty()) {
    return checker.Fail(line, fmt::format("{}: launch_params are for the grid to read, but the entry has no grid: "
                                          "add one that reads them, or drop them",
                                          what));
  }
  defaults->variant.arg_types = base;
  defaults->variant.line = line;
  if (entry.contains("constexprs") &&
      !ApplyConstexprs(entry["constexprs"], *kernel, &defaults->constexprs, what, line, checker)) {
    return false;
  }
  kernel->autotuned = desc.autotune.has_value();
  if (!desc.autotune) return ApplyLaunchOptions(entry, &defaults->variant, what, line, checker);
  kernel->autotune_key = desc.autotune->key;
  for (const std::string& option : kLaunchOptions) {
    if (entry.contains(option)) {
      return checker.Fail(line, fmt::format("{} is autotuned: {} comes from its @triton.autotune configs, not from "
                                            "the spec",
                                            what, option));
    }
  }
  return true;
}

bool ParseKernel(const json& entry, size_t index, const LoadAnswer& loaded, Checker& checker, KernelSpec* kernel) {
  const int line = LineOf(loaded.spec_lines, index);
  const std::string what = fmt::format("kernel entry {}", index);
  if (!entry.is_object()) {
    return checker.Fail(line, fmt::format("{} must be a dict with at least kernel and signature; got {}", what,
                                          TypeName(entry)));
  }
  if (!CheckKeys(entry, kKernelKeys, what, line, checker)) return false;
  for (const char* required : {"kernel", "signature"}) {
    if (!entry.contains(required)) {
      return checker.Fail(line, fmt::format("{} has no '{}': every entry needs kernel and signature (see "
                                            "docs/kernel-spec.md)",
                                            what, required));
    }
  }
  const KernelDescription* desc = nullptr;
  VariantDefaults defaults;
  if (!ParseKernelName(entry, what, line, loaded, checker, kernel, &desc)) return false;
  const Autotune* autotune = desc->autotune ? &*desc->autotune : nullptr;
  // The entry's own choice of configs stands in for the pruner.
  kernel->prune_at_build = autotune && autotune->early_config_prune && !entry.contains("configs");
  if ((autotune && !CheckAutotuneHooks(*autotune, *kernel, entry.contains("configs"), line, checker)) ||
      !ParseEntryDefaults(entry, *desc, line, checker, kernel, &defaults) ||
      !ParseConfigSelection(entry, autotune, *kernel, line, checker, &defaults.configs)) {
    return false;
  }
  return ExpandVariants(entry, index, loaded.spec_lines, defaults, autotune, kernel, checker) &&
         ParseTuningBuffers(entry, autotune, kernel, checker);
}

}  // namespace

bool IsCppKeyword(const std::string& text) {
  static const std::set<std::string> kKeywords = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
      "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr",
      "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
      "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
      "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
      "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast",
      "requires", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct",
      "switch", "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename",
      "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq"};
  return kKeywords.count(text) != 0;
}

bool IsIdentifier(const std::string& text) {
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text[0]))) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool ParseModuleSpec(const LoadAnswer& loaded, const std::string& module_path, ModuleSpec* spec,
                     Diagnostic* error) {
  Checker checker(module_path);
  const json& lines = loaded.spec_lines;
  const int line = lines.is_object() ? lines.value("line", 1) : 1;
  if (!loaded.has_spec) {
    *error = Diagnostic::At(module_path, 1, 0,
                            "the module declares nothing to build: add a list TRITON_AOT_KERNELS = [...] naming its "
                            "kernels, argument types and grid (see docs/kernel-spec.md)");
    return false;
  }
  const json& entries = loaded.spec;
  if (!entries.is_array() || entries.empty()) {
    checker.Fail(line, "TRITON_AOT_KERNELS must be a non-empty list of dicts, one per kernel to build");
    *error = checker.error();
    return false;
  }
  spec->kernels.clear();
  for (size_t i = 0; i < entries.size(); ++i) {
    KernelSpec kernel;
    if (!ParseKernel(entries[i], i, loaded, checker, &kernel)) {
      *error = checker.error();
      return false;
    }
    std::vector<std::string> earlier;
    for (const KernelSpec& other : spec->kernels) earlier.push_back(other.name);
    if (const std::string problem = KernelNameProblem(kernel.name, earlier); !problem.empty()) {
      checker.Fail(kernel.line, problem + ": give the entry a (different) \"name\"");
      *error = checker.error();
      return false;
    }
    spec->kernels.push_back(std::move(kernel));
  }
  return true;
}

}  // namespace triton_aot

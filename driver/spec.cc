#include "spec.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <fmt/format.h>

namespace triton_aot {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

const std::set<std::string> kKernelKeys = {"kernel",    "name",     "signature", "grid",    "constexprs",
                                           "num_warps", "num_stages", "num_ctas", "maxnreg", "variants"};
const std::set<std::string> kVariantKeys = {"name",       "signature", "constexprs", "num_warps",
                                            "num_stages", "num_ctas",  "maxnreg"};
const std::set<std::string> kLaunchOptions = {"num_warps", "num_stages", "num_ctas", "maxnreg"};

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string Join(const std::set<std::string>& items) { return Join(std::vector<std::string>(items.begin(), items.end())); }

std::string TypeName(const json& value) {
  if (value.is_number_integer()) return "int";
  if (value.is_number_float()) return "float";
  if (value.is_boolean()) return "bool";
  if (value.is_string()) return "str";
  if (value.is_array()) return "list";
  if (value.is_object()) return "dict";
  if (value.is_null()) return "None";
  return value.type_name();
}

// Collects errors with the module path and a line, in compiler style.
class Checker {
 public:
  explicit Checker(std::string path) : path_(std::move(path)) {}

  bool Fail(int line, const std::string& message) {
    if (error_.empty()) error_ = fmt::format("{}:{}: error: {}", path_, std::max(line, 1), message);
    return false;
  }
  const std::string& error() const { return error_; }

 private:
  std::string path_;
  std::string error_;
};

int LineOf(const json& lines, size_t entry, std::optional<size_t> variant = std::nullopt) {
  if (!lines.is_object()) return 1;
  const json& entries = lines.value("entries", json::array());
  if (entry < entries.size()) {
    const json& e = entries[entry];
    if (variant) {
      const json& variants = e.value("variants", json::array());
      if (*variant < variants.size()) return variants[*variant].get<int>();
    }
    return e.value("line", 1);
  }
  return lines.value("line", 1);
}

bool CheckKeys(const json& object, const std::set<std::string>& allowed, const std::string& what, int line,
               Checker& checker) {
  for (const auto& [key, value] : object.items()) {
    if (allowed.count(key) == 0) {
      return checker.Fail(line, fmt::format("{} has an unknown field '{}'; the fields are: {}", what, key,
                                            Join(allowed)));
    }
  }
  return true;
}

bool GetPositiveInt(const json& object, const std::string& key, int* out, const std::string& what, int line,
                    Checker& checker) {
  if (!object.contains(key)) return true;
  const json& value = object[key];
  if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > 1 << 16) {
    return checker.Fail(line, fmt::format("{}: {} must be a positive integer, not {} ({})", what, key,
                                          value.dump(), TypeName(value)));
  }
  *out = value.get<int>();
  return true;
}

// Launch options from `object` over those already in `variant`.
bool ApplyLaunchOptions(const json& object, Variant* variant, const std::string& what, int line, Checker& checker) {
  if (!GetPositiveInt(object, "num_warps", &variant->num_warps, what, line, checker) ||
      !GetPositiveInt(object, "num_stages", &variant->num_stages, what, line, checker) ||
      !GetPositiveInt(object, "num_ctas", &variant->num_ctas, what, line, checker)) {
    return false;
  }
  if (object.contains("maxnreg") && !object["maxnreg"].is_null()) {
    int maxnreg = 0;
    if (!GetPositiveInt(object, "maxnreg", &maxnreg, what, line, checker)) return false;
    variant->maxnreg = maxnreg;
  }
  const int warps = variant->num_warps;
  if ((warps & (warps - 1)) != 0 || warps > 32) {
    return checker.Fail(line, fmt::format("{}: num_warps must be a power of two from 1 to 32, not {}", what, warps));
  }
  return true;
}

bool ApplySignature(const json& signature, const KernelSpec& kernel, const std::vector<ArgType>* base,
                    std::vector<ArgType>* types, const std::string& what, int line, Checker& checker) {
  if (!signature.is_object()) {
    return checker.Fail(line, fmt::format("{}: signature must be a dict of argument name to type, e.g. "
                                          "{{\"x_ptr\": \"*fp32:16\", \"n\": \"i32\"}}; got {}",
                                          what, TypeName(signature)));
  }
  for (const auto& [name, value] : signature.items()) {
    auto it = std::find(kernel.arg_names.begin(), kernel.arg_names.end(), name);
    if (it == kernel.arg_names.end()) {
      bool is_constexpr = std::any_of(kernel.params.begin(), kernel.params.end(),
                                      [&name = name](const Param& p) { return p.name == name && p.is_constexpr; });
      if (is_constexpr) {
        return checker.Fail(line, fmt::format("{}: '{}' is a tl.constexpr parameter: give its value in constexprs, "
                                              "not a type in signature",
                                              what, name));
      }
      return checker.Fail(line, fmt::format("{}: signature names '{}', which is not an argument of {}({})", what,
                                            name, kernel.function, Join(kernel.arg_names)));
    }
    if (!value.is_string()) {
      return checker.Fail(line, fmt::format("{}: the type of '{}' must be a string such as \"*fp16:16\" or \"i32\", "
                                            "not {}",
                                            what, name, TypeName(value)));
    }
    ArgType type;
    std::string type_err;
    if (!ParseArgType(value.get<std::string>(), &type, &type_err)) {
      return checker.Fail(line, fmt::format("{}: argument '{}': {}", what, name, type_err));
    }
    const size_t index = static_cast<size_t>(it - kernel.arg_names.begin());
    if (base && (*base)[index].TritonType() != type.TritonType()) {
      return checker.Fail(line, fmt::format("{}: argument '{}' is {} in the kernel's signature; a variant may change "
                                            "only its hint, not make it {}",
                                            what, name, (*base)[index].TritonType(), type.TritonType()));
    }
    (*types)[index] = type;
  }
  return true;
}

bool IsConstexprValue(const json& value) {
  return value.is_number() || value.is_boolean() || value.is_string();
}

bool ApplyConstexprs(const json& constexprs, const KernelSpec& kernel, std::map<std::string, json>* values,
                     const std::string& what, int line, Checker& checker) {
  if (!constexprs.is_object()) {
    return checker.Fail(line, fmt::format("{}: constexprs must be a dict of parameter name to value, got {}", what,
                                          TypeName(constexprs)));
  }
  for (const auto& [name, value] : constexprs.items()) {
    auto param = std::find_if(kernel.params.begin(), kernel.params.end(),
                              [&name = name](const Param& p) { return p.name == name; });
    if (param == kernel.params.end() || !param->is_constexpr) {
      std::vector<std::string> names;
      for (const Param& p : kernel.params) {
        if (p.is_constexpr) names.push_back(p.name);
      }
      return checker.Fail(line, fmt::format("{}: constexprs names '{}', which is not a tl.constexpr parameter of {} "
                                            "(those are: {})",
                                            what, name, kernel.function, names.empty() ? "none" : Join(names)));
    }
    if (!IsConstexprValue(value)) {
      return checker.Fail(line, fmt::format("{}: constexpr '{}' must be an int, float, bool or str, not {}", what,
                                            name, TypeName(value)));
    }
    (*values)[name] = value;
  }
  return true;
}

bool ParseGrid(const json& grid, const KernelSpec& kernel, const std::vector<ArgType>& types, std::vector<GridExpr>* out,
               const std::string& what, int line, Checker& checker) {
  json items = grid.is_array() ? grid : json::array({grid});
  if (items.empty() || items.size() > 3) {
    return checker.Fail(line, fmt::format("{}: grid must list 1 to 3 dimensions, e.g. [\"cdiv(n, BLOCK)\"]", what));
  }
  std::set<std::string> integer_names;
  for (size_t i = 0; i < kernel.arg_names.size(); ++i) {
    if (types[i].IsInteger()) integer_names.insert(kernel.arg_names[i]);
  }
  for (const Param& p : kernel.params) {
    if (p.is_constexpr) integer_names.insert(p.name);
  }
  out->clear();
  for (const json& item : items) {
    std::string text;
    if (item.is_number_integer()) {
      text = std::to_string(item.get<int64_t>());
    } else if (item.is_string()) {
      text = item.get<std::string>();
    } else {
      return checker.Fail(line, fmt::format("{}: each grid dimension must be a string expression or an int, not {}",
                                            what, TypeName(item)));
    }
    GridExpr expr;
    std::string parse_err;
    if (!GridExpr::Parse(text, &expr, &parse_err)) return checker.Fail(line, fmt::format("{}: {}", what, parse_err));
    for (const std::string& name : expr.Names()) {
      if (integer_names.count(name) == 0) {
        bool is_arg = std::find(kernel.arg_names.begin(), kernel.arg_names.end(), name) != kernel.arg_names.end();
        return checker.Fail(line, fmt::format("{}: grid expression '{}' reads '{}', {}; it may read the integer "
                                              "arguments and constexprs: {}",
                                              what, text, name, is_arg ? "which is not an integer" : "which is unknown",
                                              Join(integer_names)));
      }
    }
    out->push_back(std::move(expr));
  }
  while (out->size() < 3) {
    GridExpr one;
    std::string ignored;
    GridExpr::Parse("1", &one, &ignored);
    out->push_back(std::move(one));
  }
  return true;
}

// Every constexpr the grid reads must be an integer in every variant.
bool CheckGridConstexprs(const KernelSpec& kernel, const Variant& variant, Checker& checker) {
  for (const GridExpr& expr : kernel.grid) {
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
    } else {
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

bool ParseKernel(const json& entry, size_t index, const json& loaded, Checker& checker, KernelSpec* kernel) {
  const json& lines = loaded.value("spec_lines", json());
  const int line = LineOf(lines, index);
  std::string what = fmt::format("kernel entry {}", index);
  if (!entry.is_object()) {
    return checker.Fail(line, fmt::format("{} must be a dict with at least kernel, signature and grid; got {}", what,
                                          TypeName(entry)));
  }
  if (!CheckKeys(entry, kKernelKeys, what, line, checker)) return false;
  for (const char* required : {"kernel", "signature", "grid"}) {
    if (!entry.contains(required)) {
      return checker.Fail(line, fmt::format("{} has no '{}': every entry needs kernel, signature and grid (see "
                                            "docs/kernel-spec.md)",
                                            what, required));
    }
  }
  if (!entry["kernel"].is_string()) {
    return checker.Fail(line, fmt::format("{}: kernel must be the name of a @triton.jit function, as a string", what));
  }
  kernel->function = entry["kernel"].get<std::string>();
  kernel->line = line;
  const json& kernels = loaded["kernels"];
  if (!kernels.contains(kernel->function)) {
    std::vector<std::string> found;
    for (const auto& [name, desc] : kernels.items()) found.push_back(name);
    return checker.Fail(line, fmt::format("kernel '{}' is not a @triton.jit function of this module (found: {})",
                                          kernel->function, found.empty() ? "none" : Join(found)));
  }
  const json& desc = kernels[kernel->function];
  if (desc.contains("unsupported")) {
    return checker.Fail(line, fmt::format("kernel '{}' is wrapped in {}, which ahead-of-time builds do not support: "
                                          "give the values it computes as constexprs or variants",
                                          kernel->function, desc["unsupported"].get<std::string>()));
  }
  kernel->name = kernel->function;
  if (entry.contains("name")) {
    if (!entry["name"].is_string() || !IsIdentifier(entry["name"].get<std::string>())) {
      return checker.Fail(line, fmt::format("{}: name must be a C++ identifier, not {}", what, entry["name"].dump()));
    }
    kernel->name = entry["name"].get<std::string>();
  }
  if (IsCppKeyword(kernel->name)) {
    return checker.Fail(line, fmt::format("the kernel's C++ name '{}' is a C++ keyword: give the entry a \"name\"",
                                          kernel->name));
  }
  what = fmt::format("kernel '{}'", kernel->name);

  std::map<std::string, json> defaults;
  for (const json& p : desc["params"]) {
    Param param{p["name"].get<std::string>(), p["constexpr"].get<bool>()};
    if (!param.is_constexpr) kernel->arg_names.push_back(param.name);
    if (param.is_constexpr && !p["default"].is_null()) defaults[param.name] = p["default"];
    kernel->params.push_back(std::move(param));
  }

  std::vector<ArgType> base(kernel->arg_names.size());
  if (!ApplySignature(entry["signature"], *kernel, nullptr, &base, what, line, checker)) return false;
  for (size_t i = 0; i < base.size(); ++i) {
    if (base[i].dtype.empty()) {
      return checker.Fail(line, fmt::format("{}: argument '{}' has no type in signature: add it (e.g. \"{}\": \"i32\")",
                                           what, kernel->arg_names[i], kernel->arg_names[i]));
    }
  }
  if (!ParseGrid(entry["grid"], *kernel, base, &kernel->grid, what, line, checker)) return false;

  Variant defaults_variant;
  defaults_variant.arg_types = base;
  defaults_variant.line = line;
  std::map<std::string, json> kernel_constexprs;
  if (entry.contains("constexprs") &&
      !ApplyConstexprs(entry["constexprs"], *kernel, &kernel_constexprs, what, line, checker)) {
    return false;
  }

  const json* autotune = desc.contains("autotune") && !desc["autotune"].is_null() ? &desc["autotune"] : nullptr;
  kernel->autotuned = autotune != nullptr;
  if (autotune) {
    for (const json& k : (*autotune)["key"]) kernel->autotune_key.push_back(k.get<std::string>());
    for (const std::string& option : kLaunchOptions) {
      if (entry.contains(option)) {
        return checker.Fail(line, fmt::format("{} is autotuned: {} comes from its @triton.autotune configs, not from "
                                              "the spec",
                                              what, option));
      }
    }
  } else if (!ApplyLaunchOptions(entry, &defaults_variant, what, line, checker)) {
    return false;
  }

  // The variants the spec lists (or one implicit one), each then multiplied
  // by the autotune configs.
  json variants = entry.value("variants", json::array({json::object()}));
  const bool named = entry.contains("variants");
  if (!variants.is_array() || variants.empty()) {
    return checker.Fail(line, fmt::format("{}: variants must be a non-empty list of dicts", what));
  }
  for (size_t v = 0; v < variants.size(); ++v) {
    const json& spec_variant = variants[v];
    const int vline = named ? LineOf(lines, index, v) : line;
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
    } else if (variants.size() > 1) {
      return checker.Fail(vline, fmt::format("{} has no name; with several variants each needs one", vwhat));
    }
    vwhat = fmt::format("{}, variant '{}'", what, base_name);

    Variant variant = defaults_variant;
    variant.line = vline;
    if (spec_variant.contains("signature") &&
        !ApplySignature(spec_variant["signature"], *kernel, &base, &variant.arg_types, vwhat, vline, checker)) {
      return false;
    }
    std::map<std::string, json> values = kernel_constexprs;
    if (spec_variant.contains("constexprs") &&
        !ApplyConstexprs(spec_variant["constexprs"], *kernel, &values, vwhat, vline, checker)) {
      return false;
    }
    if (autotune) {
      for (const std::string& option : kLaunchOptions) {
        if (spec_variant.contains(option)) {
          return checker.Fail(vline, fmt::format("{}: the kernel is autotuned, so {} comes from its configs", vwhat,
                                                 option));
        }
      }
      const json& configs = (*autotune)["configs"];
      for (size_t c = 0; c < configs.size(); ++c) {
        const json& config = configs[c];
        Variant tuned = variant;
        tuned.name = named ? fmt::format("{}_config{}", base_name, c) : fmt::format("config{}", c);
        tuned.autotune_config = static_cast<int>(c);
        std::map<std::string, json> tuned_values = values;
        const std::string cwhat = fmt::format("{}, @triton.autotune config {}", vwhat, c);
        for (const auto& [name, value] : config["kwargs"].items()) {
          if (values.count(name) != 0) {
            return checker.Fail(vline, fmt::format("{}: constexpr '{}' is set both by the spec and by the config", cwhat,
                                                   name));
          }
        }
        if (!ApplyConstexprs(config["kwargs"], *kernel, &tuned_values, cwhat, vline, checker) ||
            !ApplyLaunchOptions(config, &tuned, cwhat, vline, checker) ||
            !ResolveConstexprs(*kernel, tuned_values, defaults, &tuned, cwhat, checker)) {
          return false;
        }
        kernel->variants.push_back(std::move(tuned));
      }
    } else {
      variant.name = base_name;
      if (!ApplyLaunchOptions(spec_variant, &variant, vwhat, vline, checker) ||
          !ResolveConstexprs(*kernel, values, defaults, &variant, vwhat, checker)) {
        return false;
      }
      kernel->variants.push_back(std::move(variant));
    }
  }

  for (size_t a = 0; a < kernel->variants.size(); ++a) {
    const Variant& va = kernel->variants[a];
    if (!CheckGridConstexprs(*kernel, va, checker)) return false;
    for (size_t b = 0; b < a; ++b) {
      const Variant& vb = kernel->variants[b];
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

bool IsNamespace(const std::string& text) {
  size_t start = 0;
  for (;;) {
    size_t sep = text.find("::", start);
    if (!IsIdentifier(text.substr(start, sep == std::string::npos ? std::string::npos : sep - start))) return false;
    if (sep == std::string::npos) return true;
    start = sep + 2;
  }
}

bool ParseModuleSpec(const json& loaded, const std::string& module_path, ModuleSpec* spec, std::string* err) {
  Checker checker(module_path);
  const json& lines = loaded.value("spec_lines", json());
  const int line = lines.is_object() ? lines.value("line", 1) : 1;
  if (!loaded.value("has_spec", false)) {
    *err = fmt::format("{}:1: error: the module declares nothing to build: add a list TRITON_AOT_KERNELS = [...] "
                       "naming its kernels, argument types and grid (see docs/kernel-spec.md)",
                       module_path);
    return false;
  }
  const json& entries = loaded["spec"];
  if (!entries.is_array() || entries.empty()) {
    checker.Fail(line, "TRITON_AOT_KERNELS must be a non-empty list of dicts, one per kernel to build");
    *err = checker.error();
    return false;
  }
  spec->kernels.clear();
  for (size_t i = 0; i < entries.size(); ++i) {
    KernelSpec kernel;
    if (!ParseKernel(entries[i], i, loaded, checker, &kernel)) {
      *err = checker.error();
      return false;
    }
    for (const KernelSpec& other : spec->kernels) {
      if (other.name == kernel.name) {
        checker.Fail(kernel.line, fmt::format("two kernel entries are named '{}': give one a different \"name\"",
                                              kernel.name));
        *err = checker.error();
        return false;
      }
    }
    spec->kernels.push_back(std::move(kernel));
  }
  return true;
}

}  // namespace triton_aot

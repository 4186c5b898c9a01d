#include "spec_fields.h"

#include <algorithm>

#include <fmt/format.h>

#include "per_arch.h"

namespace triton_aot {

using nlohmann::json;

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

bool Checker::Fail(int line, const std::string& message) {
  if (!failed_) error_ = Diagnostic::At(path_, std::max(line, 1), 0, message);
  failed_ = true;
  return false;
}

int LineOf(const json& lines, size_t entry, std::optional<size_t> variant) {
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

namespace {

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

}  // namespace

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

namespace {

// A Triton dtype (tl.float16 in the module's spec) arrives as {"triton_dtype": "fp16"}.
bool IsConstexprValue(const json& value) {
  if (value.is_object()) {
    return value.size() == 1 && value.contains("triton_dtype") && value["triton_dtype"].is_string() &&
           IsIdentifier(value["triton_dtype"].get<std::string>());
  }
  return value.is_number() || value.is_boolean() || value.is_string();
}

}  // namespace

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
    if (IsPerArch(value)) {
      if (const std::string problem = PerArchProblem(value, IsConstexprValue); !problem.empty()) {
        return checker.Fail(line, fmt::format("{}: constexpr '{}': {}", what, name, problem));
      }
    } else if (!IsConstexprValue(value)) {
      return checker.Fail(line, fmt::format("{}: constexpr '{}' must be an int, float, bool, str or Triton dtype "
                                            "(tl.float16), or {{\"per_arch\": {{<arch>: <value>, ...}}}}, not {}",
                                            what, name, TypeName(value)));
    }
    (*values)[name] = value;
  }
  return true;
}

bool ParseIntegerExpression(const json& item, const KernelSpec& kernel, const std::vector<ArgType>& types,
                            const ExpressionKind& kind, GridExpr* out, const std::string& what, int line,
                            Checker& checker) {
  std::set<std::string> integer_names;
  for (size_t i = 0; i < kernel.arg_names.size(); ++i) {
    if (types[i].IsInteger()) integer_names.insert(kernel.arg_names[i]);
  }
  for (const Param& p : kernel.params) {
    if (p.is_constexpr) integer_names.insert(p.name);
  }
  for (const LaunchParam& p : kernel.launch_params) {
    if (kind.reads_launch_params) integer_names.insert(p.name);
  }
  const bool with_launch_params = kind.reads_launch_params && !kernel.launch_params.empty();
  std::string text;
  if (kind.condition && !item.is_string()) {
    return checker.Fail(line, fmt::format("{}: {} must be a string condition such as \"n_cols <= 1024\", not {}",
                                          what, kind.value, TypeName(item)));
  }
  if (item.is_number_integer()) {
    text = std::to_string(item.get<int64_t>());
  } else if (item.is_string()) {
    text = item.get<std::string>();
  } else {
    return checker.Fail(line, fmt::format("{}: {} must be a string expression or an int, not {}", what, kind.value,
                                          TypeName(item)));
  }
  std::string parse_err;
  const bool parsed = kind.condition ? GridExpr::ParseCondition(text, out, &parse_err)
                                     : GridExpr::Parse(text, out, &parse_err);
  if (!parsed) return checker.Fail(line, fmt::format("{}: {}", what, parse_err));
  for (const std::string& name : out->Names()) {
    if (integer_names.count(name) == 0) {
      bool is_arg = std::find(kernel.arg_names.begin(), kernel.arg_names.end(), name) != kernel.arg_names.end();
      return checker.Fail(line, fmt::format("{}: {} '{}' reads '{}', {}; it may read the integer arguments{}: {}",
                                            what, kind.expression, text, name,
                                            is_arg ? "which is not an integer" : "which is unknown",
                                            with_launch_params ? ", constexprs and launch parameters" : " and constexprs",
                                            Join(integer_names)));
    }
  }
  return true;
}

namespace {

std::string Trimmed(const std::string& text) {
  const size_t first = text.find_first_not_of(' ');
  return first == std::string::npos ? "" : text.substr(first, text.find_last_not_of(' ') - first + 1);
}

}  // namespace

bool ParseLaunchParams(const json& params, KernelSpec* kernel, const std::string& what, int line, Checker& checker) {
  const auto fail = [&](const std::string& problem) {
    return checker.Fail(line, fmt::format("{}: launch_params {}; write them as a list like [\"n_rows: i32\"]", what,
                                          problem));
  };
  if (!params.is_array()) return fail("must be a list of \"name: type\" strings, not " + TypeName(params));
  for (const json& item : params) {
    if (!item.is_string()) return fail("holds " + item.dump() + ", which is not a \"name: type\" string");
    const std::string text = item.get<std::string>();
    const size_t colon = text.find(':');
    LaunchParam param;
    param.name = Trimmed(text.substr(0, colon));
    std::string err;
    if (colon == std::string::npos || !IsIdentifier(param.name) || IsCppKeyword(param.name)) {
      return fail("holds '" + text + "': a name (a C++ identifier), ':' and an integer type are needed");
    }
    if (!ParseArgType(Trimmed(text.substr(colon + 1)), &param.type, &err) || !param.type.IsInteger() ||
        param.type.is_pointer || param.type.hint != Hint::kNone) {
      return fail("'" + param.name + "' must be of an integer type without hints (i32, i64, u32, u64), not '" +
                  Trimmed(text.substr(colon + 1)) + "'");
    }
    const auto same_name = [&](const auto& other) { return other.name == param.name; };
    if (std::any_of(kernel->params.begin(), kernel->params.end(), same_name)) {
      return fail("'" + param.name + "' is a parameter of " + kernel->function + " already: the grid reads it as is");
    }
    if (std::any_of(kernel->launch_params.begin(), kernel->launch_params.end(), same_name)) {
      return fail("name '" + param.name + "' twice");
    }
    kernel->launch_params.push_back(std::move(param));
  }
  return true;
}

bool ParseGrid(const json& grid, const KernelSpec& kernel, const std::vector<ArgType>& types, std::vector<GridExpr>* out,
               const std::string& what, int line, Checker& checker) {
  json items = grid.is_array() ? grid : json::array({grid});
  if (items.empty() || items.size() > 3) {
    return checker.Fail(line, fmt::format("{}: grid must list 1 to 3 dimensions, e.g. [\"cdiv(n, BLOCK)\"]", what));
  }
  out->clear();
  for (const json& item : items) {
    GridExpr expr;
    if (!ParseIntegerExpression(item, kernel, types, {"each grid dimension", "grid expression"}, &expr, what, line,
                                checker)) {
      return false;
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

}  // namespace triton_aot

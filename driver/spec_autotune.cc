#include "spec_autotune.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

namespace triton_aot {
namespace {

using nlohmann::json;

constexpr const char* kNoPython = "and a compiled program has no Python";

// Which of reset_to_zero and restore_value name each argument.
struct Named {
  bool reset_to_zero = false;
  bool restore_value = false;
  bool any() const { return reset_to_zero || restore_value; }
  const char* role() const {
    if (reset_to_zero && restore_value) return "reset_to_zero and restore_value";
    return reset_to_zero ? "reset_to_zero" : "restore_value";
  }
};

// The arguments reset_to_zero and restore_value name, each a pointer.
bool NameBuffers(const Autotune& autotune, const KernelSpec& kernel, const std::vector<ArgType>& types,
                 std::vector<Named>* named, Checker& checker) {
  const std::string what = fmt::format("kernel '{}'", kernel.name);
  named->assign(kernel.arg_names.size(), Named());
  const auto lists = {std::tuple{&autotune.reset_to_zero, "reset_to_zero", &Named::reset_to_zero},
                      std::tuple{&autotune.restore_value, "restore_value", &Named::restore_value}};
  for (const auto& [list, field, flag] : lists) {
    for (const std::string& name : *list) {
      const auto it = std::find(kernel.arg_names.begin(), kernel.arg_names.end(), name);
      const std::string where = fmt::format("{}: @triton.autotune({}=[...]) names '{}'", what, field, name);
      std::string problem;
      if (it == kernel.arg_names.end()) {
        const bool is_constexpr = std::any_of(kernel.params.begin(), kernel.params.end(),
                                              [&](const Param& p) { return p.name == name && p.is_constexpr; });
        problem = is_constexpr ? "a tl.constexpr parameter"
                               : fmt::format("which is not an argument of {}({})", kernel.function,
                                             Join(kernel.arg_names));
      } else if (!types[static_cast<size_t>(it - kernel.arg_names.begin())].is_pointer) {
        problem = fmt::format("which is {}, not a pointer",
                              types[static_cast<size_t>(it - kernel.arg_names.begin())].TritonType());
      }
      if (!problem.empty()) {
        return checker.Fail(kernel.line, fmt::format("{}, {}: name only pointer arguments, the buffers tuning must "
                                                     "zero or restore",
                                                     where, problem));
      }
      (*named)[static_cast<size_t>(it - kernel.arg_names.begin())].*flag = true;
    }
  }
  return true;
}

// A buffer's size may read constexprs, but only those that are the same int
// in every variant: one launch passes one size to every config's trial.
bool CheckSizeConstexprs(const KernelSpec& kernel, const GridExpr& size, const std::string& what, Checker& checker) {
  const Variant& first = kernel.variants.front();
  for (const std::string& name : size.Names()) {
    for (const Variant& variant : kernel.variants) {
      if (!variant.constexprs.contains(name)) break;  // an argument
      const auto& value = variant.constexprs[name];
      if (!value.is_number_integer()) {
        return checker.Fail(kernel.line, fmt::format("{} reads constexpr '{}', which is {} in variant '{}'; it must "
                                                     "be an int",
                                                     what, name, value.dump(), variant.name));
      }
      if (value != first.constexprs[name]) {
        return checker.Fail(kernel.line, fmt::format("{} reads constexpr '{}', which is {} in variant '{}' and {} in "
                                                     "variant '{}': a buffer's size must be the same for every "
                                                     "config; write it over the arguments",
                                                     what, name, first.constexprs[name].dump(), first.name,
                                                     value.dump(), variant.name));
      }
    }
  }
  return true;
}

}  // namespace

bool CheckAutotuneHooks(const Autotune& autotune, const KernelSpec& kernel, bool selects, int line,
                        Checker& checker) {
  const std::string what = fmt::format("kernel '{}'", kernel.name);
  if (autotune.pre_hook) {
    return checker.Fail(line, fmt::format("{}: @triton.autotune(pre_hook=...) runs Python before each trial while "
                                          "tuning, {}: do that work in the kernel or in the caller, and remove "
                                          "pre_hook (to zero or restore buffers around the trials, name them in "
                                          "reset_to_zero or restore_value)",
                                          what, kNoPython));
  }
  if (autotune.post_hook) {
    return checker.Fail(line, fmt::format("{}: @triton.autotune(post_hook=...) runs Python after each trial while "
                                          "tuning, {}: do that work in the kernel or in the caller, and remove "
                                          "post_hook (to restore buffers after the trials, name them in "
                                          "restore_value)",
                                          what, kNoPython));
  }
  for (size_t c = 0; c < autotune.configs.size(); ++c) {
    if (!autotune.configs[c].pre_hook) continue;
    return checker.Fail(line, fmt::format("{}: @triton.autotune config {} has a pre_hook, which runs Python before "
                                          "each launch of that config, {}: do that work in the kernel or in the "
                                          "caller before the launch, and remove the config's pre_hook",
                                          what, c, kNoPython));
  }
  // early_config_prune runs at build time (per arch, on what a build knows);
  // a perf_model estimates run times from the launch's sizes.
  if (autotune.perf_model && !selects) {
    return checker.Fail(line, fmt::format("{}: @triton.autotune(prune_configs_by={{\"perf_model\": ...}}) estimates "
                                          "run times from the sizes of each launch to choose the configs to time, "
                                          "{}: choose them in the entry with \"configs\": [<indices>] (the "
                                          "pruners are then not run), or remove perf_model and top_k (the "
                                          "autotuner then times every config the build keeps)",
                                          what, kNoPython));
  }
  return true;
}

bool ParseConfigSelection(const json& entry, const Autotune* autotune, const KernelSpec& kernel, int line,
                          Checker& checker, std::vector<bool>* selected) {
  if (!entry.contains("configs")) return true;
  const std::string what = fmt::format("kernel '{}'", kernel.name);
  if (!autotune) {
    return checker.Fail(line, fmt::format("{} is not autotuned, and configs selects @triton.autotune configs: "
                                          "remove it",
                                          what));
  }
  const json& configs = entry["configs"];
  const size_t count = autotune->configs.size();
  const std::string expected = fmt::format(
      "configs must be a non-empty list of the indices (0 to {}) of the @triton.autotune configs to build, "
      "each once, e.g. [0, 2]",
      count - 1);
  if (!configs.is_array() || configs.empty()) return checker.Fail(line, fmt::format("{}: {}", what, expected));
  selected->assign(count, false);
  for (const json& index : configs) {
    if (!index.is_number_integer() || index.get<int64_t>() < 0 || index.get<int64_t>() >= static_cast<int64_t>(count) ||
        (*selected)[index.get<size_t>()]) {
      return checker.Fail(line, fmt::format("{}: {}; got {}", what, expected, index.dump()));
    }
    (*selected)[index.get<size_t>()] = true;
  }
  return true;
}

bool ParseTuningBuffers(const json& entry, const Autotune* autotune, KernelSpec* kernel, Checker& checker) {
  const std::string what = fmt::format("kernel '{}'", kernel->name);
  const int line = kernel->line;
  const json sizes = entry.value("buffer_sizes", json::object());
  if (!sizes.is_object()) {
    return checker.Fail(line, fmt::format("{}: buffer_sizes must be a dict from pointer argument to its number of "
                                          "elements, e.g. {{\"c_ptr\": \"M * N\"}}; got {}",
                                          what, TypeName(sizes)));
  }
  if (!autotune) {
    if (!entry.contains("buffer_sizes")) return true;
    return checker.Fail(line, fmt::format("{} is not autotuned, and buffer_sizes gives the sizes of the buffers of "
                                          "@triton.autotune(reset_to_zero=[...], restore_value=[...]): remove it",
                                          what));
  }
  const std::vector<ArgType>& types = kernel->variants.front().arg_types;
  std::vector<Named> named;
  if (!NameBuffers(*autotune, *kernel, types, &named, checker)) return false;
  for (const auto& [name, value] : sizes.items()) {
    const auto it = std::find(kernel->arg_names.begin(), kernel->arg_names.end(), name);
    if (it == kernel->arg_names.end() || !named[static_cast<size_t>(it - kernel->arg_names.begin())].any()) {
      return checker.Fail(line, fmt::format("{}: buffer_sizes names '{}', which neither reset_to_zero nor "
                                            "restore_value of its @triton.autotune names: remove it (only those "
                                            "buffers need a size)",
                                            what, name));
    }
  }
  for (size_t a = 0; a < named.size(); ++a) {
    if (!named[a].any()) continue;
    const std::string& name = kernel->arg_names[a];
    if (!sizes.contains(name)) {
      return checker.Fail(line, fmt::format("{}: {} buffer '{}' has no size: add \"buffer_sizes\": {{\"{}\": "
                                            "\"<elements>\"}} to the entry, its number of {} elements as an integer "
                                            "expression over the arguments and constexprs (e.g. \"M * N\")",
                                            what, named[a].role(), name, name, types[a].dtype));
    }
    TuningBufferSpec buffer{a, named[a].reset_to_zero, named[a].restore_value, {}};
    const std::string size_what = fmt::format("{}: the size of '{}' in buffer_sizes", what, name);
    if (!ParseIntegerExpression(sizes[name], *kernel, types, {"it", "its expression", false, false}, &buffer.elements, size_what,
                                line, checker) ||
        !CheckSizeConstexprs(*kernel, buffer.elements, size_what, checker)) {
      return false;
    }
    kernel->tuning_buffers.push_back(std::move(buffer));
  }
  return true;
}

}  // namespace triton_aot

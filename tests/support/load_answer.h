// The frontend's answer to a load request, for tests of the spec parser that
// run without Python: a fixed description of the module's kernels, the spec
// under test, and the lines the frontend's AST walk would report for it.
//
// The module it describes:
//   @triton.jit
//   def add_kernel(x_ptr, y_ptr, out_ptr, n, BLOCK: tl.constexpr): ...
//   @triton.jit
//   def scale_kernel(x_ptr, n, alpha, BLOCK: tl.constexpr = 128, EVEN: tl.constexpr = False): ...
//   @triton.autotune(configs=[triton.Config({"BLOCK": 64}, num_warps=2),
//                             triton.Config({"BLOCK": 128}, num_warps=8, num_stages=4, maxnreg=128)],
//                    key=["n"])
//   @triton.jit
//   def tuned_kernel(x_ptr, n, BLOCK: tl.constexpr, EVEN: tl.constexpr): ...
//   @triton.heuristics({"EVEN": lambda args: args["BLOCK"] % 64 == 0})
//   @triton.jit
//   def heur_kernel(x_ptr, n, BLOCK: tl.constexpr, EVEN: tl.constexpr): ...
//
// Header-only: the fuzzers use it too, and they link nothing of the tests
// (only the driver's library).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "protocol.h"

namespace triton_aot::testing {

// The spec assignment's line, and where each literal entry and variant is:
// entry i on line 30 + 10 i, its variant v two lines further down plus v.
inline constexpr int kSpecLine = 20;
inline int EntryLine(size_t entry) { return 30 + 10 * static_cast<int>(entry); }
inline int VariantLine(size_t entry, size_t variant) { return EntryLine(entry) + 2 + static_cast<int>(variant); }

// One parameter as the frontend describes it.
inline nlohmann::json Param(const std::string& name, bool is_constexpr, nlohmann::json default_value = nullptr) {
  return {{"name", name}, {"constexpr", is_constexpr}, {"default", default_value}};
}

// An @triton.autotune as the frontend describes it, with no reset_to_zero,
// restore_value, hooks or pruning (a test sets those it needs).
inline nlohmann::json Autotune(const nlohmann::json& key, const nlohmann::json& configs) {
  using nlohmann::json;
  return {{"key", key},
          {"configs", configs},
          {"reset_to_zero", json::array()},
          {"restore_value", json::array()},
          {"pre_hook", false},
          {"post_hook", false},
          {"early_config_prune", false},
          {"perf_model", false}};
}

// The kernels of the module above, as the frontend describes them.
inline nlohmann::json ModuleKernels() {
  using nlohmann::json;
  json kernels;
  kernels["add_kernel"] = {{"params", json::array({Param("x_ptr", false), Param("y_ptr", false),
                                                   Param("out_ptr", false), Param("n", false), Param("BLOCK", true)})},
                           {"line", 3}};
  kernels["scale_kernel"] = {{"params", json::array({Param("x_ptr", false), Param("n", false), Param("alpha", false),
                                                     Param("BLOCK", true, 128), Param("EVEN", true, false)})},
                             {"line", 6}};
  json configs = json::array();
  configs.push_back({{"kwargs", {{"BLOCK", 64}}},
                     {"num_warps", 2},
                     {"num_stages", 3},
                     {"num_ctas", 1},
                     {"maxnreg", nullptr},
                     {"pre_hook", false}});
  configs.push_back({{"kwargs", {{"BLOCK", 128}}},
                     {"num_warps", 8},
                     {"num_stages", 4},
                     {"num_ctas", 1},
                     {"maxnreg", 128},
                     {"pre_hook", false}});
  kernels["tuned_kernel"] = {
      {"params", json::array({Param("x_ptr", false), Param("n", false), Param("BLOCK", true), Param("EVEN", true)})},
      {"line", 12},
      {"autotune", Autotune(json::array({"n"}), configs)}};
  kernels["heur_kernel"] = {
      {"params", json::array({Param("x_ptr", false), Param("n", false), Param("BLOCK", true), Param("EVEN", true)})},
      {"line", 16},
      {"heuristics", json::array({"EVEN"})}};
  return kernels;
}

// What the frontend's AST walk reports for `spec` written as a literal list.
inline nlohmann::json SpecLines(const nlohmann::json& spec) {
  using nlohmann::json;
  json entries = json::array();
  if (spec.is_array()) {
    for (size_t i = 0; i < spec.size(); ++i) {
      json variants = json::array();
      if (spec[i].is_object() && spec[i].contains("variants") && spec[i]["variants"].is_array()) {
        for (size_t v = 0; v < spec[i]["variants"].size(); ++v) variants.push_back(VariantLine(i, v));
      }
      entries.push_back({{"line", EntryLine(i)}, {"variants", variants}});
    }
  }
  return {{"line", kSpecLine}, {"entries", entries}};
}

// The whole answer for a module whose TRITON_AOT_KERNELS is `spec`.
inline nlohmann::json LoadAnswer(const nlohmann::json& spec, nlohmann::json kernels = ModuleKernels()) {
  return {{"ok", true},
          {"has_spec", true},
          {"spec", spec},
          {"spec_lines", SpecLines(spec)},
          {"kernels", std::move(kernels)},
          {"module_sha256", ""},
          {"imports", nlohmann::json::array()},
          {"distributions", nlohmann::json::array()},
          {"triton_version", "3.6.0"},
          {"triton_file", "/site/triton/__init__.py"},
          {"triton_key", "3.6.0-key"},
          {"triton_files", nlohmann::json::array()},
          {"blackwell_ptxas_from", 100},
          {"target_asked", false}};
}

// `answer` (as LoadAnswer above makes it, perhaps edited) parsed as the
// driver parses the frontend's; a malformed one is a bug of the test.
inline triton_aot::LoadAnswer ParsedLoadAnswer(const nlohmann::json& answer) {
  triton_aot::LoadAnswer parsed;
  std::string err;
  if (!triton_aot::ParseLoadAnswer(answer, &parsed, &err)) throw std::invalid_argument(err);
  return parsed;
}

}  // namespace triton_aot::testing

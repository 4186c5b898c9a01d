// Kernel specs (driver/spec.h) from arbitrary JSON: the input is the value of
// a module's TRITON_AOT_KERNELS list, the one part of a load answer that users
// write. The rest of the answer is fixed, as the frontend would describe this
// module:
//
//   @triton.jit
//   def add_kernel(x_ptr, y_ptr, out_ptr, n, BLOCK: tl.constexpr): ...
//   @triton.jit
//   def scale_kernel(x_ptr, n, alpha, BLOCK: tl.constexpr = 128, EVEN: tl.constexpr = False): ...
//   @triton.jit
//   def act_kernel(x_ptr, out_ptr, n, ACT: tl.constexpr = "relu", SLOPE: tl.constexpr = 0.5): ...
//   @triton.autotune(configs=[triton.Config({"BLOCK": 64}, num_warps=2),
//                             triton.Config({"BLOCK": 128}, num_warps=8, num_stages=4, maxnreg=128)],
//                    key=["n"])
//   @triton.jit
//   def tuned_kernel(x_ptr, n, BLOCK: tl.constexpr, EVEN: tl.constexpr): ...
//   @triton.autotune(configs=<tuned_kernel's>, key=["n"], reset_to_zero=["out_ptr"],
//                    restore_value=["x_ptr", "out_ptr"])
//   @triton.jit
//   def zeroed_kernel(x_ptr, out_ptr, n, BLOCK: tl.constexpr): ...
//   @triton.heuristics(...)
//   @triton.jit
//   def heur_kernel(...): ...
//
// A spec is either rejected with one compiler-style message, or accepted with
// kernels and variants that satisfy everything code generation relies on.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "load_answer.h"
#include "spec.h"

namespace {

using nlohmann::json;
using triton_aot::ArgType;
using triton_aot::Hint;
using triton_aot::KernelSpec;
using triton_aot::ModuleSpec;
using triton_aot::Variant;

constexpr char kPath[] = "kernels/fuzz.py";

void Require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "spec_fuzzer: invariant violated: %s\n", what);
    std::abort();
  }
}

// The shared description of the module, plus a kernel whose constexprs have
// string and float defaults.
json FuzzedModuleKernels() {
  json kernels = triton_aot::testing::ModuleKernels();
  using triton_aot::testing::Param;
  kernels["act_kernel"] = {{"params", json::array({Param("x_ptr", false), Param("out_ptr", false), Param("n", false),
                                                   Param("ACT", true, "relu"), Param("SLOPE", true, 0.5)})},
                           {"line", 9}};
  // An autotuned kernel whose trials must zero one buffer and restore another.
  json configs = kernels["tuned_kernel"]["autotune"]["configs"];
  kernels["zeroed_kernel"] = {{"params", json::array({Param("x_ptr", false), Param("out_ptr", false), Param("n", false),
                                                      Param("BLOCK", true)})},
                              {"line", 15},
                              {"autotune", triton_aot::testing::Autotune(json::array({"n"}), configs)}};
  kernels["zeroed_kernel"]["autotune"]["reset_to_zero"] = {"out_ptr"};
  kernels["zeroed_kernel"]["autotune"]["restore_value"] = {"x_ptr", "out_ptr"};
  return kernels;
}

// "kernels/fuzz.py:<line>: error: <message>", line >= 1, message not empty.
void CheckError(const std::string& err) {
  const std::string path = std::string(kPath) + ":";
  Require(err.compare(0, path.size(), path) == 0, "a rejected spec's message starts with the module path");
  size_t pos = path.size();
  int64_t line = 0;
  while (pos < err.size() && err[pos] >= '0' && err[pos] <= '9' && line < 1'000'000) {
    line = line * 10 + (err[pos++] - '0');
  }
  Require(line >= 1, "a rejected spec's message names a line >= 1");
  const std::string error = ": error: ";
  Require(err.compare(pos, error.size(), error) == 0, "a rejected spec's message says 'error:' after the line");
  Require(err.size() > pos + error.size(), "a rejected spec's message says what is wrong");
}

bool IsPowerOfTwo(int value) { return value > 0 && (value & (value - 1)) == 0; }

void CheckArgType(const ArgType& type) {
  Require(!type.dtype.empty(), "every argument has a type");
  ArgType again;
  std::string err;
  Require(triton_aot::ParseArgType(type.ToString(), &again, &err) && again == type,
          "an argument type reads back from its spec text");
  if (type.hint == Hint::kEqualToOne) Require(type.IsInteger(), "':1' is only on integers");
  if (type.hint == Hint::kDivisibleBy16) Require(type.is_pointer || type.IsInteger(), "':16' is on pointers, integers");
}

void CheckVariant(const KernelSpec& kernel, const json& desc, const Variant& variant) {
  Require(triton_aot::IsIdentifier(variant.name), "a variant's name is an identifier");
  Require(variant.arg_types.size() == kernel.arg_names.size(), "a variant has one type per launch argument");
  for (const ArgType& type : variant.arg_types) CheckArgType(type);
  Require(IsPowerOfTwo(variant.num_warps) && variant.num_warps <= 32, "num_warps is a power of two up to 32");
  Require(variant.num_stages >= 1 && variant.num_ctas >= 1, "num_stages and num_ctas are positive");
  Require(!variant.maxnreg || *variant.maxnreg >= 1, "maxnreg is positive");

  // Every constexpr parameter has a plain value, in parameter order.
  auto value = variant.constexprs.begin();
  for (const triton_aot::Param& param : kernel.params) {
    if (!param.is_constexpr) continue;
    Require(value != variant.constexprs.end() && value.key() == param.name, "constexprs follow parameter order");
    Require(value->is_number() || value->is_boolean() || value->is_string(), "a constexpr is an int, float, bool, str");
    ++value;
  }
  Require(value == variant.constexprs.end(), "a variant sets only the function's constexprs");

  // What the grid reads is an integer in this variant.
  for (const triton_aot::GridExpr& expr : kernel.grid) {
    for (const std::string& name : expr.Names()) {
      if (variant.constexprs.contains(name)) {
        Require(variant.constexprs[name].is_number_integer(), "a constexpr the grid reads is an int");
      }
    }
  }

  if (kernel.autotuned) {
    const size_t configs = desc["autotune"]["configs"].size();
    Require(variant.autotune_config >= 0 && static_cast<size_t>(variant.autotune_config) < configs,
            "an autotuned variant comes from one of the configs");
  } else {
    Require(variant.autotune_config == -1, "a variant of a kernel that is not autotuned has no config");
  }
}

void CheckKernel(const KernelSpec& kernel, const json& kernels) {
  Require(triton_aot::IsIdentifier(kernel.name) && !triton_aot::IsCppKeyword(kernel.name),
          "a kernel's C++ name is an identifier and not a keyword");
  Require(kernels.contains(kernel.function), "a kernel is a function of the module");
  const json& desc = kernels[kernel.function];
  Require(!desc.contains("unsupported"), "an unsupported kernel is rejected");
  Require(kernel.autotuned == desc.contains("autotune"), "a kernel is autotuned exactly when its function is");
  Require(kernel.params.size() == desc["params"].size(), "a kernel has the function's parameters");

  std::set<std::string> integer_names;
  for (const triton_aot::Param& param : kernel.params) {
    if (param.is_constexpr) integer_names.insert(param.name);
  }
  Require(!kernel.variants.empty(), "a kernel has a variant");
  for (size_t i = 0; i < kernel.arg_names.size(); ++i) {
    if (kernel.variants.front().arg_types[i].IsInteger()) integer_names.insert(kernel.arg_names[i]);
  }
  Require(kernel.grid.size() == 3, "a grid has three dimensions");
  for (const triton_aot::GridExpr& expr : kernel.grid) {
    for (const std::string& name : expr.Names()) {
      Require(integer_names.count(name) == 1, "a grid reads only integer arguments and constexprs");
    }
  }

  // Tuning buffers: pointer arguments, each once, in argument order, sized
  // by what a grid may read, and only for kernels that ask for them.
  const json autotune = desc.value("autotune", json::object());
  const size_t listed = autotune.value("reset_to_zero", json::array()).size() +
                        autotune.value("restore_value", json::array()).size();
  Require(listed > 0 || kernel.tuning_buffers.empty(), "a kernel has tuning buffers only when its autotune names some");
  for (size_t b = 0; b < kernel.tuning_buffers.size(); ++b) {
    const triton_aot::TuningBufferSpec& buffer = kernel.tuning_buffers[b];
    Require(buffer.arg < kernel.arg_names.size() && kernel.variants.front().arg_types[buffer.arg].is_pointer,
            "a tuning buffer is a pointer argument");
    Require(b == 0 || kernel.tuning_buffers[b - 1].arg < buffer.arg, "tuning buffers are unique, in argument order");
    Require(buffer.reset_to_zero || buffer.restore_value, "a tuning buffer is zeroed or restored");
    for (const std::string& name : buffer.elements.Names()) {
      Require(integer_names.count(name) == 1, "a buffer's size reads only integer arguments and constexprs");
    }
  }

  std::set<std::string> names;
  for (const Variant& variant : kernel.variants) {
    CheckVariant(kernel, desc, variant);
    Require(names.insert(variant.name).second, "variant names are unique within a kernel");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The frontend serialises the spec with Python's json.dumps, which gives
  // up on nesting deeper than Python's recursion limit (1000 by default).
  bool too_deep = false;
  const auto check_depth = [&](int depth, json::parse_event_t, json&) {
    too_deep |= depth > 1000;
    return true;
  };
  json spec = json::parse(data, data + size, check_depth, /*allow_exceptions=*/false);
  if (spec.is_discarded() || too_deep) return -1;  // not what the frontend sends: keep it out of the corpus

  // Built once: only the spec and its lines change between inputs.
  static json loaded = triton_aot::testing::LoadAnswer(json(), FuzzedModuleKernels());
  loaded["spec_lines"] = triton_aot::testing::SpecLines(spec);
  loaded["spec"] = std::move(spec);
  const json& entries = loaded["spec"];
  const json& kernels = loaded["kernels"];

  ModuleSpec module;
  triton_aot::Diagnostic error;
  if (!triton_aot::ParseModuleSpec(triton_aot::testing::ParsedLoadAnswer(loaded), kPath, &module, &error)) {
    CheckError(triton_aot::FormatDiagnostic(error));
    return 0;
  }
  Require(error.message.empty(), "an accepted spec leaves the message alone");
  Require(entries.is_array() && module.kernels.size() == entries.size(), "an accepted spec has one kernel per entry");
  std::set<std::string> names;
  for (const KernelSpec& kernel : module.kernels) {
    CheckKernel(kernel, kernels);
    Require(names.insert(kernel.name).second, "kernel names are unique");
  }
  return 0;
}

// The kernel spec: what a kernel module asks to have built, read from the
// TRITON_AOT_KERNELS list beside its @triton.jit functions, checked and
// expanded into concrete variants. See docs/kernel-spec.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "diagnostic.h"
#include "grid.h"
#include "protocol.h"
#include "signature.h"

namespace triton_aot {

// One parameter of the @triton.jit function, in declaration order.
struct Param {
  std::string name;
  bool is_constexpr = false;
};

struct Variant {
  std::string name;
  std::vector<ArgType> arg_types;     // one per KernelSpec::arg_names, with this variant's hints
  nlohmann::ordered_json constexprs;  // name -> value, in parameter order
  int num_warps = 4;
  int num_stages = 3;
  int num_ctas = 1;
  std::optional<int> maxnreg;
  int autotune_config = -1;  // index into the @triton.autotune configs, or -1
  // A condition over the integer arguments, launch parameters and this
  // variant's constexprs that must hold for a launcher to pick the variant.
  std::optional<GridExpr> guard;
  int line = 0;  // where the variant is declared (for messages)
};

// A pointer argument whose buffer the autotuner keeps as the caller passed it
// (@triton.autotune's reset_to_zero and restore_value).
struct TuningBufferSpec {
  size_t arg = 0;  // index into KernelSpec::arg_names
  bool reset_to_zero = false;
  bool restore_value = false;
  GridExpr elements;  // its number of elements, from the entry's buffer_sizes
};

// A value the caller passes only for the grid to read (the rows of a
// row-wise kernel, the SMs of a persistent one): a parameter of the launch
// function without a grid, not of the kernel.
struct LaunchParam {
  std::string name;
  ArgType type;  // an integer
};

struct KernelSpec {
  std::string name;      // the C++ name
  std::string function;  // the @triton.jit function in the module
  std::vector<Param> params;
  std::vector<std::string> arg_names;  // the non-constexpr params: the launch arguments
  std::vector<LaunchParam> launch_params;
  std::vector<GridExpr> grid;  // three, or none: then the caller always gives the grid
  std::vector<Variant> variants;
  bool autotuned = false;
  // Its @triton.autotune's early_config_prune chooses, per arch, the configs
  // built (the frontend runs it before each compile: CompileJob::prune_config).
  bool prune_at_build = false;
  std::vector<std::string> autotune_key;
  std::vector<TuningBufferSpec> tuning_buffers;  // in argument order
  // The constexprs @triton.heuristics computes when a variant leaves them
  // out (at compile time, from the variant's constexprs).
  std::vector<std::string> heuristics;
  int line = 0;
};

struct ModuleSpec {
  std::vector<KernelSpec> kernels;
};

// `loaded` is the frontend's answer to a load request; a spec that cannot be
// built is an error at its line of `module_path`.
bool ParseModuleSpec(const LoadAnswer& loaded, const std::string& module_path, ModuleSpec* spec, Diagnostic* error);

bool IsIdentifier(const std::string& text);
bool IsCppKeyword(const std::string& text);

}  // namespace triton_aot

#include "codegen_launch.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "codegen_names.h"
#include "cpp_escape.h"

namespace triton_aot {
namespace {

// The launch functions' parameters, first to last; `grid` is the first if
// not empty, the launch parameters follow the arguments `with_launch_params`,
// `options` is the last.
std::vector<std::string> Parameters(const KernelSpec& kernel, const std::string& grid, bool with_launch_params,
                                    const std::string& options) {
  std::vector<std::string> params;
  if (!grid.empty()) params.push_back(grid);
  params.push_back("CUstream stream");
  const std::vector<std::string> names = CppNames(kernel);
  for (size_t a = 0; a < names.size(); ++a) {
    params.push_back(CppType(kernel.variants.front().arg_types[a]) + " " + names[a]);
  }
  const std::vector<std::string> launch_names = LaunchParamCppNames(kernel);
  for (size_t p = 0; with_launch_params && p < launch_names.size(); ++p) {
    params.push_back(CppType(kernel.launch_params[p].type) + " " + launch_names[p]);
  }
  params.push_back(options);
  return params;
}

std::string ArgValue(const ArgType& type, const std::string& name) {
  if (type.is_pointer) return fmt::format("triton_aot::ArgValue::Pointer({}.address)", name);
  if (type.dtype == "u64" && !type.is_pointer) return fmt::format("triton_aot::ArgValue::Unsigned({})", name);
  if (type.IsInteger()) return fmt::format("triton_aot::ArgValue::Integer(static_cast<std::int64_t>({}))", name);
  return "triton_aot::ArgValue::Other()";
}

// The argument values the runtime chooses a variant by, and the pointers to
// the arguments that cuLaunchKernel reads.
void EmitArguments(CodePrinter& printer, const KernelSpec& kernel) {
  const std::vector<std::string> names = CppNames(kernel);
  if (names.empty()) return;
  std::vector<std::string> values, pointers;
  for (size_t a = 0; a < names.size(); ++a) {
    const ArgType& type = kernel.variants.front().arg_types[a];
    values.push_back(ArgValue(type, names[a]));
    pointers.push_back(type.is_pointer ? "&" + names[a] + ".address" : "&" + names[a]);
  }
  printer.Emit({{"values", FitOrOnePerLine("const triton_aot::ArgValue args[] = {", values, "};", 2, true)},
                {"pointers", FitOrOnePerLine("void* const params[] = {", pointers, "};", 2, true)}},
               R"cc(
                 $values$
                 $pointers$
               )cc");
}

// grids[slot] = {x, y, z}; on one line when it fits, else a dimension a line.
std::string GridAssignment(size_t slot, const std::vector<std::string>& dims, const std::string& variant) {
  const std::string head = fmt::format("grids[{}] = {{", slot);
  const std::string line = fmt::format("{}{}, {}, {}}};  // {}", head, dims[0], dims[1], dims[2], variant);
  if (4 + line.size() <= kMaxLineLength) return line;
  std::string out = "// " + variant + "\n" + head + "\n";
  for (const std::string& dim : dims) out += WrapAtSpaces(dim + ",", "    ", "        ", 4) + "\n";
  return out + "};";
}

// A constexpr's value as a C++ integer literal of its value: the ends of
// int64 and unsigned values above it need spelling out.
std::string IntegerLiteral(const nlohmann::ordered_json& value) {
  if (value.is_number_unsigned() && value.get<uint64_t>() > uint64_t{INT64_MAX}) return value.dump() + "u";
  if (value.is_number_integer() && value.get<int64_t>() == INT64_MIN) return "(-9223372036854775807 - 1)";
  return value.dump();
}

// What a name of a variant's grid or guard reads in C++: a constexpr is its
// value; an argument or launch parameter, the C++ parameter that carries it.
std::function<std::string(const std::string&)> NameToCpp(const KernelSpec& kernel, const Variant& variant) {
  return [&kernel, &variant, names = CppNames(kernel), launch_names = LaunchParamCppNames(kernel)](
             const std::string& name) {
    if (variant.constexprs.contains(name)) return IntegerLiteral(variant.constexprs[name]);
    for (size_t a = 0; a < names.size(); ++a) {
      if (kernel.arg_names[a] == name) return names[a];
    }
    for (size_t p = 0; p < launch_names.size(); ++p) {
      if (kernel.launch_params[p].name == name) return launch_names[p];
    }
    return name;
  };
}

// Each variant's grid, from its own constexprs, unless the caller gave one.
void EmitGrids(CodePrinter& printer, const ModuleBuild& build, size_t k) {
  const KernelSpec& kernel = build.spec.kernels[k];
  std::string assignments;
  size_t slot = 0;
  for (const VariantBuild& vb : build.variants) {
    if (vb.kernel_index != k) continue;
    const Variant& variant = build.VariantOf(vb);
    const auto name_to_cpp = NameToCpp(kernel, variant);
    std::vector<std::string> dims;
    for (const GridExpr& dim : kernel.grid) dims.push_back(dim.ToCpp(name_to_cpp));
    if (!dims.empty()) assignments += (slot ? "\n" : "") + GridAssignment(slot, dims, variant.name);
    ++slot;
  }
  if (kernel.grid.empty()) {
    printer.Emit({{"count", std::to_string(slot)}}, R"cc(
      triton_aot::grid::Dims grids[$count$];  // unused: the caller gives the grid
    )cc");
    return;
  }
  printer.Emit({{"count", std::to_string(slot)}, {"assignments", assignments}}, R"cc(
    triton_aot::grid::Dims grids[$count$];
    if (!grid) {
      $assignments$
    }
  )cc");
}

bool HasGuards(const KernelSpec& kernel) {
  return std::any_of(kernel.variants.begin(), kernel.variants.end(), [](const Variant& v) { return v.guard; });
}

// Whether a guard reads a launch parameter: then the launch with the
// caller's grid takes them too.
bool GuardsReadLaunchParams(const KernelSpec& kernel) {
  for (const Variant& variant : kernel.variants) {
    for (const std::string& name : variant.guard ? variant.guard->Names() : std::set<std::string>{}) {
      for (const LaunchParam& param : kernel.launch_params) {
        if (param.name == name) return true;
      }
    }
  }
  return false;
}

// Whether each variant's guard holds (1), does not (0), or cannot be
// evaluated (a fault), one line a variant; a variant without one is 1.
void EmitGuards(CodePrinter& printer, const ModuleBuild& build, size_t k) {
  const KernelSpec& kernel = build.spec.kernels[k];
  if (!HasGuards(kernel)) return;
  std::string values;
  for (const VariantBuild& vb : build.variants) {
    if (vb.kernel_index != k) continue;
    const Variant& variant = build.VariantOf(vb);
    const std::string value = variant.guard ? variant.guard->ToCpp(NameToCpp(kernel, variant)) : "1";
    const std::string line = "    " + value + ",  // " + CppCommentText(variant.name);
    values += (line.size() <= kMaxLineLength ? line
                                             : "    // " + CppCommentText(variant.name) + "\n" +
                                                   WrapAtSpaces(value + ",", "    ", "        ", 4)) +
              "\n";
  }
  printer.Emit({{"values", values}}, R"cc(
    const triton_aot::grid::Int guards[] = {
    $values$};
  )cc");
}

// The autotune key, in key order: the integer arguments it names.
std::vector<std::string> AutotuneKey(const KernelSpec& kernel) {
  const std::vector<std::string> names = CppNames(kernel);
  std::vector<std::string> key;
  for (const std::string& name : kernel.autotune_key) {
    for (size_t a = 0; a < names.size(); ++a) {
      if (kernel.arg_names[a] == name && kernel.variants.front().arg_types[a].IsInteger()) {
        key.push_back(fmt::format("static_cast<std::int64_t>({})", names[a]));
      }
    }
  }
  return key;
}

// The number of elements of each tuning buffer, from the arguments (and the
// constexprs, which are the same in every variant).
std::vector<std::string> BufferElements(const KernelSpec& kernel) {
  const std::vector<std::string> names = CppNames(kernel);
  const Variant& variant = kernel.variants.front();
  auto name_to_cpp = [&](const std::string& name) {
    if (variant.constexprs.contains(name)) return variant.constexprs[name].dump();
    for (size_t a = 0; a < names.size(); ++a) {
      if (kernel.arg_names[a] == name) return names[a];
    }
    return name;
  };
  std::vector<std::string> elements;
  for (const TuningBufferSpec& buffer : kernel.tuning_buffers) elements.push_back(buffer.elements.ToCpp(name_to_cpp));
  return elements;
}

// The body of Launch_<kernel>: arguments, grids, key, and the launch.
void EmitLaunchBody(CodePrinter& printer, const ModuleBuild& build, size_t k) {
  const KernelSpec& kernel = build.spec.kernels[k];
  const bool has_args = !kernel.arg_names.empty();
  EmitArguments(printer, kernel);
  EmitGrids(printer, build, k);
  EmitGuards(printer, build, k);
  const std::vector<std::string> key = AutotuneKey(kernel);
  if (!key.empty()) printer.Emit({{"key", FitOrOnePerLine("const std::int64_t key[] = {", key, "};", 2, true)}}, R"cc(
    $key$
  )cc");
  std::vector<std::string> launch_args = {
      "stream", has_args ? "args" : "nullptr", has_args ? "params" : "nullptr", "grid", "grids",
      key.empty() ? "nullptr" : "key", std::to_string(key.size()), "options"};
  if (const std::vector<std::string> elements = BufferElements(kernel); !elements.empty()) {
    std::string buffers;
    for (const TuningBufferSpec& buffer : kernel.tuning_buffers) {
      buffers += (buffers.empty() ? "" : ", ") + kernel.arg_names[buffer.arg];
    }
    const std::string about = "The elements of each tuning buffer: " + buffers + ".";
    printer.Emit({{"about", WrappedComment(CppCommentText(about), 0)},
                  {"elements", FitOrOnePerLine("const triton_aot::grid::Int buffer_elements[] = {", elements, "};", 2, true)}},
                 R"cc(
                   $about$
                   $elements$
                 )cc");
    launch_args.push_back("buffer_elements");
  } else if (HasGuards(kernel)) {
    launch_args.push_back("nullptr");
  }
  if (HasGuards(kernel)) launch_args.push_back("guards");
  const std::string head = fmt::format("return {}::{}_kernel().Launch(", Qualified(build), kernel.name);
  printer.Emit({{"launch", FitOrFilled(head, launch_args, ");", 2)}}, R"cc(
    $launch$
  )cc");
}

}  // namespace

std::string LaunchDeclaration(const KernelSpec& kernel, bool explicit_grid) {
  const std::vector<std::string> params =
      Parameters(kernel, explicit_grid ? "triton_aot::Grid grid" : "", !explicit_grid || GuardsReadLaunchParams(kernel),
                 "const triton_aot::LaunchOptions& options = {}");
  return FitOrOnePerLine("triton_aot::Status " + kernel.name + "(", params, ");", 0);
}

void EmitLaunchFunctions(CodePrinter& printer, const ModuleBuild& build, size_t k) {
  const KernelSpec& kernel = build.spec.kernels[k];
  const std::string options = "const triton_aot::LaunchOptions& options";
  // The launch with the caller's grid passes 0 for each launch parameter:
  // they only feed the grid it computes otherwise (unless a guard reads them).
  auto call = [&](const std::string& grid, bool with_launch_params) {
    std::vector<std::string> forwarded = CppNames(kernel);
    forwarded.insert(forwarded.begin(), {grid, "stream"});
    for (const std::string& name : LaunchParamCppNames(kernel)) {
      forwarded.push_back(with_launch_params ? name : "/*" + name + "=*/0");
    }
    forwarded.push_back("options");
    return FitOrFilled(fmt::format("return {}::Launch_{}(", Qualified(build), kernel.name), forwarded, ");", 2);
  };
  auto signature = [&](const std::string& name, const std::string& grid, bool with_launch_params) {
    return FitOrOnePerLine("triton_aot::Status " + name + "(", Parameters(kernel, grid, with_launch_params, options),
                           ") {", 0);
  };
  // Without a grid in the spec, only the launch with the caller's grid.
  auto plain = [&] {
    if (kernel.grid.empty()) return;
    printer.Emit({{"plain", signature(kernel.name, "", true)}, {"plain_call", call("nullptr", true)}}, R"cc(

      $plain$
        $plain_call$
      }
    )cc");
  };
  printer.Emit({{"shared", signature("Launch_" + kernel.name, "const triton_aot::Grid* grid", true)},
                {"body", [&] { EmitLaunchBody(printer, build, k); }},
                {"plain", plain},
                {"with_grid", signature(kernel.name, "triton_aot::Grid grid", GuardsReadLaunchParams(kernel))},
                {"with_grid_call", call("&grid", GuardsReadLaunchParams(kernel))}},
               R"cc(

                 namespace {

                 $shared$
                   $body$
                 }

                 }  // namespace
                 $plain$

                 $with_grid$
                   $with_grid_call$
                 }
               )cc");
}

}  // namespace triton_aot

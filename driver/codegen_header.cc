// GenerateHeader: what a kernel module declares, and comments that say, for
// each kernel, how Python declared it and what each variant promises.
#include <map>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "code_printer.h"
#include "codegen.h"
#include "codegen_launch.h"
#include "codegen_names.h"
#include "cpp_escape.h"

namespace triton_aot {
namespace {

std::string Join(const std::vector<std::string>& items, const char* separator) {
  return fmt::format("{}", fmt::join(items, separator));
}

// "configs left out of sm_80 (see 'triton-aot report'): c3, c7", one line
// per arch that left some out.
std::vector<std::string> LeftOutLines(const ModuleBuild& build, size_t k) {
  std::map<std::string, std::vector<std::string>> by_sm;
  for (const LeftOutConfig& config : build.left_out) {
    if (config.kernel_index == k) by_sm[config.sm].push_back(config.variant);
  }
  std::vector<std::string> lines;
  for (const auto& [sm, variants] : by_sm) {
    lines.push_back(fmt::format("configs left out of {} (too large there, or pruned: see 'triton-aot report'): {}", sm,
                                Join(variants, ", ")));
  }
  return lines;
}

// The comment text that says what the kernel is: "axpy(x_ptr: *fp32, ...)",
// its grid and variants, and how it is autotuned.
std::vector<std::string> KernelSummary(const ModuleBuild& build, size_t k) {
  const KernelSpec& kernel = build.spec.kernels[k];
  std::vector<std::string> args, variants;
  for (size_t a = 0; a < kernel.arg_names.size(); ++a) {
    args.push_back(kernel.arg_names[a] + ": " + kernel.variants.front().arg_types[a].TritonType());
  }
  for (const Variant& v : kernel.variants) variants.push_back(v.name);
  std::vector<std::string> launch_params;
  for (const LaunchParam& param : kernel.launch_params) launch_params.push_back(param.name + ": " + param.type.TritonType());
  const std::string grid = kernel.grid.empty() ? "given by the caller"
                                               : fmt::format("({}, {}, {})", kernel.grid[0].text(),
                                                             kernel.grid[1].text(), kernel.grid[2].text());
  std::vector<std::string> lines = {fmt::format("{}({})", kernel.name, Join(args, ", ")),
                                    fmt::format("grid: {}; variants: {}", grid, Join(variants, ", "))};
  if (!launch_params.empty()) lines.push_back("the grid also reads " + Join(launch_params, ", "));
  if (kernel.autotuned) {
    std::set<int> configs;
    for (const Variant& v : kernel.variants) configs.insert(v.autotune_config);
    lines.push_back(fmt::format("autotuned over {} configs, key ({}): see {}_kernel()", configs.size(),
                                Join(kernel.autotune_key, ", "), kernel.name));
  }
  for (std::string& line : LeftOutLines(build, k)) lines.push_back(std::move(line));
  for (const TuningBufferSpec& buffer : kernel.tuning_buffers) {
    lines.push_back(fmt::format("tuning {} {} ({} elements){}", buffer.reset_to_zero ? "zeroes" : "restores",
                                kernel.arg_names[buffer.arg], buffer.elements.text(),
                                buffer.reset_to_zero && buffer.restore_value ? " and restores it" : ""));
  }
  return lines;
}

// What a variant's hints promise about the arguments, as a reader checks
// them, and its guard: "x_ptr, y_ptr 16-byte aligned; n % 16 == 0; stride
// == 1; when n <= BLOCK".
std::string Promises(const KernelSpec& kernel, const Variant& variant) {
  std::vector<std::string> aligned, promises;
  for (size_t a = 0; a < kernel.arg_names.size(); ++a) {
    const ArgType& type = variant.arg_types[a];
    const std::string& name = kernel.arg_names[a];
    if (type.hint == Hint::kDivisibleBy16 && type.is_pointer) aligned.push_back(name);
    if (type.hint == Hint::kDivisibleBy16 && !type.is_pointer) promises.push_back(name + " % 16 == 0");
    if (type.hint == Hint::kEqualToOne) promises.push_back(name + " == 1");
  }
  if (!aligned.empty()) promises.insert(promises.begin(), Join(aligned, ", ") + " 16-byte aligned");
  if (variant.guard) promises.push_back("when " + variant.guard->text());
  return promises.empty() ? "no promises" : Join(promises, "; ");
}

// "aligned (vector_add.py:27): <promises>", then "with" what it was compiled
// with: the promises may take more than one line.
std::vector<std::string> VariantSummary(const ModuleBuild& build, const KernelSpec& kernel, const Variant& variant) {
  std::string options = fmt::format("num_warps={}, num_stages={}", variant.num_warps, variant.num_stages);
  if (variant.num_ctas != 1) options += fmt::format(", num_ctas={}", variant.num_ctas);
  if (variant.maxnreg) options += fmt::format(", maxnreg={}", *variant.maxnreg);
  const std::string constexprs = ConstexprSummary(variant);
  return {fmt::format("  {} ({}.py:{}): {}", variant.name, build.module_name, variant.line, Promises(kernel, variant)),
          fmt::format("      with {}{}", constexprs.empty() ? "" : constexprs + "; ", options)};
}

std::string Comment(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += (out.empty() ? "" : "\n") + WrappedComment(CppCommentText(line), 0);
  return out;
}

void EmitKernelDeclarations(CodePrinter& printer, const ModuleBuild& build, size_t k) {
  const KernelSpec& kernel = build.spec.kernels[k];
  std::vector<std::string> variants;
  for (const Variant& v : kernel.variants) {
    for (std::string& line : VariantSummary(build, kernel, v)) variants.push_back(std::move(line));
  }
  // Without a grid in the spec, only the launch with the caller's grid.
  const std::string launch = kernel.grid.empty()
                                 ? LaunchDeclaration(kernel, true)
                                 : LaunchDeclaration(kernel, false) + "\n// The same, with an explicit grid.\n" +
                                       LaunchDeclaration(kernel, true);
  printer.Emit({{"summary", Comment(KernelSummary(build, k))},
                {"variants", Comment(variants)},
                {"launch", launch},
                {"name", kernel.name},
                {"count", std::to_string(VariantCount(build, k))}},
               R"cc(

                 $summary$
                 $variants$
                 $launch$
                 // Loading, unloading and autotuning of $name$.
                 triton_aot::Kernel& $name$_kernel();
                 inline constexpr std::size_t $name$_num_variants = $count$;
                 extern const triton_aot::KernelImage $name$_variants[$count$];
               )cc");
}

}  // namespace

std::string GenerateHeader(const ModuleBuild& build) {
  CodePrinter printer;
  printer.Emit({{"banner", Banner(build, BannerFor::kHeader)},
                {"namespace", build.cpp_namespace + "::" + build.module_name},
                {"kernels",
                 [&] {
                   for (size_t k = 0; k < build.spec.kernels.size(); ++k) EmitKernelDeclarations(printer, build, k);
                 }}},
               R"cc(
                 $banner$
                 #pragma once

                 #include <cstddef>
                 #include <cstdint>

                 #include <triton_aot/runtime.h>

                 namespace $namespace$ {
                 $kernels$

                 }  // namespace $namespace$
               )cc");
  return printer.text();
}

}  // namespace triton_aot

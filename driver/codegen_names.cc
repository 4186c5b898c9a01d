#include "codegen_names.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include <fmt/format.h>

#include "code_printer.h"
#include "codegen.h"
#include "cpp_escape.h"
#include "per_arch.h"

namespace triton_aot {
namespace {

std::string ElementType(const std::string& dtype) {
  if (dtype == "i1") return "bool";
  if (dtype == "fp16") return "triton_aot::float16";
  if (dtype == "bf16") return "triton_aot::bfloat16";
  if (dtype == "fp32") return "float";
  if (dtype == "fp64") return "double";
  if (dtype == "fp8e4nv") return "triton_aot::float8e4nv";
  if (dtype == "fp8e5") return "triton_aot::float8e5";
  if (dtype == "fp8e4b15") return "triton_aot::float8e4b15";
  // i8..i64, u8..u64
  return fmt::format("std::{}int{}_t", dtype[0] == 'u' ? "u" : "", dtype.substr(1));
}

// The first of `stem`, `stem2`, `stem3`, ... that, with each of `suffixes`,
// makes no name in `taken`; those names are taken then.
std::string UniqueStem(const std::string& stem, const std::vector<std::string>& suffixes,
                       std::set<std::string>* taken) {
  for (int n = 1;; ++n) {
    const std::string candidate = n == 1 ? stem : stem + std::to_string(n);
    const bool free = std::none_of(suffixes.begin(), suffixes.end(),
                                   [&](const std::string& suffix) { return taken->count(candidate + suffix); });
    if (!free) continue;
    for (const std::string& suffix : suffixes) taken->insert(candidate + suffix);
    return candidate;
  }
}

}  // namespace

std::string CppType(const ArgType& type) {
  if (type.is_pointer) return fmt::format("triton_aot::DevicePtr<{}>", ElementType(type.dtype));
  return ElementType(type.dtype);
}

int ArgBytes(const ArgType& type) {
  if (type.is_pointer) return 8;
  if (type.dtype == "i1") return 1;  // a bool
  // The width ends the name: i8 ... u64, fp16, bf16, fp32, fp64.
  const size_t digits = type.dtype.find_first_of("0123456789");
  return std::stoi(type.dtype.substr(digits)) / 8;
}

int ElementBytes(const ArgType& type) {
  ArgType element = type;
  element.is_pointer = false;
  return ArgBytes(element);
}

std::string HintName(Hint hint) {
  switch (hint) {
    case Hint::kDivisibleBy16: return "triton_aot::ArgHint::kDivisibleBy16";
    case Hint::kEqualToOne: return "triton_aot::ArgHint::kEqualToOne";
    case Hint::kNone: break;
  }
  return "triton_aot::ArgHint::kNone";
}

namespace {

// The C++ names of the launch arguments, then of the launch parameters.
std::vector<std::string> AllCppNames(const KernelSpec& kernel) {
  static const std::set<std::string> kLaunchNames = {"stream", "options", "grid", "args",
                                                     "params", "grids",   "key",  "buffer_elements"};
  std::vector<std::string> wanted = kernel.arg_names;
  for (const LaunchParam& param : kernel.launch_params) wanted.push_back(param.name);
  std::set<std::string> taken = {kernel.name + "_kernel", "Launch_" + kernel.name, kernel.name};
  std::vector<std::string> names;
  for (const std::string& arg : wanted) {
    std::string name = arg;
    if (IsCppKeyword(name) || kLaunchNames.count(name)) name += "_";
    while (taken.count(name) || std::count(wanted.begin(), wanted.end(), name) > (name == arg)) {
      name += "_";
    }
    taken.insert(name);
    names.push_back(name);
  }
  return names;
}

}  // namespace

std::vector<std::string> CppNames(const KernelSpec& kernel) {
  std::vector<std::string> names = AllCppNames(kernel);
  names.resize(kernel.arg_names.size());
  return names;
}

std::vector<std::string> LaunchParamCppNames(const KernelSpec& kernel) {
  const std::vector<std::string> names = AllCppNames(kernel);
  return {names.begin() + static_cast<std::ptrdiff_t>(kernel.arg_names.size()), names.end()};
}

std::string CamelCase(const std::string& name) {
  std::string out;
  bool word_start = true;
  for (char c : name) {
    if (c == '_') {
      word_start = true;
      continue;
    }
    out += word_start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    word_start = false;
  }
  return out;
}

TableNames::TableNames(const ModuleBuild& build) {
  // What the namespace declares already: no table may hide it.
  std::set<std::string> taken;
  for (const KernelSpec& kernel : build.spec.kernels) {
    for (const char* suffix : {"", "_kernel", "_variants", "_num_variants"}) taken.insert(kernel.name + suffix);
  }
  for (const KernelSpec& kernel : build.spec.kernels) {
    kernel_stems_.push_back(
        UniqueStem("k" + CamelCase(kernel.name), {"ArgNames", "ArgBytes", "TuningBuffers", "Grid"}, &taken));
  }
  for (const VariantBuild& v : build.variants) {
    const std::string stem = "k" + CamelCase(build.KernelOf(v).name) + CamelCase(build.VariantOf(v).name);
    variant_stems_.push_back(UniqueStem(stem, {"Hints", "Archs"}, &taken));
  }
}

std::string Banner(const ModuleBuild& build, BannerFor what) {
  // The header is the C++ API, the same whichever Triton compiled the kernels; the source embeds what that
  // Triton made, and says which one.
  const std::string made_by =
      what == BannerFor::kSource ? fmt::format(" with Triton {}", build.triton_version) : std::string();
  return WrappedComment(
      CppCommentText(fmt::format("Generated by triton-aot from {}.py{}. Do not edit.", build.module_name, made_by)), 0);
}

std::string Qualified(const ModuleBuild& build) { return fmt::format("::{}::{}", build.cpp_namespace, build.module_name); }

size_t VariantCount(const ModuleBuild& build, size_t kernel_index) {
  size_t count = 0;
  for (const VariantBuild& v : build.variants) count += v.kernel_index == kernel_index;
  return count;
}

std::string ConstexprSummary(const Variant& variant) {
  std::string out;
  for (const auto& [name, value] : variant.constexprs.items()) {
    const std::string shown = IsPerArch(value) ? "{" + PerArchSummary(value) + "}" : ConstexprText(value);
    out += fmt::format("{}{}={}", out.empty() ? "" : ", ", name, shown);
  }
  return out;
}

int PtxasVersionNumber(const std::string& version) {
  int major = 0, minor = 0;
  std::sscanf(version.c_str(), "%d.%d", &major, &minor);
  return major * 1000 + minor * 10;
}

std::string FatbinSymbol(const ModuleBuild& build, const VariantBuild& variant) {
  // Each namespace component gets its own prefix too: joining them with '_'
  // would make "a::b" and "a_b" the same symbol.
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t sep = build.cpp_namespace.find("::", start);
    parts.push_back(build.cpp_namespace.substr(start, sep == std::string::npos ? std::string::npos : sep - start));
    if (sep == std::string::npos) break;
    start = sep + 2;
  }
  parts.insert(parts.end(), {build.module_name, build.KernelOf(variant).name, build.VariantOf(variant).name});
  std::string symbol = "triton_aot_fatbin";
  for (const std::string& part : parts) symbol += fmt::format("_{}{}", part.size(), part);
  return symbol;
}

}  // namespace triton_aot

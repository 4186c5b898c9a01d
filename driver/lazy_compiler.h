// The edge's compiler, started only when something must be loaded or
// compiled: an edge whose every kernel is in the cache runs no Python.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "diagnostic.h"
#include "kernel_compiler.h"
#include "source_check.h"

namespace triton_aot {

// Makes the compiler for one edge; `scratch_dir` is a private folder, removed
// when the edge ends, for the compiler's own files.
using CompilerFactory = std::function<std::unique_ptr<KernelCompiler>(const std::string& scratch_dir)>;

class LazyCompiler {
 public:
  // `target_arch`: the arch Triton's driver answers as while the module loads.
  LazyCompiler(const CompilerFactory& factory, std::string scratch, std::string module_path, std::string source_root,
               int target_arch)
      : factory_(factory), scratch_(std::move(scratch)), request_{std::move(module_path), std::move(source_root),
                                                                   target_arch} {}

  // The compiler, with the module loaded into it; `*loaded` gets the answer
  // when this call loaded it. Null, with what went wrong, when loading failed.
  KernelCompiler* Loaded(LoadAnswer* loaded, Diagnostic* error) {
    if (!compiler_) compiler_ = factory_(scratch_);
    if (!module_loaded_) {
      if (!compiler_->Load(request_, loaded, error)) return nullptr;
      module_loaded_ = true;
      if (expected_) changed_source_ = ChangedBetween(request_.module, *expected_, *loaded);
      if (changed_source_.empty() && same_as_) other_kernels_ = WhatDiffers(*same_as_, *loaded);
    }
    if (!other_kernels_.empty()) {
      // The edge's message names the module.
      *error = Diagnostic::Plain(fmt::format(
          "loaded for sm_{}, {} differs from the load for the edge's first arch (the module asks Triton's driver "
          "for the target or the device at import, and the answer changed what it defines): make what it defines "
          "the same for every arch{}, or build the archs in targets of their own",
          request_.target_arch, other_kernels_,
          other_kernels_.find("configs") != std::string::npos
              ? " (a config list filtered by the device at import can be filtered by an early_config_prune instead, "
                "which the build runs per arch)"
              : ""));
      return nullptr;
    }
    if (!changed_source_.empty()) {
      *error = Diagnostic::Plain(fmt::format("{}: changed while the edge ran", changed_source_));
      return nullptr;
    }
    return compiler_.get();
  }
  // The edge goes on from `recalled`, an answer remembered from an earlier
  // load: a load by this compiler must see the same sources, or it fails and
  // ChangedSource() names the first that differs.
  void ExpectSources(const LoadAnswer& recalled) { expected_ = recalled; }
  const std::string& ChangedSource() const { return changed_source_; }
  // For a module loaded once per arch: this compiler's load must describe the
  // same kernels and spec as `first`, the load for the edge's first arch.
  void ExpectSameKernelsAs(const LoadAnswer& first) { same_as_ = first; }
  int target_arch() const { return request_.target_arch; }
  // "service", "process", or "none" while no compiler was needed.
  std::string Kind() const { return compiler_ ? compiler_->Kind() : "none"; }

 private:
  const CompilerFactory& factory_;
  std::string scratch_;
  LoadRequest request_;
  std::unique_ptr<KernelCompiler> compiler_;
  bool module_loaded_ = false;
  std::optional<LoadAnswer> expected_;
  std::optional<LoadAnswer> same_as_;
  std::string changed_source_;
  std::string other_kernels_;  // what differs from same_as_; empty: nothing

  // What of `b` differs from `a` ("kernel 'mm' (its @triton.autotune
  // configs)"), or "" when their kernels and specs are the same.
  static std::string WhatDiffers(const LoadAnswer& a, const LoadAnswer& b) {
    const nlohmann::json one = a.ToJson(), two = b.ToJson();
    if (one["spec"] != two["spec"]) return "its TRITON_AOT_KERNELS";
    if (one["kernels"] == two["kernels"]) return "";
    for (const auto& [name, kernel] : one["kernels"].items()) {
      if (!two["kernels"].contains(name)) return fmt::format("the kernels it defines ('{}' is missing)", name);
      const nlohmann::json& other = two["kernels"][name];
      if (kernel == other) continue;
      const bool configs = kernel.contains("autotune") && other.contains("autotune") &&
                           kernel["autotune"]["configs"] != other["autotune"]["configs"];
      return fmt::format("kernel '{}'{}", name, configs ? " (its @triton.autotune configs)" : "");
    }
    return "the kernels it defines";
  }
};

}  // namespace triton_aot

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
  LazyCompiler(const CompilerFactory& factory, std::string scratch, std::string module_path, std::string source_root)
      : factory_(factory),
        scratch_(std::move(scratch)),
        module_path_(std::move(module_path)),
        source_root_(std::move(source_root)) {}

  // The compiler, with the module loaded into it; `*loaded` gets the answer
  // when this call loaded it. Null, with what went wrong, when loading failed.
  KernelCompiler* Loaded(LoadAnswer* loaded, Diagnostic* error) {
    if (!compiler_) compiler_ = factory_(scratch_);
    if (!module_loaded_) {
      if (!compiler_->Load(module_path_, source_root_, loaded, error)) return nullptr;
      module_loaded_ = true;
      if (expected_) changed_source_ = ChangedBetween(module_path_, *expected_, *loaded);
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
  // "service", "process", or "none" while no compiler was needed.
  std::string Kind() const { return compiler_ ? compiler_->Kind() : "none"; }

 private:
  const CompilerFactory& factory_;
  std::string scratch_, module_path_, source_root_;
  std::unique_ptr<KernelCompiler> compiler_;
  bool module_loaded_ = false;
  std::optional<LoadAnswer> expected_;
  std::string changed_source_;
};

}  // namespace triton_aot

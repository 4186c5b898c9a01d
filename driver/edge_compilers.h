// The compilers of one edge. A module is loaded once, for the edge's first
// arch, unless it asked Triton's driver for the target (or the device's
// properties) while it loaded: then what it holds may depend on the arch, so
// each arch's jobs are compiled in a process that loaded it for that arch.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "arch.h"
#include "diagnostic.h"
#include "job_table.h"
#include "lazy_compiler.h"
#include "module_build.h"
#include "protocol.h"
#include "reuse_or_compile.h"

namespace triton_aot {

class EdgeCompilers {
 public:
  EdgeCompilers(const CompilerFactory& factory, std::string scratch, std::string module_path,
                std::string source_root, const std::vector<Arch>& archs);

  // The compiler loaded for the first arch: the one the edge's load uses.
  LazyCompiler& First() { return *compilers_.front(); }

  // Reuses or compiles every job; with `loaded.target_asked`, each arch's on
  // a compiler of its own, whose load must find the same kernels.
  bool ReuseOrCompileAll(const ReuseOptions& options, const ModuleBuild& build, const LoadAnswer& loaded,
                         JobTable* table, Diagnostic* error);

  // The first source any of them saw change, or "".
  std::string ChangedSource() const;
  // "service", "process", or "none" while no compiler was needed.
  std::string Kind() const;
  // The most compilers that ran at once (reuse_or_compile.h); 0: none ran.
  size_t Workers() const { return workers_; }

 private:
  // One more compiler, loading for `arch`, whose load must match `loaded`.
  LazyCompiler* Add(const LoadAnswer& loaded, int arch, const std::string& folder);

  const CompilerFactory& factory_;
  std::string scratch_, module_path_, source_root_;
  std::vector<Arch> archs_;
  std::vector<std::unique_ptr<LazyCompiler>> compilers_;
  size_t workers_ = 0;
};

}  // namespace triton_aot

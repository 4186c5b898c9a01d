// One compile edge: a kernel module in, its artifacts, depfile and timing-log
// lines out.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "arch.h"
#include "frontend.h"
#include "ptxas.h"

namespace triton_aot {

struct CompileModuleOptions {
  std::string module_path;  // the kernel module (.py)
  std::string output_dir;   // gets <module>.h/.cpp/.json and <module>/*.fatbin
  std::string depfile;      // empty: none
  std::string cpp_namespace;
  std::vector<Arch> archs;
  std::string source_root;  // Python files under it are project-local dependencies
  std::string fatbinary;
  std::string timing_log;   // empty: none
  PtxasSources ptxas;
  bool verbose = false;
};

// Makes the compiler for one edge; `scratch_dir` is a private folder, removed
// when the edge ends, for the compiler's own files.
using CompilerFactory = std::function<std::unique_ptr<KernelCompiler>(const std::string& scratch_dir)>;

// On failure `*err` holds the message to print, and the outputs of an earlier
// successful run are left exactly as they were.
bool CompileModule(const CompileModuleOptions& options, const CompilerFactory& make_compiler, PtxasProber& prober,
                   std::string* err);

}  // namespace triton_aot

// One compile edge: a kernel module in; its fatbins, metadata, generated C++,
// depfile and timing-log lines out. compile_module.cc is the edge's recipe;
// each step lives in a file named after it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch.h"
#include "diagnostic.h"
#include "lazy_compiler.h"
#include "ptxas.h"

namespace triton_aot {

// Everything an edge needs to know, from its command line and, read once by
// main.cc, its environment.
struct CompileModuleOptions {
  std::string module_path;  // the kernel module (.py)
  std::string output_dir;   // gets <module>.h/.cpp/.json and <module>/*.fatbin
  std::string depfile;      // empty: none
  std::string cpp_namespace;
  std::vector<Arch> archs;
  std::string source_root;  // the project's files: errors point at their innermost line under it
  std::string fatbinary;
  std::string timing_log;   // empty: none
  PtxasSources ptxas;
  std::string frontend_script;  // its bytes are part of every cache key
  // The frontend's Python and tools (ServiceIdentity): a remembered load
  // answer is used only by an edge with the same.
  std::string frontend_identity;
  std::vector<std::string> triton_settings;  // TritonSettings() of the environment
  std::string build_tree;       // empty: unknown
  std::string cache_dir;        // the artifact cache; empty: none
  std::string cache_dir_origin;  // what named it, for its messages: "--cache-dir", ...
  uint64_t cache_max_bytes = 0;
  bool verbose = false;
  // Compiles of this module run at once: at most `edge_jobs`, each with a
  // slot of the build tree's pool "<slot_prefix><i>", i < slot_pool
  // (job_slots.h); an empty prefix: no pool. Under a make jobserver that
  // `makeflags` (MAKEFLAGS) names, each compiler more takes a token of it
  // instead (jobserver.h).
  size_t edge_jobs = 1;
  std::string slot_prefix;
  size_t slot_pool = 0;
  std::string makeflags;
};

// On failure `*errors` says what went wrong (main.cc prints it), and the
// outputs of an earlier successful run are left exactly as they were.
bool CompileModule(const CompileModuleOptions& options, const CompilerFactory& make_compiler, PtxasProber& prober,
                   Diagnostics* errors);

}  // namespace triton_aot

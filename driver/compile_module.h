// One compile edge: a kernel module in, its artifacts, depfile and timing-log
// lines out.
#pragma once

#include <cstdint>
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
  std::string frontend_script;  // its bytes are part of every cache key
  // The frontend's Python and tools (ServiceIdentity): a remembered load
  // answer is used only by an edge with the same.
  std::string frontend_identity;
  std::string build_tree;       // empty: unknown
  std::string cache_dir;        // the artifact cache; empty: none
  uint64_t cache_max_bytes = 0;
  bool verbose = false;
};

// Makes the compiler for one edge; `scratch_dir` is a private folder, removed
// when the edge ends, for the compiler's own files.
using CompilerFactory = std::function<std::unique_ptr<KernelCompiler>(const std::string& scratch_dir)>;

struct ModuleBuild;
class ArtifactCache;

// A compiler with the module loaded into it (started on first use), or null
// with the message in `*err`.
using LoadedCompiler = std::function<KernelCompiler*(std::string* err)>;

// Step 3 of CompileModule: each job's cubin, PTX and metadata, from the
// artifact cache `cache` (may be null) or compiled by the compiler that
// `loaded_compiler` gives, asked for only when something misses; the misses
// are then stored. `cache_states` gets "hit", "miss", or "" without a cache.
// False only when the compiler could not be asked at all; failed compiles are
// outcomes.
bool CompileOrReuse(const CompileModuleOptions& options, const std::string& module_path, const LoadAnswer& loaded,
                    const ModuleBuild& build, const std::vector<CompileJob>& jobs, ArtifactCache* cache,
                    const LoadedCompiler& loaded_compiler, std::vector<CompileOutcome>* outcomes,
                    std::vector<std::string>* cache_states, std::string* err);

// On failure `*err` holds the message to print, and the outputs of an earlier
// successful run are left exactly as they were.
bool CompileModule(const CompileModuleOptions& options, const CompilerFactory& make_compiler, PtxasProber& prober,
                   std::string* err);

}  // namespace triton_aot

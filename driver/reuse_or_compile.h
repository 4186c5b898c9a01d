// The edge's compile step: each job's cubin, PTX and metadata, from the
// artifact cache or from the compiler, which is started only when a job
// misses; what was compiled is then stored.
#pragma once

#include <functional>
#include <string>

#include "artifact_cache.h"
#include "diagnostic.h"
#include "job_table.h"
#include "lazy_compiler.h"

namespace triton_aot {

struct ReuseOptions {
  ArtifactCache* cache = nullptr;  // null: compile everything
  std::string module_key;          // what every job's key extends (edge_keys.h)
  std::string module_path;         // for messages
  std::string cache_dir;           // for messages
  bool verbose = false;
  // Parallel compiles: at most `edge_jobs` compilers at once, each holding a
  // slot of the build tree's pool (job_slots.h; no pool: an empty prefix),
  // or a token of the make jobserver `makeflags` names.
  size_t edge_jobs = 1;
  std::string slot_prefix;
  size_t slot_pool = 0;
  std::string makeflags;
  // Where the compiles' past times are (compile_order.h), which order them
  // when several compilers share them: the timing log, and the edge's header.
  std::string timing_log;
  std::string edge_output;
};

// Another compiler like the one ReuseOrCompile was given, for its worker
// `index` (1, 2, ...); called on the calling thread before any compiles.
using MoreCompilers = std::function<LazyCompiler*(size_t index)>;

// Fills every job's key, cache state and outcome (only of the jobs for
// `only_arch`, a compute capability, unless it is 0). The misses compile on
// `compiler` and, given `more`, on as many more as the slots allow, each in
// a thread of its own; the outcomes are the same as one compiler's.
// `*workers` (if given) gets how many compiled. False only when a compiler
// could not be asked at all; a failed compile is an outcome.
bool ReuseOrCompile(const ReuseOptions& options, const ModuleBuild& build, LazyCompiler& compiler, JobTable* table,
                    Diagnostic* error, int only_arch = 0, const MoreCompilers& more = {}, size_t* workers = nullptr);

}  // namespace triton_aot

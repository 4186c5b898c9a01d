// The edge's compile step: each job's cubin, PTX and metadata, from the
// artifact cache or from the compiler, which is started only when a job
// misses; what was compiled is then stored.
#pragma once

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
};

// Fills every job's key, cache state and outcome (only of the jobs for
// `only_arch`, a compute capability, unless it is 0). False only when the
// compiler could not be asked at all; a failed compile is an outcome.
bool ReuseOrCompile(const ReuseOptions& options, const ModuleBuild& build, LazyCompiler& compiler, JobTable* table,
                    Diagnostic* error, int only_arch = 0);

}  // namespace triton_aot

// The compiles of one edge: a record per variant and arch, from the plan to
// the outcome, so that every step reads and fills the same record.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "arch.h"
#include "protocol.h"
#include "module_build.h"

namespace triton_aot {

enum class CacheState { kOff, kHit, kMiss };

// "hit", "miss", or "" with the cache off: what the timing log says.
const char* CacheStateName(CacheState state);

// One variant of one kernel for one arch.
struct Job {
  size_t kernel_index = 0;
  size_t variant_index = 0;
  Arch arch;
  CompileJob request;  // what the compiler is asked; request.id is the job's index
  std::string key;     // its artifact cache key; empty without a cache
  CacheState cache = CacheState::kOff;
  CompileOutcome outcome;  // with its start and elapsed time
  // Why this autotune config is left out for this arch (it needs more shared
  // memory than the arch has, or the kernel's early_config_prune left it
  // out), as Triton's autotuner leaves it out; empty: built.
  std::string skipped;
};

class JobTable {
 public:
  // A job for every variant of every kernel and every arch, in that order;
  // each compile writes <scratch_dir>/<kernel>.<variant>.<sm>.{cubin,ptx}.
  static JobTable Plan(const ModuleBuild& build, const std::string& scratch_dir);

  std::vector<Job>& jobs() { return jobs_; }
  const std::vector<Job>& jobs() const { return jobs_; }
  // The jobs of one variant, one per arch in the edge's arch order: what one
  // fatbin is packed from.
  std::vector<const Job*> JobsOf(size_t kernel_index, size_t variant_index) const;

 private:
  std::vector<Job> jobs_;
};

}  // namespace triton_aot

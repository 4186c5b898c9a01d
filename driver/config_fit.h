// Autotune configs that do not fit an arch. Triton's autotuner skips a config
// whose kernel needs more shared memory than the device has (it finds out
// when it loads it); ahead of time each arch's limit is known, so such a
// config is left out of that arch's build, and a launch on that arch never
// picks it. A variant the spec asked for by itself is never left out: that is
// an error (compile_failures.h), as is an arch that no config fits.
#pragma once

#include <string>

#include "diagnostic.h"
#include "job_table.h"
#include "module_build.h"

namespace triton_aot {

// Why `job`, compiled, cannot run on its arch ("needs N bytes of shared
// memory on sm_80, but ..."), or "" when it can (or its
// arch's limit is unknown).
std::string SharedMemoryProblem(const Job& job);

// Fills Job::skipped for every job of an autotuned kernel that does not fit
// its arch, or whose config the kernel's early_config_prune left out of it.
void SkipConfigsThatDoNotFit(const ModuleBuild& build, JobTable* table);

// One error per autotuned kernel and arch for which every config was skipped.
Diagnostics ArchsNoConfigFits(const JobTable& table, const ModuleBuild& build, const std::string& module_path);

}  // namespace triton_aot

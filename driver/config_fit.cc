#include "config_fit.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "arch.h"

namespace triton_aot {
namespace {

// The @triton.autotune config `job` compiles, or -1.
int AutotuneConfigOf(const ModuleBuild& build, const Job& job) {
  return build.spec.kernels[job.kernel_index].variants[job.variant_index].autotune_config;
}

}  // namespace

std::string SharedMemoryProblem(const Job& job) {
  // A failed compile has no metadata.
  if (!job.outcome.ok || !job.outcome.metadata.is_object()) return "";
  const int64_t limit = MaxSharedMemoryPerBlock(job.arch.capability);
  const int64_t shared = job.outcome.metadata.value("shared", int64_t{0});
  if (limit <= 0 || shared <= limit) return "";
  return fmt::format("needs {} bytes of shared memory on {}, but a block there can have at most {}", shared,
                     job.arch.SmName(), limit);
}

void SkipConfigsThatDoNotFit(const ModuleBuild& build, JobTable* table) {
  for (Job& job : table->jobs()) {
    if (AutotuneConfigOf(build, job) < 0) continue;
    job.skipped = job.outcome.pruned.empty() ? SharedMemoryProblem(job)
                                             : fmt::format("{} of {}", job.outcome.pruned, job.arch.SmName());
  }
}

Diagnostics ArchsNoConfigFits(const JobTable& table, const ModuleBuild& build, const std::string& module_path) {
  // Per kernel and arch: how many configs were compiled, how many skipped,
  // and the least shared memory any of them needed.
  struct Count {
    size_t compiled = 0, skipped = 0;
    std::set<int> configs;
    int64_t least_shared = -1;
  };
  std::map<std::pair<size_t, int>, Count> counts;
  for (const Job& job : table.jobs()) {
    const int config = AutotuneConfigOf(build, job);
    if (!job.outcome.ok || !job.outcome.metadata.is_object() || config < 0) continue;
    Count& count = counts[{job.kernel_index, job.arch.capability}];
    ++count.compiled;
    count.configs.insert(config);
    if (job.skipped.empty()) continue;
    ++count.skipped;
    const int64_t shared = job.outcome.metadata.value("shared", int64_t{0});
    count.least_shared = count.least_shared < 0 ? shared : std::min(count.least_shared, shared);
  }
  Diagnostics errors;
  for (const auto& [where, count] : counts) {
    if (count.skipped < count.compiled) continue;
    const KernelSpec& kernel = build.spec.kernels[where.first];
    const int capability = where.second;  // clang before 16 cannot capture a structured binding
    const Arch arch = *std::find_if(build.archs.begin(), build.archs.end(),
                                    [capability](const Arch& a) { return a.capability == capability; });
    errors.push_back(Diagnostic::At(
        module_path, kernel.line, 0,
        fmt::format("kernel '{}': none of its {} @triton.autotune configs fits {}: the smallest needs {} bytes of "
                    "shared memory, and a block there can have at most {}: add a config with smaller blocks or "
                    "fewer num_stages, or leave {} out of ARCHITECTURES",
                    kernel.name, count.configs.size(), arch.SmName(), count.least_shared,
                    MaxSharedMemoryPerBlock(arch.capability), arch.SmName())));
  }
  return errors;
}

}  // namespace triton_aot

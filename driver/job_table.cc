#include "job_table.h"

#include <fmt/format.h>

#include "per_arch.h"

namespace triton_aot {
namespace {

using nlohmann::ordered_json;

// What triton.compile is given for one variant: its signature with each
// hint applied, its constexprs and its launch options.
CompileJob MakeRequest(const KernelSpec& kernel, const Variant& variant, const Arch& arch, const std::string& ptxas) {
  CompileJob job;
  job.function = kernel.function;
  job.signature = ordered_json::object();
  job.constexprs = ordered_json::object();
  size_t arg = 0;
  for (size_t p = 0; p < kernel.params.size(); ++p) {
    const Param& param = kernel.params[p];
    if (param.is_constexpr) {
      job.signature[param.name] = "constexpr";
      // One that @triton.heuristics computes the frontend fills in.
      if (variant.constexprs.contains(param.name)) {
        job.constexprs[param.name] = ValueForArch(variant.constexprs[param.name], arch.capability);
      }
      continue;
    }
    const ArgType& type = variant.arg_types[arg++];
    if (type.hint == Hint::kEqualToOne) {
      // Triton compiles an argument known to be 1 in as a constant.
      job.signature[param.name] = "constexpr";
      job.constexprs[param.name] = 1;
    } else {
      job.signature[param.name] = type.TritonType();
      if (type.hint == Hint::kDivisibleBy16) job.divisible_by_16.push_back(static_cast<int>(p));
    }
  }
  job.options = {{"num_warps", variant.num_warps}, {"num_stages", variant.num_stages}};
  if (variant.num_ctas != 1) job.options["num_ctas"] = variant.num_ctas;
  if (variant.maxnreg) job.options["maxnreg"] = *variant.maxnreg;
  job.arch = arch.capability;
  job.ptxas = ptxas;
  if (kernel.prune_at_build) job.prune_config = variant.autotune_config;
  return job;
}

}  // namespace

const char* CacheStateName(CacheState state) {
  switch (state) {
    case CacheState::kHit: return "hit";
    case CacheState::kMiss: return "miss";
    case CacheState::kOff: break;
  }
  return "";
}

JobTable JobTable::Plan(const ModuleBuild& build, const std::string& scratch_dir) {
  JobTable table;
  for (size_t k = 0; k < build.spec.kernels.size(); ++k) {
    const KernelSpec& kernel = build.spec.kernels[k];
    for (size_t v = 0; v < kernel.variants.size(); ++v) {
      const Variant& variant = kernel.variants[v];
      for (const Arch& arch : build.archs) {
        Job job;
        job.kernel_index = k;
        job.variant_index = v;
        job.arch = arch;
        job.request = MakeRequest(kernel, variant, arch, build.ptxas.at(arch.capability).info.path);
        job.request.id = static_cast<int>(table.jobs_.size());
        job.request.out_prefix = fmt::format("{}/{}.{}.{}", scratch_dir, kernel.name, variant.name, arch.SmName());
        job.outcome.id = job.request.id;
        table.jobs_.push_back(std::move(job));
      }
    }
  }
  return table;
}

std::vector<const Job*> JobTable::JobsOf(size_t kernel_index, size_t variant_index) const {
  std::vector<const Job*> found;
  for (const Job& job : jobs_) {
    if (job.kernel_index == kernel_index && job.variant_index == variant_index) found.push_back(&job);
  }
  return found;
}

}  // namespace triton_aot

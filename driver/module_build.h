// The result of compiling one kernel module: the spec plus, for every variant,
// the per-arch compile results and the packed fatbin. Metadata and generated
// code are made from this.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "arch.h"
#include "ptxas.h"
#include "spec.h"

namespace triton_aot {

struct ArchBuild {
  Arch arch;
  std::string sm;          // what the cubin is for ("sm_90a")
  nlohmann::json metadata;  // Triton's: shared, num_warps, scratch sizes, ...
};

struct VariantBuild {
  size_t kernel_index = 0;
  size_t variant_index = 0;
  std::string entry;        // the kernel's function name in the cubin
  std::vector<ArchBuild> archs;
  // The edge's archs this autotune config does not fit (config_fit.h): a
  // launch there must not pick it.
  std::vector<Arch> skipped_archs;
  std::string fatbin;       // bytes
  std::string fatbin_name;  // path relative to the output folder
};

// An autotune config left out of an arch it does not fit.
struct LeftOutConfig {
  size_t kernel_index = 0;
  std::string variant;
  std::string sm;
  std::string why;
};

struct ModuleBuild {
  std::string module_name;  // file stem, a C++ identifier
  std::string cpp_namespace;
  ModuleSpec spec;
  std::vector<Arch> archs;
  std::map<int, PtxasChoice> ptxas;  // by capability
  std::string triton_version;
  std::vector<VariantBuild> variants;  // grouped by kernel, in spec order
  // In job order; a variant left out of every arch is not in `variants` nor
  // in the spec any more.
  std::vector<LeftOutConfig> left_out;

  const KernelSpec& KernelOf(const VariantBuild& v) const { return spec.kernels[v.kernel_index]; }
  const Variant& VariantOf(const VariantBuild& v) const { return KernelOf(v).variants[v.variant_index]; }
};

}  // namespace triton_aot

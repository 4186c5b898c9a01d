#include "metadata.h"

namespace triton_aot {

using nlohmann::ordered_json;

namespace {

// One compiled variant: its options, constexprs and per-arch launch facts.
ordered_json VariantJson(const ModuleBuild& build, const VariantBuild& vb) {
  const KernelSpec& kernel = build.KernelOf(vb);
  const Variant& variant = build.VariantOf(vb);
  ordered_json jv;
  jv["name"] = variant.name;
  jv["entry"] = vb.entry;
  jv["fatbin"] = vb.fatbin_name;
  jv["fatbin_size"] = vb.fatbin.size();
  jv["signature"] = ordered_json::object();
  for (size_t a = 0; a < kernel.arg_names.size(); ++a) {
    jv["signature"][kernel.arg_names[a]] = variant.arg_types[a].ToString();
  }
  jv["constexprs"] = variant.constexprs;
  jv["num_warps"] = variant.num_warps;
  jv["num_stages"] = variant.num_stages;
  jv["num_ctas"] = variant.num_ctas;
  if (variant.maxnreg) jv["maxnreg"] = *variant.maxnreg;
  if (variant.autotune_config >= 0) jv["autotune_config"] = variant.autotune_config;
  if (variant.guard) jv["guard"] = variant.guard->text();
  jv["archs"] = ordered_json::array();
  for (const ArchBuild& ab : vb.archs) {
    ordered_json ja;
    ja["arch"] = ab.sm;
    for (const char* key : {"num_warps", "shared", "global_scratch_size", "global_scratch_align",
                            "profile_scratch_size", "profile_scratch_align", "tmem_size"}) {
      ja[key] = ab.metadata.value(key, 0);
    }
    ja["enable_fp_fusion"] = ab.metadata.value("enable_fp_fusion", true);
    ja["ptxas_version"] = build.ptxas.at(ab.arch.capability).info.version;
    jv["archs"].push_back(std::move(ja));
  }
  return jv;
}

// One kernel: its arguments, grid, autotuning, what was left out, variants.
ordered_json KernelJson(const ModuleBuild& build, size_t k) {
  const KernelSpec& kernel = build.spec.kernels[k];
  ordered_json jk;
  jk["name"] = kernel.name;
  jk["function"] = kernel.function;
  jk["arguments"] = ordered_json::array();
  for (size_t a = 0; a < kernel.arg_names.size(); ++a) {
    jk["arguments"].push_back(
        {{"name", kernel.arg_names[a]}, {"type", kernel.variants.front().arg_types[a].TritonType()}});
  }
  jk["grid"] = ordered_json::array();  // empty: the caller gives it
  for (const GridExpr& g : kernel.grid) jk["grid"].push_back(g.text());
  if (!kernel.launch_params.empty()) {
    jk["launch_params"] = ordered_json::array();
    for (const LaunchParam& p : kernel.launch_params) {
      jk["launch_params"].push_back({{"name", p.name}, {"type", p.type.TritonType()}});
    }
  }
  if (kernel.autotuned) jk["autotune_key"] = kernel.autotune_key;
  for (const TuningBufferSpec& buffer : kernel.tuning_buffers) {
    jk["tuning_buffers"].push_back({{"name", kernel.arg_names[buffer.arg]},
                                    {"reset_to_zero", buffer.reset_to_zero},
                                    {"restore_value", buffer.restore_value},
                                    {"elements", buffer.elements.text()}});
  }
  for (const LeftOutConfig& config : build.left_out) {
    if (config.kernel_index != k) continue;
    jk["left_out"].push_back({{"variant", config.variant}, {"arch", config.sm}, {"why", config.why}});
  }
  jk["variants"] = ordered_json::array();
  for (const VariantBuild& vb : build.variants) {
    if (vb.kernel_index == k) jk["variants"].push_back(VariantJson(build, vb));
  }
  return jk;
}

}  // namespace

std::string ModuleMetadataJson(const ModuleBuild& build) {
  ordered_json root;
  root["module"] = build.module_name;
  root["namespace"] = build.cpp_namespace;
  root["triton_version"] = build.triton_version;
  root["archs"] = ordered_json::array();
  for (const Arch& arch : build.archs) root["archs"].push_back(arch.SmName());
  root["ptxas"] = ordered_json::array();
  for (const auto& [capability, choice] : build.ptxas) {
    root["ptxas"].push_back({{"arch", Arch{capability}.SmName()},
                             {"path", choice.info.path},
                             {"version", choice.info.version},
                             {"origin", choice.origin}});
  }
  root["kernels"] = ordered_json::array();
  for (size_t k = 0; k < build.spec.kernels.size(); ++k) root["kernels"].push_back(KernelJson(build, k));
  return root.dump(2) + "\n";
}

}  // namespace triton_aot

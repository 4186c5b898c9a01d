#include "edge_outputs.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "atomic_file.h"
#include "codegen.h"
#include "edge_paths.h"
#include "fatbin.h"
#include "metadata.h"
#include "parallel_for.h"

namespace triton_aot {
namespace fs = std::filesystem;

namespace {

// The variant's cubins for the archs it is built for, and the PTX of the
// newest arch if it is built for that one: a device newer than every arch
// compiles that PTX, so a config that does not fit the newest arch has none.
bool PackVariant(const std::vector<const Job*>& jobs, const std::string& fatbinary, const std::string& scratch_dir,
                 const std::string& output, VariantBuild* variant, std::string* err) {
  std::vector<FatbinImage> images;
  std::string newest_ptx, newest_sm;
  for (const Job* job : jobs) {
    if (!job->skipped.empty()) {
      variant->skipped_archs.push_back(job->arch);
      continue;
    }
    const std::string prefix = fs::path(job->request.out_prefix).filename().string();
    std::string ptx;
    if (!ReadFile(job->request.out_prefix + ".ptx", &ptx, err)) return false;
    ArchBuild arch{job->arch, PtxTarget(ptx), job->outcome.metadata};
    if (arch.sm.empty()) arch.sm = arch.arch.SmName();
    variant->entry = job->outcome.metadata.value("name", job->request.function);
    images.push_back({false, arch.sm, prefix + ".cubin"});
    newest_ptx = prefix + ".ptx";
    newest_sm = arch.sm;
    variant->archs.push_back(std::move(arch));
  }
  if (jobs.back()->skipped.empty()) images.push_back({true, newest_sm, newest_ptx});
  return PackFatbin(fatbinary, scratch_dir, output, images, &variant->fatbin, err);
}

// Takes the variants built for no arch (those build->variants lacks) out of
// the spec, so that nothing is generated for them.
void DropVariantsBuiltForNoArch(ModuleBuild* build) {
  for (size_t k = 0; k < build->spec.kernels.size(); ++k) {
    std::vector<Variant>& variants = build->spec.kernels[k].variants;
    std::vector<bool> built(variants.size(), false);
    for (const VariantBuild& variant : build->variants) {
      if (variant.kernel_index == k) built[variant.variant_index] = true;
    }
    std::vector<size_t> new_index(variants.size());
    std::vector<Variant> kept;
    for (size_t v = 0; v < variants.size(); ++v) {
      new_index[v] = kept.size();
      if (built[v]) kept.push_back(std::move(variants[v]));
    }
    build->spec.kernels[k].variants = std::move(kept);
    for (VariantBuild& variant : build->variants) {
      if (variant.kernel_index == k) variant.variant_index = new_index[variant.variant_index];
    }
  }
}

// The fatbins the last good run of this edge wrote, as its metadata lists
// them ("<module>/<name>.fatbin"): the only files the edge may remove. A
// file it did not write, such as one checked in beside the outputs, stays.
std::set<std::string> FatbinsWrittenBefore(const std::string& out, const std::string& module_name) {
  std::string text, err;
  std::set<std::string> names;
  if (!ReadFile(fmt::format("{}/{}.json", out, module_name), &text, &err)) return names;
  const nlohmann::json metadata = nlohmann::json::parse(text, nullptr, false);
  if (!metadata.is_object() || !metadata["kernels"].is_array()) return names;
  for (const nlohmann::json& kernel : metadata["kernels"]) {
    if (!kernel.is_object() || !kernel["variants"].is_array()) continue;
    for (const nlohmann::json& variant : kernel["variants"]) {
      if (!variant.is_object() || !variant["fatbin"].is_string()) continue;
      const fs::path fatbin = variant["fatbin"].get<std::string>();
      const bool ours = fatbin.parent_path() == module_name && fatbin.extension() == ".fatbin" &&
                        fatbin.filename().string().front() != '.';
      if (ours) names.insert(fatbin.filename().string());
    }
  }
  return names;
}

// Removes the fatbins of variants that no longer exist.
void RemoveStaleFatbins(const std::string& out, const std::string& module_name, const std::set<std::string>& keep) {
  std::error_code ec;
  for (const std::string& name : FatbinsWrittenBefore(out, module_name)) {
    if (keep.count(name) == 0) fs::remove(fs::path(out) / module_name / name, ec);
  }
}

// True in `*any_changed` when a fatbin's bytes differ from what was there.
bool WriteFatbins(const ModuleBuild& build, const std::string& out, bool* any_changed, std::string* err) {
  std::error_code ec;
  fs::create_directories(fs::path(out) / build.module_name, ec);
  if (ec) {
    *err = fmt::format("cannot create '{}/{}': {}", out, build.module_name, ec.message());
    return false;
  }
  std::set<std::string> fatbins;
  for (const VariantBuild& variant : build.variants) {
    bool changed = false;
    if (!WriteFileIfChanged(out + "/" + variant.fatbin_name, variant.fatbin, &changed, err)) return false;
    *any_changed |= changed;
    fatbins.insert(fs::path(variant.fatbin_name).filename().string());
  }
  RemoveStaleFatbins(out, build.module_name, fatbins);
  return true;
}

}  // namespace

bool PackFatbins(const JobTable& table, const std::string& fatbinary, const std::string& scratch_dir, size_t packers,
                 ModuleBuild* build, std::string* err) {
  for (const Job& job : table.jobs()) {
    if (job.skipped.empty()) continue;
    const std::string& variant = build->spec.kernels[job.kernel_index].variants[job.variant_index].name;
    build->left_out.push_back({job.kernel_index, variant, job.arch.SmName(), job.skipped});
  }
  for (size_t k = 0; k < build->spec.kernels.size(); ++k) {
    const KernelSpec& kernel = build->spec.kernels[k];
    for (size_t v = 0; v < kernel.variants.size(); ++v) {
      const std::vector<const Job*> jobs = table.JobsOf(k, v);
      if (std::all_of(jobs.begin(), jobs.end(), [](const Job* job) { return !job->skipped.empty(); })) continue;
      VariantBuild variant;
      variant.kernel_index = k;
      variant.variant_index = v;
      variant.fatbin_name = fmt::format("{}/{}.{}.fatbin", build->module_name, kernel.name, kernel.variants[v].name);
      build->variants.push_back(std::move(variant));
    }
  }
  // One fatbinary per variant, several at once; the first failure in spec
  // order is the one said.
  std::vector<std::string> errors(build->variants.size());
  const bool packed = ParallelFor(build->variants.size(), packers, [&](size_t i) {
    VariantBuild& variant = build->variants[i];
    const std::string output = fs::path(variant.fatbin_name).filename().string();
    return PackVariant(table.JobsOf(variant.kernel_index, variant.variant_index), fatbinary, scratch_dir, output,
                       &variant, &errors[i]);
  });
  if (!packed) {
    *err = *std::find_if(errors.begin(), errors.end(), [](const std::string& e) { return !e.empty(); });
    return false;
  }
  DropVariantsBuiltForNoArch(build);
  return true;
}

bool WriteOutputs(const ModuleBuild& build, const std::string& out, std::string* err) {
  // Nothing is written unless every output can be: something standing where
  // one goes would otherwise fail the edge half-way through.
  *err = OutputNamesProblem(out, build.module_name);
  for (const VariantBuild& variant : build.variants) {
    if (err->empty()) *err = OutputFileProblem("--output-dir", out + "/" + variant.fatbin_name);
  }
  if (!err->empty()) return false;
  bool any_fatbin_changed = false;
  if (!WriteFatbins(build, out, &any_fatbin_changed, err)) return false;
  // The generated source embeds the fatbins by path, so it is rewritten (and
  // recompiled) whenever one changed.
  const std::string source = GenerateSource(build);
  const std::string source_path = fmt::format("{}/{}.cpp", out, build.module_name);
  return WriteFileIfChanged(fmt::format("{}/{}.json", out, build.module_name), ModuleMetadataJson(build), nullptr,
                            err) &&
         (any_fatbin_changed ? WriteFileAtomically(source_path, source, err)
                             : WriteFileIfChanged(source_path, source, nullptr, err)) &&
         WriteFileIfChanged(fmt::format("{}/{}.h", out, build.module_name), GenerateHeader(build), nullptr, err);
}

std::vector<std::string> EdgeInputs(const std::string& module_path, const LoadAnswer& loaded,
                                    const ModuleBuild& build, const std::string& fatbinary) {
  std::vector<std::string> deps = {module_path};
  for (const ImportedFile& file : loaded.imports) deps.push_back(file.path);
  // An upgrade or a reinstall rewrites (or removes) the distribution's metadata file.
  for (const ImportedDistribution& distribution : loaded.distributions) deps.push_back(distribution.metadata);
  deps.insert(deps.end(), loaded.triton_files.begin(), loaded.triton_files.end());
  std::set<std::string> tools = {fatbinary};
  for (const auto& [capability, choice] : build.ptxas) tools.insert(choice.info.path);
  deps.insert(deps.end(), tools.begin(), tools.end());
  deps.erase(std::remove(deps.begin(), deps.end(), ""), deps.end());
  return deps;
}

}  // namespace triton_aot

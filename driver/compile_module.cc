#include "compile_module.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "artifact_cache.h"
#include "atomic_file.h"
#include "compile_failures.h"
#include "config_fit.h"
#include "depfile.h"
#include "diagnostic.h"
#include "edge_compilers.h"
#include "edge_keys.h"
#include "edge_log.h"
#include "edge_outputs.h"
#include "edge_paths.h"
#include "generated_names.h"
#include "job_slots.h"
#include "job_table.h"
#include "load_module.h"
#include "module_build.h"
#include "per_arch.h"
#include "reuse_or_compile.h"
#include "scratch_dir.h"
#include "source_check.h"
#include "spec.h"
#include "utf8.h"

namespace triton_aot {
namespace fs = std::filesystem;

namespace {

// The output folder, without what an earlier, killed run of this module left
// behind there.
bool PrepareOutputDir(const CompileModuleOptions& options, const std::string& module_name, Diagnostic* error) {
  std::error_code ec;
  fs::create_directories(options.output_dir, ec);
  if (ec) {
    *error = Diagnostic::Plain(fmt::format("--output-dir: cannot create the folder '{}': {}{}", options.output_dir,
                                           ec.message(), AdviceForWriteError(ec.value())));
    return false;
  }
  if (std::string problem = OutputNamesProblem(options.output_dir, module_name); !problem.empty()) {
    *error = Diagnostic::Plain(problem);
    return false;
  }
  RemoveAbandonedTemporaries(options.output_dir, module_name + ".");
  RemoveAbandonedTemporaries((fs::path(options.output_dir) / module_name).string(), "");
  if (!options.depfile.empty()) {
    const fs::path depfile(options.depfile);
    RemoveAbandonedTemporaries(depfile.parent_path().string(), depfile.filename().string());
  }
  return true;
}

// One ptxas per arch; Triton's own bundled one is a candidate too.
bool ResolveTools(const CompileModuleOptions& options, const LoadAnswer& loaded, PtxasProber& prober,
                  ModuleBuild* build, std::string* err) {
  PtxasSources sources = options.ptxas;
  const fs::path triton_dir = fs::path(loaded.triton_file).parent_path();
  sources.triton_bin_dir = (triton_dir / "backends" / "nvidia" / "bin").string();
  sources.blackwell_from = loaded.blackwell_ptxas_from;
  for (const Arch& arch : options.archs) {
    std::string notes;
    PtxasChoice choice;
    if (!ResolvePtxas(sources, arch, prober, &choice, &notes, err)) return false;
    if (options.verbose && !notes.empty()) fmt::print(stderr, "{}", notes);
    build->ptxas[arch.capability] = std::move(choice);
  }
  return true;
}

// The artifact cache's view of this edge; without a module key (a file the
// key is made of cannot be read) the edge compiles everything.
ReuseOptions CacheUse(const CompileModuleOptions& options, const EdgeKeySources& keys, ArtifactCache* cache,
                      const LoadAnswer& loaded, const std::string& header) {
  ReuseOptions reuse{cache,         "",           keys.module_path,  options.cache_dir,
                     options.verbose, options.edge_jobs, options.slot_prefix, options.slot_pool,
                     options.makeflags, options.timing_log, header};
  std::string why_not;
  if (cache && !ModuleKey(keys, loaded, &reuse.module_key, &why_not)) {
    if (options.verbose) {
      fmt::print(stderr, "triton-aot: {}: not using the artifact cache: {}\n", keys.module_path, why_not);
    }
    reuse.cache = nullptr;
  }
  return reuse;
}

bool WriteDepfile(const CompileModuleOptions& options, const LoadAnswer& loaded, const ModuleBuild& build,
                  const std::string& module_path, std::string* err) {
  if (options.depfile.empty()) return true;
  const std::string target = fmt::format("{}/{}.h", options.output_dir, build.module_name);
  const std::vector<std::string> deps = EdgeInputs(module_path, loaded, build, options.fatbinary);
  return WriteFileAtomically(options.depfile, FormatDepfile(target, deps), err);
}

// The slots for packing: one fatbinary per variant, as many at once as the
// edge may run compilers and as there are free slots (job_slots.h).
JobSlots PackerSlots(const CompileModuleOptions& options, const ModuleBuild& build) {
  size_t variants = 0;
  for (const KernelSpec& kernel : build.spec.kernels) variants += kernel.variants.size();
  const size_t wanted = std::min(options.edge_jobs, variants);
  return wanted > 1 ? JobSlots::Take(options.slot_prefix, options.slot_pool, wanted, options.makeflags) : JobSlots();
}

void LogTimesOrWarn(const std::string& timing_log, const std::vector<TimingRecord>& records) {
  std::string err;
  if (!LogTimes(timing_log, records, &err)) fmt::print(stderr, "triton-aot: warning: {}\n", EscapeInvalidUtf8(err));
}

// How one attempt at the edge ended.
enum class Attempt {
  kDone,
  kFailed,
  kSourcesChanged,  // a source changed while it ran: the outputs may be of an earlier version
};

// Fails the edge with one diagnostic.
Attempt Fail(Diagnostics* errors, Diagnostic error) {
  errors->push_back(std::move(error));
  return Attempt::kFailed;
}

// One run of the edge's recipe; `*compiled` gets what its compiles were made
// of, `*changed_source` the source that changed under a late load.
Attempt CompileOnce(const CompileModuleOptions& options, const CompilerFactory& make_compiler, PtxasProber& prober,
                    Diagnostics* errors, LoadAnswer* compiled, std::string* changed_source) {
  const int64_t edge_start_us = UnixMicros();
  const std::string module_path = fs::absolute(options.module_path).lexically_normal().string();
  ModuleBuild build;
  build.module_name = fs::path(module_path).stem().string();
  build.cpp_namespace = options.cpp_namespace;
  build.archs = options.archs;
  if (std::string problem = EdgePathsProblem(options, module_path); !problem.empty()) {
    return Fail(errors, Diagnostic::Plain(problem));
  }
  if (const std::string problem = NamespaceNameProblem(build.module_name); !problem.empty()) {
    return Fail(errors, Diagnostic::At(module_path, 1, 0,
                                       fmt::format("the module's name names the generated header and namespace, but "
                                                   "{}: rename the file",
                                                   problem)));
  }
  Diagnostic error;
  std::string err;
  ScratchDir scratch;
  if (!PrepareOutputDir(options, build.module_name, &error)) return Fail(errors, error);
  if (!scratch.Create(options.output_dir, build.module_name, &err)) return Fail(errors, Diagnostic::Plain(err));
  EdgeCompilers compilers(make_compiler, scratch.path(), module_path, options.source_root, options.archs);
  std::unique_ptr<ArtifactCache> cache;
  if (!options.cache_dir.empty()) cache = std::make_unique<ArtifactCache>(options.cache_dir, options.cache_max_bytes);
  if (cache && !cache->Open(&err)) {
    return Fail(errors, Diagnostic::Plain(options.cache_dir_origin.empty() ? err : options.cache_dir_origin + ": " + err));
  }
  const EdgeKeySources keys{module_path,           options.source_root,     options.frontend_script,
                            options.frontend_identity, options.triton_settings, options.archs.front().capability};
  const auto in_module = [&](const std::string& message) { return Diagnostic::Plain(module_path + ": " + message); };

  LoadAnswer& loaded = *compiled;
  const auto failed = [&](Diagnostic error) {
    *changed_source = compilers.ChangedSource();
    return changed_source->empty() ? Fail(errors, std::move(error)) : Attempt::kSourcesChanged;
  };
  if (!LoadModule(keys, cache.get(), compilers.First(), &loaded, &error)) return Fail(errors, error);
  build.triton_version = loaded.triton_version;
  if (!ParseModuleSpec(loaded, module_path, &build.spec, &error) ||
      !CheckPerArchCoverage(build.spec, build.archs, module_path, &error)) {
    return Fail(errors, error);
  }
  if (!ResolveTools(options, loaded, prober, &build, &err)) return Fail(errors, in_module(err));
  JobTable jobs = JobTable::Plan(build, scratch.path());
  const std::string header = (fs::absolute(options.output_dir) / (build.module_name + ".h")).lexically_normal().string();
  if (!compilers.ReuseOrCompileAll(CacheUse(options, keys, cache.get(), loaded, header), build, loaded, &jobs,
                                   &error)) {
    return failed(error);
  }
  SkipConfigsThatDoNotFit(build, &jobs);
  const EdgeTimes times{header, compilers.Kind(), edge_start_us, static_cast<int>(compilers.Workers())};
  const std::vector<TimingRecord> records = TimingRecords(jobs, build, times);
  if (Diagnostics failures = CompileFailures(jobs, build, module_path); !failures.empty()) {
    LogTimesOrWarn(options.timing_log, records);
    *errors = std::move(failures);
    return Attempt::kFailed;
  }
  // The slots are held while this statement runs: while the fatbinaries run.
  if (!PackFatbins(jobs, options.fatbinary, scratch.path(), PackerSlots(options, build).workers(), &build, &err)) {
    return Fail(errors, in_module(err));
  }
  if (!WriteOutputs(build, options.output_dir, &err) || !WriteDepfile(options, loaded, build, module_path, &err)) {
    return Fail(errors, Diagnostic::Plain(err));
  }
  LogTimesOrWarn(options.timing_log, records);
  if (options.verbose) fmt::print(stderr, "{}\n", EdgeSummary(records, build, compilers.Kind()));
  return Attempt::kDone;
}

}  // namespace

bool CompileModule(const CompileModuleOptions& options, const CompilerFactory& make_compiler, PtxasProber& prober,
                   Diagnostics* errors) {
  // A source edited while the edge runs is compiled again, the edited bytes
  // this time; a file that keeps changing fails the edge, which Ninja then
  // runs again next time.
  constexpr int kAttempts = 3;
  std::string changed_source;
  const std::string module_path = fs::absolute(options.module_path).lexically_normal().string();
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    errors->clear();
    const std::string module_before = FileSha256(module_path);
    LoadAnswer compiled;
    Attempt outcome = CompileOnce(options, make_compiler, prober, errors, &compiled, &changed_source);
    if (outcome == Attempt::kDone) {
      // Checked as late as can be (the scratch folder is gone), once the file
      // clock has moved past the outputs: an edit from then on is newer than
      // they are, so Ninja runs the edge again.
      if (!options.depfile.empty()) {
        WaitForFileClockToPass(options.depfile, fs::path(options.depfile).filename().string());
      }
      changed_source = ChangedOnDisk(module_path, compiled);
    } else if (outcome == Attempt::kFailed) {
      // An error of a file being written (an editor that truncates, then
      // writes) is no error of the file: the edge tries again.
      changed_source = FileSha256(module_path) != module_before ? module_path
                       : compiled.module_sha256.empty()         ? ""
                                                                : ChangedOnDisk(module_path, compiled);
    }
    if (!changed_source.empty()) outcome = Attempt::kSourcesChanged;
    switch (outcome) {
      case Attempt::kDone: return true;
      case Attempt::kFailed: return false;
      case Attempt::kSourcesChanged:
        if (attempt < kAttempts) {
          fmt::print(stderr, "triton-aot: note: {} changed while its edge ran; compiling again\n", changed_source);
        }
    }
  }
  errors->push_back(Diagnostic::At(changed_source, 0, 0,
                                   fmt::format("changed while it was being compiled, {} times in a row, so the "
                                               "outputs may be of an earlier version of it: build again once it has "
                                               "stopped changing",
                                               kAttempts)));
  return false;
}

}  // namespace triton_aot

#include "reuse_or_compile.h"

#include <fmt/format.h>

#include "atomic_file.h"
#include "cache_key.h"
#include "timing_log.h"
#include "utf8.h"

namespace triton_aot {
namespace {

using nlohmann::json;  // a cached compile's metadata

// Writes a cached compile's files where the frontend would have; false if the
// entry lacks one.
bool Restore(const CacheEntry& entry, const CompileJob& job, CompileOutcome* outcome, std::string* err) {
  const auto cubin = entry.find("cubin"), ptx = entry.find("ptx"), metadata = entry.find("metadata.json");
  if (cubin == entry.end() || ptx == entry.end() || metadata == entry.end()) return false;
  outcome->metadata = json::parse(metadata->second, nullptr, false);
  if (!outcome->metadata.is_object()) return false;
  return WriteFileAtomically(job.out_prefix + ".cubin", cubin->second, err) &&
         WriteFileAtomically(job.out_prefix + ".ptx", ptx->second, err);
}

// Looks `job` up in the cache: true on a hit, with its outcome filled.
bool Reuse(const ReuseOptions& options, const ModuleBuild& build, Job* job, std::string* err) {
  job->outcome.start_us = UnixMicros();
  const PtxasInfo& ptxas = build.ptxas.at(job->request.arch).info;
  job->key = KeyDigest(JobKeyParts(options.module_key, job->request, ptxas, FileStamp(ptxas.path)));
  CacheEntry entry;
  const ArtifactCache::Found found = options.cache->Get(job->key, &entry);
  if (found == ArtifactCache::Found::kHit && Restore(entry, job->request, &job->outcome, err)) {
    job->outcome.ok = true;
    job->outcome.elapsed_us = UnixMicros() - job->outcome.start_us;
    job->cache = CacheState::kHit;
    return true;
  }
  if (found == ArtifactCache::Found::kCorrupt && options.verbose) {
    fmt::print(stderr, "triton-aot: {}: a damaged artifact cache entry was removed; compiling again\n",
               options.module_path);
  }
  job->cache = CacheState::kMiss;
  return false;
}

bool Store(const ReuseOptions& options, const Job& job, std::string* err) {
  CacheEntry entry;
  return ReadFile(job.request.out_prefix + ".cubin", &entry["cubin"], err) &&
         ReadFile(job.request.out_prefix + ".ptx", &entry["ptx"], err) &&
         (entry["metadata.json"] = job.outcome.metadata.dump(), options.cache->Put(job.key, entry, err));
}

}  // namespace

bool ReuseOrCompile(const ReuseOptions& options, const ModuleBuild& build, LazyCompiler& compiler, JobTable* table,
                    Diagnostic* error, int only_arch) {
  std::vector<CompileJob> misses;
  for (Job& job : table->jobs()) {
    if (only_arch != 0 && job.request.arch != only_arch) continue;
    std::string restore_err;  // an entry that cannot be restored is compiled again
    if (!options.cache || !Reuse(options, build, &job, &restore_err)) misses.push_back(job.request);
  }
  if (misses.empty()) return true;

  LoadAnswer unused_answer;  // the load answer was recalled: the compiler loads the module now
  KernelCompiler* loaded = compiler.Loaded(&unused_answer, error);
  if (!loaded) return false;
  std::vector<CompileOutcome> compiled;
  if (!loaded->Compile(misses, &compiled, error)) {
    if (error->file.empty()) error->message = options.module_path + ": " + error->message;
    return false;
  }
  bool warned = false;
  for (CompileOutcome& outcome : compiled) {
    Job& job = table->jobs().at(static_cast<size_t>(outcome.id));
    job.outcome = std::move(outcome);
    std::string put_err;
    if (options.cache && job.outcome.ok && !Store(options, job, &put_err) && !warned) {
      // The build goes on; only the next one is slower.
      fmt::print(stderr, "triton-aot: warning: {}: cannot store compiled kernels in the artifact cache '{}': {} "
                         "(turn the cache off with TRITON_AOT_CACHE=OFF or --no-cache)\n",
                 options.module_path, EscapeInvalidUtf8(options.cache_dir), EscapeInvalidUtf8(put_err));
      warned = true;
    }
  }
  return true;
}

}  // namespace triton_aot

#include "reuse_or_compile.h"

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "atomic_file.h"
#include "cache_key.h"
#include "compile_order.h"
#include "job_slots.h"
#include "timing_log.h"
#include "utf8.h"

namespace triton_aot {
namespace {

using nlohmann::json;  // a cached compile's metadata

// Writes a cached compile's files where the frontend would have; false if the
// entry lacks one. A config the pruner left out has no files, only why.
bool Restore(const CacheEntry& entry, const CompileJob& job, CompileOutcome* outcome, std::string* err) {
  if (const auto pruned = entry.find("pruned"); pruned != entry.end()) {
    outcome->pruned = pruned->second;
    return !outcome->pruned.empty();
  }
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
  if (!job.outcome.pruned.empty()) {
    entry["pruned"] = job.outcome.pruned;
    return options.cache->Put(job.key, entry, err);
  }
  return ReadFile(job.request.out_prefix + ".cubin", &entry["cubin"], err) &&
         ReadFile(job.request.out_prefix + ".ptx", &entry["ptx"], err) &&
         (entry["metadata.json"] = job.outcome.metadata.dump(), options.cache->Put(job.key, entry, err));
}

// The compiler, with the module loaded (the load answer was recalled: the
// compiler loads the module now); null, with `*error`, if it cannot load.
KernelCompiler* LoadedCompiler(LazyCompiler& compiler, Diagnostic* error) {
  LoadAnswer unused_answer;
  return compiler.Loaded(&unused_answer, error);
}

// Compiles `misses` on several `compilers`, which take them one at a time,
// in the order given, each as it becomes free (compile times differ by config
// and arch: a fixed share would leave some idle at the end). The first runs
// on this thread, the others on threads of their own (or here, after it, if
// none can start). The first failure in compiler order is the error; the
// others then stop.
bool CompileOnAll(const std::vector<LazyCompiler*>& compilers, const std::vector<CompileJob>& misses,
                  std::vector<CompileOutcome>* compiled, Diagnostic* error) {
  const size_t n = compilers.size();
  std::vector<std::vector<CompileOutcome>> by_miss(misses.size());
  std::vector<Diagnostic> errors(n);
  std::vector<char> ok(n, 1);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  const auto run = [&](size_t w) {
    KernelCompiler* loaded = LoadedCompiler(*compilers[w], &errors[w]);
    for (size_t i; loaded && !failed && (i = next++) < misses.size();) {
      if (!loaded->Compile({misses[i]}, &by_miss[i], &errors[w])) loaded = nullptr;
    }
    if (!loaded) ok[w] = 0, failed = true;
  };
  std::vector<std::thread> threads;
  std::vector<size_t> here = {0};
  for (size_t w = 1; w < n; ++w) {
    try {
      threads.emplace_back(run, w);
    } catch (const std::system_error&) {
      here.push_back(w);
    }
  }
  for (size_t w : here) run(w);
  for (std::thread& thread : threads) thread.join();
  for (size_t w = 0; w < n; ++w) {
    if (!ok[w]) return (*error = errors[w], false);
  }
  for (std::vector<CompileOutcome>& outcomes : by_miss) {
    for (CompileOutcome& outcome : outcomes) compiled->push_back(std::move(outcome));
  }
  return true;
}

// `misses` in the order to hand them out: longest first (compile_order.h).
std::vector<CompileJob> InCompileOrder(const ReuseOptions& options, const std::vector<CompileJob>& misses,
                                       const std::vector<std::string>& names) {
  std::vector<CompileJob> ordered;
  for (size_t i : LongestFirst(names, PastCompileTimes(options.timing_log, options.edge_output))) {
    ordered.push_back(misses[i]);
  }
  return ordered;
}

// The misses, compiled on up to options.edge_jobs compilers at once; `names`
// are their CompileNames.
bool CompileMisses(const ReuseOptions& options, std::vector<CompileJob> misses, const std::vector<std::string>& names,
                   LazyCompiler& compiler, const MoreCompilers& more, std::vector<CompileOutcome>* compiled,
                   size_t* workers, Diagnostic* error) {
  if (misses.size() > 1) misses = InCompileOrder(options, misses, names);
  const size_t wanted = more ? std::min(options.edge_jobs, misses.size()) : 1;
  // Held until every compile ended; one worker needs no slot (Ninja gave it its own).
  const JobSlots slots =
      wanted > 1 ? JobSlots::Take(options.slot_prefix, options.slot_pool, wanted, options.makeflags) : JobSlots();
  std::vector<LazyCompiler*> compilers = {&compiler};
  while (compilers.size() < slots.workers()) compilers.push_back(more(compilers.size()));
  if (workers) *workers = std::max(*workers, compilers.size());
  if (compilers.size() > 1) return CompileOnAll(compilers, misses, compiled, error);
  KernelCompiler* loaded = LoadedCompiler(compiler, error);  // one compiler: every job in one request
  return loaded && loaded->Compile(misses, compiled, error);
}

}  // namespace

bool ReuseOrCompile(const ReuseOptions& options, const ModuleBuild& build, LazyCompiler& compiler, JobTable* table,
                    Diagnostic* error, int only_arch, const MoreCompilers& more, size_t* workers) {
  std::vector<CompileJob> misses;
  std::vector<std::string> names;
  for (Job& job : table->jobs()) {
    if (only_arch != 0 && job.request.arch != only_arch) continue;
    std::string restore_err;  // an entry that cannot be restored is compiled again
    if (options.cache && Reuse(options, build, &job, &restore_err)) continue;
    const KernelSpec& kernel = build.spec.kernels[job.kernel_index];
    misses.push_back(job.request);
    names.push_back(CompileName(kernel.name, kernel.variants[job.variant_index].name, job.arch.SmName()));
  }
  if (misses.empty()) return true;

  std::vector<CompileOutcome> compiled;
  if (!CompileMisses(options, std::move(misses), names, compiler, more, &compiled, workers, error)) {
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

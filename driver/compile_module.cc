#include "compile_module.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "artifact_cache.h"
#include "atomic_file.h"
#include "cache_key.h"
#include "codegen.h"
#include "content_hash.h"
#include "depfile.h"
#include "fatbin.h"
#include "metadata.h"
#include "module_build.h"
#include "remembered_load.h"
#include "spec.h"
#include "timing_log.h"

extern char** environ;

namespace triton_aot {
namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

// A private folder next to the outputs, removed on every exit path.
class ScratchDir {
 public:
  bool Create(const std::string& parent, const std::string& stem, std::string* err) {
    std::string templ = TemporaryTemplate(parent, stem, "scratch");
    if (!::mkdtemp(templ.data())) {
      const int errnum = errno;
      *err = fmt::format("triton-aot: error: cannot create a scratch folder in the output folder '{}': {}{}", parent,
                         std::strerror(errnum), AdviceForWriteError(errnum));
      return false;
    }
    path_ = templ;
    return true;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

CompileJob MakeJob(const KernelSpec& kernel, const Variant& variant, const Arch& arch, const std::string& ptxas) {
  CompileJob job;
  job.function = kernel.function;
  job.signature = ordered_json::object();
  job.constexprs = ordered_json::object();
  size_t arg = 0;
  for (size_t p = 0; p < kernel.params.size(); ++p) {
    const Param& param = kernel.params[p];
    if (param.is_constexpr) {
      job.signature[param.name] = "constexpr";
      job.constexprs[param.name] = variant.constexprs[param.name];
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
  return job;
}

std::string FirstLines(const std::string& text, size_t max_lines) {
  size_t pos = 0;
  for (size_t i = 0; i < max_lines && pos != std::string::npos; ++i) {
    pos = text.find('\n', pos == 0 ? 0 : pos + 1);
  }
  return pos == std::string::npos ? text : text.substr(0, pos) + "\n  ...";
}

// Failed compiles, one message per distinct error: Triton usually fails a
// kernel the same way in every variant and for every arch, and one message
// that says so reads better than a copy per variant.
class CompileFailures {
 public:
  void Add(const std::string& where, const std::string& kernel, const std::string& variant, const std::string& sm,
           const std::string& message) {
    auto group = std::find_if(groups_.begin(), groups_.end(), [&](const Group& g) {
      return g.where == where && g.kernel == kernel && g.message == message;
    });
    if (group == groups_.end()) group = groups_.insert(groups_.end(), Group{where, kernel, message, {}});
    group->subjects.emplace_back(variant, sm);
  }
  // A message of its own, ending in a newline.
  void AddMessage(const std::string& text) { messages_ += text; }
  bool empty() const { return groups_.empty() && messages_.empty(); }

  std::string Format() const {
    std::string text;
    for (const Group& g : groups_) {
      text += fmt::format("{}: error: kernel '{}', {}: {}\n", g.where, g.kernel, Subjects(g.subjects), g.message);
    }
    text += messages_;
    if (!text.empty()) text.pop_back();
    return text;
  }

 private:
  using Subject = std::pair<std::string, std::string>;  // variant, sm
  struct Group {
    std::string where, kernel, message;
    std::vector<Subject> subjects;
  };

  static std::string Join(const std::vector<std::string>& items) {
    std::string text;
    for (size_t i = 0; i < items.size(); ++i) {
      text += i == 0 ? "" : i + 1 == items.size() ? " and " : ", ";
      text += items[i];
    }
    return text;
  }

  // "variant 'a', sm_90a", "variants 'a' and 'b', sm_80 and sm_90a", or, when
  // not every variant failed for every arch, "variant 'a' for sm_80, ...".
  static std::string Subjects(const std::vector<Subject>& subjects) {
    std::vector<std::string> variants, sms;
    for (const auto& [variant, sm] : subjects) {
      if (std::find(variants.begin(), variants.end(), "'" + variant + "'") == variants.end()) {
        variants.push_back("'" + variant + "'");
      }
      if (std::find(sms.begin(), sms.end(), sm) == sms.end()) sms.push_back(sm);
    }
    if (variants.size() * sms.size() == subjects.size()) {
      return fmt::format("{} {}, {}", variants.size() == 1 ? "variant" : "variants", Join(variants), Join(sms));
    }
    std::vector<std::string> pairs;
    for (const auto& [variant, sm] : subjects) pairs.push_back(fmt::format("variant '{}' for {}", variant, sm));
    return Join(pairs);
  }

  std::vector<Group> groups_;
  std::string messages_;
};

int64_t UnixMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A file a key is made of, read from `path`; `name` is how the key names it.
bool ReadKeyedFile(const std::string& path, std::string name, KeyedFile* file, std::string* err) {
  std::string bytes;
  if (!ReadFile(path, &bytes, err)) return false;
  *file = {std::move(name), Sha256Hex(bytes)};
  return true;
}

// What every cache key of a module shares (cache_key.h), read from disk.
bool ReadModuleKeyInputs(const std::string& module_path, const LoadAnswer& loaded, const std::string& frontend_script,
                         ModuleKeyInputs* in, std::string* err) {
  if (!frontend_script.empty() && !FrontendDigest(frontend_script, &in->frontend_sha256, err)) return false;
  if (!ReadKeyedFile(module_path, module_path, &in->module, err)) return false;
  for (const std::string& path : loaded.imports) {
    KeyedFile import;
    if (!ReadKeyedFile(path, path, &import, err)) return false;
    in->imports.push_back(std::move(import));
  }
  in->triton_version = loaded.triton_version;
  in->triton_key = loaded.triton_key;
  const fs::path triton_dir = fs::path(loaded.triton_file).parent_path();
  for (const std::string& path : loaded.triton_files) {
    // Triton's native library is in triton_key: too large to hash per edge.
    const fs::path file = path;
    if (file.extension() != ".py" && file.extension() != ".bc") continue;
    KeyedFile source;
    if (!ReadKeyedFile(file.string(), file.lexically_relative(triton_dir).string(), &source, err)) return false;
    in->triton_sources.push_back(std::move(source));
  }
  in->settings = TritonSettings(environ);
  return true;
}

// The edge's compiler, started only when something must be loaded or
// compiled: an edge whose every kernel is in the cache runs no Python.
class LazyCompiler {
 public:
  LazyCompiler(const CompilerFactory& factory, std::string scratch, std::string module_path, std::string source_root)
      : factory_(factory),
        scratch_(std::move(scratch)),
        module_path_(std::move(module_path)),
        source_root_(std::move(source_root)) {}

  // The compiler, with the module loaded into it; `*loaded` gets its answer.
  KernelCompiler* Loaded(LoadAnswer* loaded, std::string* err) {
    if (!compiler_) compiler_ = factory_(scratch_);
    if (!module_loaded_) {
      Diagnostic error;
      if (!compiler_->Load(module_path_, source_root_, loaded, &error)) {
        *err = FormatDiagnostic(error);
        return nullptr;
      }
      module_loaded_ = true;
    }
    return compiler_.get();
  }
  std::string Kind() const { return compiler_ ? compiler_->Kind() : "none"; }

 private:
  const CompilerFactory& factory_;
  std::string scratch_, module_path_, source_root_;
  std::unique_ptr<KernelCompiler> compiler_;
  bool module_loaded_ = false;
};

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

}  // namespace

bool CompileOrReuse(const CompileModuleOptions& options, const std::string& module_path, const LoadAnswer& loaded,
                    const ModuleBuild& build, const std::vector<CompileJob>& jobs, ArtifactCache* cache,
                    const LoadedCompiler& loaded_compiler, std::vector<CompileOutcome>* outcomes,
                    std::vector<std::string>* cache_states, std::string* err) {
  outcomes->assign(jobs.size(), CompileOutcome());
  cache_states->assign(jobs.size(), "");
  std::string module_key, cache_err;
  ModuleKeyInputs key_inputs;
  if (cache && !ReadModuleKeyInputs(module_path, loaded, options.frontend_script, &key_inputs, &cache_err)) {
    if (options.verbose) fmt::print(stderr, "triton-aot: {}: not using the artifact cache: {}\n", module_path, cache_err);
    cache = nullptr;
  }
  if (cache) module_key = KeyDigest(ModuleKeyParts(key_inputs));
  std::vector<std::string> keys(jobs.size());
  std::vector<CompileJob> misses;
  for (size_t j = 0; j < jobs.size(); ++j) {
    const CompileJob& job = jobs[j];
    CompileOutcome& outcome = (*outcomes)[j];
    outcome.id = job.id;
    if (!cache) {
      misses.push_back(job);
      continue;
    }
    outcome.start_us = UnixMicros();
    const PtxasInfo& ptxas = build.ptxas.at(job.arch).info;
    keys[j] = KeyDigest(JobKeyParts(module_key, job, ptxas, FileStamp(ptxas.path)));
    CacheEntry entry;
    const ArtifactCache::Found found = cache->Get(keys[j], &entry);
    if (found == ArtifactCache::Found::kHit && Restore(entry, job, &outcome, err)) {
      outcome.ok = true;
      outcome.elapsed_us = UnixMicros() - outcome.start_us;
      (*cache_states)[j] = "hit";
      continue;
    }
    if (found == ArtifactCache::Found::kCorrupt && options.verbose) {
      fmt::print(stderr, "triton-aot: {}: a damaged artifact cache entry was removed; compiling again\n", module_path);
    }
    (*cache_states)[j] = "miss";
    misses.push_back(job);
  }
  if (misses.empty()) return true;

  KernelCompiler* compiler = loaded_compiler(err);
  if (!compiler) return false;
  std::vector<CompileOutcome> compiled;
  Diagnostic error;
  if (!compiler->Compile(misses, &compiled, &error)) {
    *err = error.file.empty() ? error.message : FormatDiagnostic(error);  // the caller names the module
    return false;
  }
  bool warned = false;
  for (CompileOutcome& outcome : compiled) {
    const size_t j = static_cast<size_t>(outcome.id);
    if (cache && outcome.ok) {
      CacheEntry entry;
      std::string put_err;
      const bool stored = ReadFile(jobs[j].out_prefix + ".cubin", &entry["cubin"], &put_err) &&
                          ReadFile(jobs[j].out_prefix + ".ptx", &entry["ptx"], &put_err) &&
                          (entry["metadata.json"] = outcome.metadata.dump(), cache->Put(keys[j], entry, &put_err));
      if (!stored && !warned) {
        // The build goes on; only the next one is slower.
        fmt::print(stderr, "triton-aot: warning: {}: cannot store compiled kernels in the artifact cache '{}': {} "
                           "(turn the cache off with TRITON_AOT_CACHE=OFF or --no-cache)\n",
                   module_path, options.cache_dir, put_err);
        warned = true;
      }
    }
    (*outcomes)[j] = std::move(outcome);
  }
  return true;
}

namespace {

// Removes fatbins of variants that no longer exist.
void RemoveStaleFatbins(const std::string& dir, const std::set<std::string>& keep) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".fatbin" && keep.count(name) == 0) fs::remove(entry.path(), ec);
  }
}

}  // namespace

bool CompileModule(const CompileModuleOptions& options, const CompilerFactory& make_compiler, PtxasProber& prober,
                   std::string* err) {
  const int64_t edge_start_us = UnixMicros();
  const fs::path module_path = fs::absolute(options.module_path).lexically_normal();
  const std::string module_name = module_path.stem().string();
  if (!IsIdentifier(module_name)) {
    *err = fmt::format("{}:1: error: the module's name '{}' is not a C++ identifier, but it names the generated "
                       "header and namespace: rename the file (letters, digits and '_')",
                       module_path.string(), module_name);
    return false;
  }
  std::error_code ec;
  fs::create_directories(options.output_dir, ec);
  if (ec) {
    *err = fmt::format("triton-aot: error: --output-dir: cannot create the folder '{}': {}{}", options.output_dir,
                       ec.message(), AdviceForWriteError(ec.value()));
    return false;
  }
  // What an earlier, killed run of this module left behind.
  RemoveAbandonedTemporaries(options.output_dir, module_name + ".");
  RemoveAbandonedTemporaries((fs::path(options.output_dir) / module_name).string(), "");
  if (!options.depfile.empty()) {
    const fs::path depfile(options.depfile);
    RemoveAbandonedTemporaries(depfile.parent_path().string(), depfile.filename().string());
  }
  ScratchDir scratch;
  if (!scratch.Create(options.output_dir, module_name, err)) return false;
  LazyCompiler compiler(make_compiler, scratch.path(), module_path.string(), options.source_root);
  std::unique_ptr<ArtifactCache> cache;
  if (!options.cache_dir.empty()) cache = std::make_unique<ArtifactCache>(options.cache_dir, options.cache_max_bytes);

  // 1. Load the module and read its spec, or recall what loading it answered
  //    last time, when neither it nor a file it imports changed since.
  LoadAnswer loaded;
  std::string load_key, module_source, read_err;
  if (cache && ReadFile(module_path.string(), &module_source, &read_err)) {
    load_key = KeyDigest(LoadKeyParts({.frontend_identity = options.frontend_identity,
                                       .module = {module_path.string(), Sha256Hex(module_source)},
                                       .source_root = options.source_root,
                                       .settings = TritonSettings(environ)}));
  }
  const bool recalled = !load_key.empty() && RecallLoad(*cache, load_key, &loaded);
  if (!recalled) {
    if (!compiler.Loaded(&loaded, err)) return false;
    if (!load_key.empty()) RememberLoad(*cache, load_key, loaded);
  }
  ModuleBuild build;
  build.module_name = module_name;
  build.cpp_namespace = options.cpp_namespace;
  build.archs = options.archs;
  build.triton_version = loaded.triton_version;
  Diagnostic spec_error;
  if (!ParseModuleSpec(loaded, module_path.string(), &build.spec, &spec_error)) {
    *err = FormatDiagnostic(spec_error);
    return false;
  }

  // 2. One ptxas per arch.
  PtxasSources sources = options.ptxas;
  const fs::path triton_dir = fs::path(loaded.triton_file).parent_path();
  sources.triton_bin_dir = (triton_dir / "backends" / "nvidia" / "bin").string();
  for (const Arch& arch : options.archs) {
    std::string notes;
    PtxasChoice choice;
    if (!ResolvePtxas(sources, arch, prober, &choice, &notes, err)) {
      *err = fmt::format("triton-aot: error: {}: {}", module_path.string(), *err);
      return false;
    }
    if (options.verbose && !notes.empty()) fmt::print(stderr, "{}", notes);
    build.ptxas[arch.capability] = std::move(choice);
  }

  // 3. Compile every variant for every arch.
  std::vector<CompileJob> jobs;
  std::vector<std::tuple<size_t, size_t, Arch>> job_keys;
  for (size_t k = 0; k < build.spec.kernels.size(); ++k) {
    const KernelSpec& kernel = build.spec.kernels[k];
    for (size_t v = 0; v < kernel.variants.size(); ++v) {
      for (const Arch& arch : options.archs) {
        CompileJob job = MakeJob(kernel, kernel.variants[v], arch, build.ptxas[arch.capability].info.path);
        job.id = static_cast<int>(jobs.size());
        job.out_prefix = fmt::format("{}/{}.{}.{}", scratch.path(), kernel.name, kernel.variants[v].name,
                                     arch.SmName());
        jobs.push_back(std::move(job));
        job_keys.emplace_back(k, v, arch);
      }
    }
  }
  std::vector<CompileOutcome> outcomes;
  std::vector<std::string> cache_states(jobs.size());  // "hit", "miss", or "" without a cache
  const LoadedCompiler loaded_compiler = [&](std::string* load_err) -> KernelCompiler* {
    LoadAnswer answer;
    return compiler.Loaded(&answer, load_err);
  };
  if (!CompileOrReuse(options, module_path.string(), loaded, build, jobs, cache.get(), loaded_compiler, &outcomes,
                      &cache_states, err)) {
    *err = fmt::format("triton-aot: error: {}: {}", module_path.string(), *err);
    return false;
  }

  std::vector<TimingRecord> records;
  CompileFailures failures;
  for (const CompileOutcome& outcome : outcomes) {
    const auto& [k, v, arch] = job_keys.at(static_cast<size_t>(outcome.id));
    const KernelSpec& kernel = build.spec.kernels[k];
    const Variant& variant = kernel.variants[v];
    TimingRecord record;
    record.module = module_name;
    record.kernel = kernel.name;
    record.variant = variant.name;
    record.arch = arch.SmName();
    record.compile_us = outcome.elapsed_us;
    record.ptxas = build.ptxas[arch.capability].info.path;
    record.ok = outcome.ok;
    record.error = outcome.error;
    record.start_us = outcome.start_us;
    record.cache = cache_states[static_cast<size_t>(outcome.id)];
    record.compiler = compiler.Kind();
    record.edge_output = fs::absolute(fs::path(options.output_dir) / (module_name + ".h")).lexically_normal().string();
    record.edge_start_us = edge_start_us;
    records.push_back(std::move(record));
    if (!outcome.ok && !outcome.error_file.empty()) {
      // Triton's compiler said where in the kernel's code: point there.
      std::string where = fmt::format("{}:{}", outcome.error_file, outcome.error_line);
      if (outcome.error_col > 0) where += fmt::format(":{}", outcome.error_col);
      failures.Add(where, kernel.name, variant.name, arch.SmName(), FirstLines(outcome.error, 20));
    } else if (!outcome.ok) {
      failures.Add(fmt::format("{}:{}", module_path.string(), variant.line), kernel.name, variant.name, arch.SmName(),
                   "Triton failed to compile it:\n  " + FirstLines(outcome.error, 20));
    } else if (const int64_t limit = MaxSharedMemoryPerBlock(arch.capability),
               shared = outcome.metadata.value("shared", int64_t{0});
               limit > 0 && shared > limit) {
      // Triton checks this only when a kernel is loaded; here it is a build
      // error rather than a failed launch on the user's machine.
      failures.AddMessage(fmt::format("{}:{}: error: kernel '{}', variant '{}' needs {} bytes of shared memory on {}, but a "
                              "block there can have at most {}: lower num_stages or the block sizes of this variant, "
                              "or leave {} out of ARCHITECTURES\n",
                              module_path.string(), variant.line, kernel.name, variant.name, shared, arch.SmName(),
                              limit, arch.SmName()));
    }
  }
  auto log_records = [&] {
    const int64_t edge_end_us = UnixMicros();
    for (TimingRecord& record : records) record.edge_end_us = edge_end_us;
    std::string log_err;
    if (!options.timing_log.empty() && !AppendTimingLog(options.timing_log, records, &log_err)) {
      fmt::print(stderr, "triton-aot: warning: {}\n", log_err);
    }
  };
  if (!failures.empty()) {
    log_records();
    *err = failures.Format();
    return false;
  }

  // 4. Pack one fatbin per variant: every arch's cubin, plus the newest arch's
  //    PTX so that newer GPUs can JIT it.
  const std::string fatbin_dir_name = module_name;
  for (size_t j = 0; j < jobs.size();) {
    const auto& [k, v, first_arch] = job_keys[j];
    VariantBuild vb;
    vb.kernel_index = k;
    vb.variant_index = v;
    std::vector<FatbinImage> images;
    std::string newest_ptx, newest_sm;
    for (; j < jobs.size() && std::get<0>(job_keys[j]) == k && std::get<1>(job_keys[j]) == v; ++j) {
      const CompileOutcome& outcome = outcomes[j];
      const std::string prefix = fs::path(jobs[j].out_prefix).filename().string();
      std::string ptx;
      if (!ReadFile(jobs[j].out_prefix + ".ptx", &ptx, err)) {
        *err = "triton-aot: error: " + *err;
        return false;
      }
      ArchBuild ab{std::get<2>(job_keys[j]), PtxTarget(ptx), outcome.metadata};
      if (ab.sm.empty()) ab.sm = ab.arch.SmName();
      vb.entry = outcome.metadata.value("name", build.spec.kernels[k].function);
      images.push_back({false, ab.sm, prefix + ".cubin"});
      newest_ptx = prefix + ".ptx";
      newest_sm = ab.sm;
      vb.archs.push_back(std::move(ab));
    }
    images.push_back({true, newest_sm, newest_ptx});
    if (!PackFatbin(options.fatbinary, scratch.path(), images, &vb.fatbin, err)) {
      *err = fmt::format("triton-aot: error: {}: {}", module_path.string(), *err);
      return false;
    }
    vb.fatbin_name = fmt::format("{}/{}.{}.fatbin", fatbin_dir_name, build.KernelOf(vb).name, build.VariantOf(vb).name);
    build.variants.push_back(std::move(vb));
  }

  // 5. Write the outputs, each only if its bytes changed. The generated source
  //    embeds the fatbins by path, so it is rewritten whenever one changed.
  const std::string out = options.output_dir;
  fs::create_directories(fs::path(out) / fatbin_dir_name, ec);
  if (ec) {
    *err = fmt::format("triton-aot: error: cannot create '{}/{}': {}", out, fatbin_dir_name, ec.message());
    return false;
  }
  bool any_fatbin_changed = false;
  std::set<std::string> fatbins;
  for (const VariantBuild& vb : build.variants) {
    bool changed = false;
    if (!WriteFileIfChanged(out + "/" + vb.fatbin_name, vb.fatbin, &changed, err)) {
      *err = "triton-aot: error: " + *err;
      return false;
    }
    any_fatbin_changed |= changed;
    fatbins.insert(fs::path(vb.fatbin_name).filename().string());
  }
  RemoveStaleFatbins(out + "/" + fatbin_dir_name, fatbins);
  const std::string source = GenerateSource(build);
  const std::string source_path = fmt::format("{}/{}.cpp", out, module_name);
  if (!WriteFileIfChanged(fmt::format("{}/{}.json", out, module_name), ModuleMetadataJson(build), nullptr, err) ||
      !(any_fatbin_changed ? WriteFileAtomically(source_path, source, err)
                           : WriteFileIfChanged(source_path, source, nullptr, err)) ||
      !WriteFileIfChanged(fmt::format("{}/{}.h", out, module_name), GenerateHeader(build), nullptr, err)) {
    *err = "triton-aot: error: " + *err;
    return false;
  }

  // 6. The depfile: the module, the project's Python files it imported,
  //    Triton's files, and the tools whose change changes the output (each
  //    ptxas, fatbinary).
  if (!options.depfile.empty()) {
    std::vector<std::string> deps = {module_path.string()};
    for (const auto* files : {&loaded.imports, &loaded.triton_files}) {
      deps.insert(deps.end(), files->begin(), files->end());
    }
    std::set<std::string> tools = {options.fatbinary};
    for (const auto& [capability, choice] : build.ptxas) tools.insert(choice.info.path);
    deps.insert(deps.end(), tools.begin(), tools.end());
    deps.erase(std::remove(deps.begin(), deps.end(), ""), deps.end());
    const std::string target = fmt::format("{}/{}.h", out, module_name);
    if (!WriteFileAtomically(options.depfile, FormatDepfile(target, deps), err)) {
      *err = "triton-aot: error: " + *err;
      return false;
    }
  }
  log_records();
  if (options.verbose) {
    int64_t total_us = 0;
    size_t hits = 0;
    for (const TimingRecord& r : records) {
      if (r.cache == "hit") {
        ++hits;
      } else {
        total_us += r.compile_us;
      }
    }
    fmt::print(stderr, "triton-aot: {}: {} variants x {} archs: {} compiled in {:.3f} s ({}), {} from the artifact cache\n",
               module_name, build.variants.size(), options.archs.size(), records.size() - hits, total_us / 1e6,
               compiler.Kind() == "service"   ? "by a worker of the compile service"
               : compiler.Kind() == "process" ? "by a Python of this edge's own"
                                              : "no Python needed",
               hits);
  }
  return true;
}

}  // namespace triton_aot

#include "fake_compiler.h"

#include <unistd.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <tuple>

#include <fmt/format.h>

#include "atomic_file.h"
#include "content_hash.h"
#include "source_check.h"
#include "test_support.h"

namespace triton_aot::testing {
namespace {

struct Binaries {
  std::string ptx, cubin;
};

bool MakeBinaries(const std::string& function, const std::string& sm, Binaries* made, std::string* err) {
  TempDir dir;
  made->ptx = fmt::format(".version 8.7\n.target {}\n.address_size 64\n\n.visible .entry {}()\n{{\n\tret;\n}}\n", sm,
                          function);
  const std::filesystem::path ptx = dir.path() / "k.ptx", cubin = dir.path() / "k.cubin";
  WriteText(ptx, made->ptx);
  const ProcessResult ptxas = Run({ToolkitPtxas(), "-arch=" + sm, ptx.string(), "-o", cubin.string()});
  if (ptxas.exit_code != 0) {
    *err = fmt::format("{} -arch={} failed: {}", ToolkitPtxas(), sm, ptxas.output);
    return false;
  }
  made->cubin = ReadText(cubin);
  return true;
}

class FakeCompiler : public KernelCompiler {
 public:
  explicit FakeCompiler(FakeCompilerScript* script) : script_(script) {}

  // As the frontend does, the answer names the bytes of the module and of
  // each import (given as a path) as they are read now.
  bool Load(const LoadRequest& request, LoadAnswer* loaded, Diagnostic* error) override {
    const std::lock_guard<std::mutex> lock(script_->mutex);
    const std::string& module_path = request.module;
    ++script_->loads;
    script_->load_targets.push_back(request.target_arch);
    target_ = request.target_arch;
    if (script_->before_load) script_->before_load();
    if (script_->load_error) return (*error = *script_->load_error, false);
    nlohmann::json answer = script_->load_answer;
    if (answer.value("module_sha256", "").empty()) answer["module_sha256"] = FileSha256(module_path);
    for (nlohmann::json& file : answer["imports"]) {
      if (file.is_string()) file = {{"path", file}, {"sha256", FileSha256(file.get<std::string>())}};
    }
    std::string err;
    if (!ParseLoadAnswer(answer, loaded, &err)) return (*error = Diagnostic::Plain(err), false);
    return true;
  }

  bool Compile(const std::vector<CompileJob>& jobs, std::vector<CompileOutcome>* outcomes,
               Diagnostic* error) override {
    const std::lock_guard<std::mutex> lock(script_->mutex);
    ++script_->compile_calls;
    if (script_->compile_error) return (*error = *script_->compile_error, false);
    for (const CompileJob& job : jobs) {
      script_->compiled.push_back(job);
      script_->compiled_by_target.push_back(target_);
      outcomes->push_back(CompileOne(job));
    }
    return true;
  }

  std::string Kind() const override { return "process"; }

 private:
  CompileOutcome CompileOne(const CompileJob& job) {
    CompileOutcome outcome;
    outcome.id = job.id;
    outcome.start_us = 1;
    outcome.elapsed_us = 1000;
    std::string ptx, cubin;
    const bool arch_specific = job.arch >= 90;
    outcome.ok = EmptyKernelBinaries(job.function, job.arch, arch_specific, &ptx, &cubin, &outcome.error) &&
                 WriteFileAtomically(job.out_prefix + ".ptx", ptx, &outcome.error) &&
                 WriteFileAtomically(job.out_prefix + ".cubin", cubin, &outcome.error);
    outcome.metadata = {{"name", job.function}, {"num_warps", job.options.value("num_warps", 4)},
                        {"num_ctas", 1}, {"shared", 0}};
    if (script_->edit_outcome) script_->edit_outcome(job, &outcome);
    return outcome;
  }

  FakeCompilerScript* script_;
  int target_ = 0;
};

}  // namespace

bool EmptyKernelBinaries(const std::string& function, int capability, bool arch_specific, std::string* ptx,
                         std::string* cubin, std::string* err) {
  static std::mutex mutex;
  static std::map<std::tuple<std::string, int, bool>, Binaries> made;
  const std::lock_guard<std::mutex> lock(mutex);
  const auto key = std::make_tuple(function, capability, arch_specific);
  auto found = made.find(key);
  if (found == made.end()) {
    Binaries binaries;
    const std::string sm = fmt::format("sm_{}{}", capability, arch_specific ? "a" : "");
    if (!MakeBinaries(function, sm, &binaries, err)) return false;
    found = made.emplace(key, std::move(binaries)).first;
  }
  *ptx = found->second.ptx;
  *cubin = found->second.cubin;
  return true;
}

CompilerFactory FakeCompilerFactory(FakeCompilerScript* script) {
  return [script](const std::string&) -> std::unique_ptr<KernelCompiler> {
    const std::lock_guard<std::mutex> lock(script->mutex);
    ++script->compilers_made;
    return std::make_unique<FakeCompiler>(script);
  };
}

}  // namespace triton_aot::testing

#include "frontend.h"

#include <fmt/format.h>

#include "atomic_file.h"

namespace triton_aot {

using nlohmann::json;

std::string FormatFrontendError(const json& error, const std::string& module_path) {
  std::string file = error.value("file", json()).is_string() ? error["file"].get<std::string>() : module_path;
  const int line = error.value("line", 0);
  const int col = error.value("col", 0);
  const std::string message = error.value("message", "unknown error");
  std::string where = file;
  if (line > 0) where += fmt::format(":{}", line);
  if (line > 0 && col > 0) where += fmt::format(":{}", col);
  std::string text = fmt::format("{}: error: {}", where, message);
  if (file != module_path) text += fmt::format(" (while loading {})", module_path);
  return text;
}

FrontendProcess::FrontendProcess(std::string python, std::string frontend_script, std::string stderr_path,
                                 std::string triton_cache_dir)
    : python_(std::move(python)),
      script_(std::move(frontend_script)),
      stderr_path_(std::move(stderr_path)),
      triton_cache_dir_(std::move(triton_cache_dir)) {}

bool FrontendProcess::EnsureStarted(std::string* err) {
  if (child_) return true;
  ProcessOptions options;
  options.stderr_path = stderr_path_;
  // No GPU is needed or wanted at build time; Triton's own cache is private to
  // this edge so that every build compiles from the sources it was given.
  options.env["CUDA_VISIBLE_DEVICES"] = "";
  options.env["TRITON_CACHE_DIR"] = triton_cache_dir_;
  options.env["PYTHONDONTWRITEBYTECODE"] = "1";
  options.env["PYTHONUNBUFFERED"] = "1";
  auto child = std::make_unique<Child>();
  if (!child->Start({python_, "-s", script_}, options, err)) {
    *err = fmt::format("cannot start the Python frontend: {}", *err);
    return false;
  }
  child_ = std::move(child);
  return true;
}

bool FrontendProcess::Exchange(const json& request, json* response, std::string* err) {
  if (!EnsureStarted(err)) return false;
  std::string line;
  std::string write_err;
  const bool sent = child_->WriteAll(request.dump() + "\n", &write_err);
  if (!sent || !child_->ReadLine(&line)) {
    ProcessResult result;
    child_->Wait(&result);
    child_.reset();
    std::string log = Stderr();
    if (log.size() > 4000) log = "..." + log.substr(log.size() - 4000);
    *err = fmt::format("the Python frontend ({} {}) stopped unexpectedly ({}){}", python_, script_, result.Describe(),
                       log.empty() ? "" : ":\n" + log);
    return false;
  }
  *response = json::parse(line, nullptr, false);
  if (response->is_discarded()) {
    *err = "the Python frontend answered with something that is not JSON: " + line.substr(0, 200);
    return false;
  }
  return true;
}

bool FrontendProcess::Load(const std::string& module_path, const std::string& source_root, json* loaded,
                           std::string* err) {
  json request = {{"op", "load"}, {"module", module_path}, {"source_root", source_root}};
  if (!Exchange(request, loaded, err)) {
    *err = fmt::format("triton-aot: error: {}: {}", module_path, *err);
    return false;
  }
  if (!loaded->value("ok", false)) {
    const json& error = (*loaded)["error"];
    if (error.value("kind", "") == "no-triton") {
      *err = fmt::format("triton-aot: error: {}; install it (pip install triton==3.6.0) or point add_triton_kernels() "
                         "at a Python that has it (PYTHON keyword or TRITON_AOT_PYTHON)",
                         error.value("message", ""));
    } else {
      *err = FormatFrontendError(error, module_path);
    }
    return false;
  }
  return true;
}

bool FrontendProcess::Compile(const std::vector<CompileJob>& jobs, std::vector<CompileOutcome>* outcomes,
                              std::string* err) {
  json request = {{"op", "compile"}, {"jobs", json::array()}};
  for (const CompileJob& job : jobs) {
    request["jobs"].push_back({{"id", job.id},
                               {"kernel", job.function},
                               {"signature", job.signature},
                               {"constexprs", job.constexprs},
                               {"divisible_by_16", job.divisible_by_16},
                               {"options", job.options},
                               {"arch", job.arch},
                               {"ptxas", job.ptxas},
                               {"out_prefix", job.out_prefix}});
  }
  json response;
  if (!Exchange(request, &response, err)) return false;
  if (!response.value("ok", false)) {
    *err = FormatFrontendError(response["error"], "");
    return false;
  }
  outcomes->clear();
  for (const json& r : response["results"]) {
    CompileOutcome outcome;
    outcome.id = r["id"].get<int>();
    outcome.ok = r["ok"].get<bool>();
    outcome.elapsed_us = r["elapsed_us"].get<int64_t>();
    outcome.error = r.value("error", "");
    outcome.metadata = r.value("metadata", json());
    outcomes->push_back(std::move(outcome));
  }
  return true;
}

std::string FrontendProcess::Stderr() const {
  std::string text, ignored;
  ReadFile(stderr_path_, &text, &ignored);
  return text;
}

}  // namespace triton_aot

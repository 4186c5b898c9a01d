#include "frontend.h"

#include <signal.h>

#include <chrono>
#include <regex>
#include <thread>

#include <fmt/format.h>

#include "atomic_file.h"
#include "interrupt.h"

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
  std::string text = where.empty() ? message : fmt::format("{}: error: {}", where, message);
  if (!module_path.empty() && file != module_path) text += fmt::format(" (while loading {})", module_path);
  if (error.contains("errno") && error["errno"].is_number_integer()) text += AdviceForWriteError(error["errno"]);
  return text;
}

FrontendProcess::FrontendProcess(FrontendOptions options) : options_(std::move(options)) {}

bool FrontendProcess::EnsureStarted(std::string* err) {
  if (child_) return true;
  ProcessOptions options;
  options.stderr_path = options_.stderr_path;
  // No GPU is needed or wanted at build time; Triton's own cache is private to
  // this edge so that every build compiles from the sources it was given.
  options.env["CUDA_VISIBLE_DEVICES"] = "";
  options.env["TRITON_CACHE_DIR"] = options_.triton_cache_dir;
  // Lets the frontend end itself if the driver dies (see the script's main).
  options.env["TRITON_AOT_DRIVER_PID"] = std::to_string(::getpid());
  options.env["PYTHONDONTWRITEBYTECODE"] = "1";
  options.env["PYTHONUNBUFFERED"] = "1";
  auto child = std::make_unique<Child>();
  if (!child->Start({options_.python, "-s", options_.script}, options, err)) {
    *err = fmt::format("cannot start the Python frontend: {}; pass a Python that has Triton with --python (CMake: "
                       "the PYTHON keyword or TRITON_AOT_PYTHON)",
                       *err);
    return false;
  }
  child_ = std::move(child);
  return true;
}

bool FrontendProcess::Exchange(const json& request, int timeout_ms, json* response, std::string* err) {
  if (!EnsureStarted(err)) return false;
  std::string line;
  std::string write_err;
  const bool sent = child_->WriteAll(request.dump() + "\n", &write_err);
  const Child::Read read = sent ? child_->ReadLine(&line, timeout_ms) : Child::Read::kEnd;
  if (read == Child::Read::kInterrupted) {
    child_.reset();
    *err = "interrupted";  // never printed: the driver ends with the signal
    return false;
  }
  if (read == Child::Read::kTimedOut) {
    load_timed_out_ = true;
    return false;
  }
  if (read != Child::Read::kLine) {
    ProcessResult result;
    child_->Wait(&result);
    child_.reset();
    std::string log = Stderr();
    if (log.size() > 4000) log = "..." + log.substr(log.size() - 4000);
    *err = fmt::format("the Python frontend ({} {}) stopped unexpectedly ({}){}", options_.python, options_.script,
                       result.Describe(), log.empty() ? "" : ":\n" + log);
    return false;
  }
  *response = json::parse(line, nullptr, false);
  if (response->is_discarded()) {
    *err = "the Python frontend answered with something that is not JSON: " + line.substr(0, 200);
    return false;
  }
  return true;
}

std::string FrontendProcess::TimedOutLoadMessage(const std::string& module_path, const std::string& source_root) {
  // The frontend dumps its Python stack on SIGUSR1 (faulthandler); the
  // innermost frame in the project's files is where the module is stuck.
  static const std::regex kFrame(R"re(File "([^"]+)", line (\d+))re");
  child_->Signal(SIGUSR1);
  std::string where = module_path;
  for (int waited_ms = 0; waited_ms < 2000; waited_ms += 50) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const std::string log = Stderr();
    bool found = false;
    for (std::sregex_iterator it(log.begin(), log.end(), kFrame), end; it != end; ++it) {
      const std::string file = (*it)[1].str();
      if (file == module_path || file.rfind(source_root + "/", 0) == 0) {
        where = fmt::format("{}:{}", file, (*it)[2].str());
        found = true;
        break;
      }
    }
    if (found) break;
  }
  child_.reset();  // kills it
  const int seconds = (options_.load_timeout_ms + 999) / 1000;
  return fmt::format("{}: error: loading the module did not finish within {} s{}; a kernel module must not loop or "
                     "wait at import. If it really needs longer, raise the limit with --load-timeout (CMake: "
                     "TRITON_AOT_LOAD_TIMEOUT)",
                     where, seconds, where == module_path ? "" : " (it was still running this line)");
}

bool FrontendProcess::Load(const std::string& module_path, const std::string& source_root, json* loaded,
                           std::string* err) {
  json request = {{"op", "load"}, {"module", module_path}, {"source_root", source_root}};
  if (!Exchange(request, options_.load_timeout_ms, loaded, err)) {
    if (load_timed_out_) {
      *err = TimedOutLoadMessage(module_path, source_root);
      return false;
    }
    if (PendingInterrupt() != 0) return false;
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
  if (!Exchange(request, -1, &response, err)) return false;
  if (!response.value("ok", false)) {
    // Not about one variant (those come back as results): a full disk, say.
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
    if (r.contains("where") && r["where"].is_object()) {
      outcome.error_file = r["where"].value("file", "");
      outcome.error_line = r["where"].value("line", 0);
      outcome.error_col = r["where"].value("col", 0);
    }
    outcome.metadata = r.value("metadata", json());
    outcomes->push_back(std::move(outcome));
  }
  return true;
}

std::string FrontendProcess::Stderr() const {
  std::string text, ignored;
  ReadFile(options_.stderr_path, &text, &ignored);
  return text;
}

}  // namespace triton_aot

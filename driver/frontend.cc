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

namespace {

class ProcessLink : public FrontendLink {
 public:
  explicit ProcessLink(FrontendOptions options) : options_(std::move(options)) {}

  bool Open(std::string* err) override {
    ProcessOptions options;
    options.stderr_path = options_.stderr_path;
    options.env = FrontendEnvironment(options_);
    // Lets the frontend end itself if the driver dies (see the script's main).
    options.env["TRITON_AOT_DRIVER_PID"] = std::to_string(::getpid());
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
  bool Send(const std::string& line, std::string* err) override {
    if (!child_) return false;
    return child_->WriteAll(line, err);
  }
  LineReader::Read Receive(std::string* line, int timeout_ms) override {
    return child_ ? child_->ReadLine(line, timeout_ms) : LineReader::Read::kEnd;
  }
  std::string HowItEnded() override {
    if (!child_) return "stopped";
    ProcessResult result;
    child_->Wait(&result);
    return result.Describe();
  }
  std::string Name() const override {
    return fmt::format("the Python frontend ({} {})", options_.python, options_.script);
  }
  std::string Kind() const override { return "process"; }
  void Signal(int signal) override {
    if (child_) child_->Signal(signal);
  }
  void Kill() override { child_.reset(); }

 private:
  FrontendOptions options_;
  std::unique_ptr<Child> child_;
};

}  // namespace

std::map<std::string, std::optional<std::string>> FrontendEnvironment(const FrontendOptions& options) {
  std::map<std::string, std::optional<std::string>> env = {
      // No GPU is needed or wanted at build time.
      {"CUDA_VISIBLE_DEVICES", ""},
      // Triton's own cache is private to the edge, so that every build
      // compiles from the sources it was given.
      {"TRITON_CACHE_DIR", options.triton_cache_dir},
      {"PYTHONDONTWRITEBYTECODE", "1"},
      {"PYTHONUNBUFFERED", "1"},
  };
  if (!options.temp_dir.empty()) env["TMPDIR"] = options.temp_dir;
  return env;
}

std::unique_ptr<FrontendLink> MakeProcessLink(const FrontendOptions& options) {
  return std::make_unique<ProcessLink>(options);
}

Frontend::Frontend(FrontendOptions options, std::unique_ptr<FrontendLink> link)
    : options_(std::move(options)), link_(std::move(link)) {}

bool Frontend::Exchange(const json& request, int timeout_ms, json* response, std::string* err) {
  if (!open_) {
    if (!link_->Open(err)) return false;
    open_ = true;
  }
  std::string line;
  std::string write_err;
  const bool sent = link_->Send(request.dump() + "\n", &write_err);
  const LineReader::Read read = sent ? link_->Receive(&line, timeout_ms) : LineReader::Read::kEnd;
  if (read == LineReader::Read::kInterrupted) {
    link_->Kill();
    *err = "interrupted";  // never printed: the driver ends with the signal
    return false;
  }
  if (read == LineReader::Read::kTimedOut) {
    load_timed_out_ = true;
    return false;
  }
  if (read != LineReader::Read::kLine) {
    const std::string how = link_->HowItEnded();
    link_->Kill();
    std::string log = Stderr();
    if (log.size() > 4000) log = "..." + log.substr(log.size() - 4000);
    *err = fmt::format("{} stopped unexpectedly ({}){}", link_->Name(), how, log.empty() ? "" : ":\n" + log);
    return false;
  }
  *response = json::parse(line, nullptr, false);
  if (response->is_discarded()) {
    *err = fmt::format("{} answered with something that is not JSON: {}", link_->Name(), line.substr(0, 200));
    return false;
  }
  return true;
}

std::string Frontend::TimedOutLoadMessage(const std::string& module_path, const std::string& source_root) {
  // The frontend dumps its Python stack on SIGUSR1 (faulthandler); the
  // innermost frame in the project's files is where the module is stuck.
  static const std::regex kFrame(R"re(File "([^"]+)", line (\d+))re");
  link_->Signal(SIGUSR1);
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
  link_->Kill();
  const int seconds = (options_.load_timeout_ms + 999) / 1000;
  return fmt::format("{}: error: loading the module did not finish within {} s{}; a kernel module must not loop or "
                     "wait at import. If it really needs longer, raise the limit with --load-timeout (CMake: "
                     "TRITON_AOT_LOAD_TIMEOUT)",
                     where, seconds, where == module_path ? "" : " (it was still running this line)");
}

bool Frontend::Load(const std::string& module_path, const std::string& source_root, json* loaded,
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

bool Frontend::Compile(const std::vector<CompileJob>& jobs, std::vector<CompileOutcome>* outcomes,
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
    outcome.start_us = r.value("start_us", int64_t{0});
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

std::string Frontend::Stderr() const {
  std::string text, ignored;
  ReadFile(options_.stderr_path, &text, &ignored);
  return text;
}

}  // namespace triton_aot

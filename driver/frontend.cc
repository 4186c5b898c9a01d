#include "frontend.h"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

#include <fmt/format.h>

#include "atomic_file.h"
#include "content_hash.h"
#include "interrupt.h"

namespace triton_aot {

using nlohmann::json;

Diagnostic FrontendDiagnostic(const FrontendError& error, const std::string& module_path) {
  const std::string file = error.file.empty() ? module_path : error.file;
  std::string message = error.message;
  if (!module_path.empty() && file != module_path) message += fmt::format(" (while loading {})", module_path);
  if (error.error_number) message += AdviceForWriteError(*error.error_number);
  return Diagnostic::At(file, error.line, error.col, message);
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

std::vector<std::string> FrontendFiles(const std::string& frontend_script) {
  const std::filesystem::path folder = std::filesystem::path(frontend_script).parent_path();
  return {frontend_script, (folder / "triton_aot_protocol.py").string(), (folder / "triton_aot_describe.py").string(),
          (folder / "triton_aot_imports.py").string(), (folder / "triton_aot_versions.py").string(),
          (folder / "triton_aot_target.py").string(), (folder / "triton_aot_prune.py").string()};
}

bool FrontendDigest(const std::string& frontend_script, std::string* sha256, std::string* err) {
  ContentHash hash;
  for (const std::string& file : FrontendFiles(frontend_script)) {
    std::string bytes;
    if (!ReadFile(file, &bytes, err)) return false;
    hash.Add(std::filesystem::path(file).filename().string(), bytes);
  }
  *sha256 = hash.HexDigest();
  return true;
}

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

bool Frontend::Exchange(const std::string& request, const std::string& what, int timeout_ms, json* answer,
                        std::string* err) {
  if (!open_) {
    if (!link_->Open(err)) return false;
    open_ = true;
  }
  std::string line;
  std::string write_err;
  const bool sent = link_->Send(request + "\n", &write_err);
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
  if (!ParseMessage(line, what, answer, err)) {
    *err = fmt::format("{} answered with something that is not JSON: {}", link_->Name(), line.substr(0, 200));
    return false;
  }
  return true;
}

Diagnostic Frontend::TimedOutLoad(const std::string& module_path, const std::string& source_root) {
  // The frontend dumps its Python stack on SIGUSR1 (faulthandler); the
  // innermost frame in the project's files is where the module is stuck.
  static const std::regex kFrame(R"re(File "([^"]+)", line (\d+))re");
  link_->Signal(SIGUSR1);
  std::string file = module_path;
  int line = 0;
  for (int waited_ms = 0; waited_ms < 2000; waited_ms += 50) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const std::string log = Stderr();
    bool found = false;
    for (std::sregex_iterator it(log.begin(), log.end(), kFrame), end; it != end; ++it) {
      const std::string frame_file = (*it)[1].str();
      if (frame_file == module_path || frame_file.rfind(source_root + "/", 0) == 0) {
        file = (*it)[1].str();
        line = std::stoi((*it)[2].str());
        found = true;
        break;
      }
    }
    if (found) break;
  }
  link_->Kill();
  const int seconds = (options_.load_timeout_ms + 999) / 1000;
  return Diagnostic::At(file, line, 0,
                        fmt::format("loading the module did not finish within {} s{}; a kernel module must not loop "
                                    "or wait at import. If it really needs longer, raise the limit with "
                                    "--load-timeout (CMake: TRITON_AOT_LOAD_TIMEOUT)",
                                    seconds, line == 0 ? "" : " (it was still running this line)"));
}

bool Frontend::Load(const LoadRequest& request, LoadAnswer* answer, Diagnostic* error) {
  const std::string& module_path = request.module;
  const std::string& source_root = request.source_root;
  json message;
  std::string err;
  if (!Exchange(LoadRequestLine(request), "load answer", options_.load_timeout_ms, &message, &err)) {
    if (load_timed_out_) {
      *error = TimedOutLoad(module_path, source_root);
    } else {
      *error = Diagnostic::Plain(PendingInterrupt() != 0 ? err : fmt::format("{}: {}", module_path, err));
    }
    return false;
  }
  FrontendError failure;
  switch (ReadAnswerKind(message, "load answer", &failure, &err)) {
    case AnswerKind::kOk: break;
    case AnswerKind::kMalformed: *error = Diagnostic::Plain(fmt::format("{}: {}", module_path, err)); return false;
    case AnswerKind::kFailed:
      if (failure.kind == "no-triton") {
        *error = Diagnostic::Plain(fmt::format("{}; install it (pip install triton==3.6.0) or point "
                                               "add_triton_kernels() at a Python that has it (PYTHON keyword or "
                                               "TRITON_AOT_PYTHON)",
                                               failure.message));
      } else if (failure.kind == "triton-version") {
        *error = Diagnostic::Plain(fmt::format("{}: {}", module_path, failure.message));
      } else {
        *error = FrontendDiagnostic(failure, module_path);
      }
      return false;
  }
  if (!ParseLoadAnswer(message, answer, &err)) {
    *error = Diagnostic::Plain(fmt::format("{}: {}", module_path, err));
    return false;
  }
  return true;
}

bool Frontend::Compile(const std::vector<CompileJob>& jobs, std::vector<CompileOutcome>* outcomes,
                       Diagnostic* error) {
  json message;
  std::string err;
  FrontendError failure;
  if (!Exchange(CompileRequestLine(jobs), "compile answer", -1, &message, &err)) {
    *error = Diagnostic::Plain(err);
    return false;
  }
  switch (ReadAnswerKind(message, "compile answer", &failure, &err)) {
    case AnswerKind::kOk: break;
    case AnswerKind::kMalformed: *error = Diagnostic::Plain(err); return false;
    // Not about one variant (those come back as results): a full disk, say.
    case AnswerKind::kFailed: *error = FrontendDiagnostic(failure, ""); return false;
  }
  if (!ParseCompileAnswer(message, outcomes, &err)) {
    *error = Diagnostic::Plain(err);
    return false;
  }
  return true;
}

std::string Frontend::Stderr() const {
  std::string text, ignored;
  ReadFile(options_.stderr_path, &text, &ignored);
  return text;
}

}  // namespace triton_aot

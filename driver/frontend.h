// Talking to the Python frontend that loads kernel modules and runs Triton.
//
// The driver sends requests and gets answers (one JSON object per line) over a
// FrontendLink: to a Python process of its own, or to a worker of the warm
// compile service. The requests and answers are the same either way.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "subprocess.h"

namespace triton_aot {

// One triton.compile call: one variant of one kernel for one arch.
struct CompileJob {
  int id = 0;
  std::string function;                 // the @triton.jit function
  nlohmann::ordered_json signature;     // param -> Triton type or "constexpr"
  nlohmann::ordered_json constexprs;    // param -> value
  std::vector<int> divisible_by_16;     // param indices
  nlohmann::ordered_json options;       // num_warps, num_stages, ...
  int arch = 0;
  std::string ptxas;
  std::string out_prefix;  // the frontend writes <prefix>.cubin and <prefix>.ptx
};

struct CompileOutcome {
  int id = 0;
  bool ok = false;
  int64_t start_us = 0;  // Unix time
  int64_t elapsed_us = 0;
  std::string error;
  // Where in the project's sources Triton's compiler failed, when it says.
  std::string error_file;
  int error_line = 0;
  int error_col = 0;
  nlohmann::json metadata;
};

class KernelCompiler {
 public:
  virtual ~KernelCompiler() = default;
  // The frontend's description of the module (see triton_aot_frontend.py),
  // or false with a message already in compiler style.
  virtual bool Load(const std::string& module_path, const std::string& source_root, nlohmann::json* loaded,
                    std::string* err) = 0;
  virtual bool Compile(const std::vector<CompileJob>& jobs, std::vector<CompileOutcome>* outcomes,
                       std::string* err) = 0;
  // "service" (a warm worker of the compile service) or "process" (a Python
  // of the edge's own), for the timing log.
  virtual std::string Kind() const = 0;
};

struct FrontendOptions {
  std::string python = "python3";
  std::string script;            // triton_aot_frontend.py
  std::string stderr_path;       // gets what Python prints to stderr
  std::string triton_cache_dir;  // Triton's cache, private to one edge
  // TMPDIR of Python and the tools Triton runs (ptxas's input and log files):
  // inside the edge's scratch folder, so that a killed compile leaves nothing
  // behind in the user's temporary folder.
  std::string temp_dir;
  // How long starting Python and importing the module (with Triton) may take.
  // A module that loops or blocks at import would otherwise hang the build.
  int load_timeout_ms = 120'000;
};

// The environment a frontend's Python runs with, on top of the driver's.
std::map<std::string, std::optional<std::string>> FrontendEnvironment(const FrontendOptions& options);

// How the driver reaches a frontend: a Python process of its own, or a worker
// of the warm compile service (service_client.h). Both speak the protocol of
// triton_aot_frontend.py, one JSON object per line.
class FrontendLink {
 public:
  virtual ~FrontendLink() = default;
  // Starts the frontend if it is not running yet.
  virtual bool Open(std::string* err) = 0;
  virtual bool Send(const std::string& line, std::string* err) = 0;
  virtual LineReader::Read Receive(std::string* line, int timeout_ms) = 0;
  // After Receive gave kEnd: what ended the frontend ("exit code 1", ...).
  virtual std::string HowItEnded() = 0;
  // What the frontend is, for messages: "the Python frontend (python3 x.py)".
  virtual std::string Name() const = 0;
  // "service" or "process" (see KernelCompiler::Kind).
  virtual std::string Kind() const = 0;
  // Sends a signal to the Python process (SIGUSR1: dump your stack).
  virtual void Signal(int signal) = 0;
  // Ends the frontend at once.
  virtual void Kill() = 0;
};

// A frontend in a child Python process, for the lifetime of the link.
std::unique_ptr<FrontendLink> MakeProcessLink(const FrontendOptions& options);

// Loads and compiles through a frontend reached by `link`.
class Frontend : public KernelCompiler {
 public:
  Frontend(FrontendOptions options, std::unique_ptr<FrontendLink> link);
  bool Load(const std::string& module_path, const std::string& source_root, nlohmann::json* loaded,
            std::string* err) override;
  bool Compile(const std::vector<CompileJob>& jobs, std::vector<CompileOutcome>* outcomes, std::string* err) override;
  std::string Kind() const override { return link_->Kind(); }
  // What the frontend printed to stderr (Python warnings, Triton's ptxas logs).
  std::string Stderr() const;

 private:
  bool Exchange(const nlohmann::json& request, int timeout_ms, nlohmann::json* response, std::string* err);
  // Where the module was when loading it timed out, from Python's stack dump.
  std::string TimedOutLoadMessage(const std::string& module_path, const std::string& source_root);

  FrontendOptions options_;
  std::unique_ptr<FrontendLink> link_;
  bool open_ = false;
  bool load_timed_out_ = false;
};

// Formats a frontend error object ({kind, message, file, line, col, errno}) as
// "file:line:col: error: message", with advice for a full disk and the like.
// An error without a file, given no module path, is the message alone: the
// caller says where.
std::string FormatFrontendError(const nlohmann::json& error, const std::string& module_path);

}  // namespace triton_aot

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

#include "kernel_compiler.h"
#include "subprocess.h"

namespace triton_aot {

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

// The Python files the frontend is made of: the script, then the modules
// beside it that it imports (triton_aot_protocol.py, triton_aot_describe.py,
// triton_aot_imports.py).
// A change in any of them changes what a compile gives.
std::vector<std::string> FrontendFiles(const std::string& frontend_script);

// The SHA-256 of the bytes of every one of FrontendFiles(), for cache keys.
bool FrontendDigest(const std::string& frontend_script, std::string* sha256, std::string* err);

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
  bool Load(const LoadRequest& request, LoadAnswer* answer, Diagnostic* error) override;
  bool Compile(const std::vector<CompileJob>& jobs, std::vector<CompileOutcome>* outcomes, Diagnostic* error) override;
  std::string Kind() const override { return link_->Kind(); }
  // What the frontend printed to stderr (Python warnings, Triton's ptxas logs).
  std::string Stderr() const;

 private:
  // Sends a request line and reads the answer, which `what` names in errors.
  bool Exchange(const std::string& request, const std::string& what, int timeout_ms, nlohmann::json* answer,
                std::string* err);
  // Where the module was when loading it timed out, from Python's stack dump.
  Diagnostic TimedOutLoad(const std::string& module_path, const std::string& source_root);

  FrontendOptions options_;
  std::unique_ptr<FrontendLink> link_;
  bool open_ = false;
  bool load_timed_out_ = false;
};

// The frontend's error object as a diagnostic at its place (the module when
// it names none), with advice for a full disk and the like. An error without
// a file, given no module path, is about no place: the caller says where.
Diagnostic FrontendDiagnostic(const FrontendError& error, const std::string& module_path);

}  // namespace triton_aot

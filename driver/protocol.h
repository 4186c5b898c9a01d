// The messages between the driver and its Python side, as structs.
//
// The driver talks to the frontend (frontend/triton_aot_frontend.py) and to
// the warm compile service (frontend/triton_aot_service.py) in JSON, one
// object per line. Each message is parsed here, once, and checked: a missing
// field, one of the wrong type or one this driver does not know is an error
// naming the message and the field ("load answer: 'triton_key' is missing").
// The rest of the driver reads the structs, never the JSON. docs/driver.md
// ("Protocol") lists every message and who checks what.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace triton_aot {

// The protocol's version, PROTOCOL_VERSION in triton_aot_protocol.py too. A
// service that speaks another one answers the greeting as stale, and the edge
// replaces it; a served greeting of another version is refused.
inline constexpr int kProtocolVersion = 4;

// The frontend's error object: what failed, and where in the user's files.
struct FrontendError {
  std::string kind;  // "syntax", "import", "exception", "io", "spec", "disk", "protocol", "no-triton"
  std::string message;
  std::string file;  // empty: not about a file (null in the JSON)
  int line = 0;
  int col = 0;
  std::optional<int> error_number;  // "errno": a write the disk refused
};

// {"op": "load"}: load a kernel module and describe it.
struct LoadRequest {
  std::string module;
  std::string source_root;
  // The compute capability Triton's driver answers as while the module loads
  // (get_current_target(), device properties): the arch being compiled.
  int target_arch = 0;
};

// A parameter of a @triton.jit function.
struct KernelParam {
  std::string name;
  bool is_constexpr = false;          // "constexpr"
  nlohmann::json default_value;       // "default": a plain value, or null for none
};

// One triton.Config of an @triton.autotune kernel.
struct AutotuneConfig {
  nlohmann::json kwargs = nlohmann::json::object();  // constexpr name -> value
  int num_warps = 4;
  int num_stages = 3;
  int num_ctas = 1;
  std::optional<int> maxnreg;
  bool pre_hook = false;  // the config has one: Python run before each launch of it
};

struct Autotune {
  std::vector<std::string> key;
  std::vector<AutotuneConfig> configs;
  // The arguments (by name) tuning must zero before each trial, and those it
  // must save and restore after each one.
  std::vector<std::string> reset_to_zero;
  std::vector<std::string> restore_value;
  // Python the Autotuner would run: the user's own pre_hook and post_hook
  // (not those Triton installs for reset_to_zero and restore_value), and
  // prune_configs_by's early_config_prune (which the build runs, per arch:
  // CompileJob::prune_config) and perf_model (which times need sizes).
  bool pre_hook = false;
  bool post_hook = false;
  bool early_config_prune = false;
  bool perf_model = false;
};

// What the frontend found about one kernel of the module.
struct KernelDescription {
  std::vector<KernelParam> params;
  int line = 0;
  std::optional<Autotune> autotune;
  // The constexprs @triton.heuristics computes, in its order: the frontend
  // computes those the spec leaves out from each job's constexprs.
  std::vector<std::string> heuristics;
};

// A file the module imported that no installed distribution owns (the
// project's helpers, wherever they are): by the SHA-256 of the very bytes
// that were compiled.
struct ImportedFile {
  std::string path;  // real path
  std::string sha256;
};

// An installed distribution (numpy, a kernel library) the module imported
// from: known by name and version, and by its metadata file, which an
// upgrade or reinstall rewrites.
struct ImportedDistribution {
  std::string name;
  std::string version;
  std::string metadata;  // its METADATA file
};

// The frontend's answer to a load request that succeeded.
struct LoadAnswer {
  bool has_spec = false;
  // The module's TRITON_AOT_KERNELS as plain data: user input, checked by
  // spec.cc, so it stays JSON.
  nlohmann::json spec;
  // Lines of the spec's assignment and of each literal entry and variant:
  // null, or {"line": int, "entries": [{"line": int, "variants": [int]}]}
  // (checked when parsed).
  nlohmann::json spec_lines;
  std::map<std::string, KernelDescription> kernels;  // by the module's attribute name
  std::string module_sha256;  // of the bytes of the module that were run and compiled
  std::vector<ImportedFile> imports;
  std::vector<ImportedDistribution> distributions;
  std::string triton_version;
  std::string triton_file;  // triton/__init__.py
  std::string triton_key;   // Triton's hash of its compiler
  std::vector<std::string> triton_files;
  // The compute capability from which this Triton runs its second bundled
  // ptxas (ptxas-blackwell), or 0 when it bundles one for every arch.
  int blackwell_ptxas_from = 0;
  // The module asked Triton's driver for the target or the device's
  // properties while it loaded: what it holds may differ per arch, so each
  // arch is compiled from a load of its own.
  bool target_asked = false;

  // The answer as the frontend sends it ({"ok": true, ...}).
  nlohmann::json ToJson() const;
};

// One triton.compile call: one variant of one kernel for one arch.
struct CompileJob {
  int id = 0;
  std::string function;                 // the @triton.jit function ("kernel")
  nlohmann::ordered_json signature;     // param -> Triton type or "constexpr"
  nlohmann::ordered_json constexprs;    // param -> value
  std::vector<int> divisible_by_16;     // param indices
  nlohmann::ordered_json options;       // num_warps, num_stages, ...
  int arch = 0;
  std::string ptxas;
  std::string out_prefix;  // the frontend writes <prefix>.cubin and <prefix>.ptx
  // The @triton.autotune config this job compiles, when the kernel's
  // early_config_prune chooses the configs: the frontend runs the pruner for
  // the job's arch first, and compiles only a config it keeps. -1: no pruner.
  int prune_config = -1;
};

// One result of a compile request.
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
  nlohmann::json metadata;  // the compiled kernel's, checked by metadata.cc
  // Why early_config_prune left the job's config out of its arch ("the
  // kernel's early_config_prune left it out"; ok, and nothing compiled);
  // empty: compiled.
  std::string pruned;
};

// {"op": "hello"}: the first line an edge sends a service's worker: who the
// edge is, and what its frontend's Python must look like.
struct ServiceGreeting {
  int protocol = kProtocolVersion;
  std::string identity;  // ServiceIdentity()
  std::string cwd;
  std::map<std::string, std::string> env;
  std::string stderr_path;  // "stderr"
};

// The worker's answer to the greeting: it serves the edge (`worker_pid`), or
// the service is stale (`stale` says why) and exits.
struct GreetingAnswer {
  bool served = false;
  pid_t worker_pid = -1;   // "pid", when served
  int protocol = kProtocolVersion;  // when served: must be this driver's
  std::string stale;                // when not served
  pid_t service_pid = -1;           // when not served
};

// What the service says about a worker that died before it answered.
struct WorkerEnded {
  std::string how;  // "killed by signal 9 (SIGKILL)", ...
};

// The answer to {"op": "status"} and {"op": "stop"}: which service it is.
struct ServiceAnswer {
  pid_t service_pid = -1;
};

// Requests, as the line the driver sends (without the newline).
std::string LoadRequestLine(const LoadRequest& request);
std::string CompileRequestLine(const std::vector<CompileJob>& jobs);
std::string GreetingLine(const ServiceGreeting& greeting);
// "status" or "stop": the requests any service answers, whatever its version.
std::string ServiceRequestLine(const std::string& op);

// Parses a line into a JSON object; `what` names the message in the error.
bool ParseMessage(const std::string& line, const std::string& what, nlohmann::json* message, std::string* err);

// An answer of the frontend is {"ok": true, ...} or {"ok": false, "error":
// {...}}. kFailed: `*error` is the frontend's error; kMalformed: `*err` says
// what is wrong with the message.
enum class AnswerKind { kOk, kFailed, kMalformed };
AnswerKind ReadAnswerKind(const nlohmann::json& message, const std::string& what, FrontendError* error,
                          std::string* err);

bool ParseFrontendError(const nlohmann::json& object, const std::string& what, FrontendError* error, std::string* err);
nlohmann::json FrontendErrorToJson(const FrontendError& error);

// The payload of a successful load answer ({"ok": true, ...}).
bool ParseLoadAnswer(const nlohmann::json& message, LoadAnswer* answer, std::string* err);
// The results of a successful compile answer ({"ok": true, "results": [...]}).
bool ParseCompileAnswer(const nlohmann::json& message, std::vector<CompileOutcome>* outcomes, std::string* err);
nlohmann::json CompileOutcomeToJson(const CompileOutcome& outcome);

bool ParseLoadRequest(const nlohmann::json& message, LoadRequest* request, std::string* err);
bool ParseCompileRequest(const nlohmann::json& message, std::vector<CompileJob>* jobs, std::string* err);
bool ParseGreeting(const nlohmann::json& message, ServiceGreeting* greeting, std::string* err);

bool ParseGreetingAnswer(const nlohmann::json& message, GreetingAnswer* answer, std::string* err);
nlohmann::json GreetingAnswerToJson(const GreetingAnswer& answer);

// Whether `message` is the service's note that the worker ended; false for
// any other message.
bool IsWorkerEnded(const nlohmann::json& message, WorkerEnded* ended);
nlohmann::json WorkerEndedToJson(const WorkerEnded& ended);

bool ParseServiceAnswer(const nlohmann::json& message, const std::string& what, ServiceAnswer* answer,
                        std::string* err);

}  // namespace triton_aot

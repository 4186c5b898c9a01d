#include "service_client.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "atomic_file.h"
#include "content_hash.h"
#include "interrupt.h"
#include "protocol.h"
#include "service_connection.h"
#include "subprocess.h"


namespace triton_aot {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// How long a worker may take to answer the greeting: forking a warm process
// takes milliseconds, but a loaded machine may be slow.
constexpr int kHelloTimeoutMs = 30'000;

// The greeting: who the edge is, and what its frontend's Python must look like.
ServiceGreeting Hello(const Environment& environment, const std::string& identity, const FrontendOptions& frontend) {
  ServiceGreeting greeting;
  for (const auto& [name, value] : environment.variables()) greeting.env[name] = value;
  for (const auto& [name, value] : FrontendEnvironment(frontend)) {
    if (value) {
      greeting.env[name] = *value;
    } else {
      greeting.env.erase(name);
    }
  }
  std::error_code ec;
  greeting.identity = identity;
  greeting.cwd = fs::current_path(ec).string();
  greeting.stderr_path = frontend.stderr_path;
  return greeting;
}

// One request and its answer on a fresh connection.
bool Ask(const Socket& socket, const std::string& request, const std::string& what, int timeout_ms,
         LineReader* reader, json* answer, std::string* err, bool* timed_out = nullptr) {
  if (!WriteAllTo(socket.fd(), request + "\n", err)) return false;
  std::string line;
  const LineReader::Read read = reader->ReadLine(socket.fd(), &line, timeout_ms);
  if (timed_out) *timed_out = read == LineReader::Read::kTimedOut;
  if (read != LineReader::Read::kLine) {
    *err = read == LineReader::Read::kTimedOut ? fmt::format("no answer within {} s", timeout_ms / 1000)
           : read == LineReader::Read::kInterrupted ? "interrupted"
                                                    : "the service closed the connection";
    return false;
  }
  if (!ParseMessage(line, what, answer, err)) {
    *err = "the service answered with something that is not a JSON object: " + line.substr(0, 200);
    return false;
  }
  return true;
}

std::string LogTail(const std::string& log_path) {
  std::string text, ignored;
  if (!ReadFile(log_path, &text, &ignored)) return "";
  if (text.size() > 2000) text = "..." + text.substr(text.size() - 2000);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// A worker of the service, serving this edge.
class ServiceLink : public FrontendLink {
 public:
  ServiceLink(Socket socket, LineReader reader, pid_t worker, std::string log)
      : socket_(std::move(socket)), reader_(std::move(reader)), worker_(worker), log_(std::move(log)) {}
  // Closing the connection ends the worker, even mid-compile.
  ~ServiceLink() override = default;

  bool Open(std::string*) override { return true; }
  bool Send(const std::string& line, std::string* err) override {
    if (socket_.fd() < 0) return false;
    return WriteAllTo(socket_.fd(), line, err);
  }
  LineReader::Read Receive(std::string* line, int timeout_ms) override {
    if (socket_.fd() < 0) return LineReader::Read::kEnd;
    const LineReader::Read read = reader_.ReadLine(socket_.fd(), line, timeout_ms);
    if (read == LineReader::Read::kLine && line->find("\"worker_ended\"") != std::string::npos) {
      // The service's own line about a worker that died before answering.
      WorkerEnded ended;
      if (IsWorkerEnded(json::parse(*line, nullptr, false), &ended)) {
        ended_ = ended.how;
        return LineReader::Read::kEnd;
      }
    }
    return read;
  }
  std::string HowItEnded() override { return ended_.empty() ? "its connection closed" : ended_; }
  std::string Name() const override {
    return fmt::format("the compile service's worker (pid {}; the service logs to {})", worker_, log_);
  }
  std::string Kind() const override { return "service"; }
  void Signal(int signal) override {
    if (socket_.fd() >= 0) ::kill(worker_, signal);
  }
  void Kill() override {
    if (socket_.fd() >= 0 && ended_.empty()) ::kill(worker_, SIGKILL);
    socket_.Reset();
  }

 private:
  Socket socket_;
  LineReader reader_;
  pid_t worker_;
  std::string log_;
  std::string ended_;
};

enum class Greeted { kServed, kStale, kWedged, kFailed };

Greeted Greet(const Socket& socket, const ServiceOptions& options, const FrontendOptions& frontend,
              LineReader* reader, pid_t* worker, std::string* why) {
  json message;
  const std::string hello = GreetingLine(Hello(options.environment, options.identity, frontend));
  bool timed_out = false;
  if (!Ask(socket, hello, "service greeting answer", kHelloTimeoutMs, reader, &message, why, &timed_out)) {
    return timed_out ? Greeted::kWedged : Greeted::kFailed;
  }
  GreetingAnswer answer;
  if (!ParseGreetingAnswer(message, &answer, why)) return Greeted::kFailed;
  if (!answer.served) {
    *why = answer.stale;
    return Greeted::kStale;
  }
  *worker = answer.worker_pid;
  return Greeted::kServed;
}

// A service that took the connection but did not answer the greeting (it
// is stopped, or stuck) is this user's own process, known by the socket's
// peer credentials: it is killed and its socket removed, so that the next
// edge starts a new one instead of waiting too.
void RetireWedgedService(const Socket& socket, const std::string& socket_path) {
  struct ucred peer {};
  socklen_t size = sizeof(peer);
  if (::getsockopt(socket.fd(), SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0 || peer.uid != ::geteuid() ||
      peer.pid <= 0) {
    return;
  }
  ::unlink(socket_path.c_str());
  ::kill(peer.pid, SIGKILL);
}

// Waits until process `pid` (not a child of ours) has ended.
void WaitForExit(pid_t pid, int timeout_ms) {
  for (int waited = 0; waited < timeout_ms && ProcessRunning(pid); waited += 10) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Sends `op` ("status", "stop") to the build tree's service on a connection
// of its own. kYes: `*answer` is its answer; kRefused: `*err` says why.
Connected AskService(const std::string& folder, const std::string& build_tree, const std::string& op,
                     ServiceAnswer* answer, std::string* err) {
  ServicePaths paths;
  if (!ServicePathsFor(folder, build_tree, &paths, err)) return Connected::kRefused;
  Socket socket;
  const Connected connected = ConnectTo(paths.socket, &socket, err);
  if (connected != Connected::kYes) return connected;
  LineReader reader;
  json message;
  const std::string what = "service " + op + " answer";
  const bool asked = Ask(socket, ServiceRequestLine(op), what, kHelloTimeoutMs, &reader, &message, err) &&
                     ParseServiceAnswer(message, what, answer, err);
  return asked ? Connected::kYes : Connected::kRefused;
}

// Starts the service, under `lock`: the service holds the lock too (it gets
// the descriptor as its fd 3) until it listens, so that an edge killed while
// it waits cannot let a second service start beside the first.
bool StartService(const ServiceOptions& options, const ServicePaths& paths, const FileLock& lock,
                  std::string* why_not) {
  // Whatever is there answers nobody: a service that was killed.
  ::unlink(paths.socket.c_str());
  ProcessOptions process;
  process.pass_fd = lock.fd();
  process.env["CUDA_VISIBLE_DEVICES"] = "";
  process.env["PYTHONDONTWRITEBYTECODE"] = "1";
  process.env["TRITON_AOT_DRIVER_PID"] = std::nullopt;
  process.cwd = "/";  // holds no build folder busy
  pid_t pid = -1;
  // Flag and value on one line each.
  std::vector<std::string> argv = {options.python, "-s", ServiceFiles(options.frontend_script).front(),
                                   "--socket", paths.socket,
                                   "--identity", options.identity,
                                   "--idle-timeout", std::to_string(options.idle_timeout_s),
                                   "--build-tree", options.build_tree,
                                   "--lock-fd", "3"};
  for (int arch : options.warm_up_archs) {
    argv.push_back("--warm-up-arch");
    argv.push_back(std::to_string(arch));
  }
  if (!options.warm_up_ptxas.empty()) {
    argv.push_back("--warm-up-ptxas");
    argv.push_back(options.warm_up_ptxas);
  }
  if (!SpawnDetached(argv, process, paths.log, &pid, why_not)) {
    *why_not = "cannot start the compile service: " + *why_not;
    return false;
  }
  const auto started = std::chrono::steady_clock::now();
  for (;;) {
    Socket socket;
    std::string refused;
    if (ConnectTo(paths.socket, &socket, &refused) == Connected::kYes) return true;
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      ProcessResult result;
      if (WIFSIGNALED(status)) {
        result.signal = WTERMSIG(status);
      } else {
        result.exit_code = WEXITSTATUS(status);
      }
      const std::string tail = LogTail(paths.log);
      *why_not = fmt::format("the compile service ended while starting ({}){}", result.Describe(),
                             tail.empty() ? "" : "; the end of its log:\n" + tail);
      return false;
    }
    if (PendingInterrupt() != 0) {
      *why_not = "interrupted";
      return false;
    }
    if (std::chrono::steady_clock::now() - started > std::chrono::milliseconds(options.start_timeout_ms)) {
      ::kill(pid, SIGKILL);
      *why_not = fmt::format("the compile service did not start within {} s (log: {})",
                             options.start_timeout_ms / 1000, paths.log);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

std::string DefaultServiceFolder(const Environment& environment) {
  const std::string runtime = environment.Get("XDG_RUNTIME_DIR");
  if (!runtime.empty() && runtime[0] == '/') return runtime + "/triton-aot";
  return fmt::format("/tmp/triton-aot-{}", ::geteuid());
}

bool ServicePathsFor(const std::string& folder, const std::string& build_tree, ServicePaths* paths,
                     std::string* why_not) {
  if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST) {
    *why_not = fmt::format("cannot create the service folder '{}': {}", folder, std::strerror(errno));
    return false;
  }
  struct stat st;
  if (::lstat(folder.c_str(), &st) != 0) {
    *why_not = fmt::format("cannot inspect the service folder '{}': {}", folder, std::strerror(errno));
    return false;
  }
  // Another user could otherwise put a socket of theirs where the driver
  // looks, and be sent this user's kernels and environment.
  if (!S_ISDIR(st.st_mode)) {
    *why_not = fmt::format("the service folder '{}' is not a folder (a symbolic link?): not using it; remove it", folder);
    return false;
  }
  if (st.st_uid != ::geteuid()) {
    *why_not = fmt::format("the service folder '{}' belongs to user {}, not to you (user {}): not using it; remove it "
                           "or set XDG_RUNTIME_DIR to a folder of yours",
                           folder, st.st_uid, ::geteuid());
    return false;
  }
  if ((st.st_mode & 077) != 0) {
    *why_not = fmt::format("the service folder '{}' can be entered by other users (mode {:o}): not using it; make it "
                           "yours alone (chmod 700)",
                           folder, st.st_mode & 0777);
    return false;
  }
  if (build_tree.empty()) {
    *why_not = "no build tree was named";
    return false;
  }
  std::error_code ec;
  const fs::path tree = fs::weakly_canonical(fs::absolute(build_tree, ec), ec);
  const std::string key = Sha256Hex(tree.string()).substr(0, 16);
  paths->dir = folder;
  paths->socket = fmt::format("{}/{}.sock", folder, key);
  paths->lock = fmt::format("{}/{}.lock", folder, key);
  paths->slots = fmt::format("{}/{}.slot", folder, key);
  paths->log = fmt::format("{}/{}.log", folder, key);
  if (paths->socket.size() >= sizeof(sockaddr_un{}.sun_path)) {
    *why_not = fmt::format("the socket path '{}' is longer than a Unix socket allows ({} bytes); set XDG_RUNTIME_DIR "
                           "to a shorter folder",
                           paths->socket, sizeof(sockaddr_un{}.sun_path) - 1);
    return false;
  }
  return true;
}

std::unique_ptr<FrontendLink> ConnectToService(const ServiceOptions& options, const FrontendOptions& frontend,
                                               std::string* why_not) {
  ServicePaths paths;
  if (!ServicePathsFor(options.folder, options.build_tree, &paths, why_not)) return nullptr;
  LineReader reader;
  pid_t worker = -1;
  Socket socket;
  // 1. A service already runs: the common case, no lock needed.
  Connected connected = ConnectTo(paths.socket, &socket, why_not);
  if (connected == Connected::kRefused) return nullptr;
  if (connected == Connected::kYes) {
    const Greeted greeted = Greet(socket, options, frontend, &reader, &worker, why_not);
    if (greeted == Greeted::kServed) return std::make_unique<ServiceLink>(std::move(socket), std::move(reader), worker, paths.log);
    if (greeted == Greeted::kWedged) {
      RetireWedgedService(socket, paths.socket);
      *why_not += "; it was stopped, and the next edge starts a new one";
    }
    if (greeted == Greeted::kFailed || greeted == Greeted::kWedged) return nullptr;
    // Stale: it has withdrawn its socket and exits; this edge starts the
    // next one.
    socket.Reset();
  }
  // 2. None runs: start one, unless another edge did so while this one
  //    waited for the lock.
  FileLock lock;
  if (!lock.Lock(paths.lock, why_not)) return nullptr;
  reader = LineReader();
  connected = ConnectTo(paths.socket, &socket, why_not);
  if (connected == Connected::kRefused) return nullptr;
  if (connected == Connected::kNobodyThere) {
    if (!StartService(options, paths, lock, why_not)) return nullptr;
    if (ConnectTo(paths.socket, &socket, why_not) != Connected::kYes) return nullptr;
  }
  const Greeted greeted = Greet(socket, options, frontend, &reader, &worker, why_not);
  if (greeted == Greeted::kWedged) RetireWedgedService(socket, paths.socket);
  if (greeted == Greeted::kStale) {
    *why_not = "the compile service was started for a different driver, Python or ptxas: " + *why_not;
  }
  if (greeted != Greeted::kServed) return nullptr;
  return std::make_unique<ServiceLink>(std::move(socket), std::move(reader), worker, paths.log);
}

ServiceState ServiceRunning(const std::string& folder, const std::string& build_tree, pid_t* pid, std::string* err) {
  ServiceAnswer answer;
  switch (AskService(folder, build_tree, "status", &answer, err)) {
    case Connected::kRefused: return ServiceState::kUnknown;
    case Connected::kNobodyThere: return ServiceState::kNotRunning;
    case Connected::kYes: break;
  }
  *pid = answer.service_pid;
  return ServiceState::kRunning;
}

bool StopService(const std::string& folder, const std::string& build_tree, std::string* what, std::string* err) {
  ServiceAnswer answer;
  const Connected asked = AskService(folder, build_tree, "stop", &answer, err);
  if (asked == Connected::kRefused) return false;
  if (asked == Connected::kNobodyThere) {
    *what = "no compile service runs for this build tree";
    return true;
  }
  const pid_t pid = answer.service_pid;
  WaitForExit(pid, 10'000);
  *what = fmt::format("stopped the compile service (pid {})", pid);
  return true;
}

}  // namespace triton_aot

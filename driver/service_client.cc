#include "service_client.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
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
#include "subprocess.h"

extern char** environ;

namespace triton_aot {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// How long a worker may take to answer the greeting: forking a warm process
// takes milliseconds, but a loaded machine may be slow.
constexpr int kHelloTimeoutMs = 30'000;

// "path size mtime": which file, and enough to notice a rebuilt driver or a
// reinstalled Python without reading either.
std::string PathAndStamp(const std::string& path) { return path.empty() ? "-" : path + " " + FileStamp(path); }

std::string SearchPath(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t begin = 0;
  while (begin <= dirs.size()) {
    size_t end = dirs.find(':', begin);
    if (end == std::string::npos) end = dirs.size();
    const std::string candidate = (end > begin ? dirs.substr(begin, end - begin) : ".") + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    begin = end + 1;
  }
  return program;
}

std::string ServiceScript(const std::string& frontend_script) {
  return (fs::path(frontend_script).parent_path() / "triton_aot_service.py").string();
}

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&& other) noexcept {
    Reset();
    fd_ = std::exchange(other.fd_, -1);
    return *this;
  }
  ~Socket() { Reset(); }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

enum class Connected { kYes, kNobodyThere, kRefused };

// Connects to a service's socket. kNobodyThere: no socket, or no process
// behind it. kRefused: something answers but must not be used.
Connected ConnectTo(const std::string& path, Socket* socket, std::string* why_not) {
  sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  Socket s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (s.fd() < 0) {
    *why_not = fmt::format("cannot create a socket: {}", std::strerror(errno));
    return Connected::kRefused;
  }
  int rc;
  while ((rc = ::connect(s.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address)) != 0 && errno == EINTR) {
    if (PendingInterrupt() != 0) break;
  }
  if (rc != 0) {
    if (errno == ENOENT || errno == ECONNREFUSED) return Connected::kNobodyThere;
    *why_not = fmt::format("cannot connect to '{}': {}", path, std::strerror(errno));
    return Connected::kRefused;
  }
  // The folder is the user's own, but a socket is trusted only if the process
  // behind it is, too.
  ucred peer = {};
  socklen_t size = sizeof peer;
  if (::getsockopt(s.fd(), SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0 || peer.uid != ::geteuid()) {
    *why_not = fmt::format("the process behind '{}' runs as user {}, not as you (user {}): not using it", path,
                           peer.uid, ::geteuid());
    return Connected::kRefused;
  }
  *socket = std::move(s);
  return Connected::kYes;
}

// The greeting: who the edge is, and what its frontend's Python must look like.
json Hello(const std::string& identity, const FrontendOptions& frontend) {
  json env = json::object();
  for (char** e = environ; *e; ++e) {
    const std::string entry(*e);
    const size_t equals = entry.find('=');
    if (equals != std::string::npos) env[entry.substr(0, equals)] = entry.substr(equals + 1);
  }
  for (const auto& [name, value] : FrontendEnvironment(frontend)) {
    if (value) {
      env[name] = *value;
    } else {
      env.erase(name);
    }
  }
  std::error_code ec;
  return {{"op", "hello"},
          {"identity", identity},
          {"cwd", fs::current_path(ec).string()},
          {"env", env},
          {"stderr", frontend.stderr_path}};
}

// One request and its answer on a fresh connection.
bool Ask(const Socket& socket, const json& request, int timeout_ms, LineReader* reader, json* answer,
         std::string* err) {
  if (!WriteAllTo(socket.fd(), request.dump() + "\n", err)) return false;
  std::string line;
  const LineReader::Read read = reader->ReadLine(socket.fd(), &line, timeout_ms);
  if (read != LineReader::Read::kLine) {
    *err = read == LineReader::Read::kTimedOut ? fmt::format("no answer within {} s", timeout_ms / 1000)
           : read == LineReader::Read::kInterrupted ? "interrupted"
                                                    : "the service closed the connection";
    return false;
  }
  *answer = json::parse(line, nullptr, false);
  if (!answer->is_object()) {
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

// Holds an exclusive flock on a file while it lives.
class FileLock {
 public:
  int fd() const { return fd_; }
  bool Lock(const std::string& path, std::string* err) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      *err = fmt::format("cannot open '{}': {}", path, std::strerror(errno));
      return false;
    }
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR || PendingInterrupt() != 0) {
        *err = errno == EINTR ? "interrupted" : fmt::format("cannot lock '{}': {}", path, std::strerror(errno));
        return false;
      }
    }
    return true;
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  int fd_ = -1;
};

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
      const json note = json::parse(*line, nullptr, false);
      if (note.is_object() && note.contains("worker_ended")) {
        ended_ = note["worker_ended"].get<std::string>();
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

enum class Greeted { kServed, kStale, kFailed };

Greeted Greet(const Socket& socket, const ServiceOptions& options, const FrontendOptions& frontend,
              LineReader* reader, pid_t* worker, std::string* why) {
  json answer;
  if (!Ask(socket, Hello(options.identity, frontend), kHelloTimeoutMs, reader, &answer, why)) return Greeted::kFailed;
  if (answer.contains("stale")) {
    *why = answer["stale"].is_string() ? answer["stale"].get<std::string>() : "stale";
    return Greeted::kStale;
  }
  if (!answer.value("ok", false) || !answer.contains("pid") || !answer["pid"].is_number_integer()) {
    *why = "unexpected greeting: " + answer.dump().substr(0, 200);
    return Greeted::kFailed;
  }
  *worker = answer["pid"].get<pid_t>();
  return Greeted::kServed;
}

// Waits until process `pid` (not a child of ours) has ended.
void WaitForExit(pid_t pid, int timeout_ms) {
  for (int waited = 0; waited < timeout_ms && ProcessRunning(pid); waited += 10) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Sends `op` ("status", "stop") to the build tree's service on a connection
// of its own. kYes: `*answer` is its answer; kRefused: `*err` says why.
Connected AskService(const std::string& folder, const std::string& build_tree, const std::string& op, json* answer,
                     std::string* err) {
  ServicePaths paths;
  if (!ServicePathsFor(folder, build_tree, &paths, err)) return Connected::kRefused;
  Socket socket;
  const Connected connected = ConnectTo(paths.socket, &socket, err);
  if (connected != Connected::kYes) return connected;
  LineReader reader;
  return Ask(socket, {{"op", op}}, kHelloTimeoutMs, &reader, answer, err) ? Connected::kYes : Connected::kRefused;
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
  std::vector<std::string> argv = {options.python,
                                         "-s",
                                         ServiceScript(options.frontend_script),
                                         "--socket",
                                         paths.socket,
                                         "--identity",
                                         options.identity,
                                         "--idle-timeout",
                                         std::to_string(options.idle_timeout_s),
                                         "--build-tree",
                                         options.build_tree,
                                         "--lock-fd",
                                         "3"};
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

std::string DefaultServiceFolder() {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  if (runtime && *runtime == '/') return std::string(runtime) + "/triton-aot";
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
  paths->log = fmt::format("{}/{}.log", folder, key);
  if (paths->socket.size() >= sizeof(sockaddr_un{}.sun_path)) {
    *why_not = fmt::format("the socket path '{}' is longer than a Unix socket allows ({} bytes); set XDG_RUNTIME_DIR "
                           "to a shorter folder",
                           paths->socket, sizeof(sockaddr_un{}.sun_path) - 1);
    return false;
  }
  return true;
}

std::string ServiceIdentity(const std::string& python, const std::string& frontend_script,
                            const std::string& explicit_ptxas, const std::string& toolkit_ptxas) {
  ContentHash hash;
  std::error_code ec;
  hash.Add("driver", PathAndStamp(fs::read_symlink("/proc/self/exe", ec).string()));
  hash.Add("python", python);
  const std::string resolved = SearchPath(python);
  hash.Add("python file", PathAndStamp(fs::weakly_canonical(resolved, ec).string()));
  hash.Add("frontend", PathAndStamp(frontend_script));
  hash.Add("service", PathAndStamp(ServiceScript(frontend_script)));
  hash.Add("ptxas", PathAndStamp(explicit_ptxas));
  hash.Add("toolkit ptxas", PathAndStamp(toolkit_ptxas));
  // What Python reads once, at start-up, and a worker cannot change later.
  for (const char* name : {"PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH", "PYTHONNOUSERSITE", "PYTHONPLATLIBDIR",
                           "LD_LIBRARY_PATH", "LD_PRELOAD", "TRITON_PTXAS_PATH", "TRITON_PTXAS_BLACKWELL_PATH"}) {
    const char* value = std::getenv(name);
    hash.Add(name, value ? std::string("=") + value : "unset");
  }
  return hash.HexDigest();
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
    if (greeted == Greeted::kFailed) return nullptr;
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
  if (greeted == Greeted::kStale) {
    *why_not = "the compile service was started for a different driver, Python or ptxas: " + *why_not;
  }
  if (greeted != Greeted::kServed) return nullptr;
  return std::make_unique<ServiceLink>(std::move(socket), std::move(reader), worker, paths.log);
}

ServiceState ServiceRunning(const std::string& folder, const std::string& build_tree, pid_t* pid, std::string* err) {
  json answer;
  switch (AskService(folder, build_tree, "status", &answer, err)) {
    case Connected::kRefused: return ServiceState::kUnknown;
    case Connected::kNobodyThere: return ServiceState::kNotRunning;
    case Connected::kYes: break;
  }
  *pid = answer.value("service_pid", pid_t{-1});
  return ServiceState::kRunning;
}

bool StopService(const std::string& folder, const std::string& build_tree, std::string* what, std::string* err) {
  json answer;
  const Connected asked = AskService(folder, build_tree, "stop", &answer, err);
  if (asked == Connected::kRefused) return false;
  if (asked == Connected::kNobodyThere) {
    *what = "no compile service runs for this build tree";
    return true;
  }
  const pid_t pid = answer.value("service_pid", pid_t{-1});
  WaitForExit(pid, 10'000);
  *what = fmt::format("stopped the compile service (pid {})", pid);
  return true;
}

}  // namespace triton_aot

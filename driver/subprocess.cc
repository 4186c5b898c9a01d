#include "subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include <fmt/format.h>

#include "interrupt.h"

extern char** environ;

namespace triton_aot {
namespace {

// How long a read waits before it looks at PendingInterrupt() again.
constexpr int64_t kInterruptCheckMs = 200;

std::vector<std::string> BuildEnvironment(const ProcessOptions& options) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    std::string name = entry.substr(0, entry.find('='));
    if (options.env.count(name) == 0) env.push_back(std::move(entry));
  }
  for (const auto& [name, value] : options.env) {
    if (value) env.push_back(name + "=" + *value);
  }
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Spawns with stdin/stdout/stderr taken from the given fds (-1: inherit). A
// detached child gets a session of its own and is not passed interruptions.
bool Spawn(const std::vector<std::string>& argv, const ProcessOptions& options, int stdin_fd, int stdout_fd,
           int stderr_fd, pid_t* pid, std::string* err, bool detached = false) {
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  if (detached) posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdin_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
  if (stdout_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
  if (stderr_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
  if (options.pass_fd >= 0) posix_spawn_file_actions_adddup2(&actions, options.pass_fd, 3);
  if (!options.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());
  std::vector<std::string> args = argv;
  std::vector<std::string> env = BuildEnvironment(options);
  std::vector<char*> arg_ptrs = Pointers(args);
  std::vector<char*> env_ptrs = Pointers(env);
  int rc = argv[0].find('/') == std::string::npos
               ? posix_spawnp(pid, argv[0].c_str(), &actions, &attributes, arg_ptrs.data(), env_ptrs.data())
               : posix_spawn(pid, argv[0].c_str(), &actions, &attributes, arg_ptrs.data(), env_ptrs.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) {
    *err = fmt::format("cannot run '{}': {}", argv[0], std::strerror(rc));
    return false;
  }
  if (!detached) RegisterChild(*pid);
  return true;
}

void WaitFor(pid_t pid, ProcessResult* result) {
  // Before reaping: once reaped, the pid may be reused by another process.
  UnregisterChild(pid);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    result->signal = WTERMSIG(status);
  } else {
    result->exit_code = WEXITSTATUS(status);
  }
}

}  // namespace

std::string ProcessResult::Describe() const {
  if (signal != 0) return fmt::format("killed by signal {} ({})", signal, strsignal(signal));
  return fmt::format("exit code {}", exit_code);
}

bool RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options, ProcessResult* result,
                std::string* err) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    *err = fmt::format("cannot create a pipe: {}", std::strerror(errno));
    return false;
  }
  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t pid;
  bool spawned = Spawn(argv, options, devnull, out[1], out[1], &pid, err);
  ::close(out[1]);
  if (devnull >= 0) ::close(devnull);
  if (!spawned) {
    ::close(out[0]);
    return false;
  }
  result->output.clear();
  char buffer[1 << 14];
  for (;;) {
    ssize_t n = ::read(out[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result->output.append(buffer, static_cast<size_t>(n));
  }
  ::close(out[0]);
  WaitFor(pid, result);
  return true;
}

bool SpawnDetached(const std::vector<std::string>& argv, const ProcessOptions& options, const std::string& log_path,
                   pid_t* pid, std::string* err) {
  const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (devnull < 0 || log < 0) {
    *err = fmt::format("cannot open '{}': {}", devnull < 0 ? "/dev/null" : log_path, std::strerror(errno));
    if (devnull >= 0) ::close(devnull);
    return false;
  }
  const bool spawned = Spawn(argv, options, devnull, log, log, pid, err, /*detached=*/true);
  ::close(devnull);
  ::close(log);
  return spawned;
}

Child::~Child() {
  CloseStdin();
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ProcessResult ignored;
    WaitFor(pid_, &ignored);
  }
}

bool Child::Start(const std::vector<std::string>& argv, const ProcessOptions& options, std::string* err) {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    *err = fmt::format("cannot create a pipe: {}", std::strerror(errno));
    return false;
  }
  int stderr_fd = -1;
  if (!options.stderr_path.empty()) {
    stderr_fd = ::open(options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (stderr_fd < 0) {
      *err = fmt::format("cannot create '{}': {}", options.stderr_path, std::strerror(errno));
      return false;
    }
  }
  bool spawned = Spawn(argv, options, in[0], out[1], stderr_fd, &pid_, err);
  ::close(in[0]);
  ::close(out[1]);
  if (stderr_fd >= 0) ::close(stderr_fd);
  stdin_fd_ = in[1];
  stdout_fd_ = out[0];
  if (!spawned) pid_ = -1;
  // A child that dies must not kill us with SIGPIPE on the next write.
  ::signal(SIGPIPE, SIG_IGN);
  return spawned;
}

bool WriteAllTo(int fd, const std::string& data, std::string* err) {
  // A reader that died must not kill the driver with SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  std::string_view rest = data;
  while (!rest.empty()) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *err = std::strerror(errno);
      return false;
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool Child::WriteAll(const std::string& data, std::string* err) {
  if (!WriteAllTo(stdin_fd_, data, err)) {
    *err = "cannot write to child process: " + *err;
    return false;
  }
  return true;
}

LineReader::Read LineReader::ReadLine(int fd, std::string* line, int timeout_ms) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    size_t newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      *line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return Read::kLine;
    }
    if (PendingInterrupt() != 0) return Read::kInterrupted;
    // In slices: a signal interrupts the poll of one thread only, and the
    // edge's other compile threads must see it too.
    int wait_ms = kInterruptCheckMs;
    if (timeout_ms >= 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return Read::kTimedOut;
      wait_ms = static_cast<int>(std::min<int64_t>(left, kInterruptCheckMs));
    }
    struct pollfd readable = {fd, POLLIN, 0};
    const int ready = ::poll(&readable, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return Read::kEnd;
    if (ready == 0) continue;  // the deadline is checked above
    char chunk[1 << 16];
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return PendingInterrupt() != 0 ? Read::kInterrupted : Read::kEnd;
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

void Child::Signal(int signal) {
  if (pid_ > 0) ::kill(pid_, signal);
}

void Child::CloseStdin() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  stdin_fd_ = -1;
}

void Child::Wait(ProcessResult* result) {
  CloseStdin();
  if (pid_ > 0) WaitFor(pid_, result);
  pid_ = -1;
}

bool ProcessRunning(pid_t pid) {
  if (pid <= 0 || (::kill(pid, 0) != 0 && errno != EPERM)) return false;
  // /proc/<pid>/stat: "pid (command) state ..."; the command may hold ')'.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  const std::string line((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t end = line.rfind(')');
  if (end == std::string::npos || end + 2 >= line.size()) return true;  // no /proc: trust kill()
  return line[end + 2] != 'Z' && line[end + 2] != 'X';
}

}  // namespace triton_aot

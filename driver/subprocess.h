// Starting child processes (ptxas, fatbinary, the Python frontend).
//
// No subprocess library is packaged for every machine this builds on, so this
// is a small posix_spawn wrapper: argv in, exit status and output out.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace triton_aot {

struct ProcessOptions {
  std::string cwd;                                          // empty: inherit
  std::map<std::string, std::optional<std::string>> env;  // set, or unset with nullopt
  std::string stderr_path;                                  // Child only: empty inherits stderr
  int pass_fd = -1;  // the child gets this descriptor as its fd 3 (every other one is close-on-exec)
};

struct ProcessResult {
  int exit_code = -1;  // valid when signal == 0
  int signal = 0;
  std::string output;  // stdout and stderr, interleaved as written
  bool Succeeded() const { return signal == 0 && exit_code == 0; }
  std::string Describe() const;  // "exit code 2" / "killed by signal 9"
};

// Runs argv[0] (searched in PATH when it has no '/') to completion.
bool RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options, ProcessResult* result,
                std::string* err);

// Whether process `pid` runs: it exists and has not ended. A process that
// ended but is not reaped yet (a zombie: its parent, often init, has not
// waited for it) has ended.
bool ProcessRunning(pid_t pid);

// Reads '\n'-terminated lines from a pipe or socket, keeping what follows a
// line for the next call.
class LineReader {
 public:
  enum class Read { kLine, kEnd, kTimedOut, kInterrupted };
  // Reads one line (without the '\n') from `fd`. Waits at most `timeout_ms`
  // (-1: for ever); stops early when the driver is interrupted.
  Read ReadLine(int fd, std::string* line, int timeout_ms = -1);

 private:
  std::string buffer_;
};

// Writes all of `data` to a pipe or socket (never raising SIGPIPE).
bool WriteAllTo(int fd, const std::string& data, std::string* err);

// Starts a process that outlives this one: in a session of its own (so that
// Ctrl-C in the build's terminal does not reach it), stdin from /dev/null,
// stdout and stderr appended to `log_path`, never killed on an interruption
// and never waited for.
bool SpawnDetached(const std::vector<std::string>& argv, const ProcessOptions& options, const std::string& log_path,
                   pid_t* pid, std::string* err);

// A child process spoken to over its stdin and stdout.
class Child {
 public:
  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();  // kills and reaps a child still running

  bool Start(const std::vector<std::string>& argv, const ProcessOptions& options, std::string* err);
  bool WriteAll(const std::string& data, std::string* err);
  using Read = LineReader::Read;
  // Reads one line of the child's stdout (see LineReader::ReadLine).
  Read ReadLine(std::string* line, int timeout_ms = -1) { return reader_.ReadLine(stdout_fd_, line, timeout_ms); }
  // Sends `signal` to the child, if it still runs.
  void Signal(int signal);
  void CloseStdin();
  // Waits for exit and fills exit_code/signal.
  void Wait(ProcessResult* result);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  LineReader reader_;
};

}  // namespace triton_aot

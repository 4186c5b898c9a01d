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

// A child process spoken to over its stdin and stdout.
class Child {
 public:
  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();  // kills and reaps a child still running

  bool Start(const std::vector<std::string>& argv, const ProcessOptions& options, std::string* err);
  bool WriteAll(const std::string& data, std::string* err);
  enum class Read { kLine, kEnd, kTimedOut, kInterrupted };
  // Reads one '\n'-terminated line (without the '\n'). Waits at most
  // `timeout_ms` (-1: for ever); stops early when the driver is interrupted.
  Read ReadLine(std::string* line, int timeout_ms = -1);
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
  std::string buffer_;
};

}  // namespace triton_aot

#include "interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <initializer_list>

namespace triton_aot {
namespace {

std::atomic<int> pending_signal{0};

// A fixed table, since a signal handler may neither lock nor allocate. The
// driver runs a frontend per parallel compile (at most 256, job_slots.h).
constexpr int kMaxChildren = 512;
std::atomic<pid_t> children[kMaxChildren];

void OnInterrupt(int signal) {
  const int saved_errno = errno;
  pending_signal.store(signal);
  for (std::atomic<pid_t>& child : children) {
    const pid_t pid = child.load();
    if (pid > 0) ::kill(pid, SIGTERM);
  }
  errno = saved_errno;
}

}  // namespace

void InstallInterruptHandlers() {
  struct sigaction action = {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: blocking reads return and see the flag
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(signal, &action, nullptr);
  ::signal(SIGXFSZ, SIG_IGN);
}

int PendingInterrupt() { return pending_signal.load(); }

void RegisterChild(pid_t pid) {
  for (std::atomic<pid_t>& child : children) {
    pid_t empty = 0;
    if (child.compare_exchange_strong(empty, pid)) break;
  }
  // An interruption that came just before the child was listed.
  if (pending_signal.load() != 0) ::kill(pid, SIGTERM);
}

void UnregisterChild(pid_t pid) {
  for (std::atomic<pid_t>& child : children) {
    pid_t expected = pid;
    if (child.compare_exchange_strong(expected, 0)) return;
  }
}

void DieOfSignal(int signal) {
  ::signal(signal, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signal);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  ::raise(signal);
  ::_exit(128 + signal);
}

}  // namespace triton_aot

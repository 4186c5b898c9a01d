// Stopping cleanly when the build is interrupted.
//
// Ctrl-C in a terminal reaches Ninja, which sends SIGINT to each edge's
// process group; a job scheduler or `kill` sends SIGTERM to the driver alone.
// Either way the driver must stop promptly, take its children with it, and
// leave no scratch folder or temporary file behind. The handler only records
// the signal and passes SIGTERM on to the running children: they exit, the
// driver's blocking reads end, and the normal error path unwinds (removing
// scratch files) before the driver ends itself with the same signal, so that
// Ninja reports the interruption as such.
#pragma once

#include <sys/types.h>

namespace triton_aot {

// Installs the handlers for SIGINT, SIGTERM and SIGHUP, and ignores SIGXFSZ
// so that exceeding a file-size limit is a write error with a message, not a
// silent death.
void InstallInterruptHandlers();

// The signal that interrupted the driver, or 0.
int PendingInterrupt();

// Children to pass an interruption on to, while they run.
void RegisterChild(pid_t pid);
void UnregisterChild(pid_t pid);

// Ends the process with `signal`, as if it had not been handled.
[[noreturn]] void DieOfSignal(int signal);

}  // namespace triton_aot

// What compiles a module's kernels: loads the module, then runs Triton for a
// list of jobs. The Python frontend (frontend.h) is the real one, reached in a
// process of the edge's own or through the compile service; tests fake it.
#pragma once

#include <string>
#include <vector>

#include "diagnostic.h"
#include "protocol.h"

namespace triton_aot {

class KernelCompiler {
 public:
  virtual ~KernelCompiler() = default;
  // The frontend's description of the module, or false with what went wrong
  // (where in the user's files, when the frontend says).
  virtual bool Load(const LoadRequest& request, LoadAnswer* answer, Diagnostic* error) = 0;
  // One outcome per job. False only for a failure of the whole request (the
  // frontend stopped, a full disk); a variant that fails is an outcome.
  virtual bool Compile(const std::vector<CompileJob>& jobs, std::vector<CompileOutcome>* outcomes,
                       Diagnostic* error) = 0;
  // "service" (a warm worker of the compile service) or "process" (a Python
  // of the edge's own), for the timing log.
  virtual std::string Kind() const = 0;
};

}  // namespace triton_aot

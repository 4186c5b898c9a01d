// A KernelCompiler that needs no Python and no Triton, for tests of the
// compile edge that run in milliseconds: it answers a load with the answer
// it is given and "compiles" each job into a real cubin and PTX, made once
// per kernel name and arch by the CUDA toolkit's ptxas from the PTX of an
// empty kernel. What it was asked is recorded, and it fails where told.
// Learnt from Ninja's FakeCommandRunner.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compile_module.h"
#include "diagnostic.h"
#include "kernel_compiler.h"

namespace triton_aot::testing {

// What the fake does and what it was asked, shared by the test and every
// compiler the edge's factory makes.
struct FakeCompilerScript {
  // What Load answers, as the frontend sends it; with an empty "module_sha256" the
  // module's bytes are hashed at each load, and "imports" may list paths,
  // whose bytes are hashed too.
  nlohmann::json load_answer;
  std::optional<Diagnostic> load_error;     // Load fails with this
  std::optional<Diagnostic> compile_error;  // Compile fails as a whole (a worker that died)
  // Called for each job after its files are written; may turn the outcome
  // into a failure or change its metadata.
  std::function<void(const CompileJob&, CompileOutcome*)> edit_outcome;
  std::function<void()> before_load;  // called as each load starts (to edit a source then)

  int compilers_made = 0;
  int loads = 0;
  std::vector<int> load_targets;  // each load's target arch, in order
  int compile_calls = 0;
  std::vector<CompileJob> compiled;  // every job it compiled, in order
  // For each job compiled, the target arch its compiler's module was loaded for.
  std::vector<int> compiled_by_target;
  // Held by each load and compile: an edge may run several compilers at once.
  std::mutex mutex;
};

// The factory to give CompileModule; `script` must outlive it.
CompilerFactory FakeCompilerFactory(FakeCompilerScript* script);

// The PTX and cubin of an empty kernel `function` for `capability`, made by
// the toolkit's ptxas (once per pair in a test process); false, with the
// reason, when ptxas fails.
bool EmptyKernelBinaries(const std::string& function, int capability, bool arch_specific, std::string* ptx,
                         std::string* cubin, std::string* err);

}  // namespace triton_aot::testing

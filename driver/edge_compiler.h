// How a compile edge reaches Triton: through its build tree's warm compile
// service when it can, else through a Python of its own.
#pragma once

#include <string>

#include "compile_module.h"
#include "environment.h"

namespace triton_aot {

struct CompilerChoice {
  std::string python = "python3";
  std::string frontend;  // triton_aot_frontend.py
  double load_timeout_s = 120;
  bool use_service = true;
  int service_idle_timeout_s = 900;
  std::string service_folder;  // DefaultServiceFolder()
  Environment environment;     // the edge's, for a service's worker to take on
};

// The factory CompileModule calls when the edge first needs a compiler.
CompilerFactory MakeCompilerFactory(const CompileModuleOptions& options, const CompilerChoice& choice);

}  // namespace triton_aot

// Choosing the ptxas that turns Triton's PTX into cubins.
//
// Order, per architecture: the explicit option; TRITON_PTXAS_PATH (for the
// archs Triton gives its second ptxas, TRITON_PTXAS_BLACKWELL_PATH first);
// the CUDA toolkit's ptxas found at configure time; Triton's bundled ptxas
// (ptxas-blackwell from sm_100 in Triton 3.6 to 3.8, from sm_90 in 3.9;
// 3.5 has one); PATH. A ptxas that was asked for (option or environment) and
// cannot be used is an error, never a silent fall-back.
#pragma once

#include <map>
#include <set>
#include <string>

#include "arch.h"
#include "environment.h"

namespace triton_aot {

struct PtxasInfo {
  std::string path;
  std::string version;             // "13.0"
  std::set<std::string> gpu_names;  // "sm_90a", ...; empty when ptxas did not list them
};

// Runs `path --version` and `path --help`. The real one runs processes;
// tests substitute their own.
class PtxasProber {
 public:
  virtual ~PtxasProber() = default;
  virtual bool Probe(const std::string& path, PtxasInfo* info, std::string* err);
};

struct PtxasSources {
  std::string explicit_path;   // --ptxas / the PTXAS keyword
  std::string env_path;        // TRITON_PTXAS_PATH
  std::string env_blackwell;   // TRITON_PTXAS_BLACKWELL_PATH
  std::string toolkit_path;    // the CUDA toolkit's, found by CMake
  std::string triton_bin_dir;  // <triton>/backends/nvidia/bin
  // From this compute capability Triton runs its second bundled ptxas,
  // ptxas-blackwell, which TRITON_PTXAS_BLACKWELL_PATH overrides; 0: none.
  int blackwell_from = 100;
  std::string path_env;        // PATH

  // The env_* and path_env fields from `environment`.
  static PtxasSources FromEnvironment(const Environment& environment);
};

struct PtxasChoice {
  PtxasInfo info;
  std::string origin;  // "--ptxas", "TRITON_PTXAS_PATH", "CUDA toolkit", "Triton's bundled ptxas", "PATH"
};

// Parses "release 13.0" out of `ptxas --version`, and the 'sm_XX' values out
// of `ptxas --help`.
std::string ParsePtxasVersion(const std::string& version_output);
std::set<std::string> ParsePtxasGpuNames(const std::string& help_output);

// `notes` (optional) receives one line per candidate that was skipped.
bool ResolvePtxas(const PtxasSources& sources, const Arch& arch, PtxasProber& prober, PtxasChoice* choice,
                  std::string* notes, std::string* err);

}  // namespace triton_aot

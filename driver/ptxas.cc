#include "ptxas.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <regex>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "subprocess.h"
#include "utf8.h"

namespace triton_aot {
namespace {

// Why `path` can't be run, or "" when it can.
std::string UnusableReason(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "does not exist";
  if (!S_ISREG(st.st_mode)) return "is not a regular file";
  if (::access(path.c_str(), X_OK) != 0) return "is not executable";
  return "";
}

std::string FindInPath(const std::string& path_env, const std::string& name) {
  std::stringstream dirs(path_env);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (UnusableReason(candidate).empty()) return candidate;
  }
  return "";
}

struct Candidate {
  std::string path;
  std::string origin;
  bool asked_for;  // the user named it: failing to use it is an error
};

}  // namespace

PtxasSources PtxasSources::FromEnvironment(const Environment& environment) {
  PtxasSources sources;
  sources.env_path = environment.Get("TRITON_PTXAS_PATH");
  sources.env_blackwell = environment.Get("TRITON_PTXAS_BLACKWELL_PATH");
  sources.path_env = environment.Get("PATH");
  return sources;
}

std::string ParsePtxasVersion(const std::string& output) {
  std::smatch match;
  static const std::regex kRelease(R"(release (\d+\.\d+))");
  return std::regex_search(output, match, kRelease) ? match[1].str() : "";
}

std::set<std::string> ParsePtxasGpuNames(const std::string& output) {
  std::set<std::string> names;
  static const std::regex kSm(R"('(sm_\d+[a-z]?)')");
  for (std::sregex_iterator it(output.begin(), output.end(), kSm), end; it != end; ++it) names.insert((*it)[1].str());
  return names;
}

bool PtxasProber::Probe(const std::string& path, PtxasInfo* info, std::string* err) {
  ProcessResult version, help;
  if (!RunProcess({path, "--version"}, {}, &version, err)) return false;
  if (!version.Succeeded()) {
    *err = fmt::format("'{} --version' failed ({})", path, version.Describe());
    return false;
  }
  info->path = path;
  info->version = ParsePtxasVersion(version.output);
  if (info->version.empty()) {
    *err = fmt::format("'{} --version' does not print a CUDA release: is it ptxas?", path);
    return false;
  }
  if (RunProcess({path, "--help"}, {}, &help, err) && help.Succeeded()) {
    info->gpu_names = ParsePtxasGpuNames(help.output);
  }
  return true;
}

bool ResolvePtxas(const PtxasSources& sources, const Arch& arch, PtxasProber& prober, PtxasChoice* choice,
                  std::string* notes, std::string* err) {
  const bool blackwell = sources.blackwell_from != 0 && arch.capability >= sources.blackwell_from;
  const char* bundled_name = blackwell ? "ptxas-blackwell" : "ptxas";
  std::vector<Candidate> candidates;
  if (!sources.explicit_path.empty()) candidates.push_back({sources.explicit_path, "--ptxas", true});
  if (blackwell && !sources.env_blackwell.empty()) {
    candidates.push_back({sources.env_blackwell, "TRITON_PTXAS_BLACKWELL_PATH", true});
  }
  if (!sources.env_path.empty()) candidates.push_back({sources.env_path, "TRITON_PTXAS_PATH", true});
  if (!sources.toolkit_path.empty()) candidates.push_back({sources.toolkit_path, "CUDA toolkit", false});
  if (!sources.triton_bin_dir.empty()) {
    candidates.push_back({sources.triton_bin_dir + "/" + bundled_name, "Triton's bundled ptxas", false});
  }
  if (std::string found = FindInPath(sources.path_env, "ptxas"); !found.empty()) {
    candidates.push_back({found, "PATH", false});
  }

  const std::string sm = arch.SmName();
  for (const Candidate& candidate : candidates) {
    std::string problem;
    PtxasInfo info;
    if (std::string not_utf8 = NonUtf8PathProblem(fmt::format("ptxas (from {})", candidate.origin), candidate.path);
        !not_utf8.empty()) {
      problem = not_utf8;  // Triton is given its path as text, and the metadata records it
    } else if (std::string reason = UnusableReason(candidate.path); !reason.empty()) {
      problem = fmt::format("ptxas '{}' (from {}) {}", candidate.path, candidate.origin, reason);
    } else if (std::string probe_err; !prober.Probe(candidate.path, &info, &probe_err)) {
      problem = fmt::format("ptxas '{}' (from {}) cannot be used: {}", candidate.path, candidate.origin, probe_err);
    } else if (!info.gpu_names.empty() && info.gpu_names.count(sm) == 0) {
      problem = fmt::format("ptxas '{}' (from {}) is CUDA {}, which cannot compile for {}", candidate.path,
                            candidate.origin, info.version, sm);
    }
    if (problem.empty()) {
      choice->info = std::move(info);
      choice->origin = candidate.origin;
      return true;
    }
    if (candidate.asked_for) {
      *err = problem + "; point it at a ptxas that exists, is executable and supports " + sm +
             ", or unset it to let triton-aot choose";
      return false;
    }
    if (notes) *notes += problem + "; trying the next candidate\n";
  }
  *err = fmt::format(
      "no ptxas found that can compile for {}: {}set the PTXAS option of add_triton_kernels() or "
      "TRITON_PTXAS_PATH to a CUDA toolkit's ptxas that supports it",
      sm, notes && !notes->empty() ? "\n" + *notes : "");
  return false;
}

}  // namespace triton_aot

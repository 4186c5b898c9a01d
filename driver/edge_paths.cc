#include "edge_paths.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include "atomic_file.h"
#include "utf8.h"

namespace triton_aot {

std::string InputFileProblem(std::string_view what, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return fmt::format("{}: '{}' does not exist (or cannot be examined): name an existing file", what, path);
  }
  if (S_ISREG(st.st_mode)) return "";
  return fmt::format("{}: '{}' is {}, not a file{}: name a regular file", what, path, FileTypeName(st.st_mode),
                     S_ISFIFO(st.st_mode) ? ", and reading it would wait for a writer" : "");
}

std::string OutputFileProblem(std::string_view what, const std::string& path, bool device_ok) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return "";
  if (device_ok && S_ISCHR(st.st_mode)) return "";
  const char* why = S_ISDIR(st.st_mode)    ? "a file cannot replace it"
                    : S_ISFIFO(st.st_mode) ? "writing to it would wait for a reader"
                                           : "the edge writes a regular file there";
  return fmt::format("{}: '{}' is {}, and {}: remove it, or choose another path", what, path,
                     FileTypeName(st.st_mode), why);
}

std::string EdgePathsProblem(const CompileModuleOptions& options, const std::string& module_path) {
  // Python reads these as text, and Triton writes the module's path into
  // what it compiles; a ptxas path is recorded in the metadata.
  const std::pair<const char*, std::string> text_paths[] = {
      {"the kernel module", module_path},
      {"--output-dir", options.output_dir},
      {"--source-root", options.source_root},
      {"--ptxas", options.ptxas.explicit_path},
      {"TRITON_PTXAS_PATH", options.ptxas.env_path},
      // Used (and so recorded) only from sm_90 (Triton 3.9) or sm_100 (3.6 to 3.8) on.
      {"TRITON_PTXAS_BLACKWELL_PATH",
       !options.archs.empty() && options.archs.back().capability >= 90 ? options.ptxas.env_blackwell : ""},
  };
  for (const auto& [what, path] : text_paths) {
    if (std::string problem = NonUtf8PathProblem(what, path); !problem.empty()) return problem;
  }
  if (std::string problem = InputFileProblem("the kernel module", module_path); !problem.empty()) return problem;
  if (!options.frontend_script.empty()) {
    if (std::string problem = InputFileProblem("--frontend", options.frontend_script); !problem.empty()) return problem;
  }
  if (!options.depfile.empty()) {
    if (std::string problem = OutputFileProblem("--depfile", options.depfile); !problem.empty()) return problem;
  }
  if (!options.timing_log.empty()) {
    return OutputFileProblem("--timing-log", options.timing_log, /*device_ok=*/true);
  }
  return "";
}

std::string OutputNamesProblem(const std::string& output_dir, const std::string& module_name) {
  for (const char* extension : {".h", ".cpp", ".json"}) {
    const std::string path = fmt::format("{}/{}{}", output_dir, module_name, extension);
    if (std::string problem = OutputFileProblem("--output-dir", path); !problem.empty()) return problem;
  }
  const std::string fatbins = fmt::format("{}/{}", output_dir, module_name);
  struct stat st {};
  if (::stat(fatbins.c_str(), &st) != 0 || S_ISDIR(st.st_mode)) return "";
  return fmt::format("--output-dir: '{}' is {}, where the edge keeps the module's fatbins in a folder: remove it, "
                     "or choose another output folder",
                     fatbins, FileTypeName(st.st_mode));
}

}  // namespace triton_aot

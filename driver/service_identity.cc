#include "service_identity.h"

#include <unistd.h>

#include <filesystem>

#include "atomic_file.h"
#include "content_hash.h"
#include "frontend.h"

namespace triton_aot {
namespace fs = std::filesystem;
namespace {

// "path size mtime": which file, and enough to notice a rebuilt driver or a
// reinstalled Python without reading either.
std::string PathAndStamp(const std::string& path) { return path.empty() ? "-" : path + " " + FileStamp(path); }

std::string SearchPath(const std::string& program, const Environment& environment) {
  if (program.find('/') != std::string::npos) return program;
  const std::string dirs = environment.Has("PATH") ? environment.Get("PATH") : "/usr/bin:/bin";
  size_t begin = 0;
  while (begin <= dirs.size()) {
    size_t end = dirs.find(':', begin);
    if (end == std::string::npos) end = dirs.size();
    const std::string candidate = (end > begin ? dirs.substr(begin, end - begin) : ".") + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    begin = end + 1;
  }
  return program;
}

}  // namespace

std::string ServiceIdentity(const std::string& python, const std::string& frontend_script,
                            const std::string& explicit_ptxas, const std::string& toolkit_ptxas,
                            const Environment& environment) {
  ContentHash hash;
  std::error_code ec;
  hash.Add("driver", PathAndStamp(fs::read_symlink("/proc/self/exe", ec).string()));
  hash.Add("python", python);
  const std::string resolved = SearchPath(python, environment);
  hash.Add("python file", PathAndStamp(fs::weakly_canonical(resolved, ec).string()));
  for (const std::string& file : FrontendFiles(frontend_script)) hash.Add("frontend", PathAndStamp(file));
  for (const std::string& file : ServiceFiles(frontend_script)) hash.Add("service", PathAndStamp(file));
  hash.Add("ptxas", PathAndStamp(explicit_ptxas));
  hash.Add("toolkit ptxas", PathAndStamp(toolkit_ptxas));
  // What Python reads once, at start-up, and a worker cannot change later.
  for (const char* name : {"PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH", "PYTHONNOUSERSITE", "PYTHONPLATLIBDIR",
                           "LD_LIBRARY_PATH", "LD_PRELOAD", "TRITON_PTXAS_PATH", "TRITON_PTXAS_BLACKWELL_PATH"}) {
    hash.Add(name, environment.Has(name) ? "=" + environment.Get(name) : "unset");
  }
  return hash.HexDigest();
}

std::vector<std::string> ServiceFiles(const std::string& frontend_script) {
  const fs::path folder = fs::path(frontend_script).parent_path();
  return {(folder / "triton_aot_service.py").string(), (folder / "triton_aot_worker.py").string()};
}

}  // namespace triton_aot

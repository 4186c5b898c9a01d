// A small CMake project that uses add_triton_kernels(), configured and built
// with the real CMake, Ninja, driver and Triton. Integration and reliability
// tests write its sources, build it, and look at what came out.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "subprocess.h"

namespace triton_aot::testing {

class KernelProject {
 public:
  // Sources go to `source_dir`, the build to `build_dir`.
  KernelProject(std::filesystem::path source_dir, std::filesystem::path build_dir);
  // Stops the build tree's compile service, if one runs.
  ~KernelProject();

  // CMakeLists.txt with `add_triton_kernels(kern <arguments>)`, and an
  // executable `app` from main.cc linked to it when `with_app`.
  void WriteCMakeLists(const std::string& arguments, bool with_app = false) const;
  // `cache_entries` are more -D arguments. The artifact cache is
  // artifact_cache_dir(), unless they say otherwise.
  ProcessResult Configure(const std::string& python, const std::vector<std::string>& cache_entries = {}) const;
  // `ninja -C <build> <extra...>`; `options` sets its environment.
  ProcessResult Build(const std::vector<std::string>& extra = {}, const ProcessOptions& options = {}) const;
  std::vector<std::string> BuildCommand(const std::vector<std::string>& extra = {}) const;

  const std::filesystem::path& source_dir() const { return source_dir_; }
  const std::filesystem::path& build_dir() const { return build_dir_; }
  // Where target kern's artifacts are written.
  std::filesystem::path generated_dir() const { return build_dir_ / "triton_aot" / "kern"; }
  // The build folder's own artifact cache, beside it (so that it outlives
  // `rm -rf` of the build folder, and two build folders share none).
  std::filesystem::path artifact_cache_dir() const {
    return build_dir_.parent_path() / (build_dir_.filename().string() + ".artifact-cache");
  }

 private:
  std::filesystem::path source_dir_;
  std::filesystem::path build_dir_;
};

// Sets `path`'s modification time to now exactly as `touch` does: with
// UTIME_NOW the kernel takes the file-system clock, the one Ninja 1.12+ also
// reads for the build's start. (A time from std::chrono can run a few ms
// ahead of it, and a file that looks newer than the build would stay dirty.)
// The pause first puts it clearly after the last build's outputs.
void Touch(const std::filesystem::path& path);

// Name -> bytes of every regular file under `root`.
std::map<std::string, std::string> ReadTree(const std::filesystem::path& root);

// "" when the two trees (from ReadTree) hold the same files with the same
// bytes; else each file missing, extra or different, with the offset of its
// first differing byte and the text around it, for a failure message that a
// map of binary files would bury.
std::string TreeDifference(const std::map<std::string, std::string>& actual,
                           const std::map<std::string, std::string>& expected);

// A value this project's CMakeCache.txt holds (`NAME:TYPE=value`), or "".
std::string CMakeCacheValue(const std::filesystem::path& build_dir, const std::string& name);

// Files under `root` whose names mark them as temporary: a scratch folder's
// contents or an output being written (".scratch.", ".tmp.").
std::vector<std::string> TemporaryFiles(const std::filesystem::path& root);

// Occurrences of `needle` in `text`.
int Count(const std::string& text, const std::string& needle);

// `text` with every occurrence of `from` replaced by `to`.
std::string ReplaceAll(std::string text, const std::string& from, const std::string& to);

}  // namespace triton_aot::testing

#include "source_check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <thread>

#include "atomic_file.h"
#include "content_hash.h"

namespace triton_aot {
namespace {

// Path -> SHA-256 of the module and every file it imported, as `loaded` saw them.
std::map<std::string, std::string> Sources(const std::string& module_path, const LoadAnswer& loaded) {
  std::map<std::string, std::string> sources = {{module_path, loaded.module_sha256}};
  for (const ImportedFile& file : loaded.imports) sources.emplace(file.path, file.sha256);
  return sources;
}

}  // namespace

std::string FileSha256(const std::string& path) {
  std::string bytes, ignored;
  return ReadFile(path, &bytes, &ignored) ? Sha256Hex(bytes) : "";
}

std::string ChangedOnDisk(const std::string& module_path, const LoadAnswer& compiled) {
  for (const auto& [path, sha256] : Sources(module_path, compiled)) {
    if (FileSha256(path) != sha256) return path;
  }
  return "";
}

std::string ChangedBetween(const std::string& module_path, const LoadAnswer& before, const LoadAnswer& after) {
  const std::map<std::string, std::string> a = Sources(module_path, before), b = Sources(module_path, after);
  for (const auto& [path, sha256] : a) {
    if (auto it = b.find(path); it == b.end() || it->second != sha256) return path;
  }
  for (const auto& [path, sha256] : b) {
    if (!a.contains(path)) return path;
  }
  return "";
}

void WaitForFileClockToPass(const std::string& written, const std::string& stem) {
  struct stat last {};
  if (::stat(written.c_str(), &last) != 0) return;
  const std::string dir = std::filesystem::path(written).parent_path().string();
  // A file with no name where the file system allows it: a driver killed
  // while it waits leaves nothing beside the user's outputs.
  std::string probe;
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) {
    probe = TemporaryTemplate(dir, stem, "clock");
    fd = ::mkstemp(probe.data());
  }
  if (fd < 0) return;
  const auto after = [](const timespec& a, const timespec& b) {
    return a.tv_sec != b.tv_sec ? a.tv_sec > b.tv_sec : a.tv_nsec > b.tv_nsec;
  };
  struct stat now {};
  for (int i = 0; i < 1000; ++i) {
    if (::write(fd, "\n", 1) != 1 || ::fstat(fd, &now) != 0 || after(now.st_mtim, last.st_mtim)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::close(fd);
  if (!probe.empty()) ::unlink(probe.c_str());
}

}  // namespace triton_aot

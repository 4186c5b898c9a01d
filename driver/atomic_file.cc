#include "atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

namespace triton_aot {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

bool ReadFile(const std::string& path, std::string* contents, std::string* err) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *err = fmt::format("cannot read '{}': {}", path, ErrnoText());
    return false;
  }
  contents->clear();
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *err = fmt::format("cannot read '{}': {}", path, ErrnoText());
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    contents->append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

bool WriteFileAtomically(const std::string& path, std::string_view contents, std::string* err) {
  // mkstemp gives a unique name even when several processes write the same
  // output folder; the leading dot keeps it out of globs.
  const std::filesystem::path target(path);
  std::string temp = (target.parent_path() / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
  int fd = ::mkstemp(temp.data());
  if (fd < 0) {
    *err = fmt::format("cannot write '{}': cannot create a temporary file in its folder: {}", path, ErrnoText());
    return false;
  }
  // mkstemp makes the file 0600; outputs get the usual 0644 less the umask.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  bool ok = WriteAll(fd, contents);
  std::string reason = ok ? "" : ErrnoText();
  if (::close(fd) != 0 && ok) {
    ok = false;
    reason = ErrnoText();
  }
  if (ok && ::rename(temp.c_str(), path.c_str()) != 0) {
    ok = false;
    reason = ErrnoText();
  }
  if (!ok) {
    ::unlink(temp.c_str());
    *err = fmt::format("cannot write '{}': {}", path, reason);
  }
  return ok;
}

bool WriteFileIfChanged(const std::string& path, std::string_view contents, bool* changed, std::string* err) {
  std::string existing, ignored;
  if (ReadFile(path, &existing, &ignored) && existing == contents) {
    if (changed) *changed = false;
    return true;
  }
  if (changed) *changed = true;
  return WriteFileAtomically(path, contents, err);
}

}  // namespace triton_aot

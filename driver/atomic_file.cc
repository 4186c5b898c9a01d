#include "atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

namespace triton_aot {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

// The writer's pid in a temporary's name ".<stem>.<kind>.<pid>.XXXXXX", or 0.
pid_t WriterOf(const std::string& name) {
  const size_t suffix = name.rfind('.');
  if (suffix == std::string::npos || name.size() - suffix != 7) return 0;
  const size_t pid_start = name.rfind('.', suffix - 1);
  if (pid_start == std::string::npos) return 0;
  const size_t kind_start = name.rfind('.', pid_start - 1);
  if (kind_start == std::string::npos) return 0;
  const std::string kind = name.substr(kind_start + 1, pid_start - kind_start - 1);
  if (kind != "tmp" && kind != "scratch") return 0;
  pid_t pid = 0;
  for (size_t i = pid_start + 1; i < suffix; ++i) {
    if (name[i] < '0' || name[i] > '9') return 0;
    pid = pid * 10 + (name[i] - '0');
  }
  return pid;
}

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

std::string FileStamp(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "missing";
  return fmt::format("{} {}.{}", st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

std::string FileTypeName(unsigned mode) {
  if (S_ISREG(mode)) return "a file";
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "not a file";
}

bool ReadFile(const std::string& path, std::string* contents, std::string* err) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer. Only regular
  // files are read (a FIFO would wait for data, a folder gives EISDIR).
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    *err = fmt::format("cannot read '{}': {}", path, ErrnoText());
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *err = fmt::format("cannot read '{}': it is {}, not a file", path, FileTypeName(st.st_mode));
    ::close(fd);
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

bool WriteFileAtomically(const std::string& path, std::string_view contents, std::string* err, FileAccess access) {
  // mkstemp gives a unique name even when several processes write the same
  // output folder; the leading dot keeps it out of globs.
  const std::filesystem::path target(path);
  std::string temp = TemporaryTemplate(target.parent_path().string(), target.filename().string(), "tmp");
  int fd = ::mkstemp(temp.data());
  if (fd < 0) {
    const int errnum = errno;
    *err = fmt::format("cannot write '{}': cannot create a temporary file in its folder: {}{}", path,
                       std::strerror(errnum), AdviceForWriteError(errnum));
    return false;
  }
  // mkstemp makes the file 0600; outputs get the usual 0644 less the umask.
  if (access == FileAccess::kShared) {
    mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
  }
  bool ok = WriteAll(fd, contents);
  int errnum = ok ? 0 : errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    errnum = errno;
  }
  if (ok && ::rename(temp.c_str(), path.c_str()) != 0) {
    ok = false;
    errnum = errno;
  }
  if (!ok) {
    ::unlink(temp.c_str());
    *err = fmt::format("cannot write '{}': {}{}", path, std::strerror(errnum), AdviceForWriteError(errnum));
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

std::string TemporaryTemplate(const std::string& dir, const std::string& stem, const std::string& kind) {
  return fmt::format("{}/.{}.{}.{}.XXXXXX", dir.empty() ? "." : dir, stem, kind, ::getpid());
}

void RemoveAbandonedTemporaries(const std::string& dir, const std::string& stem_prefix) {
  std::error_code ec;
  const std::string prefix = "." + stem_prefix;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const pid_t writer = WriterOf(name);
    if (writer <= 0 || writer == ::getpid()) continue;
    if (::kill(writer, 0) == 0 || errno != ESRCH) continue;  // still running (or not ours to ask)
    std::error_code ignored;
    std::filesystem::remove_all(entry.path(), ignored);
  }
}

std::string AdviceForWriteError(int errnum) {
  switch (errnum) {
    case ENOSPC:
    case EDQUOT:
      return "; the disk (or your quota) is full: free some space, then build again";
    case EFBIG:
      return "; a file-size limit is in force (see 'ulimit -f'): raise it, then build again";
    case EACCES:
    case EPERM:
      return "; the folder is not writable by you: fix its permissions or build in another folder";
    case EROFS:
      return "; the file system is read-only: build in a writable folder";
    case ENOTDIR:
    case EEXIST:
      return "; a file is in the way of that path: move it, or choose another folder";
    default:
      return "";
  }
}

}  // namespace triton_aot

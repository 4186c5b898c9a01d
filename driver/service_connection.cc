#include "service_connection.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "interrupt.h"

namespace triton_aot {

Connected ConnectTo(const std::string& path, Socket* socket, std::string* why_not) {
  sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  Socket s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (s.fd() < 0) {
    *why_not = fmt::format("cannot create a socket: {}", std::strerror(errno));
    return Connected::kRefused;
  }
  int rc;
  while ((rc = ::connect(s.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address)) != 0 && errno == EINTR) {
    if (PendingInterrupt() != 0) break;
  }
  if (rc != 0) {
    if (errno == ENOENT || errno == ECONNREFUSED) return Connected::kNobodyThere;
    *why_not = fmt::format("cannot connect to '{}': {}", path, std::strerror(errno));
    return Connected::kRefused;
  }
  // The folder is the user's own, but a socket is trusted only if the process
  // behind it is, too.
  ucred peer = {};
  socklen_t size = sizeof peer;
  if (::getsockopt(s.fd(), SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0 || peer.uid != ::geteuid()) {
    *why_not = fmt::format("the process behind '{}' runs as user {}, not as you (user {}): not using it", path,
                           peer.uid, ::geteuid());
    return Connected::kRefused;
  }
  *socket = std::move(s);
  return Connected::kYes;
}

bool FileLock::Lock(const std::string& path, std::string* err) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    *err = fmt::format("cannot open '{}': {}", path, std::strerror(errno));
    return false;
  }
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno != EINTR || PendingInterrupt() != 0) {
      *err = errno == EINTR ? "interrupted" : fmt::format("cannot lock '{}': {}", path, std::strerror(errno));
      return false;
    }
  }
  return true;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace triton_aot

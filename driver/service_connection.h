// The Unix socket and the lock through which edges reach a build tree's
// compile service (service_client.h): connecting only to a process of the
// user's own, and holding the lock that lets one edge at a time start a
// service.
#pragma once

#include <unistd.h>

#include <string>
#include <utility>

namespace triton_aot {

// A socket descriptor, closed when the Socket goes.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&& other) noexcept {
    Reset();
    fd_ = std::exchange(other.fd_, -1);
    return *this;
  }
  ~Socket() { Reset(); }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

enum class Connected { kYes, kNobodyThere, kRefused };

// Connects to a service's socket. kNobodyThere: no socket, or no process
// behind it. kRefused: something answers but must not be used.
Connected ConnectTo(const std::string& path, Socket* socket, std::string* why_not);

// Holds an exclusive flock on a file while it lives.
class FileLock {
 public:
  FileLock() = default;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();
  int fd() const { return fd_; }
  // Waits for the lock; false if it cannot be taken, or a signal came.
  bool Lock(const std::string& path, std::string* err);

 private:
  int fd_ = -1;
};

}  // namespace triton_aot

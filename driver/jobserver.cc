#include "jobserver.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

namespace triton_aot {
namespace {

constexpr std::string_view kAuthOption = "--jobserver-auth=";
constexpr std::string_view kFifoStyle = "fifo:";

// The FIFO of the last --jobserver-auth in MAKEFLAGS (the last is make's
// own), or "" when that one is of the pipe style or there is none.
std::string FifoOf(const std::string& makeflags) {
  const size_t at = makeflags.rfind(kAuthOption);
  if (at == std::string::npos) return "";
  const size_t start = at + kAuthOption.size();
  const std::string auth = makeflags.substr(start, makeflags.find(' ', start) - start);
  return auth.rfind(kFifoStyle, 0) == 0 ? auth.substr(kFifoStyle.size()) : "";
}

}  // namespace

std::unique_ptr<Jobserver> Jobserver::FromMakeflags(const std::string& makeflags) {
  const std::string path = FifoOf(makeflags);
  if (path.empty()) return nullptr;
  // Read and write through one fd: a read never sees end-of-file while make
  // has it closed, and the tokens go back through it.
  const int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) return (::close(fd), nullptr);
  return std::unique_ptr<Jobserver>(new Jobserver(fd));
}

size_t Jobserver::Take(size_t wanted) {
  while (tokens_.size() < wanted) {
    char token = 0;
    const ssize_t got = ::read(fd_, &token, 1);
    if (got == 1) {
      tokens_.push_back(token);
    } else if (got < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // none free now
    }
  }
  return tokens_.size();
}

Jobserver::~Jobserver() {
  for (size_t written = 0; written < tokens_.size();) {
    const ssize_t n = ::write(fd_, tokens_.data() + written, tokens_.size() - written);
    if (n > 0) {
      written += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // cannot happen for a FIFO with room for every token make made
    }
  }
  ::close(fd_);
}

}  // namespace triton_aot

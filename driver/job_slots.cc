#include "job_slots.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <thread>
#include <utility>

#include <fmt/format.h>

namespace triton_aot {

JobSlots JobSlots::Take(const std::string& prefix, size_t pool_size, size_t wanted, const std::string& makeflags) {
  JobSlots slots;
  if ((slots.jobserver_ = Jobserver::FromMakeflags(makeflags))) {
    slots.granted_ = 1 + slots.jobserver_->Take(wanted > 0 ? wanted - 1 : 0);
    return slots;
  }
  if (prefix.empty()) {
    slots.granted_ = wanted;
    return slots;
  }
  for (size_t i = 0; i < pool_size && slots.fds_.size() < wanted; ++i) {
    const std::string path = prefix + std::to_string(i);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) continue;  // a slot that cannot be opened is one fewer
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      slots.fds_.push_back(fd);
    } else {
      ::close(fd);
    }
  }
  slots.granted_ = slots.fds_.size();
  return slots;
}

JobSlots::JobSlots(JobSlots&& other) noexcept
    : fds_(std::exchange(other.fds_, {})),
      jobserver_(std::move(other.jobserver_)),
      granted_(std::exchange(other.granted_, 0)) {}

JobSlots& JobSlots::operator=(JobSlots&& other) noexcept {
  if (this != &other) {
    Release();
    fds_ = std::exchange(other.fds_, {});
    jobserver_ = std::move(other.jobserver_);
    granted_ = std::exchange(other.granted_, 0);
  }
  return *this;
}

JobSlots::~JobSlots() { Release(); }

void JobSlots::Release() {
  for (int fd : fds_) ::close(fd);  // closing drops the lock
  fds_.clear();
  jobserver_.reset();
  granted_ = 0;
}

bool ParseEdgeJobs(const std::string& text, size_t cores, size_t* jobs, std::string* err) {
  if (text.empty()) {
    *jobs = std::min(cores, kMaxEdgeJobs);
    return true;
  }
  size_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > kMaxEdgeJobs) {
    *err = fmt::format("'{}' is not a whole number from 1 to {}: give the most compiles one module may run at once "
                       "(1: one after another; unset: one per core)",
                       text, kMaxEdgeJobs);
    return false;
  }
  *jobs = value;
  return true;
}

size_t OnlineCores() {
  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  if (online > 0) return static_cast<size_t>(online);
  const unsigned hardware = std::thread::hardware_concurrency();
  return hardware > 0 ? hardware : 1;
}

}  // namespace triton_aot

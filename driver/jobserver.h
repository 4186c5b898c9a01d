// A GNU make jobserver that the build runs under, as its client. `make -jN`
// (4.4 and later, as Ninja 1.13 reads it too) names a FIFO in MAKEFLAGS
// ("--jobserver-auth=fifo:PATH") that holds N - 1 tokens, one byte each; a
// process that has its slot from make already (this edge: Ninja ran it) reads
// a byte for each job more it runs at once, and writes the same byte back
// when that job ends. Tokens are taken without waiting, as the build tree's
// own slots are (job_slots.h). The older style, a pipe's two inherited fds,
// is not used: a process that was not passed them has other files at those
// numbers.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace triton_aot {

class Jobserver {
 public:
  // The jobserver `makeflags` names, or null: none named, or none this
  // process can use (not the FIFO style, or its path no FIFO it can open).
  static std::unique_ptr<Jobserver> FromMakeflags(const std::string& makeflags);

  ~Jobserver();  // gives every token back
  Jobserver(const Jobserver&) = delete;
  Jobserver& operator=(const Jobserver&) = delete;

  // Takes up to `wanted` tokens in all, without waiting; gives how many it
  // holds.
  size_t Take(size_t wanted);

 private:
  explicit Jobserver(int fd) : fd_(fd) {}
  int fd_ = -1;         // the FIFO, read and written, non-blocking
  std::string tokens_;  // the bytes taken, written back as they were
};

}  // namespace triton_aot

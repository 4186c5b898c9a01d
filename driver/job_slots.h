// CPU slots shared by the edges of one build tree, so that a module with many
// compiles can use idle cores without the edges together running more
// compiles than there are cores. Ninja (1.13 included) serves no jobserver
// tokens to the commands it runs, so the edges share a pool of their own:
// N slot files (N = cores); a worker holds one with flock(). Slots are taken
// without waiting: an edge that finds none free still compiles, on the one
// slot Ninja gave it. The kernel drops a lock when its process ends, so a
// killed edge holds nothing. Under a make jobserver (`make -jN` running the
// build, MAKEFLAGS naming its FIFO) the jobserver is the limit instead: each
// worker beyond the edge's own takes one of its tokens (jobserver.h).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "jobserver.h"

namespace triton_aot {

class JobSlots {
 public:
  // Takes up to `wanted` free slots of the pool whose files are
  // "<prefix><i>" for i < `pool_size`. An empty prefix means no pool: then
  // every wanted slot is granted (only the per-edge limit bounds them). With
  // a jobserver that `makeflags` names, takes up to `wanted` - 1 of its tokens
  // instead, the first worker having its slot from make already.
  static JobSlots Take(const std::string& prefix, size_t pool_size, size_t wanted, const std::string& makeflags = "");

  JobSlots() = default;
  JobSlots(JobSlots&& other) noexcept;
  JobSlots& operator=(JobSlots&& other) noexcept;
  JobSlots(const JobSlots&) = delete;
  JobSlots& operator=(const JobSlots&) = delete;
  ~JobSlots();

  // How many workers the holder may run: the slots taken, at least one (the
  // edge's own, which Ninja scheduled).
  size_t workers() const { return granted_ < 1 ? 1 : granted_; }

 private:
  void Release();
  std::vector<int> fds_;
  std::unique_ptr<Jobserver> jobserver_;  // gives its tokens back as it goes
  size_t granted_ = 0;
};

inline constexpr size_t kMaxEdgeJobs = 256;

// The per-edge limit: `text` from --edge-jobs or TRITON_AOT_EDGE_JOBS, a
// whole number from 1 to kMaxEdgeJobs; "" is the number of cores (at most
// kMaxEdgeJobs).
bool ParseEdgeJobs(const std::string& text, size_t cores, size_t* jobs, std::string* err);

// The cores of this machine, at least 1.
size_t OnlineCores();

}  // namespace triton_aot

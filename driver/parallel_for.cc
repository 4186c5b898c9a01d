#include "parallel_for.h"

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>
#include <vector>

namespace triton_aot {

bool ParallelFor(size_t count, size_t threads, const std::function<bool(size_t)>& step) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  const auto run = [&] {
    for (size_t i; !failed && (i = next++) < count;) {
      if (!step(i)) failed = true;
    }
  };
  std::vector<std::thread> started;
  const size_t wanted = std::min(threads, count);
  for (size_t t = 1; t < wanted; ++t) {
    try {
      started.emplace_back(run);
    } catch (const std::system_error&) {
      break;  // the threads there are, and this one, do the rest
    }
  }
  run();
  for (std::thread& thread : started) thread.join();
  return !failed;
}

}  // namespace triton_aot

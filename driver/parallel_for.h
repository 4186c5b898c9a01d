// Running the steps of a loop on several threads, for an edge's work that
// is many small independent tool runs (packing one fatbin per variant): the
// threads take the next step as they become free.
#pragma once

#include <cstddef>
#include <functional>

namespace triton_aot {

// Runs `step(i)` for every i < `count` on up to `threads` threads (this one
// included; where no thread can be started, here). A step that returns false
// stops the steps not yet begun; the result is false if any did.
bool ParallelFor(size_t count, size_t threads, const std::function<bool(size_t)>& step);

}  // namespace triton_aot

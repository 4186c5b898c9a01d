// The summary `triton-aot report` prints from a timing log.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "timing_log.h"

namespace triton_aot {

// Total time, the cache hits and misses (when the log says), the kernels
// that took longest to compile (cache hits left out) and the failures.
std::string FormatReport(const std::vector<TimingRecord>& records, int bad_lines, size_t top);

}  // namespace triton_aot

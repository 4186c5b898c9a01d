// What an edge tells about itself: a timing-log line per job, and, when
// verbose, a one-line summary.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "job_table.h"
#include "module_build.h"
#include "timing_log.h"

namespace triton_aot {

struct EdgeTimes {
  std::string edge_output;  // the generated header, absolute
  std::string compiler;     // LazyCompiler::Kind()
  int64_t edge_start_us = 0;
  int workers = 0;          // compilers run at once
};

std::vector<TimingRecord> TimingRecords(const JobTable& table, const ModuleBuild& build, const EdgeTimes& times);

// Appends `records`, all ending now, to `timing_log` (empty: none); false,
// with `*err`, when it cannot: the edge's outputs still stand.
bool LogTimes(const std::string& timing_log, std::vector<TimingRecord> records, std::string* err);

// "vector_add: 2 variants x 3 archs: 6 compiled in 1.234 s (...), 0 from the
// artifact cache"
std::string EdgeSummary(const std::vector<TimingRecord>& records, const ModuleBuild& build,
                        const std::string& compiler);

}  // namespace triton_aot

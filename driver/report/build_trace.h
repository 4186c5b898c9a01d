// The latest build as a Chrome trace (JSON object format), for Perfetto or
// chrome://tracing: every edge Ninja ran as a slice on one of as many lanes as
// ran at once, and inside each Triton edge a slice per variant it compiled or
// found in the cache. See docs/build-trace.md.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "report/ninja_log.h"
#include "timing_log.h"

namespace triton_aot {

struct BuildTraceOptions {
  // The build tree. .ninja_log names outputs inside it relative to it, the
  // timing log by absolute path; this joins the two.
  std::string build_dir;
};

// What went into a trace, for a one-line summary.
struct BuildTraceSummary {
  bool from_ninja_log = false;  // false: the edges are the timing log's own, as no .ninja_log edges were given
  size_t edges = 0;
  size_t lanes = 0;
  size_t triton_edges = 0;  // edges with timing records of this build
  size_t variants = 0;      // variant slices
  size_t cache_hits = 0;
  int64_t build_start_unix_us = 0;  // the Unix time that the trace's 0 stands for; 0 when unknown
};

// `edges` are the latest build's, from ParseNinjaLog; `records` the whole
// timing log, of which only the runs of those edges are used. Without edges,
// the edges are rebuilt from the timing log: its last build's Triton edges.
// The same input always gives the same text.
std::string BuildTraceJson(const std::vector<NinjaEdge>& edges, const std::vector<TimingRecord>& records,
                           const BuildTraceOptions& options, BuildTraceSummary* summary = nullptr);

// For spans [start, end) sorted by start: the lane of each (0, 1, ...), the
// lowest that is free when the span starts. A lane is free from the end of
// its last span on, so spans that follow each other share one.
std::vector<int> AssignLanes(const std::vector<std::pair<int64_t, int64_t>>& spans);

}  // namespace triton_aot

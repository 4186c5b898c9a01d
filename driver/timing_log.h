// The timing log: one JSON line per compiled variant and arch, shared by every
// compile edge of a build tree. report/timing_report.h summarises it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace triton_aot {

struct TimingRecord {
  std::string module;
  std::string kernel;
  std::string variant;
  std::string arch;  // "sm_90a"
  int64_t compile_us = 0;
  std::string ptxas;
  bool ok = true;
  std::string error;  // the failure text when !ok
  // Fields written since the cache and the build trace; lines without them
  // read back with these defaults. Each has a default member initialiser, so
  // that brace-initialisers naming only the fields above stay free of
  // -Wmissing-field-initializers.
  int64_t start_us = 0;          // Unix time (µs) when this variant's compile (or cache look-up) began
  std::string cache = {};        // "hit", "miss", or "" when the cache is off
  std::string compiler = {};     // "service" (a warm worker) or "process" (a Python started by this edge)
  std::string edge_output = {};  // the edge's first output: the generated header, an absolute path
  int64_t edge_start_us = 0;     // Unix time (µs) when the driver started and ended this edge
  int64_t edge_end_us = 0;
  int edge_workers = 0;          // the compilers the edge ran at once; 0: not logged (an older driver)
  std::string triton_version = {};  // of the Triton that compiled (or, for a hit, had compiled) the module
  std::string ptxas_version = {};   // "13.0"
  // Why this autotune config is not built for this arch, though it compiled
  // (config_fit.h); empty: built.
  std::string skipped = {};
};

// Unix time in microseconds, as the log keeps it.
int64_t UnixMicros();

std::string ToJsonLine(const TimingRecord& record);
bool ParseJsonLine(const std::string& line, TimingRecord* record, std::string* err);

// Appends every record's line with one write() to a file opened O_APPEND,
// under an exclusive flock: concurrent edges never tear or interleave lines.
bool AppendTimingLog(const std::string& path, const std::vector<TimingRecord>& records, std::string* err);

// Reads a log; lines that are not valid records are counted, not fatal.
bool ReadTimingLog(const std::string& path, std::vector<TimingRecord>* records, int* bad_lines, std::string* err);

}  // namespace triton_aot

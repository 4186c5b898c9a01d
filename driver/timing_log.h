// The timing log: one JSON line per compiled variant and arch, shared by every
// compile edge of a build tree, and the report made from it.
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
};

std::string ToJsonLine(const TimingRecord& record);
bool ParseJsonLine(const std::string& line, TimingRecord* record, std::string* err);

// Appends every record's line with one write() to a file opened O_APPEND,
// under an exclusive flock: concurrent edges never tear or interleave lines.
bool AppendTimingLog(const std::string& path, const std::vector<TimingRecord>& records, std::string* err);

// Reads a log; lines that are not valid records are counted, not fatal.
bool ReadTimingLog(const std::string& path, std::vector<TimingRecord>* records, int* bad_lines, std::string* err);

// Total time, the slowest kernels and the failures.
std::string FormatReport(const std::vector<TimingRecord>& records, int bad_lines, size_t top);

}  // namespace triton_aot

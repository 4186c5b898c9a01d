// Ninja's .ninja_log: when each edge of the latest build started and ended,
// for the build trace.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace triton_aot {

// One edge as Ninja ran it. Ninja writes one line per output; the lines of
// one edge share start, end and command hash, and become one NinjaEdge here.
struct NinjaEdge {
  int64_t start_ms = 0;              // since the ninja run started
  int64_t end_ms = 0;
  std::vector<std::string> outputs;  // as Ninja names them: relative to the build tree unless outside it
  std::string command_hash;          // hexadecimal, as written
};

struct NinjaLog {
  int version = 0;               // N of the last "# ninja log vN" header
  std::vector<NinjaEdge> edges;  // the latest build's, by start, then end, then first output
  int malformed_lines = 0;       // lines among the latest build's that are not entries, skipped
};

// The formats read: v5 (Ninja 1.11 writes it), v6 and v7 (Ninja 1.13) all
// have lines "start_ms<TAB>end_ms<TAB>mtime<TAB>output<TAB>command hash"; they
// differ in what the mtime and the hash mean, which the trace does not use.
inline constexpr int kOldestNinjaLogVersion = 5;
inline constexpr int kNewestNinjaLogVersion = 7;

// Ninja appends to the log as edges finish, run after run, so end times only
// grow within one run: an entry that ends before the one above it starts the
// next run, and so does a header (Ninja rewrites the file, header first, when
// it recompacts). Only the last run's edges are kept. A log without a header
// or of another version is an error; malformed entries are counted.
bool ParseNinjaLog(std::string_view text, NinjaLog* log, std::string* err);

// Reads and parses the file at `path`.
bool ReadNinjaLog(const std::string& path, NinjaLog* log, std::string* err);

}  // namespace triton_aot

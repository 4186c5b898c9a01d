#include "report/ninja_log.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "atomic_file.h"

namespace triton_aot {

namespace {

constexpr std::string_view kHeaderPrefix = "# ninja log v";
// No build runs for 30 years: a later time is garbage, and the trace's
// arithmetic in microseconds stays far from overflowing below it.
constexpr int64_t kMaxTimeMs = 1'000'000'000'000;

struct LogLine {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string output;
  std::string command_hash;
};

bool ParseInteger(std::string_view text, int64_t* value) {
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, *value);
  return !text.empty() && error == std::errc() && stop == end;
}

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> fields;
  for (size_t begin = 0;;) {
    const size_t tab = line.find('\t', begin);
    fields.push_back(line.substr(begin, tab == std::string_view::npos ? std::string_view::npos : tab - begin));
    if (tab == std::string_view::npos) return fields;
    begin = tab + 1;
  }
}

// "start end mtime output hash", or false for anything else: Ninja killed
// mid-write leaves a torn last line, and Ninja itself skips what it cannot read.
bool ParseEntry(std::string_view line, LogLine* entry) {
  const std::vector<std::string_view> fields = SplitTabs(line);
  int64_t mtime = 0;
  if (fields.size() != 5 || !ParseInteger(fields[0], &entry->start_ms) || !ParseInteger(fields[1], &entry->end_ms) ||
      !ParseInteger(fields[2], &mtime) || fields[3].empty() || fields[4].empty()) {
    return false;
  }
  if (entry->start_ms < 0 || entry->end_ms < entry->start_ms || entry->end_ms > kMaxTimeMs) return false;
  entry->output = fields[3];
  entry->command_hash = fields[4];
  return true;
}

// Ninja writes an edge's outputs one after another, each with the edge's
// start, end and command hash: those make one edge, its outputs in that order.
std::vector<NinjaEdge> GroupIntoEdges(std::vector<LogLine> lines) {
  std::map<std::tuple<int64_t, int64_t, std::string>, size_t> edge_of_key;
  std::vector<NinjaEdge> edges;
  for (LogLine& line : lines) {
    auto [it, added] = edge_of_key.try_emplace({line.start_ms, line.end_ms, line.command_hash}, edges.size());
    if (added) edges.push_back({line.start_ms, line.end_ms, {}, line.command_hash});
    edges[it->second].outputs.push_back(std::move(line.output));
  }
  std::sort(edges.begin(), edges.end(), [](const NinjaEdge& a, const NinjaEdge& b) {
    return std::tie(a.start_ms, a.end_ms, a.outputs.front()) < std::tie(b.start_ms, b.end_ms, b.outputs.front());
  });
  return edges;
}

}  // namespace

bool ParseNinjaLog(std::string_view text, NinjaLog* log, std::string* err) {
  *log = NinjaLog();
  std::vector<LogLine> latest_build;
  int64_t previous_end_ms = 0;
  bool seen_header = false;
  size_t line_number = 0;
  for (size_t begin = 0; begin < text.size();) {
    size_t newline = text.find('\n', begin);
    if (newline == std::string_view::npos) newline = text.size();
    std::string_view line = text.substr(begin, newline - begin);
    begin = newline + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;

    if (line.starts_with(kHeaderPrefix)) {
      int64_t version = 0;
      if (!ParseInteger(line.substr(kHeaderPrefix.size()), &version)) {
        *err = fmt::format("line {}: '{}' is not a .ninja_log header ('# ninja log v<N>')", line_number, line);
        return false;
      }
      if (version < kOldestNinjaLogVersion || version > kNewestNinjaLogVersion) {
        *err = fmt::format("line {}: this .ninja_log is of version {}, and triton-aot reads versions {} to {}; a "
                           "build with a Ninja that writes one of those makes a new log",
                           line_number, version, kOldestNinjaLogVersion, kNewestNinjaLogVersion);
        return false;
      }
      // Ninja recompacts by rewriting the file from a new header.
      log->version = static_cast<int>(version);
      seen_header = true;
      latest_build.clear();
      log->malformed_lines = 0;
      previous_end_ms = 0;
      continue;
    }
    if (line.front() == '#') continue;  // a comment line (some Ninja forks write a column header)
    if (!seen_header) {
      *err = fmt::format("line {}: this is not a .ninja_log: it does not start with '# ninja log v<N>'", line_number);
      return false;
    }
    LogLine entry;
    if (!ParseEntry(line, &entry)) {
      ++log->malformed_lines;
      continue;
    }
    // Within one run, entries come in the order edges finish: an earlier end
    // means that a new run began (how ninjatracing tells builds apart too).
    if (entry.end_ms < previous_end_ms) {
      latest_build.clear();
      log->malformed_lines = 0;
    }
    previous_end_ms = entry.end_ms;
    latest_build.push_back(std::move(entry));
  }
  log->edges = GroupIntoEdges(std::move(latest_build));
  return true;
}

bool ReadNinjaLog(const std::string& path, NinjaLog* log, std::string* err) {
  std::string text;
  if (!ReadFile(path, &text, err)) return false;
  if (!ParseNinjaLog(text, log, err)) {
    *err = fmt::format("'{}': {}", path, *err);
    return false;
  }
  return true;
}

}  // namespace triton_aot

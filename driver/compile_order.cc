#include "compile_order.h"

#include <algorithm>
#include <fstream>
#include <numeric>
#include <string_view>

#include <nlohmann/json.hpp>

#include "timing_log.h"

namespace triton_aot {
namespace {

// The last `window_bytes` of the file, from the start of a line.
std::string Tail(const std::string& path, size_t window_bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return "";
  const std::streamoff size = in.tellg();
  if (size <= 0) return "";
  const std::streamoff start = std::max<std::streamoff>(0, size - static_cast<std::streamoff>(window_bytes));
  std::string text(static_cast<size_t>(size - start), '\0');
  in.seekg(start);
  if (!in.read(text.data(), static_cast<std::streamsize>(text.size()))) return "";
  if (start == 0) return text;
  const size_t first_line = text.find('\n');
  return first_line == std::string::npos ? "" : text.substr(first_line + 1);
}

}  // namespace

std::string CompileName(const std::string& kernel, const std::string& variant, const std::string& arch) {
  return kernel + " " + variant + " " + arch;
}

std::map<std::string, int64_t> PastCompileTimes(const std::string& log_path, const std::string& edge_output,
                                                size_t window_bytes) {
  std::map<std::string, int64_t> times;
  if (log_path.empty() || edge_output.empty()) return times;
  const std::string text = Tail(log_path, window_bytes);
  // The header's path as the log's lines spell it: only those lines are parsed.
  const std::string spelled = nlohmann::json(edge_output).dump();
  std::string ignored;
  for (size_t end = text.size(); end > 0;) {  // the latest lines first
    const size_t newline = text.rfind('\n', end - 1);
    const size_t begin = newline == std::string::npos ? 0 : newline + 1;
    const std::string_view line(text.data() + begin, end - begin);
    end = newline == std::string::npos ? 0 : newline;
    TimingRecord record;
    if (line.find(spelled) == std::string_view::npos || !ParseJsonLine(std::string(line), &record, &ignored)) {
      continue;
    }
    if (record.edge_output != edge_output || record.cache == "hit") continue;
    times.emplace(CompileName(record.kernel, record.variant, record.arch), record.compile_us);  // the latest stays
  }
  return times;
}

std::vector<size_t> LongestFirst(const std::vector<std::string>& names, const std::map<std::string, int64_t>& past) {
  const auto time_of = [&](size_t i) {
    const auto found = past.find(names[i]);
    return found == past.end() ? INT64_MAX : found->second;
  };
  std::vector<size_t> order(names.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return time_of(a) > time_of(b); });
  return order;
}

}  // namespace triton_aot

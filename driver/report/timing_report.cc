#include "report/timing_report.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace triton_aot {
namespace {

// The records that failed, then the autotune configs left out of an arch
// (they do not fit it, or the kernel's pruner left them out), one line each.
std::string FailedAndSkipped(const std::vector<TimingRecord>& records) {
  std::string failed, skipped;
  for (const TimingRecord& r : records) {
    if (!r.ok) {
      const std::string first_line = r.error.substr(0, r.error.find('\n'));
      failed += fmt::format("  {}.{} [{}] {}: {}\n", r.module, r.kernel, r.variant, r.arch, first_line);
    } else if (!r.skipped.empty()) {
      skipped += fmt::format("  {}.{} [{}] {}: {}\n", r.module, r.kernel, r.variant, r.arch, r.skipped);
    }
  }
  std::string out;
  if (!failed.empty()) out += "\nfailures:\n" + failed;
  if (!skipped.empty()) out += "\nautotune configs left out of an arch (too large there, or pruned):\n" + skipped;
  return out;
}

}  // namespace

std::string FormatReport(const std::vector<TimingRecord>& records, int bad_lines, size_t top) {
  int64_t total_us = 0;
  size_t failures = 0;
  size_t hits = 0, misses = 0, uncached = 0;
  // Kernel = module + kernel name; its time is the sum over variants and archs
  // that were compiled. Cache hits are left out: they say nothing about what
  // makes a kernel slow to compile, and would hide the compiles among them.
  std::map<std::pair<std::string, std::string>, std::pair<int64_t, size_t>> per_kernel;
  for (const TimingRecord& r : records) {
    total_us += r.compile_us;
    failures += r.ok ? 0 : 1;
    if (r.cache == "hit") {
      ++hits;
      continue;
    }
    if (r.cache == "miss") ++misses;
    if (r.cache.empty()) ++uncached;
    auto& entry = per_kernel[{r.module, r.kernel}];
    entry.first += r.compile_us;
    entry.second += 1;
  }
  std::string out = fmt::format("{} compiles, {:.3f} s in total, {} failed\n", records.size(), total_us / 1e6, failures);
  if (hits + misses > 0) {
    out += fmt::format("cache: {} hits, {} misses", hits, misses);
    if (uncached > 0) out += fmt::format(", {} with the cache off", uncached);
    out += "\n";
  }
  if (bad_lines > 0) out += fmt::format("{} lines of the log are not valid records and were skipped\n", bad_lines);

  std::vector<std::pair<int64_t, std::string>> slowest;
  for (const auto& [key, value] : per_kernel) {
    slowest.emplace_back(value.first, fmt::format("{}.{} ({} compiles)", key.first, key.second, value.second));
  }
  std::sort(slowest.begin(), slowest.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  if (!slowest.empty()) out += hits > 0 ? "\nslowest kernels (cache hits left out):\n" : "\nslowest kernels:\n";
  for (size_t i = 0; i < std::min(top, slowest.size()); ++i) {
    out += fmt::format("  {:>10.3f} s  {}\n", slowest[i].first / 1e6, slowest[i].second);
  }
  out += FailedAndSkipped(records);
  return out;
}

}  // namespace triton_aot

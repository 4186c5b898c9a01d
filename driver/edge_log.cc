#include "edge_log.h"

#include <fmt/format.h>

namespace triton_aot {

std::vector<TimingRecord> TimingRecords(const JobTable& table, const ModuleBuild& build, const EdgeTimes& times) {
  std::vector<TimingRecord> records;
  for (const Job& job : table.jobs()) {
    const KernelSpec& kernel = build.spec.kernels[job.kernel_index];
    TimingRecord record;
    record.module = build.module_name;
    record.kernel = kernel.name;
    record.variant = kernel.variants[job.variant_index].name;
    record.arch = job.arch.SmName();
    record.compile_us = job.outcome.elapsed_us;
    record.ptxas = build.ptxas.at(job.arch.capability).info.path;
    record.ptxas_version = build.ptxas.at(job.arch.capability).info.version;
    record.triton_version = build.triton_version;
    record.ok = job.outcome.ok;
    record.error = job.outcome.error;
    record.skipped = job.skipped;
    record.start_us = job.outcome.start_us;
    record.cache = CacheStateName(job.cache);
    record.compiler = times.compiler;
    record.edge_workers = times.workers;
    record.edge_output = times.edge_output;
    record.edge_start_us = times.edge_start_us;
    records.push_back(std::move(record));
  }
  return records;
}

bool LogTimes(const std::string& timing_log, std::vector<TimingRecord> records, std::string* err) {
  const int64_t edge_end_us = UnixMicros();
  for (TimingRecord& record : records) record.edge_end_us = edge_end_us;
  return timing_log.empty() || AppendTimingLog(timing_log, records, err);
}

std::string EdgeSummary(const std::vector<TimingRecord>& records, const ModuleBuild& build,
                        const std::string& compiler) {
  int64_t total_us = 0;
  size_t hits = 0;
  for (const TimingRecord& r : records) {
    if (r.cache == "hit") {
      ++hits;
    } else {
      total_us += r.compile_us;
    }
  }
  return fmt::format("triton-aot: {}: {} variants x {} archs: {} compiled in {:.3f} s ({}), {} from the artifact "
                     "cache",
                     build.module_name, build.variants.size(), build.archs.size(), records.size() - hits,
                     total_us / 1e6,
                     compiler == "service"   ? "by a worker of the compile service"
                     : compiler == "process" ? "by a Python of this edge's own"
                                             : "no Python needed",
                     hits);
}

}  // namespace triton_aot

#include "report/report_command.h"

#include <filesystem>

#include <fmt/format.h>

#include "atomic_file.h"
#include "report/build_trace.h"
#include "report/ninja_log.h"
#include "report/timing_report.h"
#include "timing_log.h"

namespace triton_aot {
namespace {

// The latest build's edges from Ninja's log: `path`, or (when empty) the
// .ninja_log beside the timing log, which CMake writes into the build tree.
// Without a usable default log the trace is made from the timing log alone.
bool ReadLatestBuild(const std::string& timing_log, const std::string& path, NinjaLog* ninja_log,
                     std::string* build_dir, std::vector<std::string>* notes, std::string* err) {
  namespace fs = std::filesystem;
  const std::string chosen = path.empty() ? (fs::absolute(timing_log).parent_path() / ".ninja_log").string() : path;
  *build_dir = fs::absolute(chosen).parent_path().lexically_normal().string();
  if (path.empty() && !fs::exists(chosen)) {
    notes->push_back(fmt::format("triton-aot: note: no {}: the trace shows the Triton edges of the timing log alone; "
                                 "pass --ninja-log <build tree>/.ninja_log for every edge of the build",
                                 chosen));
    return true;
  }
  if (!ReadNinjaLog(chosen, ninja_log, err)) {
    if (!path.empty()) {
      *err = fmt::format("--ninja-log: {}", *err);
      return false;
    }
    notes->push_back(
        fmt::format("triton-aot: warning: {}; the trace shows the Triton edges of the timing log alone", *err));
    *ninja_log = NinjaLog();
    return true;
  }
  if (ninja_log->malformed_lines > 0) {
    notes->push_back(fmt::format("triton-aot: note: {} lines of the latest build in '{}' are not entries and were "
                                 "skipped",
                                 ninja_log->malformed_lines, chosen));
  }
  return true;
}

std::string TraceSummary(const BuildTraceSummary& summary, const std::string& trace) {
  return fmt::format("\ntrace: {} edges on {} lanes, {} of them Triton edges with {} variants ({} cache hits), "
                     "from {}: {}\nopen it in https://ui.perfetto.dev or chrome://tracing\n",
                     summary.edges, summary.lanes, summary.triton_edges, summary.variants, summary.cache_hits,
                     summary.from_ninja_log ? ".ninja_log and the timing log" : "the timing log alone", trace);
}

}  // namespace

bool MakeReport(const ReportOptions& options, ReportOutput* output, Diagnostic* error) {
  std::vector<TimingRecord> records;
  int bad_lines = 0;
  std::string err;
  if (!ReadTimingLog(options.timing_log, &records, &bad_lines, &err)) {
    *error = Diagnostic::Plain(err);
    return false;
  }
  output->text = FormatReport(records, bad_lines, options.top);
  if (options.trace.empty()) return true;

  NinjaLog ninja_log;
  BuildTraceOptions trace_options;
  if (!ReadLatestBuild(options.timing_log, options.ninja_log, &ninja_log, &trace_options.build_dir, &output->notes,
                       &err)) {
    *error = Diagnostic::Plain(err);
    return false;
  }
  BuildTraceSummary summary;
  const std::string json = BuildTraceJson(ninja_log.edges, records, trace_options, &summary);
  if (!WriteFileAtomically(options.trace, json, &err)) {
    *error = Diagnostic::Plain("--trace: " + err);
    return false;
  }
  output->text += TraceSummary(summary, options.trace);
  if (summary.from_ninja_log && summary.triton_edges == 0 && !records.empty()) {
    output->notes.push_back(
        "triton-aot: note: no edge of the latest build in .ninja_log has records in this timing log (it compiled "
        "no kernel module, or its driver predates the edge fields): the trace has Ninja's edges only");
  }
  return true;
}

}  // namespace triton_aot

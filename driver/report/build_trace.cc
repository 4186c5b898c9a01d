#include "report/build_trace.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace triton_aot {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr int kPid = 1;

// Unix times past the year 5000 are garbage in the timing log; leaving them
// out keeps the arithmetic below far from overflowing.
constexpr int64_t kMaxUnixUs = 100'000'000'000'000'000;

bool PlausibleUnixTime(int64_t us) { return us > 0 && us <= kMaxUnixUs; }

// The driver starts a few milliseconds after Ninja starts its edge, later on
// a loaded machine, but never a minute later: a run of an edge's output that
// would put Ninja's start more than this before the others is from an
// earlier build (this build's run left no record), not a late start.
constexpr int64_t kStaleRunUs = 60'000'000;
// Ninja's clock and the Unix clock drift apart a little during a build, and
// Ninja's times are whole milliseconds: a run counts as its edge's when it
// starts within this of the edge's span.
constexpr int64_t kClockSlackUs = 1'000'000;
// Without .ninja_log, a pause this long between Triton edges separates two
// builds. Ninja starts Triton edges early (they need only the driver and
// Python files), so one build's seldom leave such a gap.
constexpr int64_t kTimingLogBuildGapUs = 60'000'000;

// One Triton edge as the driver ran it: its records share output and times.
struct EdgeRun {
  std::string output;
  int64_t start_us = 0;  // Unix time
  int64_t end_us = 0;
  std::vector<const TimingRecord*> records;
};

// An edge on the trace's clock: µs since the build started.
struct TraceEdge {
  int64_t start_us = 0;
  int64_t end_us = 0;
  std::vector<std::string> outputs;
  const EdgeRun* run = nullptr;  // the Triton edge's records, if any
  int lane = 0;
};

std::string Normal(const std::string& path) { return fs::path(path).lexically_normal().string(); }

// Where an output of .ninja_log is: relative ones are inside the build tree.
std::string Resolve(const std::string& output, const std::string& build_dir) {
  if (build_dir.empty() || fs::path(output).is_absolute()) return Normal(output);
  return (fs::path(build_dir) / output).lexically_normal().string();
}

std::vector<EdgeRun> GroupIntoRuns(const std::vector<TimingRecord>& records) {
  std::map<std::pair<std::string, int64_t>, EdgeRun> runs;
  for (const TimingRecord& r : records) {
    // Lines from drivers older than the edge fields cannot be placed. An
    // edge without an end time ends where its last variant does.
    if (r.edge_output.empty() || !PlausibleUnixTime(r.edge_start_us)) continue;
    if (r.edge_end_us != 0 && !PlausibleUnixTime(r.edge_end_us)) continue;
    EdgeRun& run = runs[{Normal(r.edge_output), r.edge_start_us}];
    run.output = Normal(r.edge_output);
    run.start_us = r.edge_start_us;
    const int64_t variant_end =
        PlausibleUnixTime(r.start_us) ? r.start_us + std::clamp<int64_t>(r.compile_us, 0, kMaxUnixUs) : 0;
    run.end_us = std::max({run.end_us, r.edge_end_us, r.edge_start_us, variant_end});
    run.records.push_back(&r);
  }
  std::vector<EdgeRun> out;
  for (auto& [key, run] : runs) out.push_back(std::move(run));
  return out;
}

// The runs of each output, oldest first.
using RunsByOutput = std::map<std::string, std::vector<const EdgeRun*>>;

RunsByOutput IndexRuns(const std::vector<EdgeRun>& runs) {
  RunsByOutput index;
  for (const EdgeRun& run : runs) index[run.output].push_back(&run);
  for (auto& [output, list] : index) {
    std::sort(list.begin(), list.end(), [](const EdgeRun* a, const EdgeRun* b) { return a->start_us < b->start_us; });
  }
  return index;
}

// The runs whose output is one of the edge's. Should the build tree have been
// named differently here than when it was configured (a symbolic link), a
// relative output also matches a run's output that ends with it; the shortest
// such output is the nearest.
const std::vector<const EdgeRun*>* RunsOfEdge(const TraceEdge& edge, const RunsByOutput& index,
                                              const std::string& build_dir) {
  for (const std::string& output : edge.outputs) {
    auto it = index.find(Resolve(output, build_dir));
    if (it != index.end()) return &it->second;
  }
  const std::vector<const EdgeRun*>* nearest = nullptr;
  size_t nearest_length = 0;
  for (const std::string& output : edge.outputs) {
    if (fs::path(output).is_absolute()) continue;
    const std::string suffix = "/" + Normal(output);
    for (const auto& [run_output, runs] : index) {
      if (run_output.ends_with(suffix) && (nearest == nullptr || run_output.size() < nearest_length)) {
        nearest = &runs;
        nearest_length = run_output.size();
      }
    }
  }
  return nearest;
}

// Ninja's edges, and which run of the timing log each Triton edge was. Returns
// the Unix time of the build's start, or 0 when no edge matched a run.
int64_t MatchNinjaEdges(const std::vector<NinjaEdge>& edges, const RunsByOutput& index, const std::string& build_dir,
                        std::vector<TraceEdge>* trace_edges) {
  std::vector<const std::vector<const EdgeRun*>*> runs_of_edge;
  for (const NinjaEdge& edge : edges) {
    trace_edges->push_back({edge.start_ms * 1000, edge.end_ms * 1000, edge.outputs, nullptr, 0});
    runs_of_edge.push_back(RunsOfEdge(trace_edges->back(), index, build_dir));
  }
  // Each edge's newest run says when the build started, up to how late the
  // driver started after Ninja started the edge: the earliest such start
  // (the least late driver) is the best guess. Runs far before the latest
  // guess are from an earlier build.
  std::vector<int64_t> guesses;
  for (size_t i = 0; i < edges.size(); ++i) {
    if (runs_of_edge[i] != nullptr) guesses.push_back(runs_of_edge[i]->back()->start_us - (*trace_edges)[i].start_us);
  }
  if (guesses.empty()) return 0;
  const int64_t latest = *std::max_element(guesses.begin(), guesses.end());
  int64_t build_start = latest;
  for (int64_t guess : guesses) {
    if (guess >= latest - kStaleRunUs) build_start = std::min(build_start, guess);
  }
  // Each edge gets its newest run that started within its span.
  for (size_t i = 0; i < edges.size(); ++i) {
    if (runs_of_edge[i] == nullptr) continue;
    TraceEdge& edge = (*trace_edges)[i];
    for (const EdgeRun* run : *runs_of_edge[i]) {
      const int64_t start = run->start_us - build_start;
      if (start >= edge.start_us - kClockSlackUs && start <= edge.end_us + kClockSlackUs) edge.run = run;
    }
  }
  return build_start;
}

// Without .ninja_log: the Triton edges of the timing log's last build, each
// output's newest run. Returns the Unix time of the build's start.
int64_t EdgesFromTimingLog(const std::vector<EdgeRun>& runs, std::vector<TraceEdge>* trace_edges) {
  std::vector<const EdgeRun*> by_start;
  for (const EdgeRun& run : runs) by_start.push_back(&run);
  std::sort(by_start.begin(), by_start.end(), [](const EdgeRun* a, const EdgeRun* b) {
    return std::tie(a->start_us, a->output) < std::tie(b->start_us, b->output);
  });
  size_t build_begin = 0;
  int64_t busy_until = 0;
  for (size_t i = 0; i < by_start.size(); ++i) {
    if (i > 0 && by_start[i]->start_us > busy_until + kTimingLogBuildGapUs) build_begin = i;
    busy_until = std::max(busy_until, by_start[i]->end_us);
  }
  std::map<std::string, const EdgeRun*> newest;
  for (size_t i = build_begin; i < by_start.size(); ++i) newest[by_start[i]->output] = by_start[i];
  if (newest.empty()) return 0;
  const int64_t build_start = by_start[build_begin]->start_us;
  for (const auto& [output, run] : newest) {
    trace_edges->push_back({run->start_us - build_start, run->end_us - build_start, {output}, run, 0});
  }
  return build_start;
}

std::string FileName(const std::string& path) {
  const std::string name = fs::path(path).filename().string();
  return name.empty() ? path : name;
}

Json Slice(const std::string& name, const std::string& category, int64_t start_us, int64_t duration_us, int lane) {
  return Json{{"name", name}, {"cat", category}, {"ph", "X"}, {"ts", start_us}, {"dur", duration_us},
              {"pid", kPid}, {"tid", lane + 1}};
}

// Colours of chrome://tracing's palette (Perfetto ignores them by design):
// hits dark green, compiles blue, failures red.
std::string SliceColor(const TimingRecord& r) {
  if (!r.ok) return "terrible";
  return r.cache == "hit" ? "good" : "thread_state_runnable";
}

// A slice per record of the edge's run, inside the edge's slice. The driver
// compiles an edge's variants one after another; slices that overlap (clock
// noise) or stick out of the edge are cut to fit, as Perfetto nests slices of
// one lane only when each lies within the one around it.
void AddVariantSlices(const TraceEdge& edge, int64_t build_start, std::vector<std::pair<int, Json>>* slices,
                      BuildTraceSummary* summary) {
  std::vector<const TimingRecord*> records = edge.run->records;
  std::sort(records.begin(), records.end(), [](const TimingRecord* a, const TimingRecord* b) {
    return std::tie(a->start_us, a->kernel, a->variant, a->arch) <
           std::tie(b->start_us, b->kernel, b->variant, b->arch);
  });
  int64_t previous_end = edge.start_us;
  for (const TimingRecord* r : records) {
    if (!PlausibleUnixTime(r->start_us)) continue;  // no start time: nowhere to put it
    const int64_t start = std::clamp(r->start_us - build_start, previous_end, edge.end_us);
    const int64_t end = start + std::clamp<int64_t>(r->compile_us, 0, edge.end_us - start);
    previous_end = end;
    std::string name = fmt::format("{}/{} {}", r->kernel, r->variant, r->arch);
    if (r->cache == "hit") name += " (cache hit)";
    Json slice = Slice(name, "variant", start, end - start, edge.lane);
    slice["cname"] = SliceColor(*r);
    Json args = {{"module", r->module}, {"kernel", r->kernel}, {"variant", r->variant}, {"arch", r->arch},
                 {"cache", r->cache},   {"compiler", r->compiler}, {"compile_us", r->compile_us}};
    if (!r->ok) args["error"] = r->error.substr(0, r->error.find('\n'));
    slice["args"] = std::move(args);
    slices->emplace_back(1, std::move(slice));
    ++summary->variants;
    summary->cache_hits += r->cache == "hit" ? 1 : 0;
  }
}

Json Metadata(const std::string& name, int tid, Json args) {
  return Json{{"name", name}, {"ph", "M"}, {"pid", kPid}, {"tid", tid}, {"args", std::move(args)}};
}

}  // namespace

std::vector<int> AssignLanes(const std::vector<std::pair<int64_t, int64_t>>& spans) {
  std::vector<int64_t> lane_free_from;
  std::vector<int> lanes;
  for (const auto& [start, end] : spans) {
    size_t lane = 0;
    while (lane < lane_free_from.size() && lane_free_from[lane] > start) ++lane;
    if (lane == lane_free_from.size()) lane_free_from.push_back(0);
    lane_free_from[lane] = std::max(start, end);
    lanes.push_back(static_cast<int>(lane));
  }
  return lanes;
}

std::string BuildTraceJson(const std::vector<NinjaEdge>& edges, const std::vector<TimingRecord>& records,
                           const BuildTraceOptions& options, BuildTraceSummary* summary) {
  BuildTraceSummary local_summary;
  if (summary == nullptr) summary = &local_summary;
  *summary = BuildTraceSummary();

  const std::vector<EdgeRun> runs = GroupIntoRuns(records);
  std::vector<TraceEdge> trace_edges;
  int64_t build_start = 0;
  if (!edges.empty()) {
    summary->from_ninja_log = true;
    build_start = MatchNinjaEdges(edges, IndexRuns(runs), options.build_dir, &trace_edges);
  } else {
    build_start = EdgesFromTimingLog(runs, &trace_edges);
  }
  summary->build_start_unix_us = build_start;

  std::sort(trace_edges.begin(), trace_edges.end(), [](const TraceEdge& a, const TraceEdge& b) {
    return std::tie(a.start_us, a.end_us, a.outputs) < std::tie(b.start_us, b.end_us, b.outputs);
  });
  std::vector<std::pair<int64_t, int64_t>> spans;
  for (const TraceEdge& edge : trace_edges) spans.emplace_back(edge.start_us, edge.end_us);
  const std::vector<int> lanes = AssignLanes(spans);

  // (depth, slice): an edge's slice goes before the slices inside it.
  std::vector<std::pair<int, Json>> slices;
  int lane_count = 0;
  for (size_t i = 0; i < trace_edges.size(); ++i) {
    TraceEdge& edge = trace_edges[i];
    edge.lane = lanes[i];
    lane_count = std::max(lane_count, edge.lane + 1);
    Json outputs = Json::array();
    // CMake lists a custom command's outputs both relative and absolute, and
    // .ninja_log records both: name each file once.
    std::set<std::string> named;
    for (const std::string& output : edge.outputs) {
      std::string resolved = Resolve(output, options.build_dir);
      if (named.insert(resolved).second) outputs.push_back(std::move(resolved));
    }
    Json slice = Slice(FileName(edge.outputs.front()), edge.run ? "triton" : "edge", edge.start_us,
                       edge.end_us - edge.start_us, edge.lane);
    slice["args"] = {{"outputs", std::move(outputs)}};
    if (edge.run != nullptr) slice["args"]["module"] = edge.run->records.front()->module;
    slices.emplace_back(0, std::move(slice));
    if (edge.run != nullptr) {
      ++summary->triton_edges;
      AddVariantSlices(edge, build_start, &slices, summary);
    }
  }
  summary->edges = trace_edges.size();
  summary->lanes = static_cast<size_t>(lane_count);

  // Sorted by time, lane, then outer before inner: the same every time.
  std::stable_sort(slices.begin(), slices.end(), [](const auto& a, const auto& b) {
    const int64_t a_ts = a.second["ts"], b_ts = b.second["ts"], a_dur = a.second["dur"], b_dur = b.second["dur"];
    const int a_tid = a.second["tid"], b_tid = b.second["tid"];
    return std::tie(a_ts, a_tid, a.first, b_dur) < std::tie(b_ts, b_tid, b.first, a_dur);
  });

  std::vector<Json> events;
  events.push_back(Metadata("process_name", 0, {{"name", "ninja build"}}));
  for (int lane = 0; lane < lane_count; ++lane) {
    events.push_back(Metadata("thread_name", lane + 1, {{"name", fmt::format("lane {}", lane + 1)}}));
    events.push_back(Metadata("thread_sort_index", lane + 1, {{"sort_index", lane + 1}}));
  }
  for (auto& [depth, slice] : slices) events.push_back(std::move(slice));

  Json other = {{"generator", "triton-aot report --trace"},
                {"edges_from", summary->from_ninja_log ? ".ninja_log" : "timing log"},
                {"build_start_unix_us", build_start}};
  // One event a line: the file stays readable and diffs well.
  auto dump = [](const Json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); };
  std::string out = "{\"traceEvents\":[\n";
  for (size_t i = 0; i < events.size(); ++i) out += dump(events[i]) + (i + 1 < events.size() ? ",\n" : "\n");
  out += "],\n\"displayTimeUnit\":\"ms\",\n\"otherData\":" + dump(other) + "}\n";
  return out;
}

}  // namespace triton_aot

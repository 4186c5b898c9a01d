#include "report/build_trace.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace triton_aot {
namespace {

using nlohmann::json;

// The Unix time (µs) at which the test builds' Ninja started.
constexpr int64_t kNinjaStart = 1'764'000'000'000'000;

NinjaEdge Edge(int64_t start_ms, int64_t end_ms, std::vector<std::string> outputs) {
  return NinjaEdge{start_ms, end_ms, std::move(outputs), "hash"};
}

// A variant record of the Triton edge whose driver ran from Unix time
// `edge_start_us` to `edge_end_us`, writing `output`.
TimingRecord Variant(const std::string& output, int64_t edge_start_us, int64_t edge_end_us, const std::string& kernel,
                     int64_t start_us, int64_t compile_us, const std::string& cache = "miss") {
  TimingRecord r;
  r.module = "vec";
  r.kernel = kernel;
  r.variant = "aligned";
  r.arch = "sm_90a";
  r.compile_us = compile_us;
  r.start_us = start_us;
  r.cache = cache;
  r.compiler = "service";
  r.edge_output = output;
  r.edge_start_us = edge_start_us;
  r.edge_end_us = edge_end_us;
  return r;
}

json Trace(const std::vector<NinjaEdge>& edges, const std::vector<TimingRecord>& records,
           BuildTraceSummary* summary = nullptr, const std::string& build_dir = "/build") {
  const std::string text = BuildTraceJson(edges, records, {build_dir}, summary);
  json trace = json::parse(text, nullptr, false);
  EXPECT_FALSE(trace.is_discarded()) << text;
  EXPECT_TRUE(trace["traceEvents"].is_array()) << text;
  EXPECT_EQ(trace["displayTimeUnit"], "ms");
  return trace;
}

std::vector<json> Slices(const json& trace, const std::string& category = "") {
  std::vector<json> slices;
  for (const json& event : trace["traceEvents"]) {
    if (event["ph"] == "X" && (category.empty() || event["cat"] == category)) slices.push_back(event);
  }
  return slices;
}

json SliceNamed(const json& trace, const std::string& name) {
  for (const json& slice : Slices(trace)) {
    if (slice["name"] == name) return slice;
  }
  ADD_FAILURE() << "no slice named " << name << " in " << trace.dump(1);
  return json::object();
}

int64_t End(const json& slice) { return slice["ts"].get<int64_t>() + slice["dur"].get<int64_t>(); }

// Perfetto nests slices of one lane only when each lies within its parent.
void ExpectInside(const json& inner, const json& outer) {
  EXPECT_EQ(inner["tid"], outer["tid"]) << inner << "\n" << outer;
  EXPECT_GE(inner["ts"].get<int64_t>(), outer["ts"].get<int64_t>()) << inner << "\n" << outer;
  EXPECT_LE(End(inner), End(outer)) << inner << "\n" << outer;
}

TEST(AssignLanesTest, OverlappingSpansGetDifferentLanesAndFollowingOnesReuseThem) {
  // 0-100 and 50-150 overlap; 100-200 starts when the first lane is free
  // again; 120-130 finds both lanes busy and opens a third, which 140-300
  // takes next; 160-170 goes to the second, free since 150.
  EXPECT_EQ(AssignLanes({{0, 100}, {50, 150}, {100, 200}, {120, 130}, {140, 300}, {160, 170}}),
            (std::vector<int>{0, 1, 0, 2, 2, 1}));
  EXPECT_EQ(AssignLanes({{0, 10}, {10, 20}, {20, 30}}), (std::vector<int>{0, 0, 0}));
  EXPECT_TRUE(AssignLanes({}).empty());
}

TEST(BuildTraceTest, NamesTheProcessAndOneLaneForEachThatRanAtOnce) {
  BuildTraceSummary summary;
  const json trace = Trace({Edge(0, 100, {"a.o"}), Edge(50, 150, {"b.o"}), Edge(100, 200, {"c.o"})}, {}, &summary);
  std::vector<std::string> lane_names;
  bool process_named = false;
  for (const json& event : trace["traceEvents"]) {
    if (event["ph"] != "M") continue;
    if (event["name"] == "process_name") process_named = event["args"]["name"] == "ninja build";
    if (event["name"] == "thread_name") lane_names.push_back(event["args"]["name"]);
  }
  EXPECT_TRUE(process_named) << trace.dump(1);
  EXPECT_EQ(lane_names, (std::vector<std::string>{"lane 1", "lane 2"}));
  EXPECT_EQ(SliceNamed(trace, "a.o")["tid"], 1);
  EXPECT_EQ(SliceNamed(trace, "b.o")["tid"], 2);
  EXPECT_EQ(SliceNamed(trace, "c.o")["tid"], 1);
  EXPECT_EQ(summary.edges, 3u);
  EXPECT_EQ(summary.lanes, 2u);
  EXPECT_TRUE(summary.from_ninja_log);
  EXPECT_EQ(summary.triton_edges, 0u);
}

TEST(BuildTraceTest, AnEdgeIsASliceNamedByItsFirstOutputWithEveryOutputInFull) {
  const json trace = Trace({Edge(12, 345, {"gen/k.h", "gen/k.cc", "/abs/elsewhere.json"})}, {});
  const json slice = SliceNamed(trace, "k.h");
  EXPECT_EQ(slice["ph"], "X");
  EXPECT_EQ(slice["ts"], 12000);
  EXPECT_EQ(slice["dur"], 333000);
  EXPECT_EQ(slice["pid"], 1);
  EXPECT_EQ(slice["args"]["outputs"], (json{"/build/gen/k.h", "/build/gen/k.cc", "/abs/elsewhere.json"}));
}

TEST(BuildTraceTest, AnOutputListedRelativeAndAbsoluteIsNamedOnce) {
  // CMake writes a custom command's outputs both ways; .ninja_log has both.
  const json trace = Trace({Edge(0, 10, {"gen/k.h", "gen/k.cc", "/build/gen/k.h", "/build/gen/k.cc"})}, {});
  EXPECT_EQ(SliceNamed(trace, "k.h")["args"]["outputs"], (json{"/build/gen/k.h", "/build/gen/k.cc"}));
}

// Two Triton edges and a C++ compile. Their drivers started 5 and 20 ms after
// Ninja started the edges: the earlier start says when the build started.
TEST(BuildTraceTest, VariantsNestInTheirTritonEdgeAtTheirOwnTimes) {
  const int64_t vec_start = kNinjaStart + 1'000'000 + 5'000;
  const int64_t soft_start = kNinjaStart + 2'000'000 + 20'000;
  const std::vector<TimingRecord> records = {
      Variant("/build/kernels/vec.h", vec_start, vec_start + 1'900'000, "add", vec_start + 100'000, 200'000),
      Variant("/build/kernels/vec.h", vec_start, vec_start + 1'900'000, "mul", vec_start + 400'000, 300'000, "hit"),
      Variant("/build/kernels/soft.h", soft_start, soft_start + 1'500'000, "softmax", soft_start + 50'000, 1'000'000),
  };
  BuildTraceSummary summary;
  const json trace = Trace({Edge(1000, 3000, {"kernels/vec.h", "kernels/vec.json"}), Edge(1500, 2500, {"main.o"}),
                            Edge(2000, 4000, {"kernels/soft.h"})},
                           records, &summary);
  const int64_t build_start = kNinjaStart + 5'000;
  EXPECT_EQ(trace["otherData"]["build_start_unix_us"], build_start);
  EXPECT_EQ(summary.build_start_unix_us, build_start);

  const json vec = SliceNamed(trace, "vec.h");
  const json soft = SliceNamed(trace, "soft.h");
  EXPECT_EQ(vec["cat"], "triton");
  EXPECT_EQ(vec["args"]["module"], "vec");
  EXPECT_EQ(SliceNamed(trace, "main.o")["cat"], "edge");

  const json add = SliceNamed(trace, "add/aligned sm_90a");
  EXPECT_EQ(add["ts"], vec_start + 100'000 - build_start);
  EXPECT_EQ(add["dur"], 200'000);
  ExpectInside(add, vec);
  EXPECT_EQ(add["args"], (json{{"module", "vec"},   {"kernel", "add"},        {"variant", "aligned"},
                               {"arch", "sm_90a"},  {"cache", "miss"},        {"compiler", "service"},
                               {"compile_us", 200'000}}));
  const json mul = SliceNamed(trace, "mul/aligned sm_90a (cache hit)");
  EXPECT_EQ(mul["ts"], vec_start + 400'000 - build_start);
  ExpectInside(mul, vec);
  const json softmax = SliceNamed(trace, "softmax/aligned sm_90a");
  // soft.h's driver started 20 ms after its edge did, 15 ms later than vec.h's.
  EXPECT_EQ(softmax["ts"], 2'000'000 + 15'000 + 50'000);
  ExpectInside(softmax, soft);

  EXPECT_EQ(summary.triton_edges, 2u);
  EXPECT_EQ(summary.variants, 3u);
  EXPECT_EQ(summary.cache_hits, 1u);
  EXPECT_EQ(Slices(trace, "variant").size(), 3u);
}

TEST(BuildTraceTest, HitsMissesAndFailuresLookDifferent) {
  const int64_t start = kNinjaStart + 1'000;
  TimingRecord failed = Variant("/build/k.h", start, start + 900'000, "broken", start + 300'000, 100'000);
  failed.ok = false;
  failed.error = "CompilationError: out of resources\nTraceback ...";
  const json trace =
      Trace({Edge(0, 1000, {"k.h"})}, {Variant("/build/k.h", start, start + 900'000, "hit", start + 10, 100, "hit"),
                                       Variant("/build/k.h", start, start + 900'000, "miss", start + 1'000, 200'000),
                                       failed});
  EXPECT_EQ(SliceNamed(trace, "hit/aligned sm_90a (cache hit)")["cname"], "good");
  EXPECT_EQ(SliceNamed(trace, "miss/aligned sm_90a")["cname"], "thread_state_runnable");
  const json broken = SliceNamed(trace, "broken/aligned sm_90a");
  EXPECT_EQ(broken["cname"], "terrible");
  EXPECT_EQ(broken["args"]["error"], "CompilationError: out of resources");
}

// Perfetto mis-nests a slice that sticks out of its parent or overlaps its
// sibling: variants are cut to fit their edge, one after another.
TEST(BuildTraceTest, VariantsAreClampedIntoTheirEdge) {
  const int64_t start = kNinjaStart + 2'000;  // the build started 2 ms before this driver did
  const std::vector<TimingRecord> records = {
      Variant("/build/k.h", start, start + 1'000'000, "early", kNinjaStart - 50'000, 100'000),
      Variant("/build/k.h", start, start + 1'000'000, "overlaps", kNinjaStart + 80'000, 100'000),
      Variant("/build/k.h", start, start + 1'000'000, "too_long", kNinjaStart + 900'000, 5'000'000),
      Variant("/build/k.h", start, start + 1'000'000, "after", kNinjaStart + 7'000'000, 10),
  };
  const json trace = Trace({Edge(0, 1000, {"k.h"})}, records);
  const json edge = SliceNamed(trace, "k.h");
  const json early = SliceNamed(trace, "early/aligned sm_90a");
  const json overlaps = SliceNamed(trace, "overlaps/aligned sm_90a");
  const json too_long = SliceNamed(trace, "too_long/aligned sm_90a");
  const json after = SliceNamed(trace, "after/aligned sm_90a");
  for (const json& slice : {early, overlaps, too_long, after}) ExpectInside(slice, edge);
  EXPECT_EQ(early["ts"], 0);
  EXPECT_EQ(overlaps["ts"], End(early));
  EXPECT_EQ(End(too_long), 1'000'000);
  EXPECT_EQ(after["ts"], 1'000'000);
  EXPECT_EQ(after["dur"], 0);
  // What was measured stays in the arguments.
  EXPECT_EQ(too_long["args"]["compile_us"], 5'000'000);
}

// The timing log holds every build's runs; the trace shows this build's.
TEST(BuildTraceTest, OnlyThisBuildsRunOfAnEdgeIsUsed) {
  const int64_t day = 86'400'000'000;
  const int64_t now = kNinjaStart + 3'000;
  const std::vector<TimingRecord> records = {
      Variant("/build/a.h", now - day, now - day + 500'000, "yesterday", now - day + 1'000, 400'000),
      Variant("/build/a.h", now, now + 900'000, "today", now + 1'000, 400'000),
      Variant("/build/not_rebuilt.h", now - day, now - day + 500'000, "other", now - day + 1'000, 400'000),
  };
  BuildTraceSummary summary;
  const json trace = Trace({Edge(0, 1000, {"a.h"}), Edge(0, 10, {"b.o"})}, records, &summary);
  std::vector<std::string> variants;
  for (const json& slice : Slices(trace, "variant")) variants.push_back(slice["name"]);
  EXPECT_EQ(variants, (std::vector<std::string>{"today/aligned sm_90a"}));
  EXPECT_EQ(summary.build_start_unix_us, now);
}

// An edge whose driver wrote no record this time (the timing log could not be
// written) does not take an earlier build's run, nor shift the others.
TEST(BuildTraceTest, AnEarlierBuildsRunDoesNotSetTheClock) {
  const int64_t day = 86'400'000'000;
  const int64_t b_start = kNinjaStart + 2'000'000 + 4'000;
  const std::vector<TimingRecord> records = {
      Variant("/build/a.h", kNinjaStart - day, kNinjaStart - day + 500'000, "old", kNinjaStart - day, 400'000),
      Variant("/build/b.h", b_start, b_start + 500'000, "new", b_start + 1'000, 400'000),
  };
  BuildTraceSummary summary;
  const json trace = Trace({Edge(0, 1000, {"a.h"}), Edge(2000, 3000, {"b.h"})}, records, &summary);
  EXPECT_EQ(summary.build_start_unix_us, kNinjaStart + 4'000);
  EXPECT_EQ(summary.triton_edges, 1u);
  EXPECT_EQ(SliceNamed(trace, "a.h")["cat"], "edge");
  EXPECT_EQ(SliceNamed(trace, "new/aligned sm_90a")["ts"], 2'000'000 + 1'000);
}

TEST(BuildTraceTest, MatchesOutputsOutsideTheTreeAndATreeNamedThroughALink) {
  const int64_t start = kNinjaStart + 1'000;
  const std::vector<TimingRecord> records = {
      Variant("/elsewhere/out/k.h", start, start + 500'000, "abs", start + 10, 100),
      // Configured as /real/build, reported from /build (a link to it).
      Variant("/real/build/gen/vec.h", start, start + 500'000, "linked", start + 20, 100),
  };
  BuildTraceSummary summary;
  const json trace = Trace({Edge(0, 1000, {"/elsewhere/out/k.h"}), Edge(0, 1000, {"gen/vec.h"})}, records, &summary);
  EXPECT_EQ(summary.triton_edges, 2u);
  ExpectInside(SliceNamed(trace, "abs/aligned sm_90a"), SliceNamed(trace, "k.h"));
  ExpectInside(SliceNamed(trace, "linked/aligned sm_90a"), SliceNamed(trace, "vec.h"));
}

TEST(BuildTraceTest, RecordsFromOlderDriversLeavePlainEdges) {
  TimingRecord old_record;
  old_record.module = "vec";
  old_record.kernel = "add";
  old_record.compile_us = 10;
  BuildTraceSummary summary;
  const json trace = Trace({Edge(0, 1000, {"vec.h"})}, {old_record}, &summary);
  EXPECT_EQ(summary.triton_edges, 0u);
  EXPECT_EQ(Slices(trace).size(), 1u);
  EXPECT_EQ(summary.build_start_unix_us, 0);
}

// No .ninja_log: the Triton edges of the timing log's latest build, on the
// clock of the first one's start.
TEST(BuildTraceTest, WithoutNinjaLogTheTimingLogsLatestBuildMakesTheEdges) {
  const int64_t hour = 3'600'000'000;
  const int64_t a = kNinjaStart, b = kNinjaStart + 300'000;
  const std::vector<TimingRecord> records = {
      Variant("/build/old.h", a - hour, a - hour + 1'000'000, "old", a - hour + 10, 100),
      Variant("/build/a.h", a - hour, a - hour + 1'000'000, "a_before", a - hour + 10, 100),
      Variant("/build/a.h", a, a + 1'000'000, "a_now", a + 100'000, 500'000, "hit"),
      Variant("/build/b.h", b, b + 2'000'000, "b_now", b + 10'000, 1'000'000),
  };
  BuildTraceSummary summary;
  const json trace = Trace({}, records, &summary);
  EXPECT_FALSE(summary.from_ninja_log);
  EXPECT_EQ(trace["otherData"]["edges_from"], "timing log");
  EXPECT_EQ(summary.build_start_unix_us, a);
  EXPECT_EQ(summary.edges, 2u);
  EXPECT_EQ(summary.lanes, 2u);
  const json a_edge = SliceNamed(trace, "a.h");
  const json b_edge = SliceNamed(trace, "b.h");
  EXPECT_EQ(a_edge["ts"], 0);
  EXPECT_EQ(a_edge["dur"], 1'000'000);
  EXPECT_EQ(b_edge["ts"], 300'000);
  EXPECT_NE(a_edge["tid"], b_edge["tid"]);
  const json a_now = SliceNamed(trace, "a_now/aligned sm_90a (cache hit)");
  EXPECT_EQ(a_now["ts"], 100'000);
  ExpectInside(a_now, a_edge);
  ExpectInside(SliceNamed(trace, "b_now/aligned sm_90a"), b_edge);
  EXPECT_EQ(Slices(trace, "variant").size(), 2u);
}

TEST(BuildTraceTest, NothingToShowIsStillATrace) {
  BuildTraceSummary summary;
  const json trace = Trace({}, {}, &summary);
  EXPECT_TRUE(Slices(trace).empty());
  EXPECT_EQ(summary.edges, 0u);
}

TEST(BuildTraceTest, TheSameInputInAnyOrderGivesTheSameText) {
  std::vector<NinjaEdge> edges;
  std::vector<TimingRecord> records;
  for (int i = 0; i < 40; ++i) {
    const std::string output = "gen/k" + std::to_string(i) + ".h";
    edges.push_back(Edge(i * 37 % 500, i * 37 % 500 + 100 + i, {output}));
    const int64_t start = kNinjaStart + (i * 37 % 500) * 1000 + 1'000;
    for (int v = 0; v < 3; ++v) {
      records.push_back(Variant("/build/" + output, start, start + 99'000, "k" + std::to_string(v),
                                start + v * 10'000, 9'000, v == 1 ? "hit" : "miss"));
    }
    edges.push_back(Edge(i * 11 % 300, i * 11 % 300 + 50, {"obj" + std::to_string(i) + ".o"}));
  }
  const std::string first = BuildTraceJson(edges, records, {"/build"});
  std::mt19937 random(7);
  for (int round = 0; round < 3; ++round) {
    std::shuffle(edges.begin(), edges.end(), random);
    std::shuffle(records.begin(), records.end(), random);
    EXPECT_EQ(BuildTraceJson(edges, records, {"/build"}), first);
  }
  // And it holds: each variant within an edge of its lane, no lane's edges overlapping.
  const json trace = json::parse(first);
  std::map<int, std::vector<json>> edges_of_lane;
  for (const json& slice : Slices(trace)) {
    if (slice["cat"] != "variant") edges_of_lane[slice["tid"]].push_back(slice);
  }
  for (auto& [lane, lane_edges] : edges_of_lane) {
    for (size_t i = 1; i < lane_edges.size(); ++i) {
      EXPECT_LE(End(lane_edges[i - 1]), lane_edges[i]["ts"].get<int64_t>()) << "lane " << lane;
    }
  }
  for (const json& variant : Slices(trace, "variant")) {
    bool inside = false;
    for (const json& edge : edges_of_lane[variant["tid"]]) {
      inside = inside || (variant["ts"] >= edge["ts"] && End(variant) <= End(edge));
    }
    EXPECT_TRUE(inside) << variant;
  }
}

}  // namespace
}  // namespace triton_aot

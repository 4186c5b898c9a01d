#include "timing_log.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "test_support.h"
#include "sample_timing_record.h"

namespace triton_aot {
namespace {

using testing::ReadText;
using testing::TempDir;
using testing::WriteText;

TimingRecord Record(const std::string& kernel, const std::string& variant, int64_t us) {
  return testing::SampleRecord(kernel, variant, us);
}

void ExpectSameRecord(const TimingRecord& a, const TimingRecord& b) {
  EXPECT_EQ(a.module, b.module);
  EXPECT_EQ(a.kernel, b.kernel);
  EXPECT_EQ(a.variant, b.variant);
  EXPECT_EQ(a.arch, b.arch);
  EXPECT_EQ(a.compile_us, b.compile_us);
  EXPECT_EQ(a.ptxas, b.ptxas);
  EXPECT_EQ(a.ok, b.ok);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.start_us, b.start_us);
  EXPECT_EQ(a.cache, b.cache);
  EXPECT_EQ(a.compiler, b.compiler);
  EXPECT_EQ(a.edge_output, b.edge_output);
  EXPECT_EQ(a.edge_start_us, b.edge_start_us);
  EXPECT_EQ(a.edge_end_us, b.edge_end_us);
  EXPECT_EQ(a.triton_version, b.triton_version);
  EXPECT_EQ(a.ptxas_version, b.ptxas_version);
}

TEST(TimingLogTest, SuccessfulRecordRoundTrips) {
  TimingRecord r = Record("add", "aligned", 1234567);
  const std::string line = ToJsonLine(r);
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  TimingRecord back;
  back.error = "stale";
  std::string err;
  ASSERT_TRUE(ParseJsonLine(line, &back, &err)) << err;
  ExpectSameRecord(back, r);
  // The line is plain JSON that other tools (jq, Python) can read.
  nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["compile_us"], 1234567);
  EXPECT_FALSE(j.contains("error"));
}

TEST(TimingLogTest, CacheCompilerAndEdgeFieldsRoundTrip) {
  TimingRecord r = Record("add", "aligned", 1500);
  r.start_us = 1764000000123456;
  r.cache = "hit";
  r.compiler = "service";
  r.edge_output = "/build/kernels/vec.h";
  r.edge_start_us = 1764000000100000;
  r.edge_end_us = 1764000000200000;
  r.triton_version = "3.9.0";
  r.ptxas_version = "13.4";
  const std::string line = ToJsonLine(r);
  TimingRecord back;
  std::string err;
  ASSERT_TRUE(ParseJsonLine(line, &back, &err)) << err;
  ExpectSameRecord(back, r);
  nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["start_us"], 1764000000123456);
  EXPECT_EQ(j["cache"], "hit");
  EXPECT_EQ(j["compiler"], "service");
  EXPECT_EQ(j["triton_version"], "3.9.0");
  EXPECT_EQ(j["ptxas_version"], "13.4");
  EXPECT_EQ(j["edge"], (nlohmann::json{{"output", "/build/kernels/vec.h"},
                                       {"start_us", 1764000000100000},
                                       {"end_us", 1764000000200000}}));
}

TEST(TimingLogTest, AConfigLeftOutOfItsArchRoundTripsAndStaysOk) {
  TimingRecord r = Record("mm", "config3", 1500);
  r.skipped = "needs 200000 bytes of shared memory on sm_80, but a block there can have at most 166912";
  const std::string line = ToJsonLine(r);
  TimingRecord back;
  std::string err;
  ASSERT_TRUE(ParseJsonLine(line, &back, &err)) << err;
  EXPECT_EQ(back.skipped, r.skipped);
  EXPECT_TRUE(back.ok);
  const nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["status"], "ok") << "it compiled; it is only not packed for that arch";
  EXPECT_EQ(j["skipped"], r.skipped);
  EXPECT_FALSE(nlohmann::json::parse(ToJsonLine(Record("mm", "config0", 1))).contains("skipped"));
}

TEST(TimingLogTest, CacheKeyIsLeftOutWhenTheCacheIsOff) {
  const nlohmann::json j = nlohmann::json::parse(ToJsonLine(Record("add", "aligned", 1)));
  EXPECT_FALSE(j.contains("cache")) << j;
  EXPECT_TRUE(j.contains("compiler")) << j;
  EXPECT_TRUE(j.contains("edge")) << j;
}

// Logs written by older drivers stay readable: the new fields take defaults.
TEST(TimingLogTest, LinesWithoutTheNewFieldsReadWithDefaults) {
  TimingRecord r;
  std::string err;
  ASSERT_TRUE(ParseJsonLine(R"({"module":"m","kernel":"k","variant":"v","arch":"sm_80","compile_us":12,)"
                            R"("ptxas":"/p","status":"ok"})",
                            &r, &err))
      << err;
  EXPECT_EQ(r.compile_us, 12);
  EXPECT_EQ(r.start_us, 0);
  EXPECT_EQ(r.cache, "");
  EXPECT_EQ(r.compiler, "");
  EXPECT_EQ(r.edge_output, "");
  EXPECT_EQ(r.edge_start_us, 0);
  EXPECT_EQ(r.edge_end_us, 0);
}

TEST(TimingLogTest, NewFieldsOfTheWrongTypeAreRejected) {
  const std::string head = R"({"module":"m","kernel":"k","variant":"v","arch":"sm_80","compile_us":12,"status":"ok",)";
  for (const char* tail : {R"("start_us":"12"})", R"("cache":1})", R"("edge":"x"})", R"("edge":null})",
                           R"("edge":{"output":"/o","start_us":"1"}})"}) {
    TimingRecord r;
    std::string err;
    EXPECT_FALSE(ParseJsonLine(head + tail, &r, &err)) << tail;
    EXPECT_FALSE(err.empty()) << tail;
  }
}

TEST(TimingLogTest, FailureWithNewlinesAndQuotesStaysOnOneLine) {
  TimingRecord r = Record("add", "generic", 42);
  r.ok = false;
  r.error = "ptxas fatal: \"bad\" thing\n  at line 3\\n\ttab\n";
  const std::string line = ToJsonLine(r);
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  TimingRecord back;
  std::string err;
  ASSERT_TRUE(ParseJsonLine(line, &back, &err)) << err;
  ExpectSameRecord(back, r);
  EXPECT_EQ(nlohmann::json::parse(line)["status"], "failed");
}

TEST(TimingLogTest, InvalidUtf8IsReplacedNotFatal) {
  TimingRecord r = Record("add", "generic", 1);
  r.ok = false;
  r.error = "before \xff\xfe after";
  const std::string line = ToJsonLine(r);
  TimingRecord back;
  std::string err;
  ASSERT_TRUE(ParseJsonLine(line, &back, &err)) << err << "\n" << line;
  EXPECT_FALSE(back.ok);
  EXPECT_EQ(back.error.rfind("before ", 0), 0u) << back.error;
  EXPECT_NE(back.error.find(" after"), std::string::npos) << back.error;
  EXPECT_NE(back.error.find("\xEF\xBF\xBD"), std::string::npos) << "expected U+FFFD: " << back.error;
}

TEST(TimingLogTest, ParseRejectsWhatIsNotARecord) {
  TimingRecord r;
  std::string err;
  for (const char* line :
       {"", "not json", "[1, 2]", "{}", R"({"module": "m", "kernel": "k"})",
        R"({"module":"m","kernel":"k","variant":"v","arch":"sm_80","compile_us":"12","status":"ok"})",
        R"({"module":"m","kernel":"k","variant":"v","arch":"sm_80","compile_us":12,"stat)"}) {
    err.clear();
    EXPECT_FALSE(ParseJsonLine(line, &r, &err)) << line;
    EXPECT_FALSE(err.empty()) << line;
  }
}

TEST(TimingLogTest, AppendCreatesAndExtends) {
  TempDir dir;
  const std::string path = dir / "timings.jsonl";
  std::string err;
  ASSERT_TRUE(AppendTimingLog(path, {Record("a", "v", 1), Record("b", "v", 2)}, &err)) << err;
  ASSERT_TRUE(AppendTimingLog(path, {Record("c", "v", 3)}, &err)) << err;
  std::vector<TimingRecord> records;
  int bad = -1;
  ASSERT_TRUE(ReadTimingLog(path, &records, &bad, &err)) << err;
  EXPECT_EQ(bad, 0);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].kernel, "a");
  EXPECT_EQ(records[2].kernel, "c");
}

TEST(TimingLogTest, AppendFailsInAMissingFolder) {
  TempDir dir;
  std::string err;
  EXPECT_FALSE(AppendTimingLog(dir / "no/such/timings.jsonl", {Record("a", "v", 1)}, &err));
  EXPECT_NE(err.find("no/such/timings.jsonl"), std::string::npos) << err;
}

// Every compile edge of a build appends to one log, concurrently. Lines must
// never tear or interleave, even when a batch is longer than PIPE_BUF.
TEST(TimingLogTest, ConcurrentAppendsFromManyProcessesKeepEveryLineWhole) {
  constexpr int kProcesses = 16;
  constexpr int kRecordsPerProcess = 200;
  constexpr int kBatch = 10;
  TempDir dir;
  const std::string path = dir / "timings.jsonl";
  // Long failure texts make each batch several kilobytes.
  const std::string long_error = "error: " + std::string(600, 'x') + "\nnote: second line";

  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0) << "fork failed";
    if (pid == 0) {
      bool ok = true;
      for (int start = 0; start < kRecordsPerProcess && ok; start += kBatch) {
        std::vector<TimingRecord> batch;
        for (int i = start; i < start + kBatch; ++i) {
          TimingRecord r = Record("k" + std::to_string(p), "v" + std::to_string(i), p * 1000 + i);
          r.ok = i % 3 != 0;
          if (!r.ok) r.error = long_error;
          batch.push_back(r);
        }
        std::string err;
        ok = AppendTimingLog(path, batch, &err);
      }
      ::_exit(ok ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child " << pid << " status " << status;
  }

  std::vector<TimingRecord> records;
  int bad = -1;
  std::string err;
  ASSERT_TRUE(ReadTimingLog(path, &records, &bad, &err)) << err;
  EXPECT_EQ(bad, 0);
  ASSERT_EQ(records.size(), static_cast<size_t>(kProcesses * kRecordsPerProcess));
  std::set<std::pair<std::string, std::string>> seen;
  for (const TimingRecord& r : records) {
    EXPECT_TRUE(seen.insert({r.kernel, r.variant}).second) << "duplicate " << r.kernel << " " << r.variant;
    const int p = std::stoi(r.kernel.substr(1));
    const int i = std::stoi(r.variant.substr(1));
    EXPECT_EQ(r.compile_us, p * 1000 + i);
    EXPECT_EQ(r.ok, i % 3 != 0);
    EXPECT_EQ(r.error, r.ok ? "" : long_error);
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kProcesses * kRecordsPerProcess));
  // Each batch went out in one piece: its records follow each other.
  for (size_t j = 0; j < records.size(); ++j) {
    const int i = std::stoi(records[j].variant.substr(1));
    if (i % kBatch != 0) continue;
    ASSERT_LE(j + kBatch, records.size());
    for (int k = 1; k < kBatch; ++k) {
      EXPECT_EQ(records[j + k].kernel, records[j].kernel) << "batch split at line " << j + k + 1;
      EXPECT_EQ(records[j + k].variant, "v" + std::to_string(i + k)) << "batch split at line " << j + k + 1;
    }
  }
  EXPECT_EQ(ReadText(path).back(), '\n');
}

TEST(TimingLogTest, ReadCountsBadLines) {
  TempDir dir;
  const std::string path = dir / "timings.jsonl";
  std::string log = ToJsonLine(Record("a", "v", 1)) + "\n";
  log += "garbage\n";
  log += "\n";  // blank lines are neither records nor errors
  log += ToJsonLine(Record("b", "v", 2)) + "\n";
  log += "{\"module\": \"m\", \"kernel\"\n";  // torn by a crash
  WriteText(path, log);
  std::vector<TimingRecord> records;
  int bad = -1;
  std::string err;
  ASSERT_TRUE(ReadTimingLog(path, &records, &bad, &err)) << err;
  EXPECT_EQ(bad, 2);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].kernel, "a");
  EXPECT_EQ(records[1].kernel, "b");
}

TEST(TimingLogTest, ReadFailsOnAMissingLog) {
  TempDir dir;
  std::vector<TimingRecord> records;
  int bad = 0;
  std::string err;
  EXPECT_FALSE(ReadTimingLog(dir / "none.jsonl", &records, &bad, &err));
  EXPECT_NE(err.find("none.jsonl"), std::string::npos) << err;
}

}  // namespace
}  // namespace triton_aot

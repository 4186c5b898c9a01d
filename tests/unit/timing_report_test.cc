#include "report/timing_report.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sample_timing_record.h"

namespace triton_aot {
namespace {

TimingRecord Record(const std::string& kernel, const std::string& variant, int64_t us) {
  return testing::SampleRecord(kernel, variant, us);
}

TimingRecord CachedRecord(const std::string& kernel, const std::string& variant, int64_t us, const std::string& cache) {
  TimingRecord r = Record(kernel, variant, us);
  r.cache = cache;
  return r;
}

TEST(FormatReportTest, TotalSlowestFirstAndFailures) {
  std::vector<TimingRecord> records = {Record("fast", "a", 250000), Record("slow", "a", 1000000),
                                       Record("slow", "b", 2000000), Record("medium", "a", 500000)};
  TimingRecord failed = Record("broken", "generic", 250000);
  failed.arch = "sm_80";
  failed.ok = false;
  failed.error = "CompilationError: out of resources\nTraceback (most recent call last):\n  ...";
  records.push_back(failed);

  const std::string report = FormatReport(records, 0, 10);
  // 0.25 + 1 + 2 + 0.5 + 0.25 seconds.
  EXPECT_NE(report.find("5 compiles"), std::string::npos) << report;
  EXPECT_NE(report.find("4.000 s"), std::string::npos) << report;
  EXPECT_NE(report.find("1 failed"), std::string::npos) << report;
  EXPECT_EQ(report.find("not valid records"), std::string::npos) << report;

  // A kernel's time is the sum over its variants: slow (3 s) before medium
  // (0.5 s) before fast (0.25 s).
  const size_t slow = report.find("vec.slow (2 compiles)");
  const size_t medium = report.find("vec.medium");
  const size_t fast = report.find("vec.fast");
  ASSERT_NE(slow, std::string::npos) << report;
  ASSERT_NE(medium, std::string::npos) << report;
  ASSERT_NE(fast, std::string::npos) << report;
  EXPECT_LT(slow, medium) << report;
  EXPECT_LT(medium, fast) << report;
  EXPECT_NE(report.find("3.000 s"), std::string::npos) << report;

  // The failure is listed with where it happened and its first line only.
  const size_t failures = report.find("failures:");
  ASSERT_NE(failures, std::string::npos) << report;
  const size_t broken = report.find("vec.broken [generic] sm_80", failures);
  ASSERT_NE(broken, std::string::npos) << report;
  EXPECT_NE(report.find("CompilationError: out of resources", broken), std::string::npos) << report;
  EXPECT_EQ(report.find("Traceback"), std::string::npos) << report;
}

TEST(FormatReportTest, ConfigsLeftOutOfAnArchAreListedApartFromFailures) {
  TimingRecord left_out = Record("mm", "config3", 1000);
  left_out.arch = "sm_80";
  left_out.skipped = "needs 200000 bytes of shared memory on sm_80, but a block there can have at most 166912";
  const std::string report = FormatReport({Record("mm", "config0", 1000), left_out}, 0, 10);
  EXPECT_EQ(report.find("failures:"), std::string::npos) << report;
  EXPECT_NE(report.find("\nautotune configs left out of an arch (too large there, or pruned):\n  vec.mm [config3] sm_80: needs "
                        "200000 bytes"),
            std::string::npos)
      << report;
  EXPECT_EQ(report.find("[config0]"), std::string::npos) << "only the left-out config is listed: " << report;
}

TEST(FormatReportTest, TopLimitsTheSlowestListAndBadLinesAreMentioned) {
  std::vector<TimingRecord> records = {Record("fast", "a", 1), Record("slow", "a", 100), Record("medium", "a", 10)};
  const std::string report = FormatReport(records, 3, 1);
  EXPECT_NE(report.find("vec.slow"), std::string::npos) << report;
  EXPECT_EQ(report.find("vec.medium"), std::string::npos) << report;
  EXPECT_EQ(report.find("vec.fast"), std::string::npos) << report;
  EXPECT_NE(report.find("3 lines"), std::string::npos) << report;
  EXPECT_EQ(report.find("failures:"), std::string::npos) << report;
}

TEST(FormatReportTest, CacheHitsAndMissesAreCountedWhenTheLogHasThem) {
  std::vector<TimingRecord> records = {CachedRecord("a", "v", 10, "hit"), CachedRecord("b", "v", 20, "hit"),
                                       CachedRecord("c", "v", 30, "miss")};
  const std::string report = FormatReport(records, 0, 10);
  EXPECT_NE(report.find("cache: 2 hits, 1 misses\n"), std::string::npos) << report;
  EXPECT_EQ(report.find("cache off"), std::string::npos) << report;
  // Lines from before the cache, or with it off, are said apart.
  records.push_back(Record("d", "v", 40));
  EXPECT_NE(FormatReport(records, 0, 10).find("cache: 2 hits, 1 misses, 1 with the cache off"), std::string::npos);
}

TEST(FormatReportTest, NoCacheLineWithoutCacheFields) {
  const std::string report = FormatReport({Record("a", "v", 1)}, 0, 10);
  EXPECT_EQ(report.find("cache"), std::string::npos) << report;
}

// The slowest list is of what was compiled: a kernel whose every variant was
// a cache hit is not there, and a kernel's hits do not add to its time.
TEST(FormatReportTest, SlowestKernelsLeaveCacheHitsOut) {
  std::vector<TimingRecord> records = {CachedRecord("only_hits", "a", 9000000, "hit"),
                                       CachedRecord("mixed", "a", 8000000, "hit"),
                                       CachedRecord("mixed", "b", 1000000, "miss"),
                                       CachedRecord("compiled", "a", 2000000, "miss")};
  const std::string report = FormatReport(records, 0, 10);
  const size_t slowest = report.find("slowest kernels");
  ASSERT_NE(slowest, std::string::npos) << report;
  EXPECT_EQ(report.find("vec.only_hits"), std::string::npos) << report;
  const size_t compiled = report.find("2.000 s  vec.compiled (1 compiles)", slowest);
  const size_t mixed = report.find("1.000 s  vec.mixed (1 compiles)", slowest);
  ASSERT_NE(compiled, std::string::npos) << report;
  ASSERT_NE(mixed, std::string::npos) << report;
  EXPECT_LT(compiled, mixed) << report;
  // The total is still the whole build's time, look-ups included.
  EXPECT_NE(report.find("4 compiles, 20.000 s in total"), std::string::npos) << report;
}

TEST(FormatReportTest, SameKernelNameInTwoModulesIsTwoKernels) {
  TimingRecord a = Record("add", "v", 100);
  TimingRecord b = Record("add", "v", 200);
  b.module = "other";
  const std::string report = FormatReport({a, b}, 0, 10);
  const size_t other = report.find("other.add (1 compiles)");
  const size_t vec = report.find("vec.add (1 compiles)");
  ASSERT_NE(other, std::string::npos) << report;
  ASSERT_NE(vec, std::string::npos) << report;
  EXPECT_LT(other, vec) << report;
}

}  // namespace
}  // namespace triton_aot

#include "compile_order.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "sample_timing_record.h"
#include "test_support.h"
#include "timing_log.h"

namespace triton_aot {
namespace {

using testing::TempDir;

constexpr const char* kHeader = "/build/triton_aot/vec/vec.h";

TimingRecord Compiled(const std::string& variant, int64_t us, const std::string& cache = "miss",
                      const std::string& header = kHeader) {
  TimingRecord r = testing::SampleRecord("add", variant, us);
  r.cache = cache;
  r.edge_output = header;
  return r;
}

class PastCompileTimesTest : public ::testing::Test {
 protected:
  void Append(const std::vector<TimingRecord>& records) {
    std::string err;
    ASSERT_TRUE(AppendTimingLog(log_, records, &err)) << err;
  }
  TempDir dir_;
  std::string log_ = (dir_.path() / "timing.jsonl").string();
};

TEST_F(PastCompileTimesTest, TheLatestCompileOfEachJobOfThisEdge) {
  Append({Compiled("a", 100), Compiled("b", 200)});
  Append({Compiled("a", 300), Compiled("b", 5, "hit")});
  Append({Compiled("a", 999, "miss", "/build/triton_aot/other/other.h")});
  const std::map<std::string, int64_t> expected = {{"add a sm_90a", 300}, {"add b sm_90a", 200}};
  EXPECT_EQ(PastCompileTimes(log_, kHeader), expected)
      << "a cache hit says nothing of a compile's time, and another edge's lines are not this one's";
}

TEST_F(PastCompileTimesTest, OnlyTheLogsLastBytesAreRead) {
  Append({Compiled("old", 100)});
  const size_t old_size = std::filesystem::file_size(log_);
  Append({Compiled("new", 200)});
  // A window that begins inside the first line: that line is not a record.
  const auto times = PastCompileTimes(log_, kHeader, std::filesystem::file_size(log_) - old_size + 10);
  EXPECT_EQ(times, (std::map<std::string, int64_t>{{"add new sm_90a", 200}}));
}

TEST_F(PastCompileTimesTest, NoLogAndBrokenLinesAreNoTimes) {
  EXPECT_TRUE(PastCompileTimes(log_, kHeader).empty());
  EXPECT_TRUE(PastCompileTimes("", kHeader).empty());
  testing::WriteText(log_, std::string("{\"edge\": \"") + kHeader + "\"\nnot json " + kHeader + "\n");
  Append({Compiled("a", 100)});
  EXPECT_EQ(PastCompileTimes(log_, kHeader), (std::map<std::string, int64_t>{{"add a sm_90a", 100}}));
}

TEST(LongestFirstTest, NeverCompiledFirstThenLongestFirstTiesInOrder) {
  const std::vector<std::string> names = {"short", "new1", "long", "mid", "new2", "mid2"};
  const std::map<std::string, int64_t> past = {{"short", 10}, {"long", 900}, {"mid", 50}, {"mid2", 50}};
  EXPECT_EQ(LongestFirst(names, past), (std::vector<size_t>{1, 4, 2, 3, 5, 0}));
  EXPECT_EQ(LongestFirst(names, {}), (std::vector<size_t>{0, 1, 2, 3, 4, 5})) << "no past: table order";
}

}  // namespace
}  // namespace triton_aot

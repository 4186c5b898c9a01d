// A module's compiles on several compilers at once, with the fake compiler:
// the same outputs as one compiler's, as many compilers as the build tree's
// slots allow, and a failure of any of them fails the edge as one would.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "compile_module_fixture.h"
#include "job_slots.h"
#include "test_support.h"
#include "timing_log.h"

namespace triton_aot {
namespace {

class ParallelCompilesTest : public CompileModuleTest {
 protected:
  void SetUp() override {
    CompileModuleTest::SetUp();
    options_.cache_dir.clear();  // every job reaches a compiler
    options_.slot_prefix = (dir_.path() / "tree.slot").string();
    options_.slot_pool = 4;
  }

  // The workers every line of the last edge's log says it ran.
  int LoggedWorkers() const {
    const std::vector<TimingRecord> records = TimingRecords();
    EXPECT_FALSE(records.empty());
    for (const TimingRecord& record : records) EXPECT_EQ(record.edge_workers, records.back().edge_workers);
    return records.empty() ? -1 : records.back().edge_workers;
  }
};

TEST_F(ParallelCompilesTest, SeveralCompilersWriteTheSameBytesAsOne) {
  options_.edge_jobs = 1;
  CompileOk();
  const auto serial = Outputs();
  EXPECT_EQ(script_.compile_calls, 1);
  EXPECT_EQ(LoggedWorkers(), 1);

  fs::remove_all(dir_.path() / "out");
  fs::remove(dir_.path() / "timing.jsonl");
  script_.compile_calls = 0;
  script_.compilers_made = 0;
  script_.compiled.clear();
  options_.edge_jobs = 3;
  CompileOk();
  EXPECT_EQ(Outputs(), serial);
  EXPECT_EQ(script_.compilers_made, 3);
  EXPECT_EQ(script_.compile_calls, 4) << "with several compilers, each takes one job at a time";
  EXPECT_EQ(script_.compiled.size(), 4u) << "each job compiled once";
  EXPECT_EQ(LoggedWorkers(), 3);
}

TEST_F(ParallelCompilesTest, JobsAreHandedOutLongestFirstByWhatTheyTookLastTime) {
  options_.edge_jobs = 1;
  CompileOk();
  const auto first = Outputs();
  std::vector<TimingRecord> records = TimingRecords();
  ASSERT_EQ(records.size(), 4u);
  const int64_t last_time_us[] = {200, 100, 400, 300};  // of the jobs in table order
  for (size_t i = 0; i < records.size(); ++i) records[i].compile_us = last_time_us[i];
  fs::remove(options_.timing_log);
  std::string err;
  ASSERT_TRUE(AppendTimingLog(options_.timing_log, records, &err)) << err;

  script_.compiled.clear();
  CompileOk();
  std::vector<int> order;
  for (const CompileJob& job : script_.compiled) order.push_back(job.id);
  EXPECT_EQ(order, (std::vector<int>{2, 3, 0, 1}));
  EXPECT_EQ(Outputs(), first) << "the order changes no output";
}

TEST_F(ParallelCompilesTest, NoMoreCompilersThanJobsNorThanFreeSlots) {
  options_.edge_jobs = 16;
  CompileOk();
  EXPECT_EQ(script_.compilers_made, 4) << "one per job";

  // Another edge holds 3 of the 4 slots: this one gets the last.
  const JobSlots others = JobSlots::Take(options_.slot_prefix, options_.slot_pool, 3);
  fs::remove_all(dir_.path() / "out");
  fs::remove(dir_.path() / "timing.jsonl");
  script_.compile_calls = 0;
  CompileOk();
  EXPECT_EQ(script_.compile_calls, 1);
  EXPECT_EQ(LoggedWorkers(), 1);
}

TEST_F(ParallelCompilesTest, UnderAMakeJobserverEachCompilerMoreTakesOneOfItsTokens) {
  const std::string fifo = (dir_.path() / "jobserver.fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int make_end = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK);
  ASSERT_GE(make_end, 0);
  ASSERT_EQ(::write(make_end, "++", 2), 2) << "make -j3: two tokens, and this edge's own slot";
  options_.makeflags = " -j3 --jobserver-auth=fifo:" + fifo;
  options_.edge_jobs = 16;
  CompileOk();
  EXPECT_EQ(script_.compilers_made, 3) << "the tokens, not the tree's 4 slots, are the limit";
  EXPECT_EQ(LoggedWorkers(), 3);
  char back[4];
  EXPECT_EQ(::read(make_end, back, sizeof back), 2) << "both tokens given back";
  ::close(make_end);
}

TEST_F(ParallelCompilesTest, ACompilerThatCannotBeAskedFailsTheEdgeOnce) {
  options_.edge_jobs = 2;
  script_.compile_error = Diagnostic::Plain("the compile service's worker ended: killed by signal 9");
  std::string err;
  EXPECT_FALSE(Compile(&err));
  EXPECT_EQ(err, "triton-aot: error: " + dir_ / "src/adds.py" +
                     ": the compile service's worker ended: killed by signal 9");
  EXPECT_FALSE(fs::exists(dir_.path() / "out/adds.h"));
  EXPECT_EQ(JobSlots::Take(options_.slot_prefix, options_.slot_pool, 4).workers(), 4u) << "every slot let go";
}

TEST_F(ParallelCompilesTest, ALoadThatFailsIsSaidOnceWithSeveralCompilers) {
  options_.edge_jobs = 4;
  CompileOk();  // the load answer is remembered; the next edge's compilers load for the misses
  fs::remove_all(dir_.path() / "out");
  script_.load_error = Diagnostic::At(dir_ / "src/adds.py", 3, 0, "NameError: name 'tl' is not defined");
  std::string err;
  EXPECT_FALSE(Compile(&err));
  EXPECT_EQ(err, dir_ / "src/adds.py" + ":3: error: NameError: name 'tl' is not defined");
}

TEST_F(ParallelCompilesTest, WithSeveralPackersTheFirstFailureInSpecOrderIsSaid) {
  // A fatbinary that fails for every variant, saying which.
  const std::string failing = (dir_.path() / "fatbinary").string();
  WriteText(failing, "#!/bin/sh\necho \"cannot pack $2\" >&2\nexit 1\n");
  fs::permissions(failing, fs::perms::owner_all);
  options_.fatbinary = failing;
  options_.edge_jobs = 2;
  std::string err;
  EXPECT_FALSE(Compile(&err));
  EXPECT_NE(err.find("cannot pack --create=add_kernel.aligned.fatbin"), std::string::npos) << err;
  EXPECT_EQ(err.find("generic"), std::string::npos) << "one message: the first variant's";
  EXPECT_FALSE(fs::exists(dir_.path() / "out/adds.h"));
  EXPECT_EQ(JobSlots::Take(options_.slot_prefix, options_.slot_pool, 4).workers(), 4u) << "every slot let go";
}

}  // namespace
}  // namespace triton_aot

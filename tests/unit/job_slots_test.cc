// The build tree's pool of compile slots: edges never hold more than the
// pool has, a slot is free again once its holder lets go (or ends), and an
// edge that finds none still compiles, on the one Ninja gave it.
#include "job_slots.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "test_support.h"

namespace triton_aot {
namespace {

class JobSlotsTest : public ::testing::Test {
 protected:
  std::string Prefix() const { return (dir_.path() / "tree.slot").string(); }
  testing::TempDir dir_;
};

TEST_F(JobSlotsTest, HoldersTogetherNeverExceedThePool) {
  JobSlots first = JobSlots::Take(Prefix(), 3, 2);
  EXPECT_EQ(first.workers(), 2u);
  JobSlots second = JobSlots::Take(Prefix(), 3, 3);
  EXPECT_EQ(second.workers(), 1u) << "the one slot left";
  JobSlots third = JobSlots::Take(Prefix(), 3, 3);
  EXPECT_EQ(third.workers(), 1u) << "none left: the edge's own slot, which Ninja gave it";
  first = JobSlots();  // lets go
  EXPECT_EQ(JobSlots::Take(Prefix(), 3, 3).workers(), 2u) << "first's two are free again";
}

TEST_F(JobSlotsTest, AKilledHolderHoldsNothing) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    JobSlots held = JobSlots::Take(Prefix(), 2, 2);
    const char taken = static_cast<char>('0' + held.workers());
    (void)!::write(ready[1], &taken, 1);
    ::pause();  // until killed
    ::_exit(0);
  }
  char taken = 0;
  ASSERT_EQ(::read(ready[0], &taken, 1), 1);
  EXPECT_EQ(taken, '2');
  EXPECT_EQ(JobSlots::Take(Prefix(), 2, 2).workers(), 1u) << "while it lives, both are its";
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  EXPECT_EQ(JobSlots::Take(Prefix(), 2, 2).workers(), 2u);
}

TEST_F(JobSlotsTest, WithoutAPoolTheLimitAloneBounds) {
  EXPECT_EQ(JobSlots::Take("", 0, 5).workers(), 5u);
  EXPECT_EQ(JobSlots().workers(), 1u);
}

TEST(ParseEdgeJobsTest, AWholeNumberInRangeOrOnePerCore) {
  size_t jobs = 0;
  std::string err;
  ASSERT_TRUE(ParseEdgeJobs("", 16, &jobs, &err));
  EXPECT_EQ(jobs, 16u);
  ASSERT_TRUE(ParseEdgeJobs("", 1000, &jobs, &err));
  EXPECT_EQ(jobs, kMaxEdgeJobs);
  ASSERT_TRUE(ParseEdgeJobs("3", 16, &jobs, &err));
  EXPECT_EQ(jobs, 3u);
  for (const char* bad : {"0", "-1", "2x", "4.5", "257", " 4", "many"}) {
    EXPECT_FALSE(ParseEdgeJobs(bad, 16, &jobs, &err)) << bad;
    EXPECT_EQ(err, "'" + std::string(bad) +
                       "' is not a whole number from 1 to 256: give the most compiles one module may run at once "
                       "(1: one after another; unset: one per core)");
  }
}

}  // namespace
}  // namespace triton_aot

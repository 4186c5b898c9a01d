#include "parallel_for.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace triton_aot {
namespace {

TEST(ParallelForTest, EveryStepRunsOnceOnAsManyThreadsAsAllowed) {
  std::mutex mutex;
  std::vector<int> runs(100, 0);
  std::set<std::thread::id> threads;
  std::atomic<int> running{0}, most_at_once{0};
  const bool ok = ParallelFor(runs.size(), 4, [&](size_t i) {
    const int now = ++running;
    for (int seen = most_at_once; now > seen && !most_at_once.compare_exchange_weak(seen, now);) {
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      ++runs[i];
      threads.insert(std::this_thread::get_id());
    }
    --running;
    return true;
  });
  EXPECT_TRUE(ok);
  EXPECT_EQ(runs, std::vector<int>(100, 1));
  EXPECT_LE(threads.size(), 4u);
  EXPECT_LE(most_at_once.load(), 4);
}

TEST(ParallelForTest, OneThreadRunsHereInOrder) {
  std::vector<size_t> order;
  const auto here = std::this_thread::get_id();
  EXPECT_TRUE(ParallelFor(5, 1, [&](size_t i) {
    EXPECT_EQ(std::this_thread::get_id(), here);
    order.push_back(i);
    return true;
  }));
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(ParallelFor(0, 8, [](size_t) { return false; })) << "no steps: nothing failed";
}

TEST(ParallelForTest, AFailedStepStopsTheStepsNotYetBegun) {
  std::atomic<int> ran{0};
  EXPECT_FALSE(ParallelFor(1000, 1, [&](size_t i) { return ++ran, i != 3; }));
  EXPECT_EQ(ran.load(), 4) << "one thread: nothing after the failed step";
  EXPECT_FALSE(ParallelFor(10, 3, [](size_t i) { return i != 9; })) << "the last step's failure counts";
}

}  // namespace
}  // namespace triton_aot

// A make jobserver's FIFO, as `make -jN` (4.4 and later) makes it: tokens
// taken without waiting, as many as it holds at most, and every one written
// back as it was; a MAKEFLAGS that names no FIFO this process can use is no
// jobserver.
#include "jobserver.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "test_support.h"

namespace triton_aot {
namespace {

class JobserverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (dir_.path() / "jobserver.fifo").string();
    ASSERT_EQ(::mkfifo(path_.c_str(), 0600), 0);
    fd_ = ::open(path_.c_str(), O_RDWR | O_NONBLOCK);  // make's end, kept open as make keeps it
    ASSERT_GE(fd_, 0);
  }
  void TearDown() override {
    if (fd_ >= 0) ::close(fd_);
  }

  void Put(const std::string& tokens) { ASSERT_EQ(::write(fd_, tokens.data(), tokens.size()), tokens.size()); }
  // Every token in the FIFO now, taken out.
  std::string Drain() {
    std::string tokens;
    char buffer[64];
    for (ssize_t n; (n = ::read(fd_, buffer, sizeof buffer)) > 0;) tokens.append(buffer, static_cast<size_t>(n));
    return tokens;
  }
  std::string Makeflags() const { return " -j4 --jobserver-auth=fifo:" + path_; }

  testing::TempDir dir_;
  std::string path_;
  int fd_ = -1;
};

TEST_F(JobserverTest, TakesAtMostWhatItHoldsAndGivesEachTokenBack) {
  Put("+-*");
  {
    const std::unique_ptr<Jobserver> jobserver = Jobserver::FromMakeflags(Makeflags());
    ASSERT_NE(jobserver, nullptr);
    EXPECT_EQ(jobserver->Take(2), 2u);
    EXPECT_EQ(jobserver->Take(8), 3u) << "the last one, without waiting for more";
    EXPECT_EQ(Drain(), "") << "all taken";
  }
  EXPECT_EQ(Drain(), "+-*") << "the same bytes back";
}

TEST_F(JobserverTest, AnEmptyJobserverGivesNoneAtOnce) {
  const std::unique_ptr<Jobserver> jobserver = Jobserver::FromMakeflags(Makeflags());
  ASSERT_NE(jobserver, nullptr);
  EXPECT_EQ(jobserver->Take(4), 0u);
}

TEST_F(JobserverTest, TheLastAuthIsMakes) {
  Put("+");
  const std::string stale = " --jobserver-auth=fifo:" + (dir_.path() / "gone.fifo").string();
  const std::unique_ptr<Jobserver> jobserver = Jobserver::FromMakeflags(stale + Makeflags());
  ASSERT_NE(jobserver, nullptr);
  EXPECT_EQ(jobserver->Take(1), 1u);
}

TEST_F(JobserverTest, WhatNamesNoUsableFifoIsNoJobserver) {
  testing::WriteText(dir_.path() / "plain", "++++");
  for (const std::string& makeflags :
       {std::string(), std::string("-j4"), std::string("-j4 --jobserver-auth=3,4"),
        std::string("-j4 --jobserver-fds=3,4"), Makeflags() + " --jobserver-auth=3,4", " --jobserver-auth=fifo:" + (dir_.path() / "missing").string(),
        " --jobserver-auth=fifo:" + (dir_.path() / "plain").string(), std::string(" --jobserver-auth=fifo:")}) {
    EXPECT_EQ(Jobserver::FromMakeflags(makeflags), nullptr) << makeflags;
  }
}

}  // namespace
}  // namespace triton_aot

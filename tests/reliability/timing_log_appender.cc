// One of many processes appending to one timing log at once, through the
// driver's own AppendTimingLog (concurrency_test.cc starts 16 of them).
//
//   triton_aot_timing_log_appender <log> <writer> <lines> <ready-file>
//
// It creates <ready-file> once it is loaded and ready, then waits for end of
// file on stdin: the test closes every writer's stdin at the same moment, so
// all of them start appending together. Like a compile edge, it appends its
// records in batches (one call, one write() per batch) of varying size.
//
// Record <seq> of writer <writer> has module "writer-<writer>", variant
// "seq-<seq>", and a kernel name made only of copies of "w<writer>s<seq>.",
// whose length is also its compile_us: a line torn or mixed with another shows
// as invalid JSON or as a kernel name that is not those copies. Some lines are
// longer than 4 KiB (a long ptxas path), and some records failed, with an
// error text full of characters that JSON must escape.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "timing_log.h"

namespace {

using triton_aot::TimingRecord;

TimingRecord MakeRecord(int writer, int seq) {
  TimingRecord r;
  r.module = "writer-" + std::to_string(writer);
  r.variant = "seq-" + std::to_string(seq);
  const std::string piece = "w" + std::to_string(writer) + "s" + std::to_string(seq) + ".";
  const int copies = 1 + (seq * 37 + writer * 11) % 120;  // up to ~1.4 KB
  for (int i = 0; i < copies; ++i) r.kernel += piece;
  r.compile_us = static_cast<int64_t>(r.kernel.size());
  r.arch = seq % 2 == 0 ? "sm_90a" : "sm_80";
  // Every 50th line holds a 5 KB path: longer than a page and than PIPE_BUF.
  const size_t padding = seq % 50 == 0 ? 5000 : static_cast<size_t>(seq % 7) * 60;
  r.ptxas = "/opt/cuda-" + std::string(padding, 'p') + "/bin/ptxas";
  if (seq % 9 == 0) {
    r.ok = false;
    r.error = "ptxas fatal : \"quoted\"\n\ttab, backslash \\, newline\nand UTF-8 \xc3\xa9\xe2\x9c\x93";
  }
  return r;
}

bool WaitForStart() {
  char byte;
  for (;;) {
    ssize_t n = ::read(0, &byte, 1);
    if (n == 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s <log> <writer> <lines> <ready-file>\n", argv[0]);
    return 2;
  }
  const std::string log = argv[1];
  const int writer = std::atoi(argv[2]);
  const int lines = std::atoi(argv[3]);

  const int ready = ::open(argv[4], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (ready < 0) {
    std::fprintf(stderr, "cannot create %s: %s\n", argv[4], std::strerror(errno));
    return 1;
  }
  ::close(ready);
  if (!WaitForStart()) {
    std::fprintf(stderr, "cannot read stdin: %s\n", std::strerror(errno));
    return 1;
  }

  // Batches of 1 to 7 records, as edges compile 1 to several variants x archs.
  int seq = 0;
  for (int batch = 1; seq < lines; batch = batch % 7 + 1) {
    std::vector<TimingRecord> records;
    for (int i = 0; i < batch && seq < lines; ++i) records.push_back(MakeRecord(writer, seq++));
    std::string err;
    if (!triton_aot::AppendTimingLog(log, records, &err)) {
      std::fprintf(stderr, "writer %d, record %d: %s\n", writer, seq, err.c_str());
      return 1;
    }
  }
  return 0;
}

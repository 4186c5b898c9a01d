// A timing-log record of module "vec" for sm_90a, for the tests of the log
// and of the report made from it.
#pragma once

#include <cstdint>
#include <string>

#include "timing_log.h"

namespace triton_aot::testing {

inline TimingRecord SampleRecord(const std::string& kernel, const std::string& variant, int64_t us) {
  TimingRecord r;
  r.module = "vec";
  r.kernel = kernel;
  r.variant = variant;
  r.arch = "sm_90a";
  r.compile_us = us;
  r.ptxas = "/usr/local/cuda/bin/ptxas";
  return r;
}

}  // namespace triton_aot::testing

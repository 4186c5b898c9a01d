// `triton-aot report`: the summary of a timing log and, when asked, the
// latest build as a Chrome trace.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "diagnostic.h"

namespace triton_aot {

struct ReportOptions {
  std::string timing_log;
  size_t top = 10;        // how many of the slowest kernels to list
  std::string trace;      // empty: no trace
  std::string ninja_log;  // empty: the .ninja_log beside the timing log, if any
};

struct ReportOutput {
  std::string text;                // for stdout
  std::vector<std::string> notes;  // for stderr, each a whole line
};

// False, with `*error`, when the timing log cannot be read or the trace
// cannot be written; `*output` then holds what was made before.
bool MakeReport(const ReportOptions& options, ReportOutput* output, Diagnostic* error);

}  // namespace triton_aot

// The autotuner's table as a file: one line per tuned key,
//   <module>.<kernel> <key values, comma-separated, or -> <hint group> <winner>
// where the hint group and the winner are variant names, so that a table
// outlives rebuilds that renumber nothing but is refused by builds that
// changed the variants. Lines of other kernels are kept out of the way: one
// file can hold a whole program's table.
#pragma once

#include <cstddef>
#include <string>

#include "autotuner.h"
#include "triton_aot/kernel_image.h"
#include "triton_aot/status.h"

namespace triton_aot::internal {

// Writes `table` of kernel `kernel` to `path`, replacing it.
Status SaveAutotuneTable(const char* kernel, const KernelImage* variants, const TunedTable& table,
                         const std::string& path);

// Reads `kernel`'s lines of `path` into `*table`; an error naming path:line
// for the first line that is malformed or names variants this build lacks,
// and then `*table` is left as it was.
Status LoadAutotuneTable(const char* kernel, const KernelImage* variants, std::size_t count, const std::string& path,
                         TunedTable* table);

}  // namespace triton_aot::internal

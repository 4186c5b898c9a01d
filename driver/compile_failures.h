// What the edge's compiles got wrong, said once per distinct error: Triton
// usually fails a kernel the same way in every variant and for every arch,
// and one message that says so reads better than a copy per variant.
#pragma once

#include <string>

#include "diagnostic.h"
#include "job_table.h"
#include "module_build.h"

namespace triton_aot {

// A diagnostic per distinct compile failure, pointing where Triton's compiler
// said or else at the variant's declaration, then one per variant that needs
// more shared memory than its arch has. Empty when every job succeeded.
Diagnostics CompileFailures(const JobTable& table, const ModuleBuild& build, const std::string& module_path);

}  // namespace triton_aot

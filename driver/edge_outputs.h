// The edge's outputs: one fatbin per variant, packed from its jobs; the
// metadata, the generated header and source; and the depfile. Each is
// written atomically and only when its bytes changed, so that an edge that
// made the same bytes does not make its dependents rebuild.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "job_table.h"
#include "module_build.h"
#include "protocol.h"

namespace triton_aot {

// Fills build->variants, in spec order: every arch's cubin and the newest
// arch's PTX (which newer GPUs can JIT), packed by `fatbinary`; an autotune
// config is packed without the archs it does not fit (Job::skipped, listed in
// build->left_out), and one that fits none is taken out of the spec. Up to
// `packers` fatbinaries run at once.
bool PackFatbins(const JobTable& table, const std::string& fatbinary, const std::string& scratch_dir, size_t packers,
                 ModuleBuild* build, std::string* err);

// Writes <module>.json, .h and .cpp and <module>/*.fatbin into `output_dir`,
// and removes the fatbins of variants that no longer exist.
bool WriteOutputs(const ModuleBuild& build, const std::string& output_dir, std::string* err);

// What the edge's output depends on: the module, the files it imported, the
// metadata files of the distributions it imported from, Triton's files (all
// from the load answer `loaded`), and the tools whose change changes the
// output (each ptxas, fatbinary).
std::vector<std::string> EdgeInputs(const std::string& module_path, const LoadAnswer& loaded,
                                    const ModuleBuild& build, const std::string& fatbinary);

}  // namespace triton_aot

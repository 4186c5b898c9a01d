// What a compat build leaves for the comparison across Triton versions, and
// where: <TRITON_AOT_COMPAT_RESULTS>/<version>/
//   generated/<target>/...  every file add_triton_kernels generated, as built
//   api/<target>/<module>.h      the generated header
//   api/<target>/<module>.json   the metadata without what may differ by
//                                version (see ApiOfMetadata)
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace triton_aot::testing {

// The kernel targets a compat build makes: the three examples' and one of the
// sample modules (tests/support/sample_modules.h).
inline const std::vector<std::string> kCompatTargets = {"vector_add_kernels", "softmax_kernels", "matmul_kernels",
                                                        "samples"};

// An environment variable the compat tests are given by CTest; "" if unset.
std::string CompatSetting(const char* name);

// <results>/<version>.
std::filesystem::path CompatResultsDir(const std::string& version);

// The part of a module's metadata that describes its C++ API and variants,
// the same whichever Triton compiled it: kernels, arguments, grids, variants
// with their signatures, constexprs and launch settings, and the archs. Left
// out: the Triton and ptxas versions and paths, the kernels' entry names
// (3.7 renamed them), fatbin sizes and what each arch's compile measured.
nlohmann::ordered_json ApiOfMetadata(const nlohmann::ordered_json& metadata);

}  // namespace triton_aot::testing

// The order in which an edge hands its compiles to its compilers: longest
// first, by what each took the last time this edge compiled it, as the
// timing log says. Compiles take from 0.1 s to over a second, and handed out
// in table order the longest often come last, so that one compiler is still
// busy while the others have stopped; longest first, they end together.
// The order changes nothing but when each compile starts: outcomes are
// collated by job, and the outputs are the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace triton_aot {

// A compile's name in the timing log: "<kernel> <variant> <sm_XX>".
std::string CompileName(const std::string& kernel, const std::string& variant, const std::string& arch);

// What the compiles of the edge whose generated header is `edge_output` took
// (µs) the last time each was compiled rather than found in the artifact
// cache, by CompileName, from the last `window_bytes` of the timing log at
// `log_path` (older lines, a missing log and lines that are not records
// count as never compiled).
std::map<std::string, int64_t> PastCompileTimes(const std::string& log_path, const std::string& edge_output,
                                                size_t window_bytes = size_t{4} << 20);

// The positions of `names` in the order to compile them: those never
// compiled first (nothing says they are short), then the rest, longest
// first; ties keep their order.
std::vector<size_t> LongestFirst(const std::vector<std::string>& names, const std::map<std::string, int64_t>& past);

}  // namespace triton_aot

// What a compile service must have been started with to serve an edge
// (service_client.h). The edge sends it in its greeting; the service compares
// it with its own and, when they differ, answers that it is stale.
#pragma once

#include <string>
#include <vector>

#include "environment.h"

namespace triton_aot {

// What a service must have been started with to serve this edge: the driver
// and scripts (path, size, modification time), the Python, the ptxas
// choices, and the environment Python reads at start-up.
// `environment` is the edge's.
std::string ServiceIdentity(const std::string& python, const std::string& frontend_script,
                            const std::string& explicit_ptxas, const std::string& toolkit_ptxas,
                            const Environment& environment);

// The service's Python files, beside the frontend's: its script, then the
// worker module it imports.
std::vector<std::string> ServiceFiles(const std::string& frontend_script);

}  // namespace triton_aot

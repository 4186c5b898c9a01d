// The per-module metadata JSON: what was built, how, and with which tools.
#pragma once

#include <string>

#include "module_build.h"

namespace triton_aot {

std::string ModuleMetadataJson(const ModuleBuild& build);

}  // namespace triton_aot

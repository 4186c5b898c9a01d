// The generated C++ of a kernel module: a header that declares what was built
// and a source that embeds the fatbins.
#pragma once

#include <string>

#include "module_build.h"

namespace triton_aot {

// The assembler symbol of a variant's embedded fatbin. Each part is length-
// prefixed, so distinct (namespace, module, kernel, variant) never collide.
std::string FatbinSymbol(const ModuleBuild& build, const VariantBuild& variant);

std::string GenerateHeader(const ModuleBuild& build);

// The source includes "<module>.h" and embeds each fatbin with .incbin by its
// path relative to the output folder, which the build passes to the assembler
// (-Wa,-I<folder>): no absolute path ends up in the file.
std::string GenerateSource(const ModuleBuild& build);

}  // namespace triton_aot

// The launch functions of a generated module: a kernel's two public overloads
// (grid from the spec, or explicit) and the function they share, which packs
// the arguments and asks the runtime to choose a variant and launch it.
#pragma once

#include <cstddef>
#include <string>

#include "code_printer.h"
#include "module_build.h"

namespace triton_aot {

// "triton_aot::Status axpy(CUstream stream, ..., options = {});" as the
// header declares it (`explicit_grid`: the overload that takes a Grid first).
std::string LaunchDeclaration(const KernelSpec& kernel, bool explicit_grid);

// The definitions of kernel `kernel_index`'s launch functions.
void EmitLaunchFunctions(CodePrinter& printer, const ModuleBuild& build, size_t kernel_index);

}  // namespace triton_aot

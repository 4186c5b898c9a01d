// The user's names that generated C++ declares: the module (a namespace),
// the parts of --namespace and each kernel (its launch functions and the
// kernel_, _variants and _num_variants beside them). A name that is not valid
// C++ there, that would hide what the generated code refers to (std,
// triton_aot, CUstream), or that two kernels of a module would both declare
// is refused before anything is compiled, instead of breaking the build of
// the generated source.
#pragma once

#include <string>
#include <vector>

namespace triton_aot {

// What the header declares for kernel `name` in the module's namespace: the
// launch functions and the Kernel's accessor, then its table of variants and
// their number.
std::vector<std::string> DeclaredNames(const std::string& name);

// Why `name` cannot be a namespace of generated code; empty if it can.
std::string NamespaceNameProblem(const std::string& name);

// Why `qualified` ("kernels", "my::kernels") cannot be --namespace; empty if
// it can.
std::string NamespaceProblem(const std::string& qualified);

// Why kernel `name` cannot be declared beside the kernels `earlier` of its
// module; empty if it can.
std::string KernelNameProblem(const std::string& name, const std::vector<std::string>& earlier);

}  // namespace triton_aot

#include "generated_names.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "spec.h"

namespace triton_aot {
namespace {

// What generated code names without qualification, so that nothing the user
// names may hide it: the namespaces of the standard library and the runtime,
// and the CUDA driver's stream type.
constexpr std::array<std::string_view, 3> kReferencedNames = {"std", "triton_aot", "CUstream"};

bool IsReferenced(const std::string& name) {
  return std::find(kReferencedNames.begin(), kReferencedNames.end(), name) != kReferencedNames.end();
}

// DeclaredNames(): the launch functions and the kernel's accessor come first.
constexpr size_t kFunctions = 2;

}  // namespace

std::vector<std::string> DeclaredNames(const std::string& name) {
  return {name, name + "_kernel", name + "_variants", name + "_num_variants"};
}

std::string NamespaceNameProblem(const std::string& name) {
  if (!IsIdentifier(name)) return fmt::format("'{}' is not a C++ identifier (letters, digits and '_')", name);
  if (IsCppKeyword(name)) return fmt::format("'{}' is a C++ keyword", name);
  if (IsReferenced(name)) {
    return fmt::format("a namespace named '{}' would hide the one the generated code uses ({}::...)", name, name);
  }
  return "";
}

std::string NamespaceProblem(const std::string& qualified) {
  size_t start = 0;
  for (;;) {
    const size_t sep = qualified.find("::", start);
    const std::string part = qualified.substr(start, sep == std::string::npos ? std::string::npos : sep - start);
    if (const std::string problem = NamespaceNameProblem(part); !problem.empty()) return problem;
    if (sep == std::string::npos) return "";
    start = sep + 2;
  }
}

std::string KernelNameProblem(const std::string& name, const std::vector<std::string>& earlier) {
  if (IsCppKeyword(name)) return fmt::format("the kernel's C++ name '{}' is a C++ keyword", name);
  // A function hides no namespace before '::' (std, triton_aot), but a type.
  if (name == "CUstream") return fmt::format("the kernel's C++ name '{}' would hide the type the generated code uses", name);
  const std::vector<std::string> mine = DeclaredNames(name);
  for (const std::string& other : earlier) {
    if (other == name) return fmt::format("two kernel entries are named '{}'", name);
    const std::vector<std::string> theirs = DeclaredNames(other);
    for (size_t i = 0; i < mine.size(); ++i) {
      for (size_t j = 0; j < theirs.size(); ++j) {
        // Two functions of one name are overloads (their parameters differ).
        if (mine[i] != theirs[j] || (i < kFunctions && j < kFunctions)) continue;
        return fmt::format("the kernel's C++ name '{}' makes the header declare '{}', which it declares for kernel "
                           "'{}' too",
                           name, mine[i], other);
      }
    }
  }
  return "";
}

}  // namespace triton_aot

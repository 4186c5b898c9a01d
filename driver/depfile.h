// Makefile-syntax dependency files, as Ninja and CMake's DEPFILE read them.
#pragma once

#include <string>
#include <vector>

namespace triton_aot {

// Escapes one path for a depfile: spaces and '#' get a backslash, '$' is
// doubled, and backslashes before a space or '#' are doubled.
std::string EscapeDepfilePath(const std::string& path);

// "target: dep1 \\\n  dep2\n"
std::string FormatDepfile(const std::string& target, const std::vector<std::string>& deps);

}  // namespace triton_aot

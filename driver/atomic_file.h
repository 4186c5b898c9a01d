// Writing build outputs so that a reader never sees half a file, and an
// unchanged output keeps its mtime (Ninja's restat then skips everything
// downstream of it).
#pragma once

#include <string>
#include <string_view>

namespace triton_aot {

bool ReadFile(const std::string& path, std::string* contents, std::string* err);

// Writes `contents` to a temporary file in the same folder, then renames it
// over `path`. On failure nothing is left behind and `path` is untouched.
bool WriteFileAtomically(const std::string& path, std::string_view contents, std::string* err);

// As WriteFileAtomically, but does nothing when `path` already holds exactly
// `contents`. `*changed` (optional) says whether the file was written.
bool WriteFileIfChanged(const std::string& path, std::string_view contents, bool* changed, std::string* err);

}  // namespace triton_aot

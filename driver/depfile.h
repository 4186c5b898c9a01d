// Makefile-syntax dependency files, as Ninja and CMake's DEPFILE read them.
#pragma once

#include <string>
#include <vector>

namespace triton_aot {

// Escapes one path for a depfile, as Ninja reads it: a space after N
// backslashes becomes 2N+1 backslashes and the space; '#' gets one more
// backslash, and so does a ':' after a backslash; '$' is doubled, except
// right after a backslash.
//
// Ninja 1.11 cannot read back, from a depfile written this way, a path with a
// newline, CR or NUL; with a tab, another control character or one of
// " & ' * ; < > ? ^ ` | other than right after a backslash; ending with ':';
// or ending with an odd number of backslashes. Such paths are written without
// breaking the file's one-line-per-path layout, each still one path (a newline
// or CR becomes a space), but read back differently: a file that is not
// there, so Ninja reruns the edge every time rather than never.
std::string EscapeDepfilePath(const std::string& path);

// "target: dep1 \\\n  dep2\n"
std::string FormatDepfile(const std::string& target, const std::vector<std::string>& deps);

}  // namespace triton_aot

// How text from the kernel module reaches generated C++: every name, path,
// version and summary goes through these, so that no byte of it can end a
// literal or a comment early, or mean something else to the compiler.
#pragma once

#include <string>
#include <string_view>

namespace triton_aot {

// `text` as a C++ string literal, quotes included: `"`, `\` and `?` (no
// trigraph can form) are escaped, and every byte outside printable ASCII
// becomes a three-digit octal escape, which no following digit can extend.
std::string CppStringLiteral(std::string_view text);

// `text` for a `//` comment: on one line whatever it holds, with no `\` that
// could continue the comment onto the next line (it becomes `\134`) and no
// `??` that -Wtrigraphs could read as a trigraph. Quotes stay as they are, so
// that comments read naturally.
std::string CppCommentText(std::string_view text);

// `text` as a string for the GNU assembler (inside the `__asm__` block, whose
// lines are themselves C++ literals: pass the line on to CppStringLiteral).
std::string AsmStringLiteral(std::string_view text);

}  // namespace triton_aot

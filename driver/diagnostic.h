// What went wrong, as the driver reports it: where (a place in a file of the
// user's, or nowhere in particular when an option, a tool or a folder is at
// fault) and what to do. Code that fails returns diagnostics; only main.cc
// prints them, through FormatDiagnostic, so every message gets its prefix
// exactly once.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace triton_aot {

struct Diagnostic {
  std::string file;     // empty: not about a place in a file
  int line = 0;         // 0: the file as a whole
  int column = 0;       // 0: the line as a whole
  std::string message;  // what is wrong, then what to do about it

  // A message about no place in particular.
  static Diagnostic Plain(std::string message) { return {"", 0, 0, std::move(message)}; }
  static Diagnostic At(std::string file, int line, int column, std::string message) {
    return {std::move(file), line, column, std::move(message)};
  }
};

using Diagnostics = std::vector<Diagnostic>;

// "file:line:col: error: message", the way compilers say it, so that editors
// and IDEs jump there; "triton-aot: error: message" for one about no place.
std::string FormatDiagnostic(const Diagnostic& diagnostic);

// Each diagnostic on its own line(s), without a final newline.
std::string FormatDiagnostics(const Diagnostics& diagnostics);

// Runs `body` and gives its exit code; an exception that escapes it (a bug:
// errors are returned, not thrown) is caught, so that the stack unwinds and
// every destructor runs, and becomes `*error` (false is returned).
bool RunCatchingExceptions(const std::function<int()>& body, int* exit_code, Diagnostic* error);

}  // namespace triton_aot

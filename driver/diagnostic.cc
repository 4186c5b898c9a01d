#include "diagnostic.h"

#include <fmt/format.h>

#include "utf8.h"

namespace triton_aot {

std::string FormatDiagnostic(const Diagnostic& diagnostic) {
  // Paths and tool output may hold bytes that are not UTF-8: shown escaped.
  if (diagnostic.file.empty()) return "triton-aot: error: " + EscapeInvalidUtf8(diagnostic.message);
  std::string where = diagnostic.file;
  if (diagnostic.line > 0) where += fmt::format(":{}", diagnostic.line);
  if (diagnostic.line > 0 && diagnostic.column > 0) where += fmt::format(":{}", diagnostic.column);
  return EscapeInvalidUtf8(fmt::format("{}: error: {}", where, diagnostic.message));
}

std::string FormatDiagnostics(const Diagnostics& diagnostics) {
  std::string text;
  for (const Diagnostic& diagnostic : diagnostics) {
    if (!text.empty()) text += '\n';
    text += FormatDiagnostic(diagnostic);
  }
  return text;
}

bool RunCatchingExceptions(const std::function<int()>& body, int* exit_code, Diagnostic* error) {
  std::string what;
  try {
    *exit_code = body();
    return true;
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    what = "an exception that is not a std::exception";
  }
  *error = Diagnostic::Plain(fmt::format("internal error: {}; this is a bug in triton-aot: please report it with the "
                                         "command that failed",
                                         what));
  return false;
}

}  // namespace triton_aot

#include "diagnostic.h"

#include <fmt/format.h>

namespace triton_aot {

std::string FormatDiagnostic(const Diagnostic& diagnostic) {
  if (diagnostic.file.empty()) return "triton-aot: error: " + diagnostic.message;
  std::string where = diagnostic.file;
  if (diagnostic.line > 0) where += fmt::format(":{}", diagnostic.line);
  if (diagnostic.line > 0 && diagnostic.column > 0) where += fmt::format(":{}", diagnostic.column);
  return fmt::format("{}: error: {}", where, diagnostic.message);
}

std::string FormatDiagnostics(const Diagnostics& diagnostics) {
  std::string text;
  for (const Diagnostic& diagnostic : diagnostics) {
    if (!text.empty()) text += '\n';
    text += FormatDiagnostic(diagnostic);
  }
  return text;
}

}  // namespace triton_aot

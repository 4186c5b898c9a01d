#include "depfile.h"

namespace triton_aot {

std::string EscapeDepfilePath(const std::string& path) {
  std::string out;
  out.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == ' ' || c == '#') {
      // Backslashes right before an escaped character are themselves escaped.
      for (size_t j = i; j > 0 && path[j - 1] == '\\'; --j) out += '\\';
      out += '\\';
      out += c;
    } else if (c == '$') {
      out += "$$";
    } else if (c == '\n') {
      // A newline cannot be written in a depfile; paths with one are rejected
      // before this point.
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatDepfile(const std::string& target, const std::vector<std::string>& deps) {
  std::string out = EscapeDepfilePath(target) + ":";
  for (const std::string& dep : deps) out += " \\\n  " + EscapeDepfilePath(dep);
  out += "\n";
  return out;
}

}  // namespace triton_aot

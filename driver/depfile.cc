#include "depfile.h"

namespace triton_aot {

std::string EscapeDepfilePath(const std::string& path) {
  std::string out;
  out.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    // The backslashes right before `c`, already written as they are.
    size_t backslashes = 0;
    for (size_t j = i; j > 0 && path[j - 1] == '\\'; --j) ++backslashes;
    if (c == ' ') {
      // Ninja reads 2N+1 backslashes and a space as N backslashes and a space.
      out.append(backslashes + 1, '\\');
      out += c;
    } else if (c == '#' || (c == ':' && backslashes > 0)) {
      // Ninja drops one backslash before a '#' or ':' and keeps the others.
      out += '\\';
      out += c;
    } else if (c == '$') {
      // Ninja reads '$$' as '$', but keeps a '$' right after a backslash.
      out += backslashes > 0 ? "$" : "$$";
    } else if (c == '\n' || c == '\r') {
      // Cannot be expressed: an escaped space keeps it one path, on its line.
      out.append(backslashes + 1, '\\');
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

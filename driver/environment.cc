#include "environment.h"

extern char** environ;

namespace triton_aot {

Environment Environment::FromEntries(char* const* entries) {
  Variables variables;
  for (char* const* entry = entries; entry && *entry; ++entry) {
    const std::string_view text(*entry);
    const size_t equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    variables.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return Environment(std::move(variables));
}

Environment Environment::OfThisProcess() { return FromEntries(environ); }

std::string Environment::Get(std::string_view name) const {
  const auto found = variables_.find(name);
  return found == variables_.end() ? "" : found->second;
}

}  // namespace triton_aot

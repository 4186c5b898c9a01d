// The environment variables the driver was started with, read once by
// main.cc. Everything else is given what it needs from them, so that what an
// edge depends on is visible in its options and tests need no setenv.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace triton_aot {

class Environment {
 public:
  using Variables = std::map<std::string, std::string, std::less<>>;

  Environment() = default;
  explicit Environment(Variables variables) : variables_(std::move(variables)) {}
  // From "NAME=value" entries ending in a null pointer, like environ.
  static Environment FromEntries(char* const* entries);
  static Environment OfThisProcess();

  // The value, or "" when unset.
  std::string Get(std::string_view name) const;
  bool Has(std::string_view name) const { return variables_.find(name) != variables_.end(); }
  const Variables& variables() const { return variables_; }

 private:
  Variables variables_;
};

}  // namespace triton_aot

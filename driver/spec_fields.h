// The checks of the fields of one TRITON_AOT_KERNELS entry or variant (spec.h):
// each reads one field of the user's spec, says in compiler style what is
// wrong with it, and applies it to the kernel or variant being built.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "diagnostic.h"
#include "spec.h"

namespace triton_aot {

// The launch options an entry, a variant or an autotune config may set.
extern const std::set<std::string> kLaunchOptions;

std::string Join(const std::vector<std::string>& items);
std::string Join(const std::set<std::string>& items);
// The Python name of a JSON value's type ("int", "dict", ...): the user wrote Python.
std::string TypeName(const nlohmann::json& value);

// Keeps the first error, at a line of the module.
class Checker {
 public:
  explicit Checker(std::string path) : path_(std::move(path)) {}
  bool Fail(int line, const std::string& message);
  const Diagnostic& error() const { return error_; }

 private:
  std::string path_;
  Diagnostic error_;
  bool failed_ = false;
};

// The line of entry `entry` (or of its variant `variant`) from the load
// answer's spec_lines; the spec's own line, or 1, when it is not known.
int LineOf(const nlohmann::json& lines, size_t entry, std::optional<size_t> variant = std::nullopt);

bool CheckKeys(const nlohmann::json& object, const std::set<std::string>& allowed, const std::string& what, int line,
               Checker& checker);

// Launch options from `object` over those already in `variant`.
bool ApplyLaunchOptions(const nlohmann::json& object, Variant* variant, const std::string& what, int line,
                        Checker& checker);

// The argument types `signature` gives; with `base`, a variant's, which may
// change only the hints.
bool ApplySignature(const nlohmann::json& signature, const KernelSpec& kernel, const std::vector<ArgType>* base,
                    std::vector<ArgType>* types, const std::string& what, int line, Checker& checker);

bool ApplyConstexprs(const nlohmann::json& constexprs, const KernelSpec& kernel,
                     std::map<std::string, nlohmann::json>* values, const std::string& what, int line,
                     Checker& checker);

// How a message names an integer expression of the spec: its value ("each
// grid dimension") and its text ("grid expression").
struct ExpressionKind {
  const char* value;
  const char* expression;
  bool condition = false;  // a guard: a condition, not a number
  bool reads_launch_params = true;
};

// An integer expression, a string or an int, over the kernel's integer
// arguments (by `types`), constexprs and launch parameters: grid dimensions,
// buffer sizes; or with `kind.condition` a condition over them, a string.
bool ParseIntegerExpression(const nlohmann::json& item, const KernelSpec& kernel, const std::vector<ArgType>& types,
                            const ExpressionKind& kind, GridExpr* out, const std::string& what, int line,
                            Checker& checker);

// launch_params: ["n_rows: i32", ...], integers the grid reads that are no
// arguments of the kernel.
bool ParseLaunchParams(const nlohmann::json& params, KernelSpec* kernel, const std::string& what, int line,
                       Checker& checker);

bool ParseGrid(const nlohmann::json& grid, const KernelSpec& kernel, const std::vector<ArgType>& types,
               std::vector<GridExpr>* out, const std::string& what, int line, Checker& checker);

}  // namespace triton_aot

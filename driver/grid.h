// Launch-grid expressions: "cdiv(n, BLOCK)", "M // 16 + 1", "max(1, batch)",
// and the conditions of variant guards: "n_cols <= BLOCK and K % 16 == 0".
//
// The grammar is a small integer subset of Python: integer literals, names,
// + - * // %, unary minus, parentheses, and the functions cdiv, min and max.
// A condition adds comparisons (chained as in Python), `and`, `or` and `not`
// over them; it evaluates to 1 or 0. Expressions are checked at build time
// and turned into C++ for the launchers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace triton_aot {

class GridExpr {
 public:
  struct Node;

  // Parses `text`; on failure says where and what is wrong.
  static bool Parse(std::string_view text, GridExpr* expr, std::string* err);
  // Parses a condition (a guard), which must be one: "n" alone is not.
  static bool ParseCondition(std::string_view text, GridExpr* expr, std::string* err);

  // The names the expression reads, sorted.
  std::set<std::string> Names() const;

  // Evaluates with Python's integer semantics (floor division, sign of modulo
  // follows the divisor) within 64 bits, exactly as the launchers do: with
  // the runtime's checked integers (triton_aot/grid.h). Fails on an unknown
  // name, a division by zero or a value that does not fit in 64 bits.
  bool Evaluate(const std::function<std::optional<int64_t>(const std::string&)>& lookup, int64_t* value,
                std::string* err) const;

  // A C++ expression whose value is a triton_aot::grid::Int (or a plain
  // integer, for a lone name or number): every operation goes through the
  // checked integers of triton_aot/grid.h. `name_to_cpp` maps each name to
  // the C++ that reads it.
  std::string ToCpp(const std::function<std::string(const std::string&)>& name_to_cpp) const;

  const std::string& text() const { return text_; }

 private:
  static bool ParseAs(std::string_view text, bool condition, GridExpr* expr, std::string* err);

  std::string text_;
  std::shared_ptr<const Node> root_;
};

}  // namespace triton_aot

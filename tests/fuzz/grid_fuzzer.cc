// Launch-grid expressions (driver/grid.h) from arbitrary text. A rejected
// expression gets a message that quotes it and points at a column inside it.
// An accepted one keeps its meaning when parenthesised, and evaluates with
// Python's integer semantics: checked here against exact 128-bit arithmetic
// for every name value, including the extremes of int64, where a result that
// does not fit must be an error rather than a wrapped number. Evaluation
// uses the runtime's checked integers (triton_aot/grid.h), so this checks
// the arithmetic generated launchers compute grids with, too.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "grid.h"

namespace {

using triton_aot::GridExpr;
using Int128 = __int128;

// The longest expression the grammar accepts (docs/kernel-spec.md).
constexpr size_t kMaxLength = 256;
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

void Require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "grid_fuzzer: invariant violated: %s\n", what);
    std::abort();
  }
}

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

// Each name reads a value chosen by its spelling, so that inputs can reach
// zero divisors and both ends of int64.
std::optional<int64_t> ValueOf(const std::string& name) {
  static constexpr int64_t kValues[] = {0, 1, -1, 2, 7, -7, 16, 1000, -1000, int64_t{1} << 32, kMax, kMin};
  size_t hash = name.size();
  for (char c : name) hash = hash * 31 + static_cast<unsigned char>(c);
  return kValues[hash % (sizeof(kValues) / sizeof(kValues[0]))];
}

struct Result {
  bool ok = false;
  int64_t value = 0;
  std::string err;
};

Result EvaluateText(const std::string& text) {
  GridExpr expr;
  Result result;
  Require(GridExpr::Parse(text, &expr, &result.err), "a well-formed expression of allowed length is accepted");
  result.ok = expr.Evaluate(ValueOf, &result.value, &result.err);
  if (!result.ok) Require(!result.err.empty(), "a failed evaluation says why");
  return result;
}

bool Fits(Int128 value) { return value >= kMin && value <= kMax; }

Int128 FloorDiv(Int128 a, Int128 b) {
  Int128 q = a / b;
  if (q * b != a && ((a < 0) != (b < 0))) --q;
  return q;
}

// int64 as the expression language writes it: its literals stop short of
// the extremes, which are reached by arithmetic.
std::string Literal(int64_t value) {
  if (value == kMax) return "(9223372036854775799 + 8)";
  if (value == kMin) return "(-9223372036854775799 - 9)";
  return "(" + std::to_string(value) + ")";
}

// `text` evaluates to `exact` when that fits in int64, and fails otherwise.
void CheckOperation(const std::string& text, Int128 exact) {
  if (text.size() > kMaxLength) return;
  const Result r = EvaluateText(text);
  if (Fits(exact)) {
    Require(r.ok, "an expression whose exact value fits in int64 evaluates");
    Require(r.value == static_cast<int64_t>(exact), "evaluation follows Python's integer semantics");
  } else {
    Require(!r.ok, "a result outside int64 is an error, not a wrapped number");
  }
}

void CheckParseError(std::string_view text, const std::string& err) {
  const std::string head = "grid expression '" + std::string(text) + "', column ";
  Require(err.compare(0, head.size(), head) == 0, "a parse error quotes the expression, then the column");
  size_t pos = head.size();
  size_t column = 0;
  while (pos < err.size() && err[pos] >= '0' && err[pos] <= '9' && column <= text.size() + 1) {
    column = column * 10 + static_cast<size_t>(err[pos++] - '0');
  }
  Require(column >= 1 && column <= text.size() + 1, "the column lies within the expression or just after it");
  Require(err.compare(pos, 2, ": ") == 0 && err.size() > pos + 2, "a parse error says what is wrong");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  GridExpr expr;
  std::string err;
  if (!GridExpr::Parse(text, &expr, &err)) {
    CheckParseError(text, err);
    return 0;
  }
  Require(text.size() <= kMaxLength, "an expression longer than the limit is rejected");
  Require(expr.text() == text, "an expression keeps its text");
  const std::set<std::string> names = expr.Names();
  for (const std::string& name : names) {
    Require(!name.empty() && IsNameStart(name[0]), "a name starts with a letter or '_'");
    for (char c : name) Require(IsNameChar(c), "a name is letters, digits and '_'");
    Require(text.find(name) != std::string::npos, "a name is read from the text");
  }

  // Parentheses and surrounding space change nothing.
  for (const std::string& wrapped : {"(" + text + ")", " \t" + text + " ", "((" + text + "))"}) {
    if (wrapped.size() > kMaxLength) continue;
    GridExpr other;
    std::string other_err;
    Require(GridExpr::Parse(wrapped, &other, &other_err), "a parenthesised expression is accepted");
    Require(other.Names() == names, "a parenthesised expression reads the same names");
  }

  // The C++ for the launchers reads every name through the mapping.
  std::set<std::string> mapped;
  const std::string cpp = expr.ToCpp([&](const std::string& name) {
    mapped.insert(name);
    return "args." + name;
  });
  Require(mapped == names, "the C++ reads exactly the expression's names");
  int depth = 0;
  for (char c : cpp) {
    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
    Require(depth >= 0, "the C++ has balanced parentheses");
  }
  Require(depth == 0 && !cpp.empty(), "the C++ has balanced parentheses");

  int64_t value = 0;
  std::string eval_err;
  const bool ok = expr.Evaluate(ValueOf, &value, &eval_err);
  if (!ok) Require(!eval_err.empty(), "a failed evaluation says why");
  if (text.size() + 2 <= kMaxLength) {
    const Result paren = EvaluateText("(" + text + ")");
    Require(paren.ok == ok && (!ok || paren.value == value), "parentheses do not change the value");
    Require(ok || paren.err == eval_err, "parentheses do not change the error");
  }
  if (!ok) return 0;

  // Python semantics, one operation on top of the value, against exact
  // arithmetic.
  const Int128 v = value;
  const std::string p = "(" + text + ")";
  CheckOperation("-" + p, -v);
  for (int64_t d : {int64_t{1}, int64_t{-1}, int64_t{7}, int64_t{-7}, kMax, kMin}) {
    const std::string ds = Literal(d);
    CheckOperation(p + " + " + ds, v + d);
    CheckOperation(p + " - " + ds, v - d);
    CheckOperation(p + " * " + ds, v * d);
    CheckOperation(p + " // " + ds, FloorDiv(v, d));
    CheckOperation(p + " % " + ds, v - FloorDiv(v, d) * d);
    CheckOperation("cdiv(" + p + ", " + ds + ")", FloorDiv(v + d - 1, d));
    CheckOperation("min(" + p + ", " + ds + ")", v < d ? v : Int128{d});
    CheckOperation("max(" + p + ", " + ds + ")", v > d ? v : Int128{d});
  }
  return 0;
}

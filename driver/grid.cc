#include "grid.h"

#include <fmt/format.h>

#include "grid_node.h"
#include "triton_aot/grid.h"

namespace triton_aot {
namespace {

using grid_tree::Node;
using grid_tree::NodePtr;

void CollectNames(const Node& node, std::set<std::string>* names) {
  if (node.kind == Node::kName) names->insert(node.name);
  if (node.lhs) CollectNames(*node.lhs, names);
  if (node.rhs) CollectNames(*node.rhs, names);
}

// Evaluates with the runtime's checked integers (triton_aot/grid.h), so that
// a spec is checked with exactly the semantics its launchers compute with.
bool Eval(const Node& node, const std::function<std::optional<int64_t>(const std::string&)>& lookup, grid::Int* out,
          std::string* err) {
  grid::Int a, b;
  if (node.lhs && !Eval(*node.lhs, lookup, &a, err)) return false;
  if (node.rhs && !Eval(*node.rhs, lookup, &b, err)) return false;
  switch (node.kind) {
    case Node::kNumber: *out = node.number; break;
    case Node::kName: {
      std::optional<int64_t> value = lookup(node.name);
      if (!value) {
        *err = fmt::format("unknown name '{}'", node.name);
        return false;
      }
      *out = *value;
      break;
    }
    case Node::kNeg: *out = -a; break;
    case Node::kAdd: *out = a + b; break;
    case Node::kSub: *out = a - b; break;
    case Node::kMul: *out = a * b; break;
    case Node::kFloorDiv: *out = grid::floordiv(a, b); break;
    case Node::kMod: *out = grid::mod(a, b); break;
    case Node::kCdiv: *out = grid::cdiv(a, b); break;
    case Node::kMin: *out = grid::min(a, b); break;
    case Node::kMax: *out = grid::max(a, b); break;
    case Node::kLess: *out = grid::less(a, b); break;
    case Node::kLessEqual: *out = grid::less_equal(a, b); break;
    case Node::kGreater: *out = grid::greater(a, b); break;
    case Node::kGreaterEqual: *out = grid::greater_equal(a, b); break;
    case Node::kEqual: *out = grid::equal(a, b); break;
    case Node::kNotEqual: *out = grid::not_equal(a, b); break;
    case Node::kAnd: *out = grid::logical_and(a, b); break;
    case Node::kOr: *out = grid::logical_or(a, b); break;
    case Node::kNot: *out = grid::logical_not(a); break;
  }
  return true;
}

bool IsLeaf(const Node& node) { return node.kind == Node::kNumber || node.kind == Node::kName; }

// Names and numbers are plain C++ integers; the grid::Int operators take
// them once the other operand is a grid::Int, and the functions always.
std::string Render(const Node& node, const std::function<std::string(const std::string&)>& name_to_cpp) {
  auto sub = [&](const NodePtr& n) { return Render(*n, name_to_cpp); };
  auto checked = [&](const NodePtr& n) {
    return IsLeaf(*n) ? fmt::format("triton_aot::grid::Int({})", sub(n)) : sub(n);
  };
  auto binary = [&](const char* op) {
    const bool plain = IsLeaf(*node.lhs) && IsLeaf(*node.rhs);
    return fmt::format("({} {} {})", plain ? checked(node.lhs) : sub(node.lhs), op, sub(node.rhs));
  };
  auto call = [&](const char* function) {
    return fmt::format("triton_aot::grid::{}({}, {})", function, sub(node.lhs), sub(node.rhs));
  };
  switch (node.kind) {
    case Node::kNumber: return std::to_string(node.number);
    case Node::kName: return name_to_cpp(node.name);
    case Node::kNeg: return fmt::format("(-{})", checked(node.lhs));
    case Node::kAdd: return binary("+");
    case Node::kSub: return binary("-");
    case Node::kMul: return binary("*");
    case Node::kFloorDiv: return call("floordiv");
    case Node::kMod: return call("mod");
    case Node::kCdiv: return call("cdiv");
    case Node::kMin: return call("min");
    case Node::kMax: return call("max");
    case Node::kLess: return call("less");
    case Node::kLessEqual: return call("less_equal");
    case Node::kGreater: return call("greater");
    case Node::kGreaterEqual: return call("greater_equal");
    case Node::kEqual: return call("equal");
    case Node::kNotEqual: return call("not_equal");
    case Node::kAnd: return call("logical_and");
    case Node::kOr: return call("logical_or");
    case Node::kNot: return fmt::format("triton_aot::grid::logical_not({})", sub(node.lhs));
  }
  return {};
}

}  // namespace

bool GridExpr::Parse(std::string_view text, GridExpr* expr, std::string* err) {
  return ParseAs(text, /*condition=*/false, expr, err);
}

bool GridExpr::ParseCondition(std::string_view text, GridExpr* expr, std::string* err) {
  return ParseAs(text, /*condition=*/true, expr, err);
}

bool GridExpr::ParseAs(std::string_view text, bool condition, GridExpr* expr, std::string* err) {
  NodePtr root = grid_tree::Parse(text, condition, err);
  if (!root) return false;
  expr->text_ = std::string(text);
  expr->root_ = std::move(root);
  return true;
}

std::set<std::string> GridExpr::Names() const {
  std::set<std::string> names;
  if (root_) CollectNames(*root_, &names);
  return names;
}

bool GridExpr::Evaluate(const std::function<std::optional<int64_t>(const std::string&)>& lookup, int64_t* value,
                        std::string* err) const {
  grid::Int result;
  if (!Eval(*root_, lookup, &result, err)) return false;
  if (result.fault() == grid::Fault::kDivisionByZero) {
    *err = "division by zero";
    return false;
  }
  if (result.fault() == grid::Fault::kOverflow) {
    // Python's integers are unbounded; the launch code's are 64-bit.
    *err = "integer overflow: a value does not fit in 64 bits";
    return false;
  }
  *value = result.value();
  return true;
}

std::string GridExpr::ToCpp(const std::function<std::string(const std::string&)>& name_to_cpp) const {
  return Render(*root_, name_to_cpp);
}

}  // namespace triton_aot

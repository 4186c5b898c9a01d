#include "grid.h"

#include <cctype>

#include <fmt/format.h>

#include "triton_aot/grid.h"

namespace triton_aot {

struct GridExpr::Node {
  enum Kind { kNumber, kName, kNeg, kAdd, kSub, kMul, kFloorDiv, kMod, kCdiv, kMin, kMax } kind;
  int64_t number = 0;
  std::string name;
  std::shared_ptr<const Node> lhs, rhs;
};

namespace {

using Node = GridExpr::Node;
using NodePtr = std::shared_ptr<const Node>;

NodePtr Make(Node::Kind kind, NodePtr lhs = nullptr, NodePtr rhs = nullptr) {
  auto node = std::make_shared<Node>();
  node->kind = kind;
  node->lhs = std::move(lhs);
  node->rhs = std::move(rhs);
  return node;
}

// Each character adds at most one level to the tree, which parsing,
// evaluating and printing walk recursively: the bound keeps that recursion
// far from the end of the stack, and is generous for a launch grid.
constexpr size_t kMaxLength = 256;

// Recursive descent over the text; errors carry the column (1-based).
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  NodePtr ParseAll(std::string* err) {
    NodePtr node;
    if (text_.size() > kMaxLength) {
      pos_ = kMaxLength;
      Fail(fmt::format("an expression may be at most {} characters long", kMaxLength));
    } else {
      node = ParseSum();
      SkipSpace();
      if (node && pos_ != text_.size()) Fail(fmt::format("unexpected '{}'", text_.substr(pos_, 1)));
    }
    if (!error_.empty()) {
      *err = fmt::format("grid expression '{}', column {}: {}", text_, error_pos_ + 1, error_);
      return nullptr;
    }
    return node;
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool Accept(std::string_view token) {
    SkipSpace();
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }
  NodePtr Fail(std::string message) {
    if (error_.empty()) {
      error_ = std::move(message);
      error_pos_ = pos_;
    }
    return nullptr;
  }

  NodePtr ParseSum() {
    NodePtr lhs = ParseProduct();
    while (lhs) {
      if (Accept("+")) {
        lhs = Make(Node::kAdd, lhs, ParseProduct());
      } else if (Accept("-")) {
        lhs = Make(Node::kSub, lhs, ParseProduct());
      } else {
        break;
      }
      if (!lhs->rhs) return nullptr;
    }
    return lhs;
  }

  NodePtr ParseProduct() {
    NodePtr lhs = ParseUnary();
    while (lhs) {
      Node::Kind kind;
      if (Accept("//")) {
        kind = Node::kFloorDiv;
      } else if (Accept("/")) {
        pos_ -= 1;
        return Fail("'/' is true division: use '//' (floor) or cdiv(a, b) (ceiling)");
      } else if (Accept("*")) {
        if (Accept("*")) return Fail("'**' is not supported");
        kind = Node::kMul;
      } else if (Accept("%")) {
        kind = Node::kMod;
      } else {
        break;
      }
      NodePtr rhs = ParseUnary();
      if (!rhs) return nullptr;
      lhs = Make(kind, lhs, rhs);
    }
    return lhs;
  }

  NodePtr ParseUnary() {
    if (Accept("-")) {
      NodePtr operand = ParseUnary();
      return operand ? Make(Node::kNeg, operand) : nullptr;
    }
    return ParsePrimary();
  }

  NodePtr ParsePrimary() {
    SkipSpace();
    if (pos_ >= text_.size()) return Fail("expression ends too early");
    if (Accept("(")) {
      NodePtr inner = ParseSum();
      if (inner && !Accept(")")) return Fail("expected ')'");
      return inner;
    }
    const char c = text_[pos_];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      auto node = std::make_shared<Node>();
      node->kind = Node::kNumber;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        if (node->number > (INT64_MAX - 9) / 10) return Fail("number too large");
        node->number = node->number * 10 + (text_[pos_++] - '0');
      }
      return node;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const size_t start = pos_;
      while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
        ++pos_;
      }
      std::string name(text_.substr(start, pos_ - start));
      if (Accept("(")) return ParseCall(name, start);
      auto node = std::make_shared<Node>();
      node->kind = Node::kName;
      node->name = std::move(name);
      return node;
    }
    return Fail(fmt::format("unexpected '{}'", c));
  }

  NodePtr ParseCall(const std::string& function, size_t start) {
    Node::Kind kind;
    if (function == "cdiv") {
      kind = Node::kCdiv;
    } else if (function == "min") {
      kind = Node::kMin;
    } else if (function == "max") {
      kind = Node::kMax;
    } else {
      pos_ = start;
      return Fail(fmt::format("unknown function '{}': the functions are cdiv, min and max", function));
    }
    NodePtr lhs = ParseSum();
    if (!lhs) return nullptr;
    if (!Accept(",")) return Fail(fmt::format("{}() takes two arguments", function));
    NodePtr rhs = ParseSum();
    if (!rhs) return nullptr;
    if (!Accept(")")) return Fail(fmt::format("{}() takes two arguments; expected ')'", function));
    return Make(kind, lhs, rhs);
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
  size_t error_pos_ = 0;
};

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
  }
  return {};
}

}  // namespace

bool GridExpr::Parse(std::string_view text, GridExpr* expr, std::string* err) {
  Parser parser(text);
  NodePtr root = parser.ParseAll(err);
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

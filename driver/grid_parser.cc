// The parser of grid expressions and conditions: recursive descent.
#include <cctype>

#include <fmt/format.h>

#include "grid_node.h"

namespace triton_aot::grid_tree {
namespace {

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

// Recursive descent over the text; errors carry the column (1-based). A
// condition parses Python's `or`, `and`, `not` and comparisons above the
// integer grammar.
class Parser {
 public:
  Parser(std::string_view text, bool condition) : text_(text), condition_(condition) {}

  NodePtr ParseAll(std::string* err) {
    NodePtr node;
    if (text_.size() > kMaxLength) {
      pos_ = kMaxLength;
      Fail(fmt::format("an expression may be at most {} characters long", kMaxLength));
    } else {
      node = condition_ ? ParseOr() : ParseSum();
      SkipSpace();
      if (node && pos_ != text_.size()) Fail(fmt::format("unexpected '{}'", text_.substr(pos_, 1)));
    }
    if (node && error_.empty()) {
      if (const char* wrong = WrongType(*node, condition_)) {
        pos_ = 0;
        Fail(wrong);
      }
    }
    if (!error_.empty()) {
      *err = fmt::format("{} '{}', column {}: {}", condition_ ? "guard" : "grid expression", text_, error_pos_ + 1,
                         error_);
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
  // A keyword: `token` not followed by a letter, digit or '_'.
  bool AcceptWord(std::string_view word) {
    SkipSpace();
    const size_t end = pos_ + word.size();
    if (text_.substr(pos_, word.size()) != word) return false;
    if (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_')) return false;
    pos_ = end;
    return true;
  }
  NodePtr Fail(std::string message) {
    if (error_.empty()) {
      error_ = std::move(message);
      error_pos_ = pos_;
    }
    return nullptr;
  }

  NodePtr ParseOr() {
    NodePtr lhs = ParseAnd();
    while (lhs && AcceptWord("or")) {
      NodePtr rhs = ParseAnd();
      lhs = rhs ? Make(Node::kOr, lhs, rhs) : nullptr;
    }
    return lhs;
  }

  NodePtr ParseAnd() {
    NodePtr lhs = ParseNot();
    while (lhs && AcceptWord("and")) {
      NodePtr rhs = ParseNot();
      lhs = rhs ? Make(Node::kAnd, lhs, rhs) : nullptr;
    }
    return lhs;
  }

  NodePtr ParseNot() {
    if (!AcceptWord("not")) return ParseComparison();
    NodePtr operand = ParseNot();
    return operand ? Make(Node::kNot, operand) : nullptr;
  }

  // As in Python, `a < b <= c` is `a < b and b <= c`.
  NodePtr ParseComparison() {
    NodePtr lhs = ParseSum(), result;
    while (lhs) {
      Node::Kind kind;
      if (Accept("<=")) {
        kind = Node::kLessEqual;
      } else if (Accept(">=")) {
        kind = Node::kGreaterEqual;
      } else if (Accept("==")) {
        kind = Node::kEqual;
      } else if (Accept("!=")) {
        kind = Node::kNotEqual;
      } else if (Accept("<")) {
        kind = Node::kLess;
      } else if (Accept(">")) {
        kind = Node::kGreater;
      } else {
        break;
      }
      NodePtr rhs = ParseSum();
      if (!rhs) return nullptr;
      NodePtr comparison = Make(kind, lhs, rhs);
      result = result ? Make(Node::kAnd, result, comparison) : comparison;
      lhs = rhs;
    }
    return result ? result : lhs;
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
      NodePtr inner = condition_ ? ParseOr() : ParseSum();
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
      if (condition_ && (name == "and" || name == "or" || name == "not")) {
        pos_ = start;
        return Fail(fmt::format("'{}' needs an operand before it", name));
      }
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

  // What is wrong with the operands' kinds: numbers where a condition is
  // wanted, or the other way round; nullptr when nothing is.
  static const char* WrongType(const Node& node, bool want_condition) {
    if (IsCondition(node) != want_condition) {
      return want_condition ? "a guard is a condition: compare the numbers ('n % 16 == 0', 'n != 0')"
                            : "a comparison is a condition, not a number";
    }
    const bool operands_are_conditions = node.kind == Node::kAnd || node.kind == Node::kOr || node.kind == Node::kNot;
    for (const NodePtr& operand : {node.lhs, node.rhs}) {
      if (!operand) continue;
      if (const char* wrong = WrongType(*operand, operands_are_conditions)) return wrong;
    }
    return nullptr;
  }

  std::string_view text_;
  bool condition_;
  size_t pos_ = 0;
  std::string error_;
  size_t error_pos_ = 0;
};


}  // namespace

NodePtr Parse(std::string_view text, bool condition, std::string* err) {
  return Parser(text, condition).ParseAll(err);
}

}  // namespace triton_aot::grid_tree

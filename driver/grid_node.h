// The tree of a parsed grid expression or condition, shared by the parser
// (grid_parser.cc) and what walks the tree (grid.cc). Internal to the driver.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "grid.h"

namespace triton_aot {

struct GridExpr::Node {
  enum Kind {
    kNumber, kName, kNeg, kAdd, kSub, kMul, kFloorDiv, kMod, kCdiv, kMin, kMax,
    // Conditions (guards): 1 or 0.
    kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual, kAnd, kOr, kNot
  } kind;
  int64_t number = 0;
  std::string name;
  std::shared_ptr<const Node> lhs, rhs;
};


namespace grid_tree {

using Node = GridExpr::Node;
using NodePtr = std::shared_ptr<const Node>;

inline bool IsCondition(const Node& node) { return node.kind >= Node::kLess; }

// The tree of `text`: an integer expression, or with `condition` a condition;
// nullptr with `*err` saying where and what is wrong.
NodePtr Parse(std::string_view text, bool condition, std::string* err);

}  // namespace grid_tree
}  // namespace triton_aot

// Writes generated code from templates that look like the code they make,
// after protobuf's io::Printer::Emit:
//
//   printer.Emit({{"name", "axpy"}, {"rows", [&] { EmitRows(printer); }}}, R"cc(
//     const char* const k$name$[] = {
//         $rows$
//     };
//   )cc");
//
// `$var$` is replaced by its value; a value with several lines keeps the
// indentation of the line it is in. A callback alone on its line is called
// with that line's indentation, and writes whole lines itself. The template's
// first line break and common indentation are dropped, so templates can be
// indented like the code around them. `$$` is a literal `$`.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace triton_aot {

// The longest line generated code has, indentation included (only a single
// name longer than that can make one longer).
inline constexpr size_t kMaxLineLength = 100;

class CodePrinter {
 public:
  struct Sub {
    Sub(std::string name, std::string value) : name(std::move(name)), value(std::move(value)) {}
    Sub(std::string name, std::function<void()> callback) : name(std::move(name)), callback(std::move(callback)) {}
    std::string name;
    std::string value;
    std::function<void()> callback;  // set: called instead of writing `value`
  };

  // Writes `text` with `subs` replaced. A `$name$` that no sub names is a
  // mistake in the generator: std::invalid_argument.
  void Emit(const std::vector<Sub>& subs, std::string_view text);
  void Emit(std::string_view text) { Emit({}, text); }

  const std::string& text() const { return out_; }

 private:
  // False when a callback wrote the line, line break included.
  bool EmitLine(const std::vector<Sub>& subs, std::string_view line);
  // Appends `text`, indenting each line it starts.
  void Write(std::string_view text);

  std::string out_;
  size_t indent_ = 0;
  bool at_line_start_ = true;
};

// Items the generated code separates by ", " (parameters, arguments,
// initializers): `head item, item, ...tail` when that fits in `width`
// columns after `indent` spaces, else `head`, the items one per line four A braced list (`braced`) puts a
// comma after every item and `tail` on a line of its own.
std::string FitOrOnePerLine(std::string_view head, const std::vector<std::string>& items, std::string_view tail,
                            size_t indent, bool braced = false, size_t width = kMaxLineLength);

// A call's arguments: `head item, item, ...tail` when that fits, else
// `head`, then the items and `tail` filled into lines four spaces deeper.
std::string FitOrFilled(std::string_view head, const std::vector<std::string>& items, std::string_view tail,
                        size_t indent, size_t width = kMaxLineLength);

// `text` broken at spaces into lines of at most `width` columns after
// `indent` spaces: the first starts with `first`, the others with `next`.
// Leading spaces of `text` stay. A word longer than the line stays whole.
std::string WrapAtSpaces(std::string_view text, std::string_view first, std::string_view next, size_t indent,
                         size_t width = kMaxLineLength);

// A string literal too long for its line as adjacent literals, one a line,
// broken after spaces (never inside an escape sequence): `"a b"` becomes
// `"a "` and `"b"` when `indent` + its length is over `width`.
std::string SplitStringLiteral(std::string_view literal, size_t indent, size_t width = kMaxLineLength);

// An aggregate initializer with one field per line, each followed by its
// name in a comment, the comments aligned where the line stays short enough:
//   {
//       80,     // capability
//       false,  // arch_specific
//   }
// A value of several lines has its comment after the last.
std::string FieldPerLine(const std::vector<std::pair<std::string, std::string>>& fields, size_t indent);

// `text` as `//` comment lines, broken as WrapAtSpaces does; continuation
// lines start `continuation` deeper than the first.
std::string WrappedComment(std::string_view text, size_t indent, size_t continuation = 4,
                           size_t width = kMaxLineLength);

}  // namespace triton_aot

#include "code_printer.h"

#include <algorithm>
#include <stdexcept>

namespace triton_aot {
namespace {

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start <= text.size();) {
    const size_t end = std::min(text.find('\n', start), text.size());
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

size_t Indentation(std::string_view line) {
  const size_t first = line.find_first_not_of(' ');
  return first == std::string_view::npos ? line.size() : first;
}

bool IsBlank(std::string_view line) { return line.find_first_not_of(' ') == std::string_view::npos; }

const CodePrinter::Sub& Find(const std::vector<CodePrinter::Sub>& subs, std::string_view name) {
  for (const CodePrinter::Sub& sub : subs) {
    if (sub.name == name) return sub;
  }
  throw std::invalid_argument("no value for $" + std::string(name) + "$ in a code template");
}

}  // namespace

void CodePrinter::Emit(const std::vector<Sub>& subs, std::string_view text) {
  if (!text.empty() && text.front() == '\n') text.remove_prefix(1);
  std::vector<std::string_view> lines = Lines(text);
  // The last line of a template that ends in a line break is blank (or the
  // indentation of the closing delimiter): the break ends the line before.
  const bool final_break = lines.size() > 1 && IsBlank(lines.back());
  if (final_break) lines.pop_back();
  size_t common = std::string_view::npos;
  for (std::string_view line : lines) {
    if (!IsBlank(line)) common = std::min(common, Indentation(line));
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    line.remove_prefix(std::min(common, line.size()));
    if (EmitLine(subs, line) && (i + 1 < lines.size() || final_break)) Write("\n");
  }
}

bool CodePrinter::EmitLine(const std::vector<Sub>& subs, std::string_view line) {
  if (IsBlank(line)) return true;  // no trailing spaces
  const size_t line_indent = Indentation(line);
  const std::string_view body = line.substr(std::min(line_indent, line.size()));
  // A callback alone on its line writes whole lines at that indentation.
  if (body.size() > 2 && body.front() == '$' && body.back() == '$' && body.find('$', 1) == body.size() - 1) {
    const Sub& sub = Find(subs, body.substr(1, body.size() - 2));
    if (sub.callback) {
      indent_ += line_indent;
      sub.callback();
      indent_ -= line_indent;
      return false;
    }
  }
  Write(line.substr(0, line_indent));
  for (size_t pos = line_indent; pos < line.size();) {
    const size_t open = line.find('$', pos);
    if (open == std::string_view::npos) {
      Write(line.substr(pos));
      break;
    }
    Write(line.substr(pos, open - pos));
    const size_t close = line.find('$', open + 1);
    if (close == std::string_view::npos) throw std::invalid_argument("unmatched $ in a code template");
    const std::string_view name = line.substr(open + 1, close - open - 1);
    pos = close + 1;
    if (name.empty()) {
      Write("$");
      continue;
    }
    const Sub& sub = Find(subs, name);
    // The value's later lines line up with the template line.
    indent_ += line_indent;
    if (sub.callback) {
      sub.callback();
    } else {
      Write(sub.value);
    }
    indent_ -= line_indent;
  }
  return true;
}

void CodePrinter::Write(std::string_view text) {
  for (char c : text) {
    if (c == '\n') {
      at_line_start_ = true;
    } else if (at_line_start_) {
      out_.append(indent_, ' ');
      at_line_start_ = false;
    }
    out_ += c;
  }
}

std::string FitOrOnePerLine(std::string_view head, const std::vector<std::string>& items, std::string_view tail,
                            size_t indent, bool braced, size_t width) {
  std::string line(head);
  for (size_t i = 0; i < items.size(); ++i) line += (i ? ", " : "") + items[i];
  line += tail;
  if (indent + line.size() <= width || items.empty()) return line;
  std::string out(head);
  for (size_t i = 0; i < items.size(); ++i) {
    out += "\n    " + items[i] + (braced || i + 1 < items.size() ? "," : "");
  }
  return out + (braced ? "\n" : "") + std::string(tail);
}

std::string FitOrFilled(std::string_view head, const std::vector<std::string>& items, std::string_view tail,
                        size_t indent, size_t width) {
  std::string joined;
  for (size_t i = 0; i < items.size(); ++i) joined += (i ? ", " : "") + items[i];
  const std::string line = std::string(head) + joined + std::string(tail);
  if (indent + line.size() <= width || items.empty()) return line;
  return std::string(head) + "\n" + WrapAtSpaces(joined + std::string(tail), "    ", "    ", indent, width);
}

std::string WrapAtSpaces(std::string_view text, std::string_view first, std::string_view next, size_t indent,
                         size_t width) {
  const size_t lead = Indentation(text);
  std::string out, line = std::string(first) + std::string(lead, ' ');
  bool line_empty = true;
  for (size_t start = lead; start < text.size();) {
    const size_t end = std::min(text.find(' ', start), text.size());
    const std::string_view word = text.substr(start, end - start);
    start = end + 1;
    if (word.empty()) continue;
    if (!line_empty && indent + line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line = std::string(next) + std::string(lead, ' ');
      line_empty = true;
    }
    if (!line_empty) line += ' ';
    line += word;
    line_empty = false;
  }
  return out + line;
}

std::string WrappedComment(std::string_view text, size_t indent, size_t continuation, size_t width) {
  if (IsBlank(text)) return "//";
  return WrapAtSpaces(text, "// ", "// " + std::string(continuation, ' '), indent, width);
}

std::string SplitStringLiteral(std::string_view literal, size_t indent, size_t width) {
  if (indent + literal.size() <= width || literal.size() < 2) return std::string(literal);
  const std::string_view content = literal.substr(1, literal.size() - 2);
  std::string out, piece;
  for (size_t start = 0; start < content.size();) {
    const size_t end = std::min(content.find(' ', start), content.size() - 1) + 1;
    const std::string_view word = content.substr(start, end - start);
    start = end;
    if (!piece.empty() && indent + piece.size() + word.size() + 2 > width) {
      out += "\"" + piece + "\"\n";
      piece.clear();
    }
    piece += word;
  }
  return out + "\"" + piece + "\"";
}

std::string FieldPerLine(const std::vector<std::pair<std::string, std::string>>& fields, size_t indent) {
  // The comments line up after the longest value whose line still fits.
  const size_t field_indent = indent + 4;
  size_t column = 0;
  for (const auto& [value, name] : fields) {
    const size_t length = value.size() - (value.rfind('\n') == std::string::npos ? 0 : value.rfind('\n') + 1) + 1;
    if (field_indent + length + 5 + name.size() <= kMaxLineLength) column = std::max(column, length);
  }
  std::string out = "{\n";
  for (const auto& [value, name] : fields) {
    std::string line = "    ";
    for (char c : value) line += c == '\n' ? std::string("\n    ") : std::string(1, c);
    line += ",";
    const size_t last_line = line.size() - (line.rfind('\n') == std::string::npos ? 0 : line.rfind('\n') + 1);
    const size_t padded = std::max(last_line, 4 + column);
    if (indent + padded + 5 + name.size() <= kMaxLineLength) line.append(padded - last_line, ' ');
    out += line + "  // " + name + "\n";
  }
  return out + "}";
}

}  // namespace triton_aot

#include "ninja_depfile_reader.h"

#include <algorithm>
#include <cstddef>

namespace triton_aot::testing {
namespace {

// One file name at a time, as Ninja's re2c scanner cuts them: at each point
// the longest rule that matches wins, and the first listed among equals.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ >= text_.size(); }

  // The next file name (maybe empty), and whether a newline ended it.
  std::string NextName(bool* newline) {
    std::string name;
    *newline = false;
    while (ScanToken(&name, newline)) {
    }
    return name;
  }

 private:
  // Past the end reads as NUL: Ninja's buffer is NUL-terminated and its
  // scanner looks there.
  char At(size_t i) const { return i < text_.size() ? text_[i] : '\0'; }

  // Appends what one token means to `name`; false when the token ends it.
  bool ScanToken(std::string* name, bool* newline) {
    const char c = At(pos_);
    if (c == '\\') return ScanBackslashes(name, newline);
    if (c == '$' && At(pos_ + 1) == '$') {
      name->push_back('$');
      pos_ += 2;
      return true;
    }
    if (c != '\0' && IsNinjaPlain(c)) {
      while (pos_ < text_.size() && IsNinjaPlain(text_[pos_])) name->push_back(text_[pos_++]);
      return true;
    }
    if (c == '\n' || (c == '\r' && At(pos_ + 1) == '\n')) {
      *newline = true;
      pos_ += c == '\n' ? 1 : 2;
      return false;
    }
    ++pos_;  // NUL, a space, a lone '$' or anything else: swallowed, ends the name
    return false;
  }

  // A run of backslashes and what follows it.
  bool ScanBackslashes(std::string* name, bool* newline) {
    size_t run = 0;
    while (At(pos_ + run) == '\\') ++run;
    const char next = At(pos_ + run);
    if (next == ' ') {
      pos_ += run + 1;
      if (run % 2 == 1) {  // 2N+1 backslashes and a space: N backslashes and a space
        name->append(run / 2, '\\');
        name->push_back(' ');
        return true;
      }
      name->append(run, '\\');  // 2N backslashes and a space: the 2N end the name
      return false;
    }
    if (next == '#') {  // one backslash escapes the '#', the others stay
      name->append(run - 1, '\\');
      name->push_back('#');
      pos_ += run + 1;
      return true;
    }
    if (next == ':') {
      const char after = At(pos_ + run + 1);
      if (after == '\0' || after == ' ' || after == '\r' || after == '\n' || after == '\t') {
        // A ':' before whitespace ends a target; the backslashes stay.
        name->append(run, '\\');
        name->push_back(':');
        pos_ += run + 2;
        if (after == '\n') *newline = true;
        return false;
      }
      name->append(run - 1, '\\');  // one backslash escapes the ':', the others stay
      name->push_back(':');
      pos_ += run + 1;
      return true;
    }
    if (next == '\0' || next == '\r' || next == '\n') {
      if (run >= 2) {  // backslashes before the end of a line are plain text
        name->append(run, '\\');
        pos_ += run;
        return true;
      }
      if (next == '\n' || (next == '\r' && At(pos_ + 2) == '\n')) {
        pos_ += next == '\n' ? 2 : 3;  // a line continuation ends the name
        return false;
      }
      ++pos_;  // a lone backslash: swallowed, ends the name
      return false;
    }
    name->append(run, '\\');  // backslashes before anything else are plain text, and so is it
    name->push_back(next);
    pos_ += run + 1;
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

// Ninja 1.13 adds ? & " and ' to these; a path written for 1.11 reads the
// same there.
bool IsNinjaPlain(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || u >= 0x80) return true;
  return std::string_view("+,/_:.~()}{%=@[]!-").find(c) != std::string_view::npos;
}

bool ReadNinjaDepfile(std::string_view content, NinjaDepfile* depfile, std::string* err) {
  *depfile = NinjaDepfile();
  Scanner scanner(content);
  bool have_target = false;
  bool parsing_targets = true;
  bool poisoned_input = false;
  while (!scanner.AtEnd()) {
    bool newline = false;
    std::string name = scanner.NextName(&newline);
    const bool is_dependency = !parsing_targets;
    if (!name.empty() && name.back() == ':') {
      name.pop_back();
      parsing_targets = false;
      have_target = true;
    }
    if (!name.empty()) {
      std::vector<std::string>& inputs = depfile->inputs;
      if (std::find(inputs.begin(), inputs.end(), name) == inputs.end()) {
        if (is_dependency) {
          if (poisoned_input) {
            *err = "inputs may not also have inputs";
            return false;
          }
          inputs.push_back(name);
        } else if (std::find(depfile->outputs.begin(), depfile->outputs.end(), name) == depfile->outputs.end()) {
          depfile->outputs.push_back(name);
        }
      } else if (!is_dependency) {
        poisoned_input = true;
      }
    }
    if (newline) {
      parsing_targets = true;
      poisoned_input = false;
    }
  }
  if (!have_target) {
    *err = "expected ':' in depfile";
    return false;
  }
  return true;
}

}  // namespace triton_aot::testing

#include "cpp_escape.h"

namespace triton_aot {
namespace {

// A three-digit octal escape: C++ and the assembler both read at most three
// octal digits, so a digit after it stays a digit. Hex escapes would not.
std::string Octal(unsigned char byte) {
  std::string out = "\\";
  out += static_cast<char>('0' + (byte >> 6));
  out += static_cast<char>('0' + ((byte >> 3) & 7));
  out += static_cast<char>('0' + (byte & 7));
  return out;
}

bool IsPrintableAscii(unsigned char byte) { return byte >= 0x20 && byte < 0x7f; }

// The escapes both C++ and the assembler read the same way; empty for bytes
// that need none.
std::string CommonEscape(unsigned char byte) {
  switch (byte) {
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\t': return "\\t";
    case '\r': return "\\r";
    default: break;
  }
  return IsPrintableAscii(byte) ? "" : Octal(byte);
}

}  // namespace

std::string CppStringLiteral(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const unsigned char byte = static_cast<unsigned char>(c);
    const std::string escape = CommonEscape(byte);
    if (!escape.empty()) {
      out += escape;
    } else if (c == '"' || c == '?') {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string CppCommentText(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char byte = static_cast<unsigned char>(text[i]);
    // Comments have no escapes: "\\" would still end in a backslash, which
    // continues the comment onto the next line when it ends one.
    const std::string escape = byte == '\\' ? Octal(byte) : CommonEscape(byte);
    if (!escape.empty()) {
      out += escape;
    } else if (text[i] == '?' && i + 1 < text.size() && text[i + 1] == '?') {
      out += "?\\";  // "??=" reads "?\?=": never a trigraph
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string AsmStringLiteral(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const std::string escape = CommonEscape(static_cast<unsigned char>(c));
    if (!escape.empty()) {
      out += escape;
    } else {
      if (c == '"') out += '\\';
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace triton_aot

#include "utf8.h"

#include <fmt/format.h>

namespace triton_aot {
namespace {

// The length of the valid UTF-8 character at text[at], or 0 if there is none.
size_t ValidCharLength(std::string_view text, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the second byte's range
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (at + length > text.size() || byte(at + 1) < low || byte(at + 1) > high) return 0;
  for (size_t i = at + 2; i < at + length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

// Calls on_valid(character) or on_invalid(byte) for each piece of `text`.
template <typename Valid, typename Invalid>
void ForEachPiece(std::string_view text, Valid on_valid, Invalid on_invalid) {
  for (size_t at = 0; at < text.size();) {
    const size_t length = ValidCharLength(text, at);
    if (length == 0) {
      on_invalid(static_cast<unsigned char>(text[at]));
      ++at;
    } else {
      on_valid(text.substr(at, length));
      at += length;
    }
  }
}

}  // namespace

std::optional<size_t> FirstInvalidUtf8(std::string_view text) {
  for (size_t at = 0; at < text.size();) {
    const size_t length = ValidCharLength(text, at);
    if (length == 0) return at;
    at += length;
  }
  return std::nullopt;
}

std::string EscapeInvalidUtf8(std::string_view text) {
  if (!FirstInvalidUtf8(text)) return std::string(text);
  std::string escaped;
  ForEachPiece(
      text, [&](std::string_view character) { escaped += character; },
      [&](unsigned char byte) { escaped += fmt::format("\\x{:02x}", byte); });
  return escaped;
}

std::string NonUtf8PathProblem(std::string_view what, std::string_view path) {
  const std::optional<size_t> bad = FirstInvalidUtf8(path);
  if (!bad) return "";
  // The file or folder whose name holds the byte.
  const size_t slash = path.rfind('/', *bad);
  const size_t begin = slash == std::string_view::npos ? 0 : slash + 1;
  const std::string_view name = path.substr(begin, path.find('/', *bad) - begin);
  return fmt::format("{}: the path '{}' is not valid UTF-8 (byte 0x{:02x} at offset {}); TritonAOT passes paths to "
                     "Python and Triton as UTF-8 text: rename '{}'",
                     what, EscapeInvalidUtf8(path), static_cast<unsigned char>(path[*bad]), *bad,
                     EscapeInvalidUtf8(name));
}

std::string JsonStringOfBytes(std::string_view bytes) {
  std::string json = "\"";
  ForEachPiece(
      bytes,
      [&](std::string_view character) {
        const unsigned char c = static_cast<unsigned char>(character[0]);
        if (c == '"' || c == '\\') {
          json += '\\';
          json += static_cast<char>(c);
        } else if (c < 0x20) {
          json += fmt::format("\\u{:04x}", c);
        } else {
          json += character;
        }
      },
      [&](unsigned char byte) { json += fmt::format("\\udc{:02x}", byte); });
  return json + "\"";
}

}  // namespace triton_aot

#include "grid_check.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "kernel_error.h"

namespace triton_aot::internal {
namespace {

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

// The names a grid expression reads, in the order they first appear; not
// the functions it calls (a name followed by '(').
std::vector<std::string_view> NamesIn(std::string_view text) {
  std::vector<std::string_view> names;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!IsNameChar(text[i])) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < text.size() && IsNameChar(text[i])) ++i;
    std::size_t next = i;
    while (next < text.size() && text[next] == ' ') ++next;
    const std::string_view word = text.substr(start, i - start);
    const bool is_call = next < text.size() && text[next] == '(';
    if (IsNameStart(word[0]) && !is_call && std::find(names.begin(), names.end(), word) == names.end()) {
      names.push_back(word);
    }
  }
  return names;
}

// The value of constexpr `name` in a variant's summary, "BLOCK=1024,
// MODE=\"a, b\"" (names and JSON values); empty if it has none.
std::string_view ConstexprValue(std::string_view summary, std::string_view name) {
  std::size_t pos = 0;
  while (pos < summary.size()) {
    const std::size_t equals = summary.find('=', pos);
    if (equals == std::string_view::npos) break;
    std::size_t end = equals + 1;
    for (bool quoted = false; end < summary.size() && (quoted || summary[end] != ','); ++end) {
      if (summary[end] == '\\' && quoted) {
        ++end;
      } else if (summary[end] == '"') {
        quoted = !quoted;
      }
    }
    end = std::min(end, summary.size());
    if (summary.substr(pos, equals - pos) == name) return summary.substr(equals + 1, end - equals - 1);
    pos = end + 2;  // past ", "
  }
  return {};
}

// " (n=1000, BLOCK=1024)": the values of the arguments and constexprs that
// `expression` reads, as far as the launch knows them.
std::string ValuesRead(const KernelImage& image, const ArgValue* args, std::string_view expression) {
  std::string out;
  for (std::string_view name : NamesIn(expression)) {
    std::string value;
    for (std::size_t a = 0; a < image.num_args && image.arg_names && args; ++a) {
      if (name != image.arg_names[a]) continue;
      if (args[a].kind == ArgValue::kInteger) value = std::to_string(args[a].value);
      if (args[a].kind == ArgValue::kUnsigned) value = std::to_string(static_cast<std::uint64_t>(args[a].value));
    }
    if (value.empty() && image.constexprs) value = std::string(ConstexprValue(image.constexprs, name));
    if (!value.empty()) out += (out.empty() ? " (" : ", ") + std::string(name) + "=" + value;
  }
  return out.empty() ? out : out + ")";
}

}  // namespace

// "grid dimension y = cdiv(n, BLOCK) is 70000, more than CUDA's limit of
// 65535 (n=4480000, BLOCK=64)".
Status GridError(const char* kernel, const KernelImage& image, const ArgValue* args, bool given,
                 const grid::Dims& dims) {
  const grid::Int* values[] = {&dims.x, &dims.y, &dims.z};
  int dimension = 0;
  while (dimension < 2 && Fits(*values[dimension], dimension == 0 ? kMaxGridX : kMaxGridYZ)) ++dimension;
  const grid::Int& value = *values[dimension];
  const std::int64_t limit = dimension == 0 ? kMaxGridX : kMaxGridYZ;
  std::string message = std::string("grid dimension ") + "xyz"[dimension];
  const char* expression = !given && image.grid ? image.grid[dimension] : nullptr;
  if (expression) message += std::string(" = ") + expression;
  if (given) message += " (as passed)";
  if (value.fault() == grid::Fault::kOverflow) {
    message += " overflows 64 bits";
  } else if (value.fault() == grid::Fault::kDivisionByZero) {
    message += " divides by zero";
  } else if (value.value() < 0) {
    message += " is " + std::to_string(value.value()) + ", less than 0";
  } else {
    message += " is " + std::to_string(value.value()) + ", more than CUDA's limit of " + std::to_string(limit);
  }
  if (expression) message += ValuesRead(image, args, expression);
  return KernelError(kernel, CUDA_ERROR_INVALID_VALUE, message);
}

}  // namespace triton_aot::internal

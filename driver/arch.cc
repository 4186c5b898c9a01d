#include "arch.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace triton_aot {

std::string Arch::SmName() const {
  return fmt::format("sm_{}{}", capability, capability >= 90 ? "a" : "");
}

bool ParseArch(std::string_view text, Arch* arch, std::string* err) {
  std::string_view rest = text;
  for (std::string_view prefix : {"sm_", "compute_"}) {
    if (rest.substr(0, prefix.size()) == prefix) {
      rest.remove_prefix(prefix.size());
      break;
    }
  }
  int capability = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), capability);
  std::string_view suffix(end, rest.data() + rest.size() - end);
  const bool starts_with_digit = !rest.empty() && rest.front() >= '0' && rest.front() <= '9';
  const bool too_large = starts_with_digit && ec == std::errc::result_out_of_range;
  const bool ok = starts_with_digit && (ec == std::errc() || too_large) && (suffix.empty() || suffix == "a");
  // Compute capabilities are a major and a minor number, major*10+minor:
  // none has more than three digits.
  if (ok && (too_large || capability > 999)) {
    *err = fmt::format("architecture '{}' is not a compute capability (none has more than three digits): use one "
                       "from 75 to 999 (e.g. 80, 90a, 100)",
                       text);
    return false;
  }
  if (!ok) {
    *err = fmt::format(
        "'{}' is not a GPU architecture: write a compute capability from 75 to 999 as digits, "
        "optionally with the suffix 'a' (e.g. 80, 90a, 100)",
        text);
    return false;
  }
  if (capability < 75) {
    *err = fmt::format("architecture '{}' is older than Triton supports: use 75 or newer", text);
    return false;
  }
  if (!suffix.empty() && capability < 90) {
    *err = fmt::format("architecture '{}': the suffix 'a' exists only for 90 and newer", text);
    return false;
  }
  arch->capability = capability;
  return true;
}

int64_t MaxSharedMemoryPerBlock(int capability) {
  // From the CUDA C++ Programming Guide's table of compute capabilities.
  switch (capability) {
    case 75: return 64 * 1024;
    case 80: case 87: return 163 * 1024;
    case 86: case 89: case 120: case 121: return 99 * 1024;
    case 90: case 100: case 101: case 103: case 110: return 227 * 1024;
    default: return 0;
  }
}

bool ParseArchList(const std::vector<std::string>& texts, std::vector<Arch>* archs, std::string* err) {
  archs->clear();
  for (const std::string& text : texts) {
    Arch arch;
    if (!ParseArch(text, &arch, err)) return false;
    archs->push_back(arch);
  }
  if (archs->empty()) {
    *err = "no GPU architecture given";
    return false;
  }
  std::sort(archs->begin(), archs->end());
  archs->erase(std::unique(archs->begin(), archs->end()), archs->end());
  return true;
}

}  // namespace triton_aot

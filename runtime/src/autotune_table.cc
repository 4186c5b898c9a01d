#include "autotune_table.h"

#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

#include "kernel_error.h"
#include "variant_choice.h"

namespace triton_aot::internal {
namespace {

// The index of the variant named `name`, or `count`.
std::size_t FindVariant(const KernelImage* variants, std::size_t count, const std::string& name) {
  for (std::size_t i = 0; i < count; ++i) {
    if (name == variants[i].variant) return i;
  }
  return count;
}

// "1,2,3" (or "-", no values) into `*key`; "" or the value that is not an integer.
bool ParseKey(const std::string& text, std::vector<std::int64_t>* key, std::string* bad_value) {
  if (text == "-") return true;
  std::istringstream values(text);
  std::string value;
  while (std::getline(values, value, ',')) {
    std::int64_t parsed = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
    if (ec != std::errc() || end != value.data() + value.size() || value.empty()) {
      *bad_value = value;
      return false;
    }
    key->push_back(parsed);
  }
  return true;
}

// A group is keyed by its first variant; the winner must make the same
// promises, or a stale table could launch a variant whose hints don't hold.
bool BelongsToGroup(const KernelImage* variants, std::size_t group, std::size_t winner) {
  if (!SameHints(variants[group], variants[winner])) return false;
  for (std::size_t i = 0; i < group; ++i) {
    if (SameHints(variants[i], variants[group])) return false;
  }
  return true;
}

// One line of `kernel`: "" with the entry in `*table`, or what is wrong with it.
std::string ParseLine(const KernelImage* variants, std::size_t count, std::istringstream& fields,
                      TunedTable* table) {
  std::string key_text, group, winner;
  if (!(fields >> key_text >> group >> winner)) return "expected '<kernel> <key values> <group> <variant>'";
  std::vector<std::int64_t> key;
  std::string bad_value;
  if (!ParseKey(key_text, &key, &bad_value)) return "'" + bad_value + "' is not an integer key value";
  const std::size_t group_index = FindVariant(variants, count, group);
  const std::size_t winner_index = FindVariant(variants, count, winner);
  if (group_index == count || winner_index == count) {
    return "no variant named '" + (group_index == count ? group : winner) +
           "' (the table is from other kernels' builds)";
  }
  if (!BelongsToGroup(variants, group_index, winner_index)) {
    return "variant '" + winner + "' does not belong to the group of '" + group +
           "' (the table is from another build of these kernels)";
  }
  key.push_back(static_cast<std::int64_t>(group_index));
  (*table)[key] = winner_index;
  return "";
}

}  // namespace

Status SaveAutotuneTable(const char* kernel, const KernelImage* variants, const TunedTable& table,
                         const std::string& path) {
  std::ostringstream text;
  for (const auto& [key, index] : table) {
    text << kernel;
    // The last element is the hint group, written as its first variant's name.
    for (std::size_t i = 0; i + 1 < key.size(); ++i) text << (i ? "," : " ") << key[i];
    if (key.size() == 1) text << " -";
    text << " " << variants[key.back()].variant << " " << variants[index].variant << "\n";
  }
  std::ofstream out(path, std::ios::trunc);
  out << text.str();
  if (!out.flush()) return KernelError(kernel, CUDA_ERROR_FILE_NOT_FOUND, "cannot write autotune table '" + path + "'");
  return {};
}

Status LoadAutotuneTable(const char* kernel, const KernelImage* variants, std::size_t count, const std::string& path,
                         TunedTable* table) {
  std::ifstream in(path);
  if (!in) return KernelError(kernel, CUDA_ERROR_FILE_NOT_FOUND, "cannot read autotune table '" + path + "'");
  TunedTable loaded;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::istringstream fields(line);
    std::string name;
    if (!(fields >> name) || name != kernel) continue;  // other kernels share the file
    if (std::string wrong = ParseLine(variants, count, fields, &loaded); !wrong.empty()) {
      return KernelError(kernel, CUDA_ERROR_INVALID_VALUE, path + ":" + std::to_string(number) + ": " + wrong);
    }
  }
  for (auto& [key, index] : loaded) (*table)[key] = index;
  return {};
}

}  // namespace triton_aot::internal

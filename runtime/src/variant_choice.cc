#include "variant_choice.h"

#include <algorithm>
#include <cstring>
#include <sstream>

namespace triton_aot::internal {
namespace {

std::size_t HintCount(const KernelImage& image) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < image.num_args; ++i) count += image.arg_hints[i] != ArgHint::kNone;
  return count;
}

std::string Describe(const ArgValue& value) {
  std::ostringstream out;
  if (value.kind == ArgValue::kPointer) {
    out << "0x" << std::hex << static_cast<std::uint64_t>(value.value);
  } else if (value.kind == ArgValue::kUnsigned) {
    out << static_cast<std::uint64_t>(value.value);
  } else {
    out << value.value;
  }
  return out.str();
}

}  // namespace

bool SameHints(const KernelImage& a, const KernelImage& b) {
  return a.num_args == b.num_args && std::equal(a.arg_hints, a.arg_hints + a.num_args, b.arg_hints);
}

bool PromiseHolds(ArgHint hint, const ArgValue& value) {
  switch (hint) {
    case ArgHint::kNone: return true;
    case ArgHint::kDivisibleBy16: return value.value % 16 == 0;
    case ArgHint::kEqualToOne: return value.value == 1;
  }
  return false;
}

std::string BrokenPromise(const KernelImage& image, const ArgValue* args) {
  for (std::size_t i = 0; i < image.num_args; ++i) {
    if (PromiseHolds(image.arg_hints[i], args[i])) continue;
    const char* name = image.arg_names ? image.arg_names[i] : "?";
    const char* promise = image.arg_hints[i] == ArgHint::kEqualToOne ? " equal to 1" : " divisible by 16";
    return std::string(name) + promise + " (it is " + Describe(args[i]) + ")";
  }
  return "";
}

bool PromisesHold(const KernelImage& image, const ArgValue* args) {
  for (std::size_t i = 0; i < image.num_args; ++i) {
    if (!PromiseHolds(image.arg_hints[i], args[i])) return false;
  }
  return true;
}

std::size_t FirstAccepting(const KernelImage* variants, std::size_t count, const std::vector<std::size_t>& order,
                           const ArgValue* args, int default_config) {
  for (std::size_t index : order) {
    if (!PromisesHold(variants[index], args)) continue;
    if (default_config < 0) return index;
    for (std::size_t other = 0; other < count; ++other) {
      if (variants[other].autotune_config == default_config && SameHints(variants[index], variants[other])) {
        return other;
      }
    }
    return index;
  }
  return count;
}

std::size_t PackParameters(const KernelImage& image, void* const* params, void* global_scratch,
                           void* profile_scratch, void** packed) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < image.num_args; ++i) {
    if (image.arg_hints[i] != ArgHint::kEqualToOne) packed[n++] = params[i];
  }
  packed[n++] = global_scratch;
  packed[n++] = profile_scratch;
  return n;
}

std::vector<std::size_t> SpecialisationOrder(const KernelImage* variants, std::size_t count) {
  std::vector<std::size_t> order(count);
  for (std::size_t i = 0; i < count; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return HintCount(variants[a]) > HintCount(variants[b]); });
  return order;
}

std::vector<std::size_t> Candidates(const KernelImage* variants, const std::vector<std::size_t>& order,
                                    const ArgValue* args, std::string* why) {
  std::vector<std::size_t> candidates;
  std::string last_broken;
  for (std::size_t index : order) {
    std::string broken = BrokenPromise(variants[index], args);
    if (!broken.empty()) {
      last_broken = "variant '" + std::string(variants[index].variant) + "' needs " + broken;
      continue;
    }
    for (std::size_t other : order) {
      if (SameHints(variants[index], variants[other])) candidates.push_back(other);
    }
    std::sort(candidates.begin(), candidates.end());
    return candidates;
  }
  *why = "no variant accepts these arguments: " + last_broken +
         "; add a variant without that hint to the kernel's spec, or pass arguments that keep the promise";
  return candidates;
}

bool FindRequested(const KernelImage* variants, const std::vector<std::size_t>& order, const ArgValue* args,
                   const char* name, int config, std::size_t* index, std::string* why) {
  std::string broken;
  for (std::size_t i : order) {
    const bool match = name ? std::strcmp(variants[i].variant, name) == 0 : variants[i].autotune_config == config;
    if (!match) continue;
    broken = BrokenPromise(variants[i], args);
    if (broken.empty()) {
      *index = i;
      return true;
    }
  }
  const std::string what = name ? "variant '" + std::string(name) + "'" : "config " + std::to_string(config);
  if (!broken.empty()) {
    *why = what + " needs " + broken;
  } else {
    std::string names;
    for (std::size_t i : order) names += std::string(names.empty() ? "" : ", ") + variants[i].variant;
    *why = "there is no " + what + "; the variants are: " + names;
  }
  return false;
}

}  // namespace triton_aot::internal

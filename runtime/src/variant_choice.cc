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

Acceptance Accepts(const KernelImage* variants, std::size_t index, const ArgValue* args, const grid::Int* guards) {
  if (!PromisesHold(variants[index], args)) return Acceptance::kNo;
  if (!guards) return Acceptance::kYes;
  if (!guards[index].ok()) return Acceptance::kFault;
  return guards[index].value() != 0 ? Acceptance::kYes : Acceptance::kNo;
}

namespace {

// The guard's text for messages.
std::string GuardText(const KernelImage& image) { return image.guard ? image.guard : "?"; }

}  // namespace

std::string GuardFault(const KernelImage& image, const grid::Int& guard) {
  const char* why = guard.fault() == grid::Fault::kDivisionByZero ? "it divides by zero" : "a value overflows 64 bits";
  return "variant '" + std::string(image.variant) + "': its guard '" + GuardText(image) +
         "' cannot be evaluated for these arguments: " + why;
}

namespace {

// The first variant in `order` with `group`'s hints and `config` that
// accepts the arguments, or `count`; a guard it cannot evaluate stops the
// search there.
std::size_t FirstOfConfig(const KernelImage* variants, std::size_t count, const std::vector<std::size_t>& order,
                          std::size_t group, int config, const ArgValue* args, const grid::Int* guards) {
  for (std::size_t index : order) {
    if (variants[index].autotune_config != config || !SameHints(variants[index], variants[group])) continue;
    if (Acceptance accepted = Accepts(variants, index, args, guards); accepted != Acceptance::kNo) return index;
  }
  return count;
}

}  // namespace

std::size_t FirstAccepting(const KernelImage* variants, std::size_t count, const std::vector<std::size_t>& order,
                           const ArgValue* args, const grid::Int* guards, int default_config) {
  for (std::size_t index : order) {
    const Acceptance accepted = Accepts(variants, index, args, guards);
    if (accepted == Acceptance::kNo) continue;
    if (accepted == Acceptance::kFault || default_config < 0) return index;
    const std::size_t chosen = FirstOfConfig(variants, count, order, index, default_config, args, guards);
    return chosen == count ? index : chosen;
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
  // More hints first; among equal hints, guarded before unguarded.
  auto rank = [&](std::size_t i) { return 2 * HintCount(variants[i]) + (variants[i].guard ? 1 : 0); };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rank(a) > rank(b); });
  return order;
}

std::vector<std::size_t> Candidates(const KernelImage* variants, std::size_t count,
                                    const std::vector<std::size_t>& order, const ArgValue* args,
                                    const grid::Int* guards, std::string* why) {
  std::vector<std::size_t> candidates;
  const std::size_t group = FirstAccepting(variants, count, order, args, guards, -1);
  if (group == count) {
    *why = NoneAccepts(variants, order, args, guards);
    return candidates;
  }
  // Each config of the group's hints, as its first variant that accepts.
  std::vector<int> configs;
  for (std::size_t index : order) {
    const int config = variants[index].autotune_config;
    if (!SameHints(variants[index], variants[group])) continue;
    if (std::find(configs.begin(), configs.end(), config) != configs.end()) continue;
    configs.push_back(config);
    const std::size_t chosen = FirstOfConfig(variants, count, order, group, config, args, guards);
    if (chosen == count) continue;
    if (guards && !guards[chosen].ok()) {
      *why = GuardFault(variants[chosen], guards[chosen]);
      return {};
    }
    candidates.push_back(chosen);
  }
  std::sort(candidates.begin(), candidates.end());
  return candidates;
}

std::string NoneAccepts(const KernelImage* variants, const std::vector<std::size_t>& order, const ArgValue* args,
                        const grid::Int* guards) {
  for (std::size_t index : order) {
    if (guards && PromisesHold(variants[index], args) && !guards[index].ok()) {
      return GuardFault(variants[index], guards[index]);
    }
  }
  std::string last_broken;
  bool guarded = false;
  for (std::size_t index : order) {
    const std::string variant = "variant '" + std::string(variants[index].variant) + "'";
    const std::string broken = BrokenPromise(variants[index], args);
    guarded = broken.empty();  // then its guard is what failed
    last_broken = variant + " needs " + (guarded ? "its guard '" + GuardText(variants[index]) + "'" : broken);
  }
  return "no variant accepts these arguments: " + last_broken + "; add a variant without that " +
         (guarded ? "guard" : "hint") + " to the kernel's spec, or pass arguments that keep the " +
         (guarded ? "condition" : "promise");
}

bool FindRequested(const KernelImage* variants, const std::vector<std::size_t>& order, const ArgValue* args,
                   const grid::Int* guards, const char* name, int config, std::size_t* index, std::string* why) {
  std::string broken;
  for (std::size_t i : order) {
    const bool match = name ? std::strcmp(variants[i].variant, name) == 0 : variants[i].autotune_config == config;
    if (!match) continue;
    broken = BrokenPromise(variants[i], args);
    if (broken.empty() && guards && !guards[i].ok()) {
      *why = GuardFault(variants[i], guards[i]);
      return false;
    }
    if (broken.empty() && guards && guards[i].value() == 0) {
      broken = "its guard '" + GuardText(variants[i]) + "' to hold";
    }
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

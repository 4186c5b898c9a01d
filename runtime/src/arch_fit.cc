#include "arch_fit.h"

#include <algorithm>
#include <string>

namespace triton_aot::internal {
namespace {

// Every target arch of the variant's build: those it has and those it skipped.
std::vector<int> TargetArchs(const KernelImage& image) {
  std::vector<int> archs;
  for (std::size_t i = 0; i < image.num_archs; ++i) archs.push_back(image.archs[i].capability);
  for (std::size_t i = 0; i < image.num_skipped_archs; ++i) archs.push_back(image.skipped_archs[i]);
  return archs;
}

bool ArchSpecific(const KernelImage& image, int arch) {
  for (std::size_t i = 0; i < image.num_archs; ++i) {
    if (image.archs[i].capability == arch) return image.archs[i].arch_specific;
  }
  return false;
}

}  // namespace

int ServingArch(const KernelImage& image, int capability) {
  int cubin = 0, newest = 0;
  for (int arch : TargetArchs(image)) {
    newest = std::max(newest, arch);
    const bool runs = ArchSpecific(image, arch) ? arch == capability
                                                : arch / 10 == capability / 10 && arch <= capability;
    if (runs) cubin = std::max(cubin, arch);
  }
  if (cubin != 0) return cubin;
  return newest != 0 && newest <= capability ? newest : 0;
}

bool BuiltFor(const KernelImage& image, int capability) {
  if (image.num_skipped_archs == 0) return true;
  const int serving = ServingArch(image, capability);
  for (std::size_t i = 0; i < image.num_skipped_archs; ++i) {
    if (image.skipped_archs[i] == serving) return false;
  }
  return true;
}

std::string SkippedArchNames(const KernelImage& image) {
  std::string names;
  for (std::size_t i = 0; i < image.num_skipped_archs; ++i) {
    names += (names.empty() ? "sm_" : ", sm_") + std::to_string(image.skipped_archs[i]);
  }
  return names;
}

OrdersByArch::OrdersByArch(const KernelImage* variants, std::vector<std::size_t> order)
    : variants_(variants), order_(std::move(order)), any_skipped_(false) {
  for (std::size_t index : order_) any_skipped_ |= variants_[index].num_skipped_archs > 0;
}

const std::vector<std::size_t>& OrdersByArch::On(int capability) const {
  if (!any_skipped_) return order_;
  std::lock_guard lock(mutex_);
  auto [it, inserted] = by_capability_.try_emplace(capability);
  if (inserted) {
    for (std::size_t index : order_) {
      if (BuiltFor(variants_[index], capability)) it->second.push_back(index);
    }
  }
  return it->second;  // std::map never moves its elements
}

}  // namespace triton_aot::internal

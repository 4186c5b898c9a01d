// Which variants a device can run: an autotune config is not built for an
// arch it does not fit (KernelImage::skipped_archs), so on a device that arch
// would serve, no launch may pick it. Pure logic, tested alone.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "triton_aot/kernel_image.h"

namespace triton_aot::internal {

// The target arch whose binary a device of `capability` runs, among `image`'s
// archs and those it skipped: the newest cubin of the same major version no
// newer than the device (an arch-specific one only on exactly its arch), else
// the PTX of the newest arch if the device is no older; 0 if none.
int ServingArch(const KernelImage& image, int capability);

// Whether a device of `capability` may launch `image`: true unless the arch
// that would serve it is one the variant was not built for.
bool BuiltFor(const KernelImage& image, int capability);

// The archs the kernel's variants skip, e.g. "sm_90", for messages.
std::string SkippedArchNames(const KernelImage& image);

// `order` without the variants not built for `capability`, kept per
// capability: a kernel launches on few kinds of device.
class OrdersByArch {
 public:
  OrdersByArch(const KernelImage* variants, std::vector<std::size_t> order);
  // True when some variant skips an arch; else every order is the given one.
  bool any_skipped() const { return any_skipped_; }
  const std::vector<std::size_t>& On(int capability) const;

 private:
  const KernelImage* variants_;
  std::vector<std::size_t> order_;
  bool any_skipped_;
  mutable std::mutex mutex_;
  mutable std::map<int, std::vector<std::size_t>> by_capability_;
};

}  // namespace triton_aot::internal

// One kernel's modules: each variant loaded lazily, once per CUDA context
// (known by its unique id, as context handles can be reused), and unloaded
// from every context on request.
#pragma once

#include <cuda.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <vector>

#include "cuda_driver.h"
#include "triton_aot/kernel_image.h"
#include "triton_aot/status.h"

namespace triton_aot::internal {

// One variant as loaded into one context; `function` is null until it is.
struct LoadedVariant {
  CUmodule module = nullptr;
  CUfunction function = nullptr;
  const ArchLaunchInfo* arch = nullptr;  // the launch facts of the binary the driver picked
};

struct ContextEntry {
  unsigned long long id = 0;
  CUcontext context = nullptr;
  int capability = 0;
  std::vector<LoadedVariant> variants;  // by variant index
};

class ModuleCache {
 public:
  // `variants` (and `kernel`, which names the kernel in messages) outlive the cache.
  ModuleCache(const char* kernel, const KernelImage* variants, std::size_t count)
      : kernel_(kernel), variants_(variants), count_(count) {}

  // The current context's entry, created on first use.
  Status CurrentContext(const CudaDriver* driver, ContextEntry** entry);
  // Variant `index` in `context`, loaded now if it is not yet.
  Status Get(const CudaDriver* driver, ContextEntry& context, std::size_t index, LoadedVariant* loaded);
  // Variant `index` in the context with id `context_id` if it is loaded
  // there, else one with a null function. Loads nothing.
  LoadedVariant Find(unsigned long long context_id, std::size_t index) const;
  // Unloads every module from every context; later calls load again.
  Status Unload(const CudaDriver* driver);

  // Changes on every Unload(), so that copies of LoadedVariant kept
  // elsewhere (the launch fast path's) know when they expired.
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  ContextEntry* FindContext(unsigned long long id) const;  // mutex_ held
  Status Load(const CudaDriver* driver, const ContextEntry& context, std::size_t index, LoadedVariant* loaded) const;

  const char* kernel_;
  const KernelImage* variants_;
  std::size_t count_;
  mutable std::shared_mutex mutex_;  // guards contexts_ and their entries
  std::vector<std::unique_ptr<ContextEntry>> contexts_;
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace triton_aot::internal

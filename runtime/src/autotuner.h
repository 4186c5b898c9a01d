// The autotuner of one kernel: for each autotune key value (and hint group),
// the variant that ran fastest when each candidate was timed on the GPU.
#pragma once

#include <cuda.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "cuda_driver.h"
#include "module_cache.h"
#include "trial_buffers.h"
#include "triton_aot/grid.h"
#include "triton_aot/kernel_image.h"
#include "triton_aot/status.h"

namespace triton_aot::internal {

// Key values, then the hint group (its first variant's index): aligned and
// unaligned launches of the same sizes have different candidates.
using TunedTable = std::map<std::vector<std::int64_t>, std::size_t>;  // key -> winning variant

std::vector<std::int64_t> TableKey(const std::int64_t* key, std::size_t key_size, std::size_t group);

// One launch to tune on: where, and with what.
struct TuningLaunch {
  const CudaDriver* driver;
  ModuleCache* cache;
  ContextEntry* context;
  CUstream stream;
  const ArgValue* args;
  void* const* params;
  const Grid* grids;  // by variant index: each candidate's, checked and not empty
  TuningBuffers buffers;
};

class Autotuner {
 public:
  Autotuner(const char* kernel, const KernelImage* variants, std::size_t count)
      : kernel_(kernel), variants_(variants), count_(count) {}

  // The winner for `table_key` among `candidates`: from the table, or timed
  // now (each candidate runs on the launch's own arguments, its tuning
  // buffers kept as TrialBuffers says) and remembered; a single candidate
  // wins untimed, as in Triton. Other threads tuning the same kernel wait.
  // A remembered winner counts only if it is `acceptable` (every variant that
  // accepts these arguments, those `candidates` leaves out included).
  Status Choose(const TuningLaunch& launch, const std::vector<std::size_t>& candidates,
                const std::vector<std::int64_t>& table_key, const std::vector<std::size_t>& acceptable,
                std::size_t* winner);
  // The winner for `table_key`, or -1 when none is known.
  int Find(const std::vector<std::int64_t>& table_key) const;

  TunedTable Snapshot() const;
  void Merge(const TunedTable& table);

 private:
  Status Tune(const TuningLaunch& launch, const std::vector<std::size_t>& candidates, std::size_t* winner) const;
  Status TimeVariant(const TuningLaunch& launch, std::size_t index, const TrialBuffers& buffers, CUevent start,
                     CUevent stop, float* median_ms, Status* fatal) const;
  Status RunTrial(const TuningLaunch& launch, std::size_t index, const LoadedVariant& loaded,
                  const TrialBuffers& buffers, CUevent start, CUevent stop, Status* fatal) const;

  const char* kernel_;
  const KernelImage* variants_;
  std::size_t count_;
  mutable std::mutex mutex_;  // guards table_; held while tuning
  TunedTable table_;
};

}  // namespace triton_aot::internal

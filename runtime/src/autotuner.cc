#include "autotuner.h"

#include <algorithm>
#include <string>

#include "kernel_error.h"
#include "launch.h"

namespace triton_aot::internal {

std::vector<std::int64_t> TableKey(const std::int64_t* key, std::size_t key_size, std::size_t group) {
  std::vector<std::int64_t> table_key(key, key + key_size);
  table_key.push_back(static_cast<std::int64_t>(group));
  return table_key;
}

Status Autotuner::Choose(const TuningLaunch& launch, const std::vector<std::size_t>& candidates,
                         const std::vector<std::int64_t>& table_key, std::size_t* winner) {
  std::lock_guard lock(mutex_);
  if (auto it = table_.find(table_key); it != table_.end()) {
    *winner = it->second;
    return {};
  }
  if (Status status = Tune(launch, candidates, winner); !status.ok()) return status;
  table_[table_key] = *winner;
  return {};
}

int Autotuner::Find(const std::vector<std::int64_t>& table_key) const {
  std::lock_guard lock(mutex_);
  auto it = table_.find(table_key);
  return it == table_.end() ? -1 : static_cast<int>(it->second);
}

TunedTable Autotuner::Snapshot() const {
  std::lock_guard lock(mutex_);
  return table_;
}

void Autotuner::Merge(const TunedTable& table) {
  std::lock_guard lock(mutex_);
  for (const auto& [key, index] : table) table_[key] = index;
}

Status Autotuner::TimeVariant(const TuningLaunch& launch, std::size_t index, CUevent start, CUevent stop,
                              float* median_ms) const {
  constexpr int kWarmup = 2, kRepeats = 5;
  const CudaDriver* driver = launch.driver;
  const KernelImage& image = variants_[index];
  LoadedVariant loaded;
  Status status = launch.cache->Get(driver, *launch.context, index, &loaded);
  for (int i = 0; i < kWarmup && status.ok(); ++i) {
    status = LaunchLoaded(driver, kernel_, image, loaded, launch.stream, launch.params, launch.grids[index]);
  }
  std::vector<float> times;
  for (int i = 0; i < kRepeats && status.ok(); ++i) {
    float ms = 0;
    driver->cuEventRecord(start, launch.stream);
    status = LaunchLoaded(driver, kernel_, image, loaded, launch.stream, launch.params, launch.grids[index]);
    driver->cuEventRecord(stop, launch.stream);
    CUresult rc = driver->cuEventSynchronize(stop);
    if (rc == CUDA_SUCCESS) rc = driver->cuEventElapsedTime(&ms, start, stop);
    if (status.ok() && rc != CUDA_SUCCESS) {
      status = DriverError(driver, kernel_, rc, "autotuning: timing variant " + std::string(image.variant));
    }
    times.push_back(ms);
  }
  if (!status.ok()) return status;
  std::sort(times.begin(), times.end());
  *median_ms = times[times.size() / 2];
  return {};
}

Status Autotuner::Tune(const TuningLaunch& launch, const std::vector<std::size_t>& candidates,
                       std::size_t* winner) const {
  const CudaDriver* driver = launch.driver;
  CUevent start, stop;
  if (CUresult rc = driver->cuEventCreate(&start, CU_EVENT_DEFAULT); rc != CUDA_SUCCESS) {
    return DriverError(driver, kernel_, rc, "autotuning: cuEventCreate");
  }
  if (CUresult rc = driver->cuEventCreate(&stop, CU_EVENT_DEFAULT); rc != CUDA_SUCCESS) {
    driver->cuEventDestroy(start);
    return DriverError(driver, kernel_, rc, "autotuning: cuEventCreate");
  }
  *winner = count_;
  float best = 0;
  Status last_failure;
  for (std::size_t index : candidates) {
    // A config that can't load or run here (too much shared memory, say) is
    // skipped; tuning fails only if none runs.
    float median = 0;
    if (Status status = TimeVariant(launch, index, start, stop, &median); !status.ok()) {
      last_failure = status;
      continue;
    }
    if (*winner == count_ || median < best) {
      best = median;
      *winner = index;
    }
  }
  driver->cuEventDestroy(start);
  driver->cuEventDestroy(stop);
  if (*winner == count_) {
    return last_failure.ok()
               ? KernelError(kernel_, CUDA_ERROR_INVALID_VALUE, "autotuning: no config accepts these arguments")
               : KernelError(kernel_, last_failure.code(),
                             "autotuning: no config could run; the last: " + last_failure.message());
  }
  return {};
}

}  // namespace triton_aot::internal

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
                         const std::vector<std::int64_t>& table_key, const std::vector<std::size_t>& acceptable,
                         std::size_t* winner) {
  std::lock_guard lock(mutex_);
  // A winner these arguments' guards rule out (the key does not read every
  // value a guard reads) is tuned anew for them.
  if (auto it = table_.find(table_key);
      it != table_.end() && std::find(acceptable.begin(), acceptable.end(), it->second) != acceptable.end()) {
    *winner = it->second;
    return {};
  }
  if (candidates.size() == 1) {  // nothing to compare, so nothing runs but the launch
    table_[table_key] = *winner = candidates.front();
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

// One run of a trial: the tuning buffers made ready, the launch (between
// the events when they are given), the buffers restored, even after a failed
// launch. A launch that fails fails this config; a buffer that cannot be
// zeroed or restored fails tuning (`*fatal`): the caller's data is at stake.
Status Autotuner::RunTrial(const TuningLaunch& launch, std::size_t index, const LoadedVariant& loaded,
                           const TrialBuffers& buffers, CUevent start, CUevent stop, Status* fatal) const {
  const CudaDriver* driver = launch.driver;
  if (*fatal = buffers.BeforeTrial(); !fatal->ok()) return *fatal;
  if (start) driver->cuEventRecord(start, launch.stream);
  Status status =
      LaunchLoaded(driver, kernel_, variants_[index], loaded, launch.stream, launch.params, launch.grids[index]);
  if (stop) driver->cuEventRecord(stop, launch.stream);
  if (*fatal = buffers.AfterTrial(); !fatal->ok()) return *fatal;
  return status;
}

Status Autotuner::TimeVariant(const TuningLaunch& launch, std::size_t index, const TrialBuffers& buffers,
                              CUevent start, CUevent stop, float* median_ms, Status* fatal) const {
  constexpr int kWarmup = 2, kRepeats = 5;
  const CudaDriver* driver = launch.driver;
  LoadedVariant loaded;
  Status status = launch.cache->Get(driver, *launch.context, index, &loaded);
  for (int i = 0; i < kWarmup && status.ok(); ++i) {
    status = RunTrial(launch, index, loaded, buffers, nullptr, nullptr, fatal);
  }
  std::vector<float> times;
  for (int i = 0; i < kRepeats && status.ok(); ++i) {
    float ms = 0;
    status = RunTrial(launch, index, loaded, buffers, start, stop, fatal);
    CUresult rc = driver->cuEventSynchronize(stop);
    if (rc == CUDA_SUCCESS) rc = driver->cuEventElapsedTime(&ms, start, stop);
    if (status.ok() && rc != CUDA_SUCCESS) {
      status = DriverError(driver, kernel_, rc, "autotuning: timing variant " + std::string(variants_[index].variant));
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
  TrialBuffers buffers(driver, kernel_, launch.stream);
  if (Status status = buffers.Save(launch.buffers, variants_[0], launch.args); !status.ok()) return status;
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
  Status last_failure, fatal;
  for (std::size_t index : candidates) {
    // A config that can't load or run here (too much shared memory, say) is
    // skipped; tuning fails only if none runs.
    float median = 0;
    if (Status status = TimeVariant(launch, index, buffers, start, stop, &median, &fatal); !status.ok()) {
      last_failure = status;
      if (!fatal.ok()) break;
      continue;
    }
    if (*winner == count_ || median < best) {
      best = median;
      *winner = index;
    }
  }
  driver->cuEventDestroy(start);
  driver->cuEventDestroy(stop);
  if (!fatal.ok()) return fatal;
  if (*winner == count_) {
    return last_failure.ok()
               ? KernelError(kernel_, CUDA_ERROR_INVALID_VALUE, "autotuning: no config accepts these arguments")
               : KernelError(kernel_, last_failure.code(),
                             "autotuning: no config could run; the last: " + last_failure.message());
  }
  return buffers.Finish(true);
}

}  // namespace triton_aot::internal

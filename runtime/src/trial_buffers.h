// The buffers an autotuning run must give back as if only the chosen config
// had run once on them: @triton.autotune's reset_to_zero and restore_value,
// treated as Triton's Autotuner treats them. restore_value buffers are saved
// before the first trial and restored after every one; reset_to_zero buffers
// are zeroed before every trial and once more after tuning, before the launch
// itself. Every copy and memset is stream-ordered on the launch's stream,
// before a trial's start event or after its stop event, so none is timed.
#pragma once

#include <cuda.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cuda_driver.h"
#include "triton_aot/grid.h"
#include "triton_aot/kernel_image.h"
#include "triton_aot/status.h"
#include "triton_aot/types.h"

namespace triton_aot::internal {

// What a launch says about its kernel's tuning buffers.
struct TuningBuffers {
  const TuningBuffer* table = nullptr;     // the generated table; null when none
  std::size_t count = 0;
  const grid::Int* elements = nullptr;  // per buffer, from the launch's arguments
};

class TrialBuffers {
 public:
  TrialBuffers(const CudaDriver* driver, const char* kernel, CUstream stream)
      : driver_(driver), kernel_(kernel), stream_(stream) {}
  ~TrialBuffers();  // frees the saved copies, if Finish did not
  TrialBuffers(const TrialBuffers&) = delete;
  TrialBuffers& operator=(const TrialBuffers&) = delete;

  // Finds each buffer's address (in `args`) and bytes, checks that they lie
  // inside its allocation, and saves the restore_value ones. `image` names
  // the arguments.
  Status Save(const TuningBuffers& buffers, const KernelImage& image, const ArgValue* args);
  // Before each run of a trial: zeroes the reset_to_zero buffers.
  Status BeforeTrial() const;
  // After each run of a trial, even one that failed: restores the
  // restore_value buffers.
  Status AfterTrial() const;
  // After the last trial: zeroes the reset_to_zero buffers once more, for the
  // launch that follows (`zero`: tuning chose a config), and frees the copies.
  Status Finish(bool zero);

 private:
  struct Buffer {
    std::string name;  // the argument's
    const char* role;  // "reset_to_zero", "restore_value" or both
    CUdeviceptr address = 0;
    std::int64_t elements = 0;
    std::size_t bytes = 0;
    bool zero = false;
    CUdeviceptr saved = 0;  // the copy of a restore_value buffer
  };
  Status Resolve(const TuningBuffer& entry, grid::Int elements, const KernelImage& image, const ArgValue* args,
                 Buffer* buffer) const;
  Status CheckAllocation(const Buffer& buffer) const;
  Status Zero() const;
  void Free();

  const CudaDriver* driver_;
  const char* kernel_;
  CUstream stream_;
  std::vector<Buffer> buffers_;
};

}  // namespace triton_aot::internal

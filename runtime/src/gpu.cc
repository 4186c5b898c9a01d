#include "triton_aot/gpu.h"

#include "cuda_driver.h"

namespace triton_aot {

GpuAvailability CheckGpu(std::string* why) {
  GpuAvailability availability;
  std::string failure;
  const internal::CudaDriver* driver = internal::GetDriver(&failure, &availability);
  if (!driver) {
    if (why) *why = failure;
    return availability;
  }
  int count = 0;
  if (CUresult rc = driver->cuDeviceGetCount(&count); rc != CUDA_SUCCESS) {
    if (why) *why = "cuDeviceGetCount failed: " + internal::ErrorText(driver, rc);
    return GpuAvailability::kBroken;
  }
  const std::string version =
      std::to_string(driver->version / 1000) + "." + std::to_string(driver->version % 1000 / 10);
  if (count == 0) {
    if (why) *why = "the CUDA driver " + version + " is installed but finds no GPU";
    return GpuAvailability::kNoDevice;
  }
  if (why) *why = "the CUDA driver " + version + " sees " + std::to_string(count) + (count == 1 ? " GPU" : " GPUs");
  return GpuAvailability::kReady;
}

}  // namespace triton_aot

#include "cuda_driver.h"

#include <dlfcn.h>

#include <atomic>

namespace triton_aot::internal {
namespace {

// cuGetProcAddress's signature since CUDA 12.0.
using GetProcAddress = CUresult (*)(const char*, void**, int, cuuint64_t, CUdriverProcAddressQueryResult*);

const CudaDriver* Load(GpuAvailability* availability, std::string* why) {
  *availability = GpuAvailability::kNoDriver;
  void* library = ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    *why = "the CUDA driver (libcuda.so.1) is not installed or not on the library path";
    return nullptr;
  }
  auto get_proc = reinterpret_cast<GetProcAddress>(::dlsym(library, "cuGetProcAddress_v2"));
  auto init = reinterpret_cast<decltype(&::cuInit)>(::dlsym(library, "cuInit"));
  *availability = GpuAvailability::kBroken;
  if (!get_proc || !init) {
    *why = "the CUDA driver is older than CUDA 12.0 (no cuGetProcAddress_v2): update the NVIDIA driver";
    return nullptr;
  }
  if (CUresult rc = init(0); rc != CUDA_SUCCESS) {
    if (rc == CUDA_ERROR_NO_DEVICE) *availability = GpuAvailability::kNoDevice;
    if (rc == CUDA_ERROR_STUB_LIBRARY) *availability = GpuAvailability::kNoDriver;
    *why = rc == CUDA_ERROR_NO_DEVICE     ? "the CUDA driver is installed but finds no GPU (cuInit: CUDA_ERROR_NO_DEVICE)"
           : rc == CUDA_ERROR_STUB_LIBRARY ? "libcuda.so.1 is the CUDA toolkit's stub, not a driver: no CUDA driver is "
                                             "installed"
                                           : "cuInit failed (error " + std::to_string(rc) +
                                                 "): no usable GPU, or the driver and kernel module disagree";
    return nullptr;
  }
  static CudaDriver driver;
  bool complete = true;
  std::string missing;
  auto lookup = [&](const char* name, void** slot) {
    CUdriverProcAddressQueryResult found;
    if (get_proc(name, slot, CUDA_VERSION, CU_GET_PROC_ADDRESS_DEFAULT, &found) != CUDA_SUCCESS ||
        found != CU_GET_PROC_ADDRESS_SUCCESS) {
      *slot = nullptr;
      complete = false;
      missing += std::string(missing.empty() ? "" : ", ") + name;
    }
  };
#define TRITON_AOT_DRIVER_FUNCTION(name) lookup(#name, reinterpret_cast<void**>(&driver.name));
#include "cuda_driver_functions.inc"
#undef TRITON_AOT_DRIVER_FUNCTION
  // Asked for by the ABI of the release that introduced it: the headers the
  // runtime was built with may be older.
  CUdriverProcAddressQueryResult found_param_info;
  if (get_proc("cuFuncGetParamInfo", reinterpret_cast<void**>(&driver.cuFuncGetParamInfo), 12040,
               CU_GET_PROC_ADDRESS_DEFAULT, &found_param_info) != CUDA_SUCCESS ||
      found_param_info != CU_GET_PROC_ADDRESS_SUCCESS) {
    driver.cuFuncGetParamInfo = nullptr;
  }
  if (driver.cuDriverGetVersion) driver.cuDriverGetVersion(&driver.version);
  if (!complete) {
    *why = "the CUDA driver (version " + std::to_string(driver.version / 1000) + "." +
           std::to_string(driver.version % 1000 / 10) + ") lacks " + missing +
           ", which these kernels need (built against CUDA " + std::to_string(CUDA_VERSION / 1000) + "." +
           std::to_string(CUDA_VERSION % 1000 / 10) + "): update the NVIDIA driver";
    return nullptr;
  }
  *availability = GpuAvailability::kReady;
  return &driver;
}

struct Loaded {
  const CudaDriver* driver = nullptr;
  GpuAvailability availability = GpuAvailability::kNoDriver;
  std::string failure;
};

const Loaded& LoadOnce() {
  static const Loaded loaded = [] {
    Loaded l;
    l.driver = Load(&l.availability, &l.failure);
    return l;
  }();
  return loaded;
}

// Read on every launch: one load, no lock.
std::atomic<const CudaDriver*> driver_for_testing{nullptr};

}  // namespace

void SetCudaDriverForTesting(const CudaDriver* driver) { driver_for_testing.store(driver, std::memory_order_release); }

const CudaDriver* GetDriver(std::string* why, GpuAvailability* availability) {
  if (const CudaDriver* injected = driver_for_testing.load(std::memory_order_acquire)) {
    if (availability) *availability = GpuAvailability::kReady;
    return injected;
  }
  const Loaded& loaded = LoadOnce();
  if (!loaded.driver && why) *why = loaded.failure;
  if (availability) *availability = loaded.availability;
  return loaded.driver;
}

std::string ErrorText(const CudaDriver* driver, CUresult code) {
  const char* name = nullptr;
  const char* text = nullptr;
  if (driver && driver->cuGetErrorName) driver->cuGetErrorName(code, &name);
  if (driver && driver->cuGetErrorString) driver->cuGetErrorString(code, &text);
  std::string out = name ? name : "CUDA error " + std::to_string(code);
  if (text) out += std::string(" (") + text + ")";
  return out;
}

}  // namespace triton_aot::internal

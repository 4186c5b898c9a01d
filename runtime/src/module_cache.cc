#include "module_cache.h"

#include <algorithm>
#include <mutex>
#include <string>

#include "kernel_error.h"
#include "launch_abi.h"

namespace triton_aot::internal {
namespace {

// Above this much, dynamic shared memory must be enabled on the function.
constexpr unsigned kStaticSharedLimit = 48 * 1024;

std::string ArchName(const ArchLaunchInfo& arch) {
  return "sm_" + std::to_string(arch.capability) + (arch.arch_specific ? "a" : "");
}

std::string Version(int version) {
  return std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
}

// What to do about a fatbin the driver refused: the likely cause, if known.
std::string LoadFailureHint(const CudaDriver* driver, const KernelImage& image, int capability, CUresult rc) {
  std::string built;
  int newest_ptxas = 0;
  for (std::size_t i = 0; i < image.num_archs; ++i) {
    built += (built.empty() ? "" : ", ") + ArchName(image.archs[i]);
    newest_ptxas = std::max(newest_ptxas, image.archs[i].ptxas_version);
  }
  if (driver->version > 0 && newest_ptxas > driver->version) {
    return "; the CUDA driver supports CUDA " + Version(driver->version) + " but the kernels were built by ptxas " +
           Version(newest_ptxas) + ": update the NVIDIA driver, or build them with a ptxas no newer than the driver "
           "(the PTXAS option of add_triton_kernels())";
  }
  if (rc == CUDA_ERROR_NO_BINARY_FOR_GPU || rc == CUDA_ERROR_INVALID_IMAGE || rc == CUDA_ERROR_INVALID_PTX) {
    return "; the fatbin holds cubins for " + built + " and the PTX of " + ArchName(image.archs[image.num_archs - 1]) +
           ", none usable on sm_" + std::to_string(capability) + ": add " + std::to_string(capability) +
           " to the ARCHITECTURES of add_triton_kernels()";
  }
  return "";
}

// The launch facts of the binary the driver picked: a cubin reports its
// arch; JIT-compiled PTX reports the device's, and was compiled from the
// newest arch's PTX.
const ArchLaunchInfo* PickedArch(const CudaDriver* driver, const KernelImage& image, CUfunction function) {
  int binary_version = 0;
  driver->cuFuncGetAttribute(&binary_version, CU_FUNC_ATTRIBUTE_BINARY_VERSION, function);
  const ArchLaunchInfo* arch = &image.archs[image.num_archs - 1];
  for (std::size_t i = 0; i < image.num_archs; ++i) {
    if (image.archs[i].capability == binary_version) arch = &image.archs[i];
  }
  return arch;
}

}  // namespace

ContextEntry* ModuleCache::FindContext(unsigned long long id) const {
  for (const auto& c : contexts_) {
    if (c->id == id) return c.get();
  }
  return nullptr;
}

Status ModuleCache::CurrentContext(const CudaDriver* driver, ContextEntry** entry) {
  CUcontext context = nullptr;
  if (CUresult rc = driver->cuCtxGetCurrent(&context); rc != CUDA_SUCCESS) {
    return DriverError(driver, kernel_, rc, "cuCtxGetCurrent");
  }
  if (!context) {
    return KernelError(kernel_, CUDA_ERROR_INVALID_CONTEXT,
                       "no CUDA context is current on this thread: make one current first (cudaSetDevice, or "
                       "cuDevicePrimaryCtxRetain and cuCtxSetCurrent)");
  }
  unsigned long long id = 0;
  if (CUresult rc = driver->cuCtxGetId(context, &id); rc != CUDA_SUCCESS) {
    return DriverError(driver, kernel_, rc, "cuCtxGetId");
  }
  {
    std::shared_lock lock(mutex_);
    if ((*entry = FindContext(id))) return {};
  }
  CUdevice device;
  int major = 0, minor = 0;
  if (CUresult rc = driver->cuCtxGetDevice(&device); rc != CUDA_SUCCESS) {
    return DriverError(driver, kernel_, rc, "cuCtxGetDevice");
  }
  driver->cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
  driver->cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
  std::unique_lock lock(mutex_);
  if ((*entry = FindContext(id))) return {};  // another thread was first
  auto created = std::make_unique<ContextEntry>();
  created->id = id;
  created->context = context;
  created->capability = major * 10 + minor;
  created->variants.resize(count_);
  *entry = created.get();
  contexts_.push_back(std::move(created));
  return {};
}

Status ModuleCache::Load(const CudaDriver* driver, const ContextEntry& context, std::size_t index,
                         LoadedVariant* loaded) const {
  const KernelImage& image = variants_[index];
  const std::string what = "variant '" + std::string(image.variant) + "' on sm_" + std::to_string(context.capability);
  CUmodule module = nullptr;
  if (CUresult rc = driver->cuModuleLoadData(&module, image.fatbin); rc != CUDA_SUCCESS) {
    return KernelError(kernel_, rc, "cannot load " + what + ": cuModuleLoadData: " + ErrorText(driver, rc) +
                                        LoadFailureHint(driver, image, context.capability, rc));
  }
  CUfunction function = nullptr;
  if (CUresult rc = driver->cuModuleGetFunction(&function, module, image.entry); rc != CUDA_SUCCESS) {
    driver->cuModuleUnload(module);
    return DriverError(driver, kernel_, rc, "cannot find '" + std::string(image.entry) + "' in " + what);
  }
  // A function whose parameters are not what the launch packs would read
  // its arguments from the wrong bytes: refused before it ever runs.
  if (Status abi = CheckLaunchAbi(driver, image, function); !abi.ok()) {
    driver->cuModuleUnload(module);
    return KernelError(kernel_, abi.code(), what + ": " + abi.message());
  }
  const ArchLaunchInfo* arch = PickedArch(driver, image, function);
  if (arch->shared_bytes > kStaticSharedLimit) {
    CUresult rc = driver->cuFuncSetAttribute(function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                                             static_cast<int>(arch->shared_bytes));
    if (rc != CUDA_SUCCESS) {
      driver->cuModuleUnload(module);
      return DriverError(driver, kernel_, rc, what + " needs " + std::to_string(arch->shared_bytes) +
                                                  " bytes of shared memory, more than this device allows a block");
    }
  }
  *loaded = {module, function, arch};
  return {};
}

Status ModuleCache::Get(const CudaDriver* driver, ContextEntry& context, std::size_t index, LoadedVariant* loaded) {
  {
    std::shared_lock lock(mutex_);
    if (context.variants[index].function) {
      *loaded = context.variants[index];
      return {};
    }
  }
  std::unique_lock lock(mutex_);
  LoadedVariant& slot = context.variants[index];
  if (!slot.function) {
    if (Status status = Load(driver, context, index, &slot); !status.ok()) return status;
  }
  *loaded = slot;
  return {};
}

LoadedVariant ModuleCache::Find(unsigned long long context_id, std::size_t index) const {
  std::shared_lock lock(mutex_);
  const ContextEntry* context = FindContext(context_id);
  return context ? context->variants[index] : LoadedVariant{};
}

Status ModuleCache::Unload(const CudaDriver* driver) {
  std::unique_lock lock(mutex_);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  Status first;
  // Entries stay (a launching thread may hold one); only their modules go.
  for (auto& context : contexts_) {
    const bool pushed = driver->cuCtxPushCurrent(context->context) == CUDA_SUCCESS;
    for (LoadedVariant& loaded : context->variants) {
      // A context destroyed meanwhile took its modules with it.
      if (loaded.module && pushed) {
        CUresult rc = driver->cuModuleUnload(loaded.module);
        if (rc != CUDA_SUCCESS && first.ok()) first = DriverError(driver, kernel_, rc, "cuModuleUnload");
      }
      loaded = LoadedVariant{};
    }
    if (pushed) {
      CUcontext popped;
      driver->cuCtxPopCurrent(&popped);
    }
  }
  return first;
}

}  // namespace triton_aot::internal

#include "launch.h"

#include <string>
#include <vector>

#include "grid_check.h"
#include "kernel_error.h"
#include "variant_choice.h"

namespace triton_aot::internal {
namespace {

// What a thread launched last, per kernel (a few kernels, direct-mapped):
// repeated launches of a loaded variant then skip the lock. An entry is valid
// while the kernel's generation is unchanged.
struct RecentLaunch {
  std::uint64_t kernel_serial = 0;  // not the address: a new Kernel may reuse it
  unsigned long long context_id = 0;
  std::size_t index = 0;
  std::uint64_t generation = 0;
  LoadedVariant loaded;
};
constexpr std::size_t kRecentLaunches = 8;

RecentLaunch* RecentLaunches() {
  thread_local RecentLaunch recent[kRecentLaunches];
  return recent;
}

// Global and profile scratch, allocated stream-ordered for one launch.
struct Scratch {
  CUdeviceptr global = 0, profile = 0;
};

// For a grid whose scratch memory, `programs` times `size` bytes, does not
// fit in a size_t.
Status ScratchOverflows(const char* kernel, const char* what, std::int64_t programs, unsigned size) {
  return KernelError(kernel, CUDA_ERROR_OUT_OF_MEMORY,
                     std::string("cannot allocate ") + what + " scratch memory: " + std::to_string(programs) +
                         " programs of " + std::to_string(size) + " bytes each overflow 64 bits");
}

Status AllocateScratch(const CudaDriver* driver, const char* kernel, const ArchLaunchInfo& arch,
                       std::int64_t programs, CUstream stream, Scratch* scratch) {
  std::size_t global_bytes = 0, profile_bytes = 0;
  if (__builtin_mul_overflow(programs, arch.global_scratch_size, &global_bytes)) {
    return ScratchOverflows(kernel, "global", programs, arch.global_scratch_size);
  }
  if (__builtin_mul_overflow(programs, arch.profile_scratch_size, &profile_bytes)) {
    return ScratchOverflows(kernel, "profile", programs, arch.profile_scratch_size);
  }
  if (arch.global_scratch_size > 0) {
    CUresult rc = driver->cuMemAllocAsync(&scratch->global, global_bytes, stream);
    if (rc != CUDA_SUCCESS) return DriverError(driver, kernel, rc, "cannot allocate global scratch memory");
  }
  if (arch.profile_scratch_size > 0) {
    CUresult rc = driver->cuMemAllocAsync(&scratch->profile, profile_bytes, stream);
    if (rc != CUDA_SUCCESS) {
      if (scratch->global) driver->cuMemFreeAsync(scratch->global, stream);
      return DriverError(driver, kernel, rc, "cannot allocate profile scratch memory");
    }
  }
  return {};
}

// Clusters, cooperative and PDL launches: cuLaunchKernelEx with the
// attributes Triton compiled for.
CUresult LaunchWithAttributes(const CudaDriver* driver, CUfunction function, const ArchLaunchInfo& arch,
                              const Grid& grid, CUstream stream, void** packed) {
  CUlaunchAttribute attributes[3] = {};
  unsigned num_attributes = 0;
  if (arch.num_ctas != 1) {
    attributes[num_attributes].id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
    attributes[num_attributes].value.clusterDim.x = arch.num_ctas;
    attributes[num_attributes].value.clusterDim.y = 1;
    attributes[num_attributes].value.clusterDim.z = 1;
    ++num_attributes;
  }
  if (arch.launch_cooperative_grid) {
    attributes[num_attributes].id = CU_LAUNCH_ATTRIBUTE_COOPERATIVE;
    attributes[num_attributes++].value.cooperative = 1;
  }
  if (arch.launch_pdl) {
    attributes[num_attributes].id = CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION;
    attributes[num_attributes++].value.programmaticStreamSerializationAllowed = 1;
  }
  CUlaunchConfig config = {};
  config.gridDimX = static_cast<unsigned>(grid.x * arch.num_ctas);
  config.gridDimY = static_cast<unsigned>(grid.y);
  config.gridDimZ = static_cast<unsigned>(grid.z);
  config.blockDimX = arch.num_warps * 32;
  config.blockDimY = 1;
  config.blockDimZ = 1;
  config.sharedMemBytes = arch.shared_bytes;
  config.hStream = stream;
  config.attrs = attributes;
  config.numAttrs = num_attributes;
  return driver->cuLaunchKernelEx(&config, function, packed, nullptr);
}

}  // namespace

Status LaunchLoaded(const CudaDriver* driver, const char* kernel, const KernelImage& image,
                    const LoadedVariant& loaded, CUstream stream, void* const* params, const Grid& grid) {
  const ArchLaunchInfo& arch = *loaded.arch;
  // A cluster launch counts blocks: num_ctas of them per program along x.
  if (arch.num_ctas > 1 && grid.x > kMaxGridX / arch.num_ctas) {
    return KernelError(kernel, CUDA_ERROR_INVALID_VALUE,
                       "grid dimension x is " + std::to_string(grid.x) + " programs of " +
                           std::to_string(arch.num_ctas) + " blocks each in variant '" + image.variant +
                           "', more than CUDA's limit of " + std::to_string(kMaxGridX) + " blocks");
  }

  Scratch scratch;
  // At most (2^31 - 1) * 65535 * 65535 blocks: no overflow.
  const std::int64_t programs = grid.x * grid.y * grid.z * arch.num_ctas;
  if (Status status = AllocateScratch(driver, kernel, arch, programs, stream, &scratch); !status.ok()) return status;
  constexpr std::size_t kInline = 64;
  void* inline_packed[kInline + 2];
  std::vector<void*> heap_packed;
  void** packed = inline_packed;
  if (image.num_args > kInline) {
    heap_packed.resize(image.num_args + 2);
    packed = heap_packed.data();
  }
  internal::PackParameters(image, params, &scratch.global, &scratch.profile, packed);

  CUresult rc;
  if (arch.num_ctas == 1 && !arch.launch_cooperative_grid && !arch.launch_pdl) {
    rc = driver->cuLaunchKernel(loaded.function, static_cast<unsigned>(grid.x), static_cast<unsigned>(grid.y),
                                static_cast<unsigned>(grid.z), arch.num_warps * 32, 1, 1, arch.shared_bytes, stream,
                                packed, nullptr);
  } else {
    rc = LaunchWithAttributes(driver, loaded.function, arch, grid, stream, packed);
  }
  // Stream-ordered frees: the memory is released once the kernel is done.
  if (scratch.global) driver->cuMemFreeAsync(scratch.global, stream);
  if (scratch.profile) driver->cuMemFreeAsync(scratch.profile, stream);
  if (rc != CUDA_SUCCESS) return DriverError(driver, kernel, rc, std::string("cannot launch variant '") + image.variant + "'");
  return {};
}

bool LaunchIfLoaded(const CudaDriver* driver, const char* kernel, const KernelImage* variants,
                    const ModuleCache& cache, std::uint64_t kernel_serial, std::size_t index, CUstream stream,
                    void* const* params, const Grid& grid, Status* status) {
  // Two driver queries and, when this thread launched it last, no lock.
  CUcontext current = nullptr;
  unsigned long long id = 0;
  if (driver->cuCtxGetCurrent(&current) != CUDA_SUCCESS || !current ||
      driver->cuCtxGetId(current, &id) != CUDA_SUCCESS) {
    return false;
  }
  const std::uint64_t generation = cache.generation();
  RecentLaunch& recent = RecentLaunches()[kernel_serial % kRecentLaunches];
  if (recent.kernel_serial == kernel_serial && recent.context_id == id && recent.index == index &&
      recent.generation == generation) {
    *status = LaunchLoaded(driver, kernel, variants[index], recent.loaded, stream, params, grid);
    return true;
  }
  const LoadedVariant loaded = cache.Find(id, index);
  if (!loaded.function) return false;
  recent = {kernel_serial, id, index, generation, loaded};
  *status = LaunchLoaded(driver, kernel, variants[index], loaded, stream, params, grid);
  return true;
}

}  // namespace triton_aot::internal

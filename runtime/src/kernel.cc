#include "triton_aot/kernel.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <fstream>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <sstream>
#include <vector>

#include "cuda_driver.h"
#include "variant_choice.h"

namespace triton_aot {
namespace {

using internal::CudaDriver;
using internal::ErrorText;

constexpr unsigned kStaticSharedLimit = 48 * 1024;

std::string ArchName(const ArchLaunchInfo& arch) {
  return "sm_" + std::to_string(arch.capability) + (arch.arch_specific ? "a" : "");
}

std::string Version(int version) {
  return std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
}

// Every Kernel, for UnloadAll(). Constructed by the first Kernel, so it is
// destroyed after the last one.
struct Registry {
  std::mutex mutex;
  std::vector<Kernel*> kernels;
};

Registry& Kernels() {
  static Registry registry;
  return registry;
}

// One variant as loaded into one context.
struct Loaded {
  CUmodule module = nullptr;
  CUfunction function = nullptr;
  const ArchLaunchInfo* arch = nullptr;
};

struct ContextEntry {
  unsigned long long id = 0;
  CUcontext context = nullptr;
  int capability = 0;
  std::vector<Loaded> variants;
};

// What a thread launched last, per kernel (a few kernels, direct-mapped):
// repeated launches of a loaded variant then skip the lock. An entry is valid
// while the kernel's generation is unchanged.
struct RecentLaunch {
  std::uint64_t kernel_serial = 0;  // not the address: a new Kernel may reuse it
  unsigned long long context_id = 0;
  std::size_t index = 0;
  std::uint64_t generation = 0;
  Loaded loaded;
};
constexpr std::size_t kRecentLaunches = 8;

std::atomic<std::uint64_t> next_kernel_serial{1};

RecentLaunch* RecentLaunches() {
  thread_local RecentLaunch recent[kRecentLaunches];
  return recent;
}

}  // namespace

struct Kernel::State {
  const char* name;
  const KernelImage* variants;
  std::size_t count;
  std::vector<std::size_t> order;
  bool autotuned = false;

  mutable std::shared_mutex mutex;  // guards contexts
  std::vector<std::unique_ptr<ContextEntry>> contexts;

  // Read on every launch, so not behind the mutex.
  std::atomic<bool> autotune{false};
  std::atomic<int> default_config{0};

  // Bumped by Unload(), so that per-thread caches of loaded variants expire.
  std::atomic<std::uint64_t> generation{0};
  const std::uint64_t serial = next_kernel_serial.fetch_add(1);

  std::mutex tune_mutex;  // guards the table; held while tuning
  std::map<std::vector<std::int64_t>, std::size_t> tuned;  // key (+ hint group) -> variant

  Status Fail(CUresult code, const std::string& message) const { return Status(code, std::string(name) + ": " + message); }
  Status Fail(const CudaDriver* driver, CUresult code, const std::string& what) const {
    return Fail(code, what + ": " + ErrorText(driver, code));
  }

  // The current context's entry, created on first use.
  Status CurrentContext(const CudaDriver* driver, ContextEntry** entry);
  Status LoadVariant(const CudaDriver* driver, ContextEntry& context, std::size_t index, Loaded* loaded);
  Status Get(const CudaDriver* driver, ContextEntry& context, std::size_t index, Loaded* loaded);
  Status LaunchLoaded(const CudaDriver* driver, const Loaded& loaded, std::size_t index, CUstream stream,
                      void* const* params, const Grid& grid);
  Status Tune(const CudaDriver* driver, ContextEntry& context, const std::vector<std::size_t>& candidates,
              CUstream stream, void* const* params, const Grid* grids, std::size_t* winner);
};

Status Kernel::State::CurrentContext(const CudaDriver* driver, ContextEntry** entry) {
  CUcontext context = nullptr;
  if (CUresult rc = driver->cuCtxGetCurrent(&context); rc != CUDA_SUCCESS) return Fail(driver, rc, "cuCtxGetCurrent");
  if (!context) {
    return Fail(CUDA_ERROR_INVALID_CONTEXT,
                "no CUDA context is current on this thread: make one current first (cudaSetDevice, or "
                "cuDevicePrimaryCtxRetain and cuCtxSetCurrent)");
  }
  // Context handles can be reused after a context is destroyed; its id is unique.
  unsigned long long id = 0;
  if (CUresult rc = driver->cuCtxGetId(context, &id); rc != CUDA_SUCCESS) return Fail(driver, rc, "cuCtxGetId");
  {
    std::shared_lock lock(mutex);
    for (auto& c : contexts) {
      if (c->id == id) {
        *entry = c.get();
        return {};
      }
    }
  }
  CUdevice device;
  int major = 0, minor = 0;
  if (CUresult rc = driver->cuCtxGetDevice(&device); rc != CUDA_SUCCESS) return Fail(driver, rc, "cuCtxGetDevice");
  driver->cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
  driver->cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
  std::unique_lock lock(mutex);
  for (auto& c : contexts) {
    if (c->id == id) {
      *entry = c.get();
      return {};
    }
  }
  auto created = std::make_unique<ContextEntry>();
  created->id = id;
  created->context = context;
  created->capability = major * 10 + minor;
  created->variants.resize(count);
  *entry = created.get();
  contexts.push_back(std::move(created));
  return {};
}

Status Kernel::State::LoadVariant(const CudaDriver* driver, ContextEntry& context, std::size_t index,
                                  Loaded* loaded) {
  const KernelImage& image = variants[index];
  const std::string what = "variant '" + std::string(image.variant) + "' on sm_" + std::to_string(context.capability);
  CUmodule module = nullptr;
  if (CUresult rc = driver->cuModuleLoadData(&module, image.fatbin); rc != CUDA_SUCCESS) {
    std::string built;
    int newest_ptxas = 0;
    for (std::size_t i = 0; i < image.num_archs; ++i) {
      built += (built.empty() ? "" : ", ") + ArchName(image.archs[i]);
      newest_ptxas = std::max(newest_ptxas, image.archs[i].ptxas_version);
    }
    std::string hint;
    if (driver->version > 0 && newest_ptxas > driver->version) {
      hint = "; the CUDA driver supports CUDA " + Version(driver->version) + " but the kernels were built by ptxas " +
             Version(newest_ptxas) + ": update the NVIDIA driver, or build them with a ptxas no newer than the driver "
             "(the PTXAS option of add_triton_kernels())";
    } else if (rc == CUDA_ERROR_NO_BINARY_FOR_GPU || rc == CUDA_ERROR_INVALID_IMAGE ||
               rc == CUDA_ERROR_INVALID_PTX) {
      hint = "; the fatbin holds cubins for " + built + " and the PTX of " +
             ArchName(image.archs[image.num_archs - 1]) + ", none usable on sm_" + std::to_string(context.capability) +
             ": add " + std::to_string(context.capability) + " to the ARCHITECTURES of add_triton_kernels()";
    }
    return Fail(rc, "cannot load " + what + ": cuModuleLoadData: " + ErrorText(driver, rc) + hint);
  }
  CUfunction function = nullptr;
  if (CUresult rc = driver->cuModuleGetFunction(&function, module, image.entry); rc != CUDA_SUCCESS) {
    driver->cuModuleUnload(module);
    return Fail(driver, rc, "cannot find '" + std::string(image.entry) + "' in " + what);
  }
  // The binary the driver picked: a cubin reports its arch; JIT-compiled PTX
  // reports the device's, and was compiled from the newest arch's PTX.
  int binary_version = 0;
  driver->cuFuncGetAttribute(&binary_version, CU_FUNC_ATTRIBUTE_BINARY_VERSION, function);
  const ArchLaunchInfo* arch = &image.archs[image.num_archs - 1];
  for (std::size_t i = 0; i < image.num_archs; ++i) {
    if (image.archs[i].capability == binary_version) arch = &image.archs[i];
  }
  if (arch->shared_bytes > kStaticSharedLimit) {
    CUresult rc = driver->cuFuncSetAttribute(function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                                             static_cast<int>(arch->shared_bytes));
    if (rc != CUDA_SUCCESS) {
      driver->cuModuleUnload(module);
      return Fail(driver, rc, what + " needs " + std::to_string(arch->shared_bytes) +
                                  " bytes of shared memory, more than this device allows a block");
    }
  }
  loaded->module = module;
  loaded->function = function;
  loaded->arch = arch;
  return {};
}

Status Kernel::State::Get(const CudaDriver* driver, ContextEntry& context, std::size_t index, Loaded* loaded) {
  {
    std::shared_lock lock(mutex);
    if (context.variants[index].function) {
      *loaded = context.variants[index];
      return {};
    }
  }
  std::unique_lock lock(mutex);
  Loaded& slot = context.variants[index];
  if (!slot.function) {
    Status status = LoadVariant(driver, context, index, &slot);
    if (!status.ok()) return status;
  }
  *loaded = slot;
  return {};
}

Status Kernel::State::LaunchLoaded(const CudaDriver* driver, const Loaded& loaded, std::size_t index,
                                   CUstream stream, void* const* params, const Grid& grid) {
  const KernelImage& image = variants[index];
  const ArchLaunchInfo& arch = *loaded.arch;
  if (grid.x < 0 || grid.y < 0 || grid.z < 0 || grid.x > 0x7fffffff || grid.y > 65535 || grid.z > 65535) {
    return Fail(CUDA_ERROR_INVALID_VALUE, "grid (" + std::to_string(grid.x) + ", " + std::to_string(grid.y) + ", " +
                                              std::to_string(grid.z) + ") is out of range for variant '" +
                                              image.variant + "'");
  }
  if (grid.x == 0 || grid.y == 0 || grid.z == 0) return {};  // nothing to run, as in Triton

  const std::int64_t programs = grid.x * grid.y * grid.z * arch.num_ctas;
  CUdeviceptr global_scratch = 0, profile_scratch = 0;
  if (arch.global_scratch_size > 0) {
    CUresult rc = driver->cuMemAllocAsync(&global_scratch, programs * arch.global_scratch_size, stream);
    if (rc != CUDA_SUCCESS) return Fail(driver, rc, "cannot allocate global scratch memory");
  }
  if (arch.profile_scratch_size > 0) {
    CUresult rc = driver->cuMemAllocAsync(&profile_scratch, programs * arch.profile_scratch_size, stream);
    if (rc != CUDA_SUCCESS) {
      if (global_scratch) driver->cuMemFreeAsync(global_scratch, stream);
      return Fail(driver, rc, "cannot allocate profile scratch memory");
    }
  }
  constexpr std::size_t kInline = 64;
  void* inline_packed[kInline + 2];
  std::vector<void*> heap_packed;
  void** packed = inline_packed;
  if (image.num_args > kInline) {
    heap_packed.resize(image.num_args + 2);
    packed = heap_packed.data();
  }
  internal::PackParameters(image, params, &global_scratch, &profile_scratch, packed);

  CUresult rc;
  const unsigned block = arch.num_warps * 32;
  if (arch.num_ctas == 1 && !arch.launch_cooperative_grid && !arch.launch_pdl) {
    rc = driver->cuLaunchKernel(loaded.function, static_cast<unsigned>(grid.x), static_cast<unsigned>(grid.y),
                                static_cast<unsigned>(grid.z), block, 1, 1, arch.shared_bytes, stream, packed, nullptr);
  } else {
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
    config.blockDimX = block;
    config.blockDimY = 1;
    config.blockDimZ = 1;
    config.sharedMemBytes = arch.shared_bytes;
    config.hStream = stream;
    config.attrs = attributes;
    config.numAttrs = num_attributes;
    rc = driver->cuLaunchKernelEx(&config, loaded.function, packed, nullptr);
  }
  // Stream-ordered frees: the memory is released once the kernel is done.
  if (global_scratch) driver->cuMemFreeAsync(global_scratch, stream);
  if (profile_scratch) driver->cuMemFreeAsync(profile_scratch, stream);
  if (rc != CUDA_SUCCESS) return Fail(driver, rc, std::string("cannot launch variant '") + image.variant + "'");
  return {};
}

Status Kernel::State::Tune(const CudaDriver* driver, ContextEntry& context, const std::vector<std::size_t>& candidates,
                           CUstream stream, void* const* params, const Grid* grids, std::size_t* winner) {
  constexpr int kWarmup = 2, kRepeats = 5;
  CUevent start, stop;
  if (CUresult rc = driver->cuEventCreate(&start, CU_EVENT_DEFAULT); rc != CUDA_SUCCESS) {
    return Fail(driver, rc, "autotuning: cuEventCreate");
  }
  if (CUresult rc = driver->cuEventCreate(&stop, CU_EVENT_DEFAULT); rc != CUDA_SUCCESS) {
    driver->cuEventDestroy(start);
    return Fail(driver, rc, "autotuning: cuEventCreate");
  }
  float best = 0;
  Status last_failure;
  for (std::size_t index : candidates) {
    // A config that can't load or run here (too much shared memory, say) is
    // skipped; tuning fails only if none runs.
    Loaded loaded;
    Status status = Get(driver, context, index, &loaded);
    for (int i = 0; i < kWarmup && status.ok(); ++i) {
      status = LaunchLoaded(driver, loaded, index, stream, params, grids[index]);
    }
    std::vector<float> times;
    for (int i = 0; i < kRepeats && status.ok(); ++i) {
      float ms = 0;
      driver->cuEventRecord(start, stream);
      status = LaunchLoaded(driver, loaded, index, stream, params, grids[index]);
      driver->cuEventRecord(stop, stream);
      CUresult rc = driver->cuEventSynchronize(stop);
      if (rc == CUDA_SUCCESS) rc = driver->cuEventElapsedTime(&ms, start, stop);
      if (status.ok() && rc != CUDA_SUCCESS) {
        status = Fail(driver, rc, "autotuning: timing variant " + std::string(variants[index].variant));
      }
      times.push_back(ms);
    }
    if (!status.ok()) {
      last_failure = status;
      continue;
    }
    std::sort(times.begin(), times.end());
    const float median = times[times.size() / 2];
    if (*winner == count || median < best) {
      best = median;
      *winner = index;
    }
  }
  driver->cuEventDestroy(start);
  driver->cuEventDestroy(stop);
  if (*winner == count) {
    return last_failure.ok() ? Fail(CUDA_ERROR_INVALID_VALUE, "autotuning: no config accepts these arguments")
                             : Fail(last_failure.code(), "autotuning: no config could run; the last: " +
                                                             last_failure.message());
  }
  return {};
}

Kernel::Kernel(const char* name, const KernelImage* variants, std::size_t num_variants)
    : state_(std::make_unique<State>()) {
  state_->name = name;
  state_->variants = variants;
  state_->count = num_variants;
  state_->order = internal::SpecialisationOrder(variants, num_variants);
  state_->autotuned = num_variants > 0 && variants[0].autotune_config >= 0;
  Registry& registry = Kernels();
  std::lock_guard lock(registry.mutex);
  registry.kernels.push_back(this);
}

Kernel::~Kernel() {
  // Modules still loaded are released by the driver when the process or
  // context ends; calling into the driver during static destruction is not
  // safe, so only host memory is freed here. Unload() releases them earlier.
  Registry& registry = Kernels();
  std::lock_guard lock(registry.mutex);
  registry.kernels.erase(std::remove(registry.kernels.begin(), registry.kernels.end(), this), registry.kernels.end());
}

const char* Kernel::name() const { return state_->name; }

Status Kernel::Choose(const ArgValue* args, const LaunchOptions& options, std::size_t* index) const {
  State& s = *state_;
  std::string why;
  if (options.variant || options.config >= 0) {
    if (!internal::FindRequested(s.variants, s.order, args, options.variant, options.config, index, &why)) {
      return s.Fail(CUDA_ERROR_INVALID_VALUE, why);
    }
    return {};
  }
  *index = internal::FirstAccepting(s.variants, s.count, s.order, args, s.autotuned ? s.default_config.load() : -1);
  if (*index == s.count) {
    internal::Candidates(s.variants, s.order, args, &why);  // for the message
    return s.Fail(CUDA_ERROR_INVALID_VALUE, why);
  }
  return {};
}

Status Kernel::Launch(CUstream stream, const ArgValue* args, void* const* params, const Grid* grids,
                      const std::int64_t* key, std::size_t key_size, const LaunchOptions& options) {
  State& s = *state_;
  const bool tune = s.autotuned && s.autotune.load(std::memory_order_relaxed) && !options.variant && options.config < 0;
  std::size_t index = s.count;
  // Arguments that no variant accepts are the same error on every machine,
  // one without a GPU included.
  if (!tune) {
    if (Status status = Choose(args, options, &index); !status.ok()) return status;
  }
  const CudaDriver* driver = internal::GetDriver(nullptr);
  if (!driver) {
    std::string why;
    internal::GetDriver(&why);
    return s.Fail(CUDA_ERROR_NOT_INITIALIZED, why);
  }
  if (!tune) {
    // The common case, a variant already loaded in the current context, takes
    // two driver queries and, when this thread launched it last, no lock.
    CUcontext current = nullptr;
    unsigned long long id = 0;
    if (driver->cuCtxGetCurrent(&current) == CUDA_SUCCESS && current &&
        driver->cuCtxGetId(current, &id) == CUDA_SUCCESS) {
      const std::uint64_t generation = s.generation.load(std::memory_order_acquire);
      RecentLaunch& recent = RecentLaunches()[s.serial % kRecentLaunches];
      if (recent.kernel_serial == s.serial && recent.context_id == id && recent.index == index &&
          recent.generation == generation) {
        return s.LaunchLoaded(driver, recent.loaded, index, stream, params, grids[index]);
      }
      Loaded loaded;
      {
        std::shared_lock lock(s.mutex);
        for (const auto& c : s.contexts) {
          if (c->id == id) {
            loaded = c->variants[index];
            break;
          }
        }
      }
      if (loaded.function) {
        recent = {s.serial, id, index, generation, loaded};
        return s.LaunchLoaded(driver, loaded, index, stream, params, grids[index]);
      }
    }
  }
  ContextEntry* context = nullptr;
  if (Status status = s.CurrentContext(driver, &context); !status.ok()) return status;
  if (tune) {
    std::string why;
    std::vector<std::size_t> candidates = internal::Candidates(s.variants, s.order, args, &why);
    if (candidates.empty()) return s.Fail(CUDA_ERROR_INVALID_VALUE, why);
    // The hint group is part of the key: aligned and unaligned launches of the
    // same sizes have different candidates.
    std::vector<std::int64_t> table_key(key, key + key_size);
    table_key.push_back(static_cast<std::int64_t>(candidates.front()));
    std::lock_guard lock(s.tune_mutex);
    if (auto it = s.tuned.find(table_key); it != s.tuned.end()) {
      index = it->second;
    } else {
      if (Status status = s.Tune(driver, *context, candidates, stream, params, grids, &index); !status.ok()) {
        return status;
      }
      s.tuned[table_key] = index;
    }
  }
  Loaded loaded;
  if (Status status = s.Get(driver, *context, index, &loaded); !status.ok()) return status;
  return s.LaunchLoaded(driver, loaded, index, stream, params, grids[index]);
}

int Kernel::TunedVariant(const std::int64_t* key, std::size_t key_size, const ArgValue* args) const {
  State& s = *state_;
  std::string why;
  std::vector<std::size_t> candidates = internal::Candidates(s.variants, s.order, args, &why);
  if (candidates.empty()) return -1;
  std::vector<std::int64_t> table_key(key, key + key_size);
  table_key.push_back(static_cast<std::int64_t>(candidates.front()));
  std::lock_guard lock(s.tune_mutex);
  auto it = s.tuned.find(table_key);
  return it == s.tuned.end() ? -1 : static_cast<int>(it->second);
}

void Kernel::SetAutotune(bool on) { state_->autotune = on; }

void Kernel::SetDefaultConfig(int config) { state_->default_config = config; }

Status Kernel::SaveAutotuneTable(const std::string& path) const {
  State& s = *state_;
  std::ostringstream text;
  {
    std::lock_guard lock(s.tune_mutex);
    for (const auto& [key, index] : s.tuned) {
      text << s.name;
      // The last element is the hint group, written as its first variant's name.
      for (std::size_t i = 0; i + 1 < key.size(); ++i) text << (i ? "," : " ") << key[i];
      if (key.size() == 1) text << " -";
      text << " " << s.variants[key.back()].variant << " " << s.variants[index].variant << "\n";
    }
  }
  std::ofstream out(path, std::ios::trunc);
  out << text.str();
  if (!out.flush()) return s.Fail(CUDA_ERROR_FILE_NOT_FOUND, "cannot write autotune table '" + path + "'");
  return {};
}

Status Kernel::LoadAutotuneTable(const std::string& path) {
  State& s = *state_;
  std::ifstream in(path);
  if (!in) return s.Fail(CUDA_ERROR_FILE_NOT_FOUND, "cannot read autotune table '" + path + "'");
  auto find = [&](const std::string& name) {
    for (std::size_t i = 0; i < s.count; ++i) {
      if (name == s.variants[i].variant) return i;
    }
    return s.count;
  };
  std::map<std::vector<std::int64_t>, std::size_t> loaded;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::istringstream fields(line);
    std::string kernel, key_text, group, winner;
    if (!(fields >> kernel) || kernel != s.name) continue;  // other kernels share the file
    if (!(fields >> key_text >> group >> winner)) {
      return s.Fail(CUDA_ERROR_INVALID_VALUE, path + ":" + std::to_string(number) +
                                                  ": expected '<kernel> <key values> <group> <variant>'");
    }
    std::vector<std::int64_t> key;
    if (key_text != "-") {
      std::istringstream values(key_text);
      std::string value;
      while (std::getline(values, value, ',')) {
        std::int64_t parsed = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
        if (ec != std::errc() || end != value.data() + value.size() || value.empty()) {
          return s.Fail(CUDA_ERROR_INVALID_VALUE, path + ":" + std::to_string(number) + ": '" + value +
                                                      "' is not an integer key value");
        }
        key.push_back(parsed);
      }
    }
    const std::size_t group_index = find(group), winner_index = find(winner);
    if (group_index == s.count || winner_index == s.count) {
      return s.Fail(CUDA_ERROR_INVALID_VALUE, path + ":" + std::to_string(number) + ": no variant named '" +
                                                  (group_index == s.count ? group : winner) +
                                                  "' (the table is from other kernels' builds)");
    }
    // A group is keyed by its first variant; the winner must make the same
    // promises, or a stale table could launch a variant whose hints don't hold.
    const KernelImage& group_image = s.variants[group_index];
    const KernelImage& winner_image = s.variants[winner_index];
    const bool same_hints = internal::SameHints(group_image, winner_image);
    std::size_t first = group_index;
    for (std::size_t i = 0; i < group_index; ++i) {
      if (internal::SameHints(s.variants[i], group_image)) {
        first = i;
        break;
      }
    }
    if (!same_hints || first != group_index) {
      return s.Fail(CUDA_ERROR_INVALID_VALUE, path + ":" + std::to_string(number) + ": variant '" + winner +
                                                  "' does not belong to the group of '" + group +
                                                  "' (the table is from another build of these kernels)");
    }
    key.push_back(static_cast<std::int64_t>(group_index));
    loaded[key] = winner_index;
  }
  std::lock_guard lock(s.tune_mutex);
  for (auto& [key, index] : loaded) s.tuned[key] = index;
  return {};
}

Status Kernel::Unload() {
  State& s = *state_;
  std::string why;
  const CudaDriver* driver = internal::GetDriver(&why);
  if (!driver) return {};  // nothing can have been loaded
  std::unique_lock lock(s.mutex);
  s.generation.fetch_add(1, std::memory_order_acq_rel);
  Status first;
  // Entries stay (a launching thread may hold one); only their modules go.
  for (auto& context : s.contexts) {
    const bool pushed = driver->cuCtxPushCurrent(context->context) == CUDA_SUCCESS;
    for (Loaded& loaded : context->variants) {
      // A context destroyed meanwhile took its modules with it.
      if (loaded.module && pushed) {
        CUresult rc = driver->cuModuleUnload(loaded.module);
        if (rc != CUDA_SUCCESS && first.ok()) first = s.Fail(driver, rc, "cuModuleUnload");
      }
      loaded = Loaded{};
    }
    if (pushed) {
      CUcontext popped;
      driver->cuCtxPopCurrent(&popped);
    }
  }
  return first;
}

Status UnloadAll() {
  Registry& registry = Kernels();
  std::lock_guard lock(registry.mutex);
  Status first;
  for (Kernel* kernel : registry.kernels) {
    Status status = kernel->Unload();
    if (!status.ok() && first.ok()) first = status;
  }
  return first;
}

}  // namespace triton_aot

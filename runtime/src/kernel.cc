// Kernel: the public face of one kernel, joining variant choice, the module
// cache, the launch path and the autotuner (each in its own file).
#include "triton_aot/kernel.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

#include "arch_fit.h"
#include "autotune_table.h"
#include "autotuner.h"
#include "cuda_driver.h"
#include "grid_check.h"
#include "kernel_error.h"
#include "launch.h"
#include "module_cache.h"
#include "variant_choice.h"

namespace triton_aot {
namespace {

using internal::CudaDriver;
using internal::KernelError;

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

std::atomic<std::uint64_t> next_kernel_serial{1};

// Why there is no CUDA driver to launch with.
Status NoDriver(const char* kernel) {
  std::string why;
  internal::GetDriver(&why);
  return KernelError(kernel, CUDA_ERROR_NOT_INITIALIZED, why);
}

// The autotuning candidates worth timing, with their grids (by variant
// index): those whose grid is valid and not empty, as a config that cannot
// run is skipped. None left: OK when some grid was empty (the launch does
// nothing), else the first candidate's grid error.
Status TimedCandidates(const char* kernel, const KernelImage* variants, std::size_t count, const ArgValue* args,
                       const Grid* grid, const grid::Dims* grids, std::vector<std::size_t>* candidates,
                       std::vector<Grid>* resolved) {
  resolved->assign(count, Grid{});
  std::vector<std::size_t> timed;
  Status first_error;
  bool some_empty = false;
  for (std::size_t index : *candidates) {
    Status status = internal::ResolveGrid(kernel, variants[index], args, grid, grids[index], &(*resolved)[index]);
    if (!status.ok()) {
      if (first_error.ok()) first_error = status;
    } else if (internal::IsEmpty((*resolved)[index])) {
      some_empty = true;
    } else {
      timed.push_back(index);
    }
  }
  *candidates = timed;
  return timed.empty() && !some_empty ? first_error : Status{};
}

// What choosing a variant reads of a kernel.
struct Choice {
  const char* name;
  const KernelImage* variants;
  std::size_t count;
  int default_config;  // -1: not autotuned
};

// Kernel::Choose among the variants of `order`.
Status ChooseAmong(const Choice& k, const std::vector<std::size_t>& order, const ArgValue* args,
                   const LaunchOptions& options, std::size_t* index, const grid::Int* guards) {
  std::string why;
  if (options.variant || options.config >= 0) {
    if (!internal::FindRequested(k.variants, order, args, guards, options.variant, options.config, index, &why)) {
      return KernelError(k.name, CUDA_ERROR_INVALID_VALUE, why);
    }
    return {};
  }
  *index = internal::FirstAccepting(k.variants, k.count, order, args, guards, k.default_config);
  if (*index == k.count) {
    return KernelError(k.name, CUDA_ERROR_INVALID_VALUE, internal::NoneAccepts(k.variants, order, args, guards));
  }
  if (guards && !guards[*index].ok()) {
    return KernelError(k.name, CUDA_ERROR_INVALID_VALUE, internal::GuardFault(k.variants[*index], guards[*index]));
  }
  return {};
}

// The driver and the calling thread's context, each fetched unless it is
// already there.
Status EnsureContext(const char* kernel, internal::ModuleCache& modules, const CudaDriver** driver,
                     internal::ContextEntry** context) {
  if (!*driver && !(*driver = internal::GetDriver(nullptr))) return NoDriver(kernel);
  if (!*context) return modules.CurrentContext(*driver, context);
  return {};
}

// On a device some configs were not built for: the choice among the others,
// and for a variant asked for by name or config, why it cannot run there.
Status ChooseOnDevice(const Choice& k, const internal::OrdersByArch& orders, int capability, const ArgValue* args,
                      const LaunchOptions& options, std::size_t* index, const grid::Int* guards) {
  const std::vector<std::size_t>& order = orders.On(capability);
  if (std::find(order.begin(), order.end(), *index) != order.end()) return {};
  if (options.variant || options.config >= 0) {
    const KernelImage& image = k.variants[*index];
    return KernelError(k.name, CUDA_ERROR_INVALID_VALUE,
                       "variant '" + std::string(image.variant) + "' is not built for sm_" +
                           std::to_string(capability) + ": its config does not fit " +
                           internal::SkippedArchNames(image) +
                           " (see 'triton-aot report'); ask for another config, or let the launcher choose");
  }
  return ChooseAmong(k, order, args, options, index, guards);
}

}  // namespace

struct Kernel::State {
  State(const char* name, const KernelImage* variants, std::size_t count, const TuningBuffer* tuning_buffers,
        std::size_t num_tuning_buffers)
      : name(name),
        variants(variants),
        count(count),
        tuning_buffers(tuning_buffers),
        num_tuning_buffers(num_tuning_buffers),
        order(internal::SpecialisationOrder(variants, count)),
        orders(variants, order),
        autotuned(count > 0 && variants[0].autotune_config >= 0),
        modules(name, variants, count),
        tuner(name, variants, count) {}

  const char* name;
  const KernelImage* variants;
  std::size_t count;
  const TuningBuffer* tuning_buffers;
  std::size_t num_tuning_buffers;
  std::vector<std::size_t> order;
  internal::OrdersByArch orders;  // `order` on each device: without configs not built for it
  bool autotuned;
  internal::ModuleCache modules;
  internal::Autotuner tuner;

  // Read on every launch, so not behind a mutex.
  std::atomic<bool> autotune{false};
  std::atomic<int> default_config{0};
  // Keys this kernel's entries in each thread's record of recent launches.
  const std::uint64_t serial = next_kernel_serial.fetch_add(1);

  // What choosing a variant reads of the kernel now.
  Choice ForChoice() const { return {name, variants, count, autotuned ? default_config.load() : -1}; }
};

Kernel::Kernel(const char* name, const KernelImage* variants, std::size_t num_variants,
               const TuningBuffer* tuning_buffers, std::size_t num_tuning_buffers)
    : state_(std::make_unique<State>(name, variants, num_variants, tuning_buffers, num_tuning_buffers)) {
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

Status Kernel::Choose(const ArgValue* args, const LaunchOptions& options, std::size_t* index,
                      const grid::Int* guards) const {
  const State& s = *state_;
  return ChooseAmong(s.ForChoice(), s.order, args, options, index, guards);
}

Status Kernel::Launch(CUstream stream, const ArgValue* args, void* const* params, const Grid* grid,
                      const grid::Dims* grids, const std::int64_t* key, std::size_t key_size,
                      const LaunchOptions& options, const grid::Int* buffer_elements, const grid::Int* guards) {
  State& s = *state_;
  if (s.autotuned && s.autotune.load(std::memory_order_relaxed) && !options.variant && options.config < 0) {
    return LaunchTuned(stream, args, params, grid, grids, key, key_size, buffer_elements, guards);
  }
  // Arguments that no variant accepts and a grid that cannot launch are the
  // same error on every machine, one without a GPU included; an empty grid
  // is a launch that does nothing there either (unless some config was not
  // built for every arch: then the device decides which variants can run).
  std::size_t index = s.count;
  if (Status status = Choose(args, options, &index, guards); !status.ok()) return status;
  const CudaDriver* driver = nullptr;
  internal::ContextEntry* context = nullptr;
  if (s.orders.any_skipped()) {
    if (Status status = EnsureContext(s.name, s.modules, &driver, &context); !status.ok()) return status;
    if (Status status = ChooseOnDevice(s.ForChoice(), s.orders, context->capability, args, options, &index, guards);
        !status.ok()) {
      return status;
    }
  }
  Grid launch_grid;
  if (Status status = internal::ResolveGrid(s.name, s.variants[index], args, grid, grids[index], &launch_grid);
      !status.ok()) {
    return status;
  }
  if (internal::IsEmpty(launch_grid)) return {};
  if (!driver && !(driver = internal::GetDriver(nullptr))) return NoDriver(s.name);
  Status launched;
  if (!context && internal::LaunchIfLoaded(driver, s.name, s.variants, s.modules, s.serial, index, stream, params,
                                           launch_grid, &launched)) {
    return launched;
  }
  if (Status status = EnsureContext(s.name, s.modules, &driver, &context); !status.ok()) return status;
  internal::LoadedVariant loaded;
  if (Status status = s.modules.Get(driver, *context, index, &loaded); !status.ok()) return status;
  return internal::LaunchLoaded(driver, s.name, s.variants[index], loaded, stream, params, launch_grid);
}

Status Kernel::LaunchTuned(CUstream stream, const ArgValue* args, void* const* params, const Grid* grid,
                           const grid::Dims* grids, const std::int64_t* key, std::size_t key_size,
                           const grid::Int* buffer_elements, const grid::Int* guards) {
  State& s = *state_;
  std::string why;
  const CudaDriver* driver = nullptr;
  internal::ContextEntry* context = nullptr;
  const std::vector<std::size_t>* order = &s.order;
  if (s.orders.any_skipped()) {  // the device decides which configs can run
    if (Status status = EnsureContext(s.name, s.modules, &driver, &context); !status.ok()) return status;
    order = &s.orders.On(context->capability);
  }
  std::vector<std::size_t> candidates = internal::Candidates(s.variants, s.count, *order, args, guards, &why);
  if (candidates.empty()) return KernelError(s.name, CUDA_ERROR_INVALID_VALUE, why);
  // The hint group, before candidates that cannot run are left out.
  const std::vector<std::int64_t> table_key = internal::TableKey(key, key_size, candidates.front());
  const std::vector<std::size_t> acceptable = candidates;
  std::vector<Grid> tuning_grids;
  if (Status status = TimedCandidates(s.name, s.variants, s.count, args, grid, grids, &candidates, &tuning_grids);
      !status.ok() || candidates.empty()) {
    return status;
  }
  if (Status status = EnsureContext(s.name, s.modules, &driver, &context); !status.ok()) return status;
  std::size_t index = s.count;
  const internal::TuningLaunch launch{driver,         &s.modules,          context,
                                      stream,         args,                params,
                                      tuning_grids.data(), {s.tuning_buffers, s.num_tuning_buffers, buffer_elements}};
  if (Status status = s.tuner.Choose(launch, candidates, table_key, acceptable, &index); !status.ok()) return status;
  // A winner from the table may have been tuned on other sizes than these.
  Grid launch_grid;
  if (Status status = internal::ResolveGrid(s.name, s.variants[index], args, grid, grids[index], &launch_grid);
      !status.ok()) {
    return status;
  }
  if (internal::IsEmpty(launch_grid)) return {};
  internal::LoadedVariant loaded;
  if (Status status = s.modules.Get(driver, *context, index, &loaded); !status.ok()) return status;
  return internal::LaunchLoaded(driver, s.name, s.variants[index], loaded, stream, params, launch_grid);
}

int Kernel::TunedVariant(const std::int64_t* key, std::size_t key_size, const ArgValue* args,
                         const grid::Int* guards) const {
  State& s = *state_;
  std::string why;
  std::vector<std::size_t> candidates = internal::Candidates(s.variants, s.count, s.order, args, guards, &why);
  if (candidates.empty()) return -1;
  const int winner = s.tuner.Find(internal::TableKey(key, key_size, candidates.front()));
  const bool candidate = std::find(candidates.begin(), candidates.end(), winner) != candidates.end();
  return candidate ? winner : -1;
}

void Kernel::SetAutotune(bool on) { state_->autotune = on; }

void Kernel::SetDefaultConfig(int config) { state_->default_config = config; }

Status Kernel::SaveAutotuneTable(const std::string& path) const {
  return internal::SaveAutotuneTable(state_->name, state_->variants, state_->tuner.Snapshot(), path);
}

Status Kernel::LoadAutotuneTable(const std::string& path) {
  State& s = *state_;
  internal::TunedTable loaded;
  if (Status status = internal::LoadAutotuneTable(s.name, s.variants, s.count, path, &loaded); !status.ok()) {
    return status;
  }
  s.tuner.Merge(loaded);
  return {};
}

Status Kernel::Unload() {
  std::string why;
  const CudaDriver* driver = internal::GetDriver(&why);
  if (!driver) return {};  // nothing can have been loaded
  return state_->modules.Unload(driver);
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

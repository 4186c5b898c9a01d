// One kernel of a generated module: its compiled variants, loaded lazily into
// each CUDA context that launches it, and the choice among them.
#pragma once

#include <cuda.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "grid.h"
#include "kernel_image.h"
#include "status.h"
#include "types.h"

namespace triton_aot {

struct LaunchOptions {
  // Autotuned kernels: run this @triton.autotune config (its index), or the
  // variant with this name ("config2"). -1 / nullptr: the tuned or default one.
  int config = -1;
  const char* variant = nullptr;
};

class Kernel {
 public:
  // `variants` and `tuning_buffers` must outlive the Kernel (generated code
  // passes static tables). `tuning_buffers`: the buffers the autotuner zeroes
  // or restores around its trials; none for most kernels.
  Kernel(const char* name, const KernelImage* variants, std::size_t num_variants,
         const TuningBuffer* tuning_buffers = nullptr, std::size_t num_tuning_buffers = 0);
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  const char* name() const;

  // Chooses the variant for these arguments, loads it into the current
  // context if it is not there yet, and launches it on `stream`. `params`
  // points at every launch argument, in order; `grid` is the caller's grid,
  // or null: then `grids` holds each variant's, computed from the spec's
  // grid expressions; `key` the autotune key's values (autotuned kernels
  // only); `buffer_elements` the number of elements of each tuning buffer,
  // in the table's order (kernels with tuning buffers only); `guards`
  // whether each variant's guard holds, in table order (kernels with guards
  // only): a variant whose guard is 0 is not chosen. A grid that
  // overflowed, divided by zero or is beyond CUDA's limits is an error; one
  // with a dimension of 0 launches nothing and returns OK without calling
  // the CUDA driver.
  Status Launch(CUstream stream, const ArgValue* args, void* const* params, const Grid* grid,
                const grid::Dims* grids, const std::int64_t* key, std::size_t key_size,
                const LaunchOptions& options, const grid::Int* buffer_elements = nullptr,
                const grid::Int* guards = nullptr);

  // Which variant Launch would run (without loading anything); for tests and
  // for logging. `*index` is into the variant table.
  Status Choose(const ArgValue* args, const LaunchOptions& options, std::size_t* index,
                const grid::Int* guards = nullptr) const;

  // Autotuned kernels: when on, the first launch for each new key value
  // times every applicable config on the GPU and keeps the fastest. Each runs
  // several times on the launch's own arguments: the tuning buffers are
  // zeroed or restored around every run, and any other buffer the kernel
  // writes must be one it does not read. Off by default: the default config
  // runs.
  void SetAutotune(bool on);
  // The variant the autotuner settled on for these key values and arguments,
  // or -1 if it has not tuned them (nor loaded a table that has them).
  int TunedVariant(const std::int64_t* key, std::size_t key_size, const ArgValue* args,
                   const grid::Int* guards = nullptr) const;
  void SetDefaultConfig(int config);
  // The table of winners: one line per key, "<kernel> <key values> <variant>".
  Status SaveAutotuneTable(const std::string& path) const;
  Status LoadAutotuneTable(const std::string& path);

  // Unloads the modules from every context they were loaded into and frees
  // what they hold. The next launch loads them again.
  Status Unload();

 private:
  // Launch with the autotuner on: tunes the candidates first, if the table
  // has no winner for these key values yet.
  Status LaunchTuned(CUstream stream, const ArgValue* args, void* const* params, const Grid* grid,
                     const grid::Dims* grids, const std::int64_t* key, std::size_t key_size,
                     const grid::Int* buffer_elements, const grid::Int* guards);

  struct State;
  std::unique_ptr<State> state_;
};

// Unloads every kernel of every generated module.
Status UnloadAll();

}  // namespace triton_aot

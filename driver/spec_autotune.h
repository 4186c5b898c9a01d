// What an @triton.autotune kernel asks of tuning beyond its configs (spec.h):
// hooks and pruning, which run Python at launch or tuning time and so are
// refused, and the buffers tuning must zero (reset_to_zero) or restore
// (restore_value), each with its size from the entry's buffer_sizes.
#pragma once

#include <nlohmann/json.hpp>

#include "protocol.h"
#include "spec.h"
#include "spec_fields.h"

namespace triton_aot {

// An error at `line` for the first hook `autotune` has, or for its pruning
// unless the entry selects its configs itself (`selects`).
bool CheckAutotuneHooks(const Autotune& autotune, const KernelSpec& kernel, bool selects, int line, Checker& checker);

// The entry's "configs": the indices of the @triton.autotune configs to
// build, as `*selected` (by index); none given: every config.
bool ParseConfigSelection(const nlohmann::json& entry, const Autotune* autotune, const KernelSpec& kernel, int line,
                          Checker& checker, std::vector<bool>* selected);

// Fills kernel->tuning_buffers from `autotune` (null: the kernel is not
// autotuned) and the entry's buffer_sizes; kernel->variants must be expanded.
bool ParseTuningBuffers(const nlohmann::json& entry, const Autotune* autotune, KernelSpec* kernel, Checker& checker);

}  // namespace triton_aot

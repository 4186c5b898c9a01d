// Choosing among a kernel's compiled variants: pure logic over the variant
// table and the argument values, with no CUDA calls, so it is tested alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "triton_aot/grid.h"
#include "triton_aot/kernel_image.h"
#include "triton_aot/types.h"

namespace triton_aot::internal {

// Whether `value` keeps the promise `hint`: the one place that decides it.
bool PromiseHolds(ArgHint hint, const ArgValue& value);

// "" when every promise of `image` holds for `args`, else the first broken
// one, e.g. "x_ptr divisible by 16 (it is 0x7f0000000004)".
std::string BrokenPromise(const KernelImage& image, const ArgValue* args);

// Whether every promise of `image` holds for `args`; BrokenPromise without
// building a message, for the launch path.
bool PromisesHold(const KernelImage& image, const ArgValue* args);

// Whether two variants make the same promises about their arguments: the
// variants one autotuning group chooses among.
bool SameHints(const KernelImage& a, const KernelImage& b);

// Whether variant `index` may run with `args`: its promises hold and its
// guard (from `guards`, one per variant as generated code evaluates them;
// nullptr: the kernel has none) holds, or cannot be evaluated.
enum class Acceptance { kYes, kNo, kFault };
Acceptance Accepts(const KernelImage* variants, std::size_t index, const ArgValue* args, const grid::Int* guards);

// "variant 'x': its guard '...' cannot be evaluated for these arguments: ..."
std::string GuardFault(const KernelImage& image, const grid::Int& guard);

// The first variant in `order` that accepts the arguments, or `count` if
// none; with `default_config` >= 0 (an autotuned kernel), the first variant
// of that config with the same hints that accepts them. A variant whose guard
// cannot be evaluated ends the search: the caller reports GuardFault.
// Allocates nothing.
std::size_t FirstAccepting(const KernelImage* variants, std::size_t count, const std::vector<std::size_t>& order,
                           const ArgValue* args, const grid::Int* guards, int default_config);

// The kernel's parameter array: the launch arguments less those compiled in
// as constants (hint ":1"), then the global and profile scratch pointers.
// `packed` has room for num_args + 2; returns how many were written.
std::size_t PackParameters(const KernelImage& image, void* const* params, void* global_scratch,
                           void* profile_scratch, void** packed);

// Variant indices, most specialised first: more hints first, then guarded
// before unguarded, table order kept among equals.
std::vector<std::size_t> SpecialisationOrder(const KernelImage* variants, std::size_t count);

// The variants an autotuned kernel chooses among for these arguments: of the
// hints of the first variant that accepts them, each config once, as its
// first variant that accepts them, in table order. Empty with `*why` when no
// variant accepts the arguments or a guard cannot be evaluated.
std::vector<std::size_t> Candidates(const KernelImage* variants, std::size_t count,
                                    const std::vector<std::size_t>& order, const ArgValue* args,
                                    const grid::Int* guards, std::string* why);

// Why no variant accepts the arguments: the guard that cannot be evaluated,
// or the last variant's broken promise or guard, and what to do.
std::string NoneAccepts(const KernelImage* variants, const std::vector<std::size_t>& order, const ArgValue* args,
                        const grid::Int* guards);

// A variant picked by name or config index, the most specialised first when
// several share the config; false when none has it or its promises or guard
// don't hold (`*why` says which).
bool FindRequested(const KernelImage* variants, const std::vector<std::size_t>& order, const ArgValue* args,
                   const grid::Int* guards, const char* name, int config, std::size_t* index, std::string* why);

}  // namespace triton_aot::internal

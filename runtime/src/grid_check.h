// The grid of one launch, checked before anything else happens on the GPU: a
// grid expression that overflowed 64 bits or divided by zero, a negative
// dimension and one beyond CUDA's limits are errors that name the dimension,
// the expression and the values it read. A grid with a dimension of 0 is
// valid and empty: the launch does nothing.
#pragma once

#include <cstdint>

#include "triton_aot/grid.h"
#include "triton_aot/kernel_image.h"
#include "triton_aot/status.h"
#include "triton_aot/types.h"

namespace triton_aot::internal {

// CUDA's limits on gridDim, in blocks.
constexpr std::int64_t kMaxGridX = 2147483647;
constexpr std::int64_t kMaxGridYZ = 65535;

// Whether `value` is a number from 0 to `limit`.
inline bool Fits(const grid::Int& value, std::int64_t limit) {
  // A negative value is above any limit as an unsigned one.
  return value.ok() && static_cast<std::uint64_t>(value.value()) <= static_cast<std::uint64_t>(limit);
}

// The message for the first dimension of `dims` that does not fit (the
// caller's grid if `given`); out of line, as launches rarely need it.
Status GridError(const char* kernel, const KernelImage& image, const ArgValue* args, bool given,
                 const grid::Dims& dims);

// The grid to launch variant `image` of `kernel` over: `*given` (the
// caller's) if not null, else `computed` (generated code's, from the spec's
// grid expressions). `args` supplies the values a message lists. On success
// `*grid` is within CUDA's limits, and may be empty. Inline: it is on every
// launch's path.
inline Status ResolveGrid(const char* kernel, const KernelImage& image, const ArgValue* args, const Grid* given,
                          const grid::Dims& computed, Grid* grid) {
  if (given) {
    const grid::Dims dims{given->x, given->y, given->z};
    if (!Fits(dims.x, kMaxGridX) || !Fits(dims.y, kMaxGridYZ) || !Fits(dims.z, kMaxGridYZ)) {
      return GridError(kernel, image, args, true, dims);
    }
    *grid = *given;
    return {};
  }
  if (!Fits(computed.x, kMaxGridX) || !Fits(computed.y, kMaxGridYZ) || !Fits(computed.z, kMaxGridYZ)) {
    return GridError(kernel, image, args, false, computed);
  }
  *grid = {computed.x.value(), computed.y.value(), computed.z.value()};
  return {};
}

inline bool IsEmpty(const Grid& grid) { return grid.x == 0 || grid.y == 0 || grid.z == 0; }

}  // namespace triton_aot::internal

// Variant tables of a kernel k(x_ptr: pointer, n: i32) for the runtime's
// tests against FakeCudaDriver, and a launcher for it like generated code's.
#pragma once

#include <cstdint>

#include "triton_aot/runtime.h"

namespace triton_aot::testing {

// Distinct bytes per variant: the fake driver tells variants by their fatbin.
inline const unsigned char kAlignedFatbin[] = {0xa1}, kGenericFatbin[] = {0xa2}, kConfig1Fatbin[] = {0xa3};
inline const char* const kArgNames[] = {"x_ptr", "n"};
inline const std::uint8_t kArgBytes[] = {8, 4};
inline const ArgHint kAligned[] = {ArgHint::kDivisibleBy16, ArgHint::kDivisibleBy16};
inline const ArgHint kGeneric[] = {ArgHint::kNone, ArgHint::kNone};
inline const ArgHint kNIsOne[] = {ArgHint::kNone, ArgHint::kEqualToOne};
inline const char* const kGrid[] = {"cdiv(n, BLOCK)", "1", "1"};

// {capability, arch-specific, warps, ctas, shared, global scratch size/align, profile scratch size/align,
//  cooperative, pdl, ptxas}: sm_80 with 4 warps and sm_90 with 8, so that the block size tells them apart.
constexpr ArchLaunchInfo Arch(int capability, unsigned warps) {
  return {capability, false, warps, 1, 0, 0, 1, 0, 1, false, false, 12080};
}
inline const ArchLaunchInfo kArchs[] = {Arch(80, 4), Arch(90, 8)};

inline KernelImage Image(const char* variant, const unsigned char* fatbin, const ArgHint* hints,
                         const ArchLaunchInfo* archs = kArchs, std::size_t num_archs = 2, int config = -1) {
  return KernelImage{"k", variant, "k", fatbin, 1, hints, kArgNames, kArgBytes, 2, archs, num_archs, config,
                     "BLOCK=1024", kGrid};
}

// The plain kernel: an aligned variant, tried first, and a generic one.
inline const KernelImage kPlain[] = {Image("aligned", kAlignedFatbin, kAligned),
                                     Image("generic", kGenericFatbin, kGeneric)};

// One launch of k: its arguments as generated code passes them, with the
// grid computed (the same for every variant) or, if `given`, the caller's.
struct LaunchOfK {
  CUdeviceptr x_ptr;
  std::int32_t n;
  grid::Dims grid{4, 1, 1};
  LaunchOptions options{};
  const grid::Int* buffer_elements = nullptr;  // of the kernel's tuning buffers, if it has any
  const Grid* given = nullptr;

  Status Run(Kernel& kernel, const std::int64_t* key = nullptr, std::size_t key_size = 0) {
    const ArgValue args[] = {ArgValue::Pointer(x_ptr), ArgValue::Integer(n)};
    void* const params[] = {&x_ptr, &n};
    const grid::Dims grids[] = {grid, grid, grid, grid};
    return kernel.Launch(nullptr, args, params, given, grids, key, key_size, options, buffer_elements);
  }
};

}  // namespace triton_aot::testing

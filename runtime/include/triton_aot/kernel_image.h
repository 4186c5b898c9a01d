// What the generated code of an add_triton_kernels() target describes: for
// each compiled variant of each kernel, its embedded fatbin and what a
// launcher needs to know about it. Plain data, usable from C++17 on.
#pragma once

#include <cstddef>
#include <cstdint>

namespace triton_aot {

// Triton's promise about one launch argument, which a launcher checks before
// it picks a variant compiled with it.
enum class ArgHint : std::uint8_t {
  kNone = 0,
  kDivisibleBy16 = 1,  // pointer aligned to 16 bytes, or integer multiple of 16
  kEqualToOne = 2,     // integer equal to 1; compiled in, not passed to the kernel
};

// Launch facts of one variant as compiled for one architecture. They can
// differ between archs (shared memory, for one).
struct ArchLaunchInfo {
  int capability;        // 80, 90, 100, ...
  bool arch_specific;    // an "a" cubin (sm_90a): runs only on exactly this arch
  unsigned num_warps;    // block size is num_warps * 32
  unsigned num_ctas;     // blocks per cluster
  unsigned shared_bytes;  // dynamic shared memory to request at launch
  unsigned global_scratch_size;  // bytes per program; 0: none
  unsigned global_scratch_align;
  unsigned profile_scratch_size;
  unsigned profile_scratch_align;
  bool launch_cooperative_grid;
  bool launch_pdl;
  int ptxas_version;  // CUDA release of the ptxas that built it, as 1000 * major + 10 * minor
};

struct KernelImage {
  const char* kernel;   // the kernel's C++ name
  const char* variant;  // the variant's name
  const char* entry;    // the function name inside the fatbin
  const unsigned char* fatbin;
  std::size_t fatbin_size;
  const ArgHint* arg_hints;        // one per launch argument
  const char* const* arg_names;    // one per launch argument
  // One per launch argument: its size in bytes as the kernel receives it
  // (8 for a pointer), to check the packing against the loaded function.
  const std::uint8_t* arg_bytes;
  std::size_t num_args;
  const ArchLaunchInfo* archs;  // ascending capability; the PTX is the last one's
  std::size_t num_archs;
  int autotune_config;  // index of the @triton.autotune config, or -1
  const char* constexprs;  // "BLOCK=1024, ..." for messages
  // The kernel's grid expressions, x, y and z, as the spec has them, for
  // messages; nullptr: none known.
  const char* const* grid;
  // The variant's guard as the spec has it, for messages; nullptr: none.
  // Generated code evaluates it on each launch.
  const char* guard;
  // The target archs this autotune config was not built for because it does
  // not fit them (more shared memory than they have): on a device that one of
  // them would serve, no launch picks this variant. nullptr: none.
  const int* skipped_archs;
  std::size_t num_skipped_archs;
};

// A pointer argument of an autotuned kernel whose buffer the autotuner keeps
// as the caller passed it (@triton.autotune's reset_to_zero and
// restore_value): tuning runs the kernel several times on the launch's own
// arguments. Its size comes with each launch, as a number of elements.
struct TuningBuffer {
  std::uint32_t arg;            // index into the launch arguments
  std::uint32_t element_bytes;  // of the pointer's element type
  bool reset_to_zero;           // zeroed before each trial, and once more before the launch
  bool restore_value;           // saved before the first trial and restored after each
};

}  // namespace triton_aot

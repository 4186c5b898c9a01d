// Target GPU architectures as users write them ("80", "90a", "sm_100").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace triton_aot {

struct Arch {
  int capability = 0;  // 80, 90, 100, ...

  // Triton compiles capability >= 90 for the arch-specific target ("sm_90a"),
  // so that is what the cubin is made for.
  std::string SmName() const;
  bool operator==(const Arch&) const = default;
  auto operator<=>(const Arch&) const = default;
};

// Parses one architecture: "90", "90a", "sm_90a", "compute_90" (the last two
// for users who copy names from nvcc). Fails with a message that says what is
// accepted.
bool ParseArch(std::string_view text, Arch* arch, std::string* err);

// The most dynamic shared memory one block can have (the opt-in maximum,
// CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN), in bytes; 0 for a
// capability this table does not know.
int64_t MaxSharedMemoryPerBlock(int capability);

// Parses a list, sorted ascending, duplicates ("90" and "90a") merged.
bool ParseArchList(const std::vector<std::string>& texts, std::vector<Arch>* archs, std::string* err);

}  // namespace triton_aot

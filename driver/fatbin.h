// Packing the cubins of every arch, plus PTX, into one fatbin with CUDA's
// fatbinary, so that the CUDA driver picks the right binary at load time.
#pragma once

#include <string>
#include <vector>

namespace triton_aot {

struct FatbinImage {
  bool is_ptx = false;
  std::string sm;    // "sm_90a"
  std::string file;  // relative to the work folder
};

// Runs `fatbinary` in `work_dir` (relative names keep the output free of
// absolute paths) and returns the fatbin's bytes, which it writes to the file
// `output` there (several packs may run at once in one folder, each with a
// name of its own) and removes.
bool PackFatbin(const std::string& fatbinary, const std::string& work_dir, const std::string& output,
                const std::vector<FatbinImage>& images, std::string* bytes, std::string* err);

// The ".target" of a PTX text ("sm_90a"), or "" when it has none.
std::string PtxTarget(const std::string& ptx);

}  // namespace triton_aot

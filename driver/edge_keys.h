// The cache keys of one edge, read from disk: the load key (may the last
// load answer be recalled?) and the module key that every job key extends.
#pragma once

#include <string>
#include <vector>

#include "cache_key.h"
#include "protocol.h"

namespace triton_aot {

struct EdgeKeySources {
  std::string module_path;
  std::string source_root;
  std::string frontend_script;    // its files' bytes are part of every module key (FrontendDigest)
  std::string frontend_identity;  // ServiceIdentity()
  std::vector<std::string> triton_settings;  // TritonSettings() of the edge's environment
  int target_arch = 0;                       // the arch the module is first loaded for
};

// The load key, and the module's bytes it was made of.
struct LoadKey {
  std::string digest;  // empty when the module cannot be read: then nothing is recalled
  std::string module_sha256;
};
LoadKey LoadKeyOf(const EdgeKeySources& sources);

// The module key: the module and the files it imported as the load answer
// `loaded` says they were compiled, the distributions it imported from, and
// Triton's files; false when one of Triton's cannot be read.
bool ModuleKey(const EdgeKeySources& sources, const LoadAnswer& loaded, std::string* key, std::string* err);

}  // namespace triton_aot

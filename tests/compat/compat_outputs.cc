#include "compat_outputs.h"

#include <cstdlib>

namespace triton_aot::testing {

std::string CompatSetting(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::filesystem::path CompatResultsDir(const std::string& version) {
  return std::filesystem::path(CompatSetting("TRITON_AOT_COMPAT_RESULTS")) / version;
}

nlohmann::ordered_json ApiOfMetadata(const nlohmann::ordered_json& metadata) {
  nlohmann::ordered_json api = metadata;
  api.erase("triton_version");
  api.erase("ptxas");
  for (nlohmann::ordered_json& kernel : api["kernels"]) {
    for (nlohmann::ordered_json& variant : kernel["variants"]) {
      variant.erase("entry");
      variant.erase("fatbin_size");
      for (nlohmann::ordered_json& arch : variant["archs"]) arch = arch["arch"];
    }
  }
  return api;
}

}  // namespace triton_aot::testing

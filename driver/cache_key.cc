#include "cache_key.h"

#include <algorithm>
#include <array>

#include <nlohmann/json.hpp>

#include "content_hash.h"

namespace triton_aot {
namespace {

// Triton keys its own cache on these (get_cache_invalidating_env_vars) but
// they are not named TRITON_*. Families go by prefix, so that a new knob of
// one is in the key before this list learns of it; the integration test
// TritonSettingsTest checks the list against the installed Triton.
constexpr std::array<std::string_view, 4> kSettingPrefixes = {"MLIR_", "LLVM_", "NVPTX_", "AMDGCN_"};
constexpr std::array<std::string_view, 7> kSettingNames = {
    "ALLOW_LHS_TMEM_LAYOUT_CONVERSION", "DISABLE_FAST_REDUCTION", "DISABLE_LLVM_OPT", "DISABLE_MMA_V3",
    "DISABLE_MMA_V5", "DISABLE_PTXAS_OPT", "USE_IR_LOC"};
// TRITON_* variables that say only where files go. TRITON_CACHE_DIR is set
// by the driver for every edge anew.
constexpr std::array<std::string_view, 2> kNotSettings = {"TRITON_CACHE_DIR", "TRITON_DUMP_DIR"};

std::string Join(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

// "path sha256" lines, in the order given.
std::string FileList(const std::vector<KeyedFile>& files) {
  std::string text;
  for (const KeyedFile& file : files) text += file.path + " " + file.sha256 + "\n";
  return text;
}

}  // namespace

std::string KeyDigest(const KeyParts& parts) {
  ContentHash hash;
  for (const KeyPart& part : parts) hash.Add(part.name, part.value);
  return hash.HexDigest();
}

bool IsTritonSetting(std::string_view name) {
  if (name.starts_with("TRITON_")) {
    return !name.starts_with("TRITON_AOT_") &&
           std::find(kNotSettings.begin(), kNotSettings.end(), name) == kNotSettings.end();
  }
  return std::any_of(kSettingPrefixes.begin(), kSettingPrefixes.end(),
                     [&](std::string_view prefix) { return name.starts_with(prefix); }) ||
         std::find(kSettingNames.begin(), kSettingNames.end(), name) != kSettingNames.end();
}

std::vector<std::string> TritonSettings(const Environment& environment) {
  std::vector<std::string> settings;
  for (const auto& [name, value] : environment.variables()) {
    if (IsTritonSetting(name)) settings.push_back(name + "=" + value);
  }
  std::sort(settings.begin(), settings.end());
  return settings;
}

KeyParts ModuleKeyParts(const ModuleKeyInputs& in) {
  return {
      {"format", "triton-aot module key 3"},
      {"driver", in.driver_version},
      {"frontend", in.frontend_sha256},
      // The path too: while line info is on, the cubins name their sources.
      {"module", FileList({in.module})},
      {"imports", FileList(in.imports)},
      {"distributions", Join(in.distributions)},
      {"triton version", in.triton_version},
      {"triton key", in.triton_key},
      {"triton sources", FileList(in.triton_sources)},
      {"settings", Join(in.settings)},
  };
}

KeyParts JobKeyParts(const std::string& module_key, const CompileJob& job, const PtxasInfo& ptxas,
                     const std::string& ptxas_stamp) {
  KeyParts parts = {
      {"format", "triton-aot job key 2"},
      {"module key", module_key},
      {"function", job.function},
      {"signature", job.signature.dump()},
      {"constexprs", job.constexprs.dump()},
      {"divisible by 16", nlohmann::json(job.divisible_by_16).dump()},
      {"options", job.options.dump()},
      {"arch", std::to_string(job.arch)},
      {"ptxas path", ptxas.path},
      {"ptxas version", ptxas.version},
      {"ptxas file", ptxas_stamp},
  };
  // Whether the pruner runs first changes what the job yields (what decides
  // it, the module and its imports, is in the module key as well).
  if (job.prune_config >= 0) parts.push_back({"prune config", std::to_string(job.prune_config)});
  return parts;
}

KeyParts LoadKeyParts(const LoadKeyInputs& in) {
  return {
      {"format", "triton-aot load key 3"},
      {"driver", in.driver_version},
      {"frontend", in.frontend_identity},
      {"module", FileList({in.module})},
      {"source root", in.source_root},
      {"settings", Join(in.settings)},
      {"target arch", std::to_string(in.target_arch)},
  };
}

}  // namespace triton_aot

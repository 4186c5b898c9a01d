#include "edge_keys.h"

#include <filesystem>

#include "atomic_file.h"
#include "content_hash.h"
#include "frontend.h"

namespace triton_aot {
namespace fs = std::filesystem;
namespace {

// A file a key is made of, read from `path`; `name` is how the key names it.
bool ReadKeyedFile(const std::string& path, std::string name, KeyedFile* file, std::string* err) {
  std::string bytes;
  if (!ReadFile(path, &bytes, err)) return false;
  *file = {std::move(name), Sha256Hex(bytes)};
  return true;
}

// The module and what it imported, as the frontend compiled them: the key
// names the bytes that were compiled, not those on disk now.
void AddCompiledSources(const EdgeKeySources& sources, const LoadAnswer& loaded, ModuleKeyInputs* in) {
  in->module = {sources.module_path, loaded.module_sha256};
  for (const ImportedFile& file : loaded.imports) in->imports.push_back({file.path, file.sha256});
  for (const ImportedDistribution& distribution : loaded.distributions) {
    in->distributions.push_back(distribution.name + " " + distribution.version);
  }
}

bool ReadModuleKeyInputs(const EdgeKeySources& sources, const LoadAnswer& loaded, ModuleKeyInputs* in,
                         std::string* err) {
  if (!sources.frontend_script.empty() && !FrontendDigest(sources.frontend_script, &in->frontend_sha256, err)) {
    return false;
  }
  AddCompiledSources(sources, loaded, in);
  in->triton_version = loaded.triton_version;
  in->triton_key = loaded.triton_key;
  const fs::path triton_dir = fs::path(loaded.triton_file).parent_path();
  for (const fs::path file : loaded.triton_files) {
    // Triton's native library is in triton_key: too large to hash per edge.
    if (file.extension() != ".py" && file.extension() != ".bc") continue;
    KeyedFile source;
    if (!ReadKeyedFile(file.string(), file.lexically_relative(triton_dir).string(), &source, err)) return false;
    in->triton_sources.push_back(std::move(source));
  }
  in->settings = sources.triton_settings;
  return true;
}

}  // namespace

LoadKey LoadKeyOf(const EdgeKeySources& sources) {
  std::string module_source, err;
  if (!ReadFile(sources.module_path, &module_source, &err)) return {};
  LoadKey key;
  key.module_sha256 = Sha256Hex(module_source);
  key.digest = KeyDigest(LoadKeyParts({.frontend_identity = sources.frontend_identity,
                                       .module = {sources.module_path, key.module_sha256},
                                       .source_root = sources.source_root,
                                       .settings = sources.triton_settings,
                                       .target_arch = sources.target_arch}));
  return key;
}

bool ModuleKey(const EdgeKeySources& sources, const LoadAnswer& loaded, std::string* key, std::string* err) {
  ModuleKeyInputs inputs;
  if (!ReadModuleKeyInputs(sources, loaded, &inputs, err)) return false;
  *key = KeyDigest(ModuleKeyParts(inputs));
  return true;
}

}  // namespace triton_aot

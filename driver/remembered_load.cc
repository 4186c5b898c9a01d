#include "remembered_load.h"

#include "artifact_cache.h"
#include "atomic_file.h"
#include "content_hash.h"
#include "source_check.h"

namespace triton_aot {
namespace {

using nlohmann::json;

// "sha256 <hex>" of a project file, "stamp <size mtime>" of one of Triton's;
// empty when it cannot be read.
std::string Fingerprint(const std::string& path, bool by_content) {
  if (!by_content) {
    const std::string stamp = FileStamp(path);
    return stamp == "missing" ? "" : "stamp " + stamp;
  }
  const std::string sha256 = FileSha256(path);
  return sha256.empty() ? "" : "sha256 " + sha256;
}

// [[path, fingerprint], ...] of what `loaded` was made of: the imported files
// by the bytes that were compiled, the distributions' metadata files and
// Triton's by stamp; false if a file cannot be read.
bool Fingerprints(const LoadAnswer& loaded, json* files) {
  *files = json::array();
  for (const ImportedFile& file : loaded.imports) files->push_back({file.path, "sha256 " + file.sha256});
  std::vector<std::string> stamped = loaded.triton_files;
  for (const ImportedDistribution& distribution : loaded.distributions) stamped.push_back(distribution.metadata);
  for (const std::string& path : stamped) {
    const std::string fingerprint = Fingerprint(path, false);
    if (fingerprint.empty()) return false;
    files->push_back({path, fingerprint});
  }
  return true;
}

}  // namespace

bool RecallLoad(ArtifactCache& cache, const std::string& key, LoadAnswer* loaded) {
  CacheEntry entry;
  if (cache.Get(key, &entry) != ArtifactCache::Found::kHit) return false;
  const json answer = json::parse(entry["load.json"], nullptr, false);
  const json files = json::parse(entry["files.json"], nullptr, false);
  LoadAnswer recalled;
  std::string ignored;
  // An answer this driver cannot parse (another version's) is loaded again.
  if (!ParseLoadAnswer(answer, &recalled, &ignored) || !files.is_array()) return false;
  for (const json& file : files) {
    if (!file.is_array() || file.size() != 2 || !file[0].is_string() || !file[1].is_string()) return false;
    const std::string fingerprint = file[1].get<std::string>();
    if (Fingerprint(file[0].get<std::string>(), fingerprint.starts_with("sha256 ")) != fingerprint) {
      return false;  // a helper or Triton changed: load the module again
    }
  }
  *loaded = std::move(recalled);
  return true;
}

void RememberLoad(ArtifactCache& cache, const std::string& key, const LoadAnswer& loaded) {
  json files;
  if (!Fingerprints(loaded, &files)) return;
  std::string ignored;
  cache.Put(key, {{"load.json", loaded.ToJson().dump()}, {"files.json", files.dump()}}, &ignored);
}

}  // namespace triton_aot

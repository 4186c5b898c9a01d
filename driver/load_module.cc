#include "load_module.h"

#include "remembered_load.h"

namespace triton_aot {

bool LoadModule(const EdgeKeySources& sources, ArtifactCache* cache, LazyCompiler& compiler, LoadAnswer* loaded,
                Diagnostic* error) {
  const LoadKey key = cache ? LoadKeyOf(sources) : LoadKey{};
  if (!key.digest.empty() && RecallLoad(*cache, key.digest, loaded)) {
    compiler.ExpectSources(*loaded);
    return true;
  }
  if (!compiler.Loaded(loaded, error)) return false;
  // Only an answer about the bytes the key was made of: the module may have
  // changed between the key's read and the frontend's.
  if (!key.digest.empty() && loaded->module_sha256 == key.module_sha256) RememberLoad(*cache, key.digest, *loaded);
  return true;
}

}  // namespace triton_aot

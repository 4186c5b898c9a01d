#include "load_module.h"

#include "remembered_load.h"

namespace triton_aot {

bool LoadModule(const EdgeKeySources& sources, ArtifactCache* cache, LazyCompiler& compiler, LoadAnswer* loaded,
                Diagnostic* error) {
  const std::string load_key = cache ? LoadKey(sources) : "";
  if (!load_key.empty() && RecallLoad(*cache, load_key, loaded)) return true;
  if (!compiler.Loaded(loaded, error)) return false;
  if (!load_key.empty()) RememberLoad(*cache, load_key, *loaded);
  return true;
}

}  // namespace triton_aot

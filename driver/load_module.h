// The edge's load step: what the frontend answers when it loads the module
// (its spec, the jit functions, the files it imported, Triton's files), or
// the same answer recalled from the artifact cache when neither the module
// nor a file it imports changed since.
#pragma once

#include <string>

#include "artifact_cache.h"
#include "diagnostic.h"
#include "edge_keys.h"
#include "lazy_compiler.h"

namespace triton_aot {

// `cache` may be null: then the module is always loaded.
bool LoadModule(const EdgeKeySources& sources, ArtifactCache* cache, LazyCompiler& compiler, LoadAnswer* loaded,
                Diagnostic* error);

}  // namespace triton_aot

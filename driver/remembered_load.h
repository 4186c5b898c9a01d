// What loading a module answered, remembered in the artifact cache, so that
// an edge whose kernels are all cached runs no Python at all.
//
// The answer is kept under its load key (cache_key.h) together with the files
// it was made of: the files the module imported, by the hash of the bytes
// that were compiled, and the metadata files of the distributions it imported
// from and Triton's files, by size and modification time (Triton's native
// library is too large to hash on every edge). A remembered answer is used
// only while every one of them is as it was.
#pragma once

#include <string>

#include "protocol.h"

namespace triton_aot {

class ArtifactCache;

// The answer remembered under `key`, if there is one and its files are
// unchanged.
bool RecallLoad(ArtifactCache& cache, const std::string& key, LoadAnswer* loaded);

// Remembers `loaded` under `key`. Best effort: a file that cannot be read, or
// a full cache, only means the next edge loads the module again.
void RememberLoad(ArtifactCache& cache, const std::string& key, const LoadAnswer& loaded);

}  // namespace triton_aot

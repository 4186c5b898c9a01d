// The file format of one artifact cache entry: a magic number, a format
// version, the key, each named file's bytes, and a SHA-256 of it all, so
// that a torn, truncated or foreign file is never taken for an entry.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace triton_aot {

using CacheEntry = std::map<std::string, std::string>;  // file name -> bytes (e.g. "cubin", "ptx", "metadata.json")

std::string EncodeEntry(const std::string& key, const CacheEntry& entry);

// False for anything but a complete entry of `key` whose checksum matches.
bool DecodeEntry(std::string_view file, const std::string& key, CacheEntry* entry);

}  // namespace triton_aot

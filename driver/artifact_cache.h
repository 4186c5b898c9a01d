// A content-addressed cache of compiled kernels, shared by every triton-aot
// process of a user: a kernel whose inputs hash to a known key is not
// compiled again, whichever build folder asks.
//
// On disk, under the cache folder <dir>:
//   <dir>/v1/                 the layout's version: a future format goes beside it, never into it
//   <dir>/v1/<ab>/<key>       one file per entry; <ab> is the key's first two hex digits, so
//                             that no folder grows beyond a few hundred names per 100k entries
//   <dir>/v1/<ab>/.<key>.tmp.<pid>.XXXXXX   an entry being written (atomic_file's TemporaryTemplate)
//   <dir>/v1/usage            the running total of the entries' bytes, in decimal ("12345\n")
//   <dir>/v1/evict.lock       held (flock) by the one process that evicts at a time
//
// An entry file: "TAOTCACH" (8 bytes), the format version (u32), the payload's SHA-256
// (64 lowercase hex digits), the payload's length (u64), then the payload: the key (u32 length,
// bytes), the blob count (u32), and per blob its name (u32 length, bytes) and bytes (u64 length,
// bytes). Integers are little-endian. Get checks all of it, and that the key is the one asked
// for, so a truncated, flipped, foreign or misplaced file is reported as kCorrupt and removed,
// never returned in part.
//
// Writing: the whole file goes to a temporary beside the entry, then rename(2) publishes it,
// so a reader sees the old entry, the new one or none, never half of one, even when the writer
// is killed; of concurrent Puts of one key the last rename wins and each is complete. No fsync:
// after a power cut an entry may be empty or garbage, which Get detects like any corruption.
//
// Size: recency is the entry file's mtime, refreshed by each hit. A Put does not scan the
// cache: it adds its entry's size to the running total (under flock of the usage file), and
// only when the total exceeds max_bytes does it take evict.lock, rescan, remove the least
// recently used entries down to 80% of max_bytes and store the true total. The total only
// ever overestimates (replacing an entry or removing a corrupt one does not subtract), so a
// cache never silently outgrows its limit; a missing or unreadable usage file makes the next
// Put rescan. Removal is unlink(2): a reader that has opened an evicted entry still reads it
// whole. An eviction scan skips dot files, so it never touches a temporary being written, and
// removes the temporaries of writers that are no longer running.
//
// Folders are created 0700 and entries 0600: a cache can hold a user's proprietary kernels. A cache
// whose folders another user owns or can write is refused (Open): what it holds ends up in programs.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "cache_entry.h"
#include "environment.h"

namespace triton_aot {


class ArtifactCache {
 public:
  // `max_bytes`: the bound on the entries' total size (file sizes, headers included).
  ArtifactCache(std::string dir, uint64_t max_bytes);

  enum class Found { kHit, kMiss, kCorrupt };

  // Makes the cache's folders (0700) where missing and checks that every one
  // of them is this user's own and writable by no one else; false, with the
  // reason and what to do, when the cache must not be used. An entry file
  // that is not the user's alone is a miss.
  bool Open(std::string* err);

  // kCorrupt: the entry failed its checksum or could not be parsed; it has been removed; the caller recompiles.
  // A hit marks the entry most recently used. A key that is not valid (see Put) is a miss. `*entry` is
  // set on a hit only.
  Found Get(const std::string& key, CacheEntry* entry);

  // Publishes atomically (never visible half-written, even if killed mid-write; concurrent Puts of the same key
  // are fine: last rename wins, both are complete). Then evicts least-recently-used entries if over max_bytes.
  // Failure (unwritable folder, full disk) returns false with a message; the caller warns and carries on.
  // Keys are 2 to 128 lowercase hex digits (a ContentHash digest), so that no key can name a path
  // outside the cache. An entry larger than max_bytes is not stored (false, with a message). When the entry was
  // published but the running total or the eviction then failed, it is false too; the entry stays usable.
  bool Put(const std::string& key, const CacheEntry& entry, std::string* err);

  struct Usage {
    uint64_t bytes = 0;
    uint64_t entries = 0;
  };
  Usage Measure() const;  // a full scan, for tests and reports

  // Removes least-recently-used entries until the total is at most `target_bytes`, then stores the
  // true total. False with a message when some entry could not be removed.
  bool EvictTo(uint64_t target_bytes, std::string* err);

  const std::string& dir() const { return dir_; }

 private:
  std::string LayoutDir() const;
  std::string EntryPath(const std::string& key) const;
  // Adds `bytes` to the running total and evicts when it goes over max_bytes_; never evicts `kept_path`.
  bool AccountForNewEntry(uint64_t bytes, const std::string& kept_path, std::string* err);
  // The eviction itself; the caller holds evict.lock.
  bool EvictLocked(uint64_t target_bytes, const std::string& kept_path, std::string* err);

  std::string dir_;
  uint64_t max_bytes_;
};

// $TRITON_AOT_CACHE_DIR, else $XDG_CACHE_HOME/triton-aot, else $HOME/.cache/triton-aot; "" if none can be formed.
// Empty variables count as unset; a relative $XDG_CACHE_HOME is ignored, as the XDG specification says.
std::string DefaultCacheDir(const Environment& environment);

// "1048576", "512K", "512M", "5G" (binary units; also KiB/MiB/GiB); false + message for anything else or 0.
bool ParseByteSize(const std::string& text, uint64_t* bytes, std::string* err);

}  // namespace triton_aot

#include "artifact_cache.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "atomic_file.h"
#include "cache_entry.h"

namespace triton_aot {
namespace {

namespace fs = std::filesystem;

constexpr char kLayoutVersion[] = "v1";
constexpr char kUsageFile[] = "usage";
constexpr char kEvictLockFile[] = "evict.lock";
constexpr size_t kMinKeyLength = 2;  // the subfolder's name
constexpr size_t kMaxKeyLength = 128;

bool IsValidKey(const std::string& key) {
  if (key.size() < kMinKeyLength || key.size() > kMaxKeyLength) return false;
  return std::all_of(key.begin(), key.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Creates `path` and any missing folders above it, each 0700.
bool CreatePrivateFolders(const std::string& path, std::string* err) {
  struct stat existing {};
  if (::stat(path.c_str(), &existing) == 0 && S_ISDIR(existing.st_mode)) return true;  // every Put but the first few
  fs::path prefix;
  for (const fs::path& part : fs::path(path)) {
    prefix /= part;
    if (part.empty() || part == "/") continue;
    if (::mkdir(prefix.c_str(), 0700) == 0) continue;
    const int errnum = errno;
    struct stat st {};
    if (errnum == EEXIST && ::stat(prefix.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
    if (errnum == EEXIST) {
      *err = fmt::format("cannot create the kernel cache folder '{}': '{}' is a file{}", path, prefix.string(),
                         AdviceForWriteError(ENOTDIR));
    } else {
      *err = fmt::format("cannot create the kernel cache folder '{}': {}{}", prefix.string(), std::strerror(errnum),
                         AdviceForWriteError(errnum));
    }
    return false;
  }
  return true;
}

// Why the folder or file `st` describes must not hold kernels that get
// embedded in programs, or "" when it may: it is this user's own, and no one
// else can write it.
std::string UntrustedReason(const struct stat& st) {
  if (st.st_uid != ::geteuid()) return fmt::format("belongs to another user (uid {})", st.st_uid);
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return fmt::format("can be written by other users (mode {:04o})", st.st_mode & 07777);
  }
  return "";
}

// The same for a folder of the cache at `path`; the cache's own folder may
// be reached through a symbolic link, the folders inside it not.
std::string UntrustedFolderReason(const std::string& path, bool follow_link) {
  struct stat st {};
  if ((follow_link ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) != 0) {
    return fmt::format("cannot be examined: {}", std::strerror(errno));
  }
  if (S_ISLNK(st.st_mode)) return "is a symbolic link";
  if (!S_ISDIR(st.st_mode)) return "is not a folder";
  return UntrustedReason(st);
}

// An open file held under an exclusive flock until destroyed.
class LockedFile {
 public:
  LockedFile() = default;
  ~LockedFile() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  LockedFile(const LockedFile&) = delete;
  LockedFile& operator=(const LockedFile&) = delete;

  bool Lock(const std::string& path, std::string* err) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      const int errnum = errno;
      *err = fmt::format("cannot open the kernel cache's '{}': {}{}", path, std::strerror(errnum),
                         AdviceForWriteError(errnum));
      return false;
    }
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      *err = fmt::format("cannot lock the kernel cache's '{}': {}", path, std::strerror(errno));
      return false;
    }
    return true;
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

// The running total in the locked usage file; false when it is missing or
// not a number (new cache, an interrupted update, a user's edit).
bool ReadTotal(const LockedFile& usage, uint64_t* total) {
  char buffer[32];
  const ssize_t n = ::pread(usage.fd(), buffer, sizeof buffer, 0);
  if (n < 2 || buffer[n - 1] != '\n') return false;
  *total = 0;
  for (ssize_t i = 0; i < n - 1; ++i) {
    if (buffer[i] < '0' || buffer[i] > '9') return false;
    *total = *total * 10 + static_cast<uint64_t>(buffer[i] - '0');
  }
  return true;
}

bool WriteTotal(const LockedFile& usage, uint64_t total, const std::string& path, std::string* err) {
  // Overwritten in place: a longer old value's tail is cut after; one left by
  // a killed writer makes the file unreadable, and the next Put rescans.
  const std::string text = fmt::format("{}\n", total);
  if (::pwrite(usage.fd(), text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()) &&
      ::ftruncate(usage.fd(), static_cast<off_t>(text.size())) == 0) {
    return true;
  }
  const int errnum = errno;
  *err = fmt::format("cannot update the kernel cache's '{}': {}{}", path, std::strerror(errnum),
                     AdviceForWriteError(errnum));
  return false;
}

struct ScannedEntry {
  std::string path;
  uint64_t bytes = 0;
  struct timespec mtime {};
  dev_t device = 0;
  ino_t inode = 0;
};

bool SameFile(const struct stat& st, dev_t device, ino_t inode) { return st.st_dev == device && st.st_ino == inode; }

// Every entry file under the layout folder. Dot files are temporaries (or
// not ours) and are skipped; with `remove_abandoned`, those of writers that
// are gone are deleted on the way.
std::vector<ScannedEntry> ScanEntries(const std::string& layout_dir, bool remove_abandoned) {
  // Iterated with error codes throughout (a range-for's increment throws):
  // folders may vanish under a concurrent scan, and a scan must not throw.
  std::vector<ScannedEntry> entries;
  std::error_code ec;
  for (fs::directory_iterator folder(layout_dir, ec), end; !ec && folder != end; folder.increment(ec)) {
    std::error_code folder_ec;
    if (!folder->is_directory(folder_ec)) continue;
    if (remove_abandoned) RemoveAbandonedTemporaries(folder->path().string(), "");
    for (fs::directory_iterator file(folder->path(), folder_ec); !folder_ec && file != end; file.increment(folder_ec)) {
      const std::string name = file->path().filename().string();
      if (name.empty() || name[0] == '.') continue;
      struct stat st {};
      if (::lstat(file->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      entries.push_back({file->path().string(), static_cast<uint64_t>(st.st_size), st.st_mtim, st.st_dev, st.st_ino});
    }
  }
  return entries;
}

}  // namespace

ArtifactCache::ArtifactCache(std::string dir, uint64_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {}

std::string ArtifactCache::LayoutDir() const { return fmt::format("{}/{}", dir_, kLayoutVersion); }

std::string ArtifactCache::EntryPath(const std::string& key) const {
  return fmt::format("{}/{}/{}", LayoutDir(), key.substr(0, 2), key);
}

bool ArtifactCache::Open(std::string* err) {
  if (!CreatePrivateFolders(LayoutDir(), err)) return false;
  std::vector<std::string> folders = {dir_, LayoutDir()};
  std::error_code ec;
  for (const auto& item : fs::directory_iterator(LayoutDir(), ec)) {
    if (item.is_directory(ec) || item.is_symlink(ec)) folders.push_back(item.path().string());
  }
  for (size_t i = 0; i < folders.size(); ++i) {
    const std::string reason = UntrustedFolderReason(folders[i], /*follow_link=*/i == 0);
    if (reason.empty()) continue;
    *err = fmt::format("the artifact cache '{}' is not safe to use: '{}' {}; its kernels end up in your "
                       "programs, so only you may be able to write it: use a cache folder of your own "
                       "(TRITON_AOT_CACHE_DIR), make this one yours and private (chmod -R go-w), or turn the "
                       "cache off (TRITON_AOT_CACHE=OFF)",
                       dir_, folders[i], reason);
    return false;
  }
  return true;
}

ArtifactCache::Found ArtifactCache::Get(const std::string& key, CacheEntry* entry) {
  if (!IsValidKey(key)) return Found::kMiss;
  const std::string path = EntryPath(key);
  struct stat before {};
  if (::lstat(path.c_str(), &before) != 0 || !S_ISREG(before.st_mode)) return Found::kMiss;
  if (!UntrustedReason(before).empty()) return Found::kMiss;  // not written by this user alone
  std::string contents, ignored;
  // Unreadable (evicted meanwhile, or permissions) is as good as absent.
  if (!ReadFile(path, &contents, &ignored)) return Found::kMiss;
  if (!DecodeEntry(contents, key, entry)) {
    // Only the file that was read goes: a concurrent Put may have renamed a
    // good entry over it since (entries are never modified in place, so an
    // unchanged inode holds the same bytes).
    struct stat now {};
    if (::lstat(path.c_str(), &now) == 0 && SameFile(now, before.st_dev, before.st_ino)) ::unlink(path.c_str());
    return Found::kCorrupt;
  }
  // Recency for eviction. A cache that is read-only to this user still serves hits.
  ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);
  return Found::kHit;
}

bool ArtifactCache::Put(const std::string& key, const CacheEntry& entry, std::string* err) {
  if (!IsValidKey(key)) {
    *err = fmt::format("'{}' is not a kernel cache key: keys are {} to {} lowercase hex digits (a content hash)", key,
                       kMinKeyLength, kMaxKeyLength);
    return false;
  }
  const std::string file = EncodeEntry(key, entry);
  if (file.size() > max_bytes_) {
    *err = fmt::format("not caching entry {}: its {} bytes exceed the kernel cache's limit of {} bytes; raise the "
                       "limit to cache it",
                       key, file.size(), max_bytes_);
    return false;
  }
  const std::string path = EntryPath(key);
  if (!CreatePrivateFolders(fs::path(path).parent_path().string(), err)) return false;
  if (!WriteFileAtomically(path, file, err, FileAccess::kOwnerOnly)) return false;
  return AccountForNewEntry(file.size(), path, err);
}

bool ArtifactCache::AccountForNewEntry(uint64_t bytes, const std::string& kept_path, std::string* err) {
  const std::string usage_path = fmt::format("{}/{}", LayoutDir(), kUsageFile);
  {
    LockedFile usage;
    if (!usage.Lock(usage_path, err)) return false;
    uint64_t total = 0;
    if (ReadTotal(usage, &total)) {
      total += bytes;
      if (!WriteTotal(usage, total, usage_path, err)) return false;
      if (total <= max_bytes_) return true;
    }
  }
  // Over the limit, or the total is unknown. Whoever held evict.lock before
  // us may have made room already: look again once it is ours.
  LockedFile evict_lock;
  if (!evict_lock.Lock(fmt::format("{}/{}", LayoutDir(), kEvictLockFile), err)) return false;
  {
    LockedFile usage;
    if (!usage.Lock(usage_path, err)) return false;
    uint64_t total = 0;
    if (ReadTotal(usage, &total) && total <= max_bytes_) return true;
  }
  // Down to 80%, so that the next few Puts do not each rescan.
  return EvictLocked(max_bytes_ - max_bytes_ / 5, kept_path, err);
}

bool ArtifactCache::EvictTo(uint64_t target_bytes, std::string* err) {
  std::error_code ec;
  if (!fs::is_directory(LayoutDir(), ec)) return true;  // nothing cached yet
  LockedFile evict_lock;
  if (!evict_lock.Lock(fmt::format("{}/{}", LayoutDir(), kEvictLockFile), err)) return false;
  return EvictLocked(target_bytes, "", err);
}

bool ArtifactCache::EvictLocked(uint64_t target_bytes, const std::string& kept_path, std::string* err) {
  const std::string usage_path = fmt::format("{}/{}", LayoutDir(), kUsageFile);
  // Puts go on during the scan: what they add to the total meanwhile is kept
  // on top of what the scan finds (counting some twice, never none).
  uint64_t total_before_scan = 0;
  {
    LockedFile usage;
    if (!usage.Lock(usage_path, err)) return false;
    if (!ReadTotal(usage, &total_before_scan)) {
      total_before_scan = 0;
      if (!WriteTotal(usage, 0, usage_path, err)) return false;
    }
  }

  std::vector<ScannedEntry> entries = ScanEntries(LayoutDir(), /*remove_abandoned=*/true);
  std::sort(entries.begin(), entries.end(), [](const ScannedEntry& a, const ScannedEntry& b) {
    if (a.mtime.tv_sec != b.mtime.tv_sec) return a.mtime.tv_sec < b.mtime.tv_sec;
    if (a.mtime.tv_nsec != b.mtime.tv_nsec) return a.mtime.tv_nsec < b.mtime.tv_nsec;
    return a.path < b.path;
  });
  uint64_t total = 0;
  for (const ScannedEntry& entry : entries) total += entry.bytes;

  std::string first_failure;
  for (const ScannedEntry& entry : entries) {
    if (total <= target_bytes) break;
    if (entry.path == kept_path) continue;
    // A Put that replaced it since the scan made a new entry, the newest of
    // all: keep that. A hit since the scan does not save it (the reader has its
    // bytes already); skipping such entries could leave the cache over its limit
    // while hits go on.
    struct stat now {};
    if (::lstat(entry.path.c_str(), &now) != 0) {
      total -= entry.bytes;  // gone already (a corrupt entry that a Get removed)
      continue;
    }
    if (!SameFile(now, entry.device, entry.inode)) continue;
    if (::unlink(entry.path.c_str()) == 0 || errno == ENOENT) {
      total -= entry.bytes;
    } else if (first_failure.empty()) {
      const int errnum = errno;
      first_failure = fmt::format("'{}': {}{}", entry.path, std::strerror(errnum), AdviceForWriteError(errnum));
    }
  }

  {
    LockedFile usage;
    if (!usage.Lock(usage_path, err)) return false;
    uint64_t total_now = 0;
    const uint64_t added_meanwhile =
        ReadTotal(usage, &total_now) && total_now >= total_before_scan ? total_now - total_before_scan : 0;
    if (!WriteTotal(usage, total + added_meanwhile, usage_path, err)) return false;
  }
  if (total > target_bytes && !first_failure.empty()) {
    *err = fmt::format("cannot shrink the kernel cache '{}' to {} bytes ({} left): cannot remove {}", dir_,
                       target_bytes, total, first_failure);
    return false;
  }
  return true;
}

ArtifactCache::Usage ArtifactCache::Measure() const {
  Usage usage;
  for (const ScannedEntry& entry : ScanEntries(LayoutDir(), /*remove_abandoned=*/false)) {
    usage.bytes += entry.bytes;
    ++usage.entries;
  }
  return usage;
}

std::string DefaultCacheDir(const Environment& environment) {
  if (std::string dir = environment.Get("TRITON_AOT_CACHE_DIR"); !dir.empty()) return dir;
  if (std::string xdg = environment.Get("XDG_CACHE_HOME"); !xdg.empty() && xdg[0] == '/') return xdg + "/triton-aot";
  if (std::string home = environment.Get("HOME"); !home.empty()) return home + "/.cache/triton-aot";
  return "";
}

bool ParseByteSize(const std::string& text, uint64_t* bytes, std::string* err) {
  const std::string forms = "a whole number of bytes, optionally followed by K, M or G (or KiB, MiB, GiB; binary "
                            "units), e.g. 1048576, 512M or 5G";
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  const std::string suffix = text.substr(digits);
  uint64_t unit = 0;
  if (suffix.empty()) {
    unit = 1;
  } else if (suffix == "K" || suffix == "KiB") {
    unit = uint64_t{1} << 10;
  } else if (suffix == "M" || suffix == "MiB") {
    unit = uint64_t{1} << 20;
  } else if (suffix == "G" || suffix == "GiB") {
    unit = uint64_t{1} << 30;
  }
  if (digits == 0 || unit == 0) {
    *err = fmt::format("'{}' is not a size: write {}", text, forms);
    return false;
  }
  uint64_t number = 0;
  bool too_large = false;
  for (size_t i = 0; i < digits; ++i) {
    const uint64_t digit = static_cast<uint64_t>(text[i] - '0');
    too_large = too_large || number > (UINT64_MAX - digit) / 10;
    if (!too_large) number = number * 10 + digit;
  }
  if (too_large || number > UINT64_MAX / unit) {
    *err = fmt::format("'{}' is too large a size: write {}", text, forms);
    return false;
  }
  if (number == 0) {
    *err = fmt::format("a size of '{}' would keep nothing: write a positive size, as {}", text, forms);
    return false;
  }
  *bytes = number * unit;
  return true;
}

}  // namespace triton_aot

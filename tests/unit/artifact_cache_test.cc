#include "artifact_cache.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "content_hash.h"
#include "hermetic_environment.h"
#include "test_support.h"

namespace triton_aot {

// For gtest's failure messages: "kCorrupt", not "4-byte object <02-00 00-00>".
void PrintTo(ArtifactCache::Found found, std::ostream* out) {
  switch (found) {
    case ArtifactCache::Found::kHit: *out << "kHit"; return;
    case ArtifactCache::Found::kMiss: *out << "kMiss"; return;
    case ArtifactCache::Found::kCorrupt: *out << "kCorrupt"; return;
  }
}

namespace {

namespace fs = std::filesystem;
using Found = ArtifactCache::Found;
using testing::ForkedResult;
using testing::ListFiles;
using testing::ReadText;
using testing::RunForked;
using testing::TempDir;
using testing::WriteText;

constexpr uint64_t kLarge = uint64_t{1} << 30;

std::string Key(const std::string& name) { return Sha256Hex(name); }

// Where the header comment says an entry lives.
fs::path EntryFile(const fs::path& dir, const std::string& key) { return dir / "v1" / key.substr(0, 2) / key; }

// Every byte value, NULs included, so that no blob is mistaken for text.
std::string BinaryBytes(size_t size, unsigned seed) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 131 + seed * 7919) % 256);
  return bytes;
}

CacheEntry KernelEntry(unsigned seed, size_t cubin_size = 1000) {
  return {{"cubin", BinaryBytes(cubin_size, seed)},
          {"ptx", "// ptx " + std::to_string(seed) + "\n"},
          {"metadata.json", "{\"seed\": " + std::to_string(seed) + "}"},
          {"empty", ""}};
}

void SetAge(const fs::path& path, std::chrono::hours age) {
  fs::last_write_time(path, fs::file_time_type::clock::now() - age);
}

bool IsRecent(const fs::path& path) {
  return fs::last_write_time(path) > fs::file_time_type::clock::now() - std::chrono::minutes(10);
}

// The running total as the usage file holds it.
uint64_t RecordedTotal(const fs::path& dir) { return std::stoull(ReadText(dir / "v1" / "usage")); }

// Files whose name starts with a dot (temporaries) anywhere under `root`.
std::vector<std::string> DotFiles(const fs::path& root) {
  std::vector<std::string> found;
  for (const std::string& file : ListFiles(root)) {
    if (fs::path(file).filename().string()[0] == '.') found.push_back(file);
  }
  return found;
}

TEST(ArtifactCacheTest, MissThenHitWithIdenticalBytes) {
  TempDir dir;
  ArtifactCache cache(dir.path().string(), kLarge);
  const std::string key = Key("vector_add sm_90");
  CacheEntry got;
  EXPECT_EQ(cache.Get(key, &got), Found::kMiss);

  const CacheEntry entry = KernelEntry(1);
  std::string err;
  ASSERT_TRUE(cache.Put(key, entry, &err)) << err;
  ASSERT_EQ(cache.Get(key, &got), Found::kHit);
  EXPECT_EQ(got, entry);
  EXPECT_EQ(got.at("cubin").size(), 1000u);
  EXPECT_EQ(got.at("empty"), "");

  // A second cache object (another process, in effect) finds it too.
  ArtifactCache other(dir.path().string(), kLarge);
  CacheEntry got_again;
  ASSERT_EQ(other.Get(key, &got_again), Found::kHit);
  EXPECT_EQ(got_again, entry);
  EXPECT_TRUE(DotFiles(dir.path()).empty());
}

TEST(ArtifactCacheTest, AnEntryWithoutBlobsIsStoredToo) {
  TempDir dir;
  ArtifactCache cache(dir.path().string(), kLarge);
  std::string err;
  ASSERT_TRUE(cache.Put(Key("nothing"), {}, &err)) << err;
  CacheEntry got = {{"stale", "x"}};
  ASSERT_EQ(cache.Get(Key("nothing"), &got), Found::kHit);
  EXPECT_TRUE(got.empty());
}

TEST(ArtifactCacheTest, PutReplacesAnEntryWhole) {
  TempDir dir;
  ArtifactCache cache(dir.path().string(), kLarge);
  const std::string key = Key("k");
  std::string err;
  ASSERT_TRUE(cache.Put(key, KernelEntry(1, 5000), &err)) << err;
  const CacheEntry smaller = {{"cubin", "tiny"}};
  ASSERT_TRUE(cache.Put(key, smaller, &err)) << err;
  CacheEntry got;
  ASSERT_EQ(cache.Get(key, &got), Found::kHit);
  EXPECT_EQ(got, smaller);
  EXPECT_EQ(cache.Measure().entries, 1u);
}

TEST(ArtifactCacheTest, CreatesMissingFoldersPrivate) {
  TempDir dir;
  const fs::path root = dir.path() / "home" / ".cache" / "triton-aot";
  const mode_t old_mask = ::umask(022);
  ArtifactCache cache(root.string(), kLarge);
  std::string err;
  const bool stored = cache.Put(Key("k"), KernelEntry(1), &err);
  ::umask(old_mask);
  ASSERT_TRUE(stored) << err;
  for (const fs::path& folder : {dir.path() / "home", root, root / "v1", EntryFile(root, Key("k")).parent_path()}) {
    struct stat st {};
    ASSERT_EQ(::stat(folder.c_str(), &st), 0) << folder;
    EXPECT_EQ(st.st_mode & 0777, 0700u) << folder;
  }
}

TEST(ArtifactCacheTest, EntriesAreTheOwnersAlone) {
  TempDir dir;
  const mode_t old_mask = ::umask(0);  // even a permissive umask makes no entry others can read
  ArtifactCache cache((dir.path() / "cache").string(), kLarge);
  std::string err;
  const bool stored = cache.Put(Key("k"), KernelEntry(1), &err);
  ::umask(old_mask);
  ASSERT_TRUE(stored) << err;
  struct stat st {};
  ASSERT_EQ(::stat(EntryFile(dir.path() / "cache", Key("k")).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(ArtifactCacheTest, OpenMakesAMissingCachePrivate) {
  TempDir dir;
  ArtifactCache cache((dir.path() / "cache").string(), kLarge);
  std::string err;
  ASSERT_TRUE(cache.Open(&err)) << err;
  for (const fs::path& folder : {dir.path() / "cache", dir.path() / "cache" / "v1"}) {
    EXPECT_EQ(fs::status(folder).permissions() & fs::perms::all, fs::perms::owner_all) << folder;
  }
}

// Someone else can write what ends up in the user's programs: refused, at
// whichever level of the cache it is, saying where and what to do.
TEST(ArtifactCacheTest, OpenRefusesAFolderOthersCanWrite) {
  TempDir dir;
  const fs::path root = dir.path() / "cache";
  ArtifactCache cache(root.string(), kLarge);
  std::string err;
  ASSERT_TRUE(cache.Put(Key("k"), KernelEntry(1), &err)) << err;
  const fs::path subfolder = EntryFile(root, Key("k")).parent_path();
  for (const fs::path& folder : {root, root / "v1", subfolder}) {
    fs::permissions(folder, fs::perms::others_write, fs::perm_options::add);
    EXPECT_FALSE(cache.Open(&err)) << folder;
    EXPECT_NE(err.find("'" + folder.string() + "' can be written by other users (mode 0702)"), std::string::npos)
        << err;
    EXPECT_NE(err.find("TRITON_AOT_CACHE_DIR"), std::string::npos) << err;
    fs::permissions(folder, fs::perms::others_write, fs::perm_options::remove);
    fs::permissions(folder, fs::perms::group_write, fs::perm_options::add);
    EXPECT_FALSE(cache.Open(&err)) << folder << ": a group-writable folder";
    fs::permissions(folder, fs::perms::group_write, fs::perm_options::remove);
    EXPECT_TRUE(cache.Open(&err)) << err;
  }
}

TEST(ArtifactCacheTest, OpenRefusesALinkInsideTheCache) {
  TempDir dir;
  const fs::path root = dir.path() / "cache";
  ArtifactCache cache(root.string(), kLarge);
  std::string err;
  ASSERT_TRUE(cache.Open(&err)) << err;
  fs::create_directories(dir.path() / "elsewhere");
  fs::create_directory_symlink(dir.path() / "elsewhere", root / "v1" / "ab");
  EXPECT_FALSE(cache.Open(&err));
  EXPECT_NE(err.find("is a symbolic link"), std::string::npos) << err;
}

TEST(ArtifactCacheTest, OpenRefusesAFolderOfAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "only root can give a folder to another user";
  TempDir dir;
  const fs::path root = dir.path() / "cache";
  ArtifactCache cache(root.string(), kLarge);
  std::string err;
  ASSERT_TRUE(cache.Open(&err)) << err;
  ASSERT_EQ(::chown((root / "v1").c_str(), 65534, 65534), 0);
  EXPECT_FALSE(cache.Open(&err));
  EXPECT_NE(err.find("'" + (root / "v1").string() + "' belongs to another user (uid 65534)"), std::string::npos)
      << err;
}

TEST(ArtifactCacheTest, AnEntryOthersCanWriteIsNotTrusted) {
  TempDir dir;
  ArtifactCache cache((dir.path() / "cache").string(), kLarge);
  std::string err;
  ASSERT_TRUE(cache.Put(Key("k"), KernelEntry(1), &err)) << err;
  const fs::path entry = EntryFile(dir.path() / "cache", Key("k"));
  fs::permissions(entry, fs::perms::others_write, fs::perm_options::add);
  CacheEntry got;
  EXPECT_EQ(cache.Get(Key("k"), &got), ArtifactCache::Found::kMiss);
  fs::permissions(entry, fs::perms::others_write, fs::perm_options::remove);
  EXPECT_EQ(cache.Get(Key("k"), &got), ArtifactCache::Found::kHit);
}

TEST(ArtifactCacheTest, HitMarksTheEntryRecentlyUsedAndMissDoesNot) {
  TempDir dir;
  ArtifactCache cache(dir.path().string(), kLarge);
  std::string err;
  ASSERT_TRUE(cache.Put(Key("a"), KernelEntry(1), &err)) << err;
  const fs::path file = EntryFile(dir.path(), Key("a"));
  SetAge(file, std::chrono::hours(24 * 30));
  ASSERT_FALSE(IsRecent(file));
  CacheEntry got;
  EXPECT_EQ(cache.Get(Key("b"), &got), Found::kMiss);
  EXPECT_FALSE(IsRecent(file));
  ASSERT_EQ(cache.Get(Key("a"), &got), Found::kHit);
  EXPECT_TRUE(IsRecent(file));
}

TEST(ArtifactCacheTest, EvictsLeastRecentlyUsedFirstAndStaysUnderTheLimit) {
  TempDir dir;
  std::string err;
  // Every entry below has the same size; learn it from the first.
  uint64_t entry_bytes = 0;
  {
    ArtifactCache probe((dir.path() / "probe").string(), kLarge);
    ASSERT_TRUE(probe.Put(Key("a"), KernelEntry(0), &err)) << err;
    entry_bytes = probe.Measure().bytes;
  }
  const uint64_t max_bytes = 4 * entry_bytes + entry_bytes / 2;  // room for four
  ArtifactCache cache((dir.path() / "cache").string(), max_bytes);
  const fs::path root = dir.path() / "cache";
  const std::vector<std::string> names = {"a", "b", "c", "d"};
  for (size_t i = 0; i < names.size(); ++i) {
    ASSERT_TRUE(cache.Put(Key(names[i]), KernelEntry(static_cast<unsigned>(i)), &err)) << err;
    // a oldest, d newest: four to one hours ago.
    SetAge(EntryFile(root, Key(names[i])), std::chrono::hours(4 - i));
  }
  EXPECT_EQ(cache.Measure().entries, 4u) << "evicted while under the limit";

  CacheEntry got;
  ASSERT_EQ(cache.Get(Key("a"), &got), Found::kHit);  // a is now the most recently used
  // Five entries are over the limit: down to 80% of it (3.6 entries), oldest first: b, then c.
  ASSERT_TRUE(cache.Put(Key("e"), KernelEntry(4), &err)) << err;
  EXPECT_FALSE(fs::exists(EntryFile(root, Key("b"))));
  EXPECT_FALSE(fs::exists(EntryFile(root, Key("c"))));
  for (const char* kept : {"a", "d", "e"}) EXPECT_TRUE(fs::exists(EntryFile(root, Key(kept)))) << kept;
  const ArtifactCache::Usage usage = cache.Measure();
  EXPECT_EQ(usage.entries, 3u);
  EXPECT_LE(usage.bytes, max_bytes);
  EXPECT_EQ(RecordedTotal(root), usage.bytes) << "the rescan stores the true total";
}

TEST(ArtifactCacheTest, PutKeepsARunningTotalWithoutScanning) {
  TempDir dir;
  ArtifactCache cache(dir.path().string(), kLarge);
  std::string err;
  for (unsigned i = 0; i < 5; ++i) ASSERT_TRUE(cache.Put(Key(std::to_string(i)), KernelEntry(i, 100 * i), &err)) << err;
  EXPECT_EQ(RecordedTotal(dir.path()), cache.Measure().bytes);

  // A file the cache did not write is not seen until a rescan: Puts do not
  // scan. A lost total (here: deleted) makes the next Put rescan.
  WriteText(dir.path() / "v1" / "00" / "00", "stray");
  ASSERT_TRUE(cache.Put(Key("5"), KernelEntry(5), &err)) << err;
  EXPECT_EQ(RecordedTotal(dir.path()), cache.Measure().bytes - 5);
  fs::remove(dir.path() / "v1" / "usage");
  ASSERT_TRUE(cache.Put(Key("6"), KernelEntry(6), &err)) << err;
  EXPECT_EQ(RecordedTotal(dir.path()), cache.Measure().bytes);
  EXPECT_EQ(cache.Measure().entries, 8u) << "a rescan under the limit evicts nothing";
}

TEST(ArtifactCacheTest, EvictToRemovesOldestAndOnlyAbandonedTemporaries) {
  TempDir dir;
  ArtifactCache cache(dir.path().string(), kLarge);
  std::string err;
  for (unsigned i = 0; i < 4; ++i) {
    ASSERT_TRUE(cache.Put(Key(std::to_string(i)), KernelEntry(i), &err)) << err;
    SetAge(EntryFile(dir.path(), Key(std::to_string(i))), std::chrono::hours(10 - i));  // 0 oldest
  }
  const uint64_t entry_bytes = cache.Measure().bytes / 4;

  // A writer that is gone (a child already reaped), and one still running (init).
  const pid_t dead = ::fork();
  ASSERT_GE(dead, 0);
  if (dead == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(dead, nullptr, 0), dead);
  const fs::path folder = EntryFile(dir.path(), Key("0")).parent_path();
  const fs::path abandoned = folder / (".deadbeef.tmp." + std::to_string(dead) + ".a1b2c3");
  const fs::path being_written = folder / ".deadbeef.tmp.1.d4e5f6";
  WriteText(abandoned, "half an entry");
  WriteText(being_written, "half an entry");

  ASSERT_TRUE(cache.EvictTo(2 * entry_bytes, &err)) << err;
  EXPECT_FALSE(fs::exists(EntryFile(dir.path(), Key("0"))));
  EXPECT_FALSE(fs::exists(EntryFile(dir.path(), Key("1"))));
  EXPECT_TRUE(fs::exists(EntryFile(dir.path(), Key("2"))));
  EXPECT_TRUE(fs::exists(EntryFile(dir.path(), Key("3"))));
  EXPECT_FALSE(fs::exists(abandoned));
  EXPECT_TRUE(fs::exists(being_written));
  EXPECT_EQ(RecordedTotal(dir.path()), 2 * entry_bytes);

  ASSERT_TRUE(cache.EvictTo(0, &err)) << err;
  EXPECT_EQ(cache.Measure().entries, 0u);
  EXPECT_EQ(cache.Measure().bytes, 0u);
}

TEST(ArtifactCacheTest, AReaderOfAnEvictedEntryStillReadsItWhole) {
  TempDir dir;
  ArtifactCache cache(dir.path().string(), kLarge);
  std::string err;
  ASSERT_TRUE(cache.Put(Key("k"), KernelEntry(1, 100000), &err)) << err;
  const fs::path file = EntryFile(dir.path(), Key("k"));
  const std::string before = ReadText(file);
  const int fd = ::open(file.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(cache.EvictTo(0, &err)) << err;
  ASSERT_FALSE(fs::exists(file));
  std::string read_after;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) read_after.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  EXPECT_EQ(read_after, before);
}

TEST(ArtifactCacheTest, MeasureOfAMissingCacheIsZero) {
  TempDir dir;
  ArtifactCache cache((dir.path() / "none").string(), kLarge);
  EXPECT_EQ(cache.Measure().bytes, 0u);
  EXPECT_EQ(cache.Measure().entries, 0u);
  std::string err;
  EXPECT_TRUE(cache.EvictTo(0, &err)) << err;
  EXPECT_FALSE(fs::exists(dir.path() / "none"));
}

enum class Damage {
  kTruncateByOne,
  kTruncateToHalf,
  kTruncateIntoHeader,
  kFlipPayloadByte,
  kFlipMagic,
  kGarbage,
  kZeroLength,
  kAnotherKeysEntry,
};

std::string DamageName(Damage damage) {
  switch (damage) {
    case Damage::kTruncateByOne: return "TruncatedByOneByte";
    case Damage::kTruncateToHalf: return "TruncatedToHalf";
    case Damage::kTruncateIntoHeader: return "TruncatedIntoTheHeader";
    case Damage::kFlipPayloadByte: return "OnePayloadByteFlipped";
    case Damage::kFlipMagic: return "WrongMagic";
    case Damage::kGarbage: return "Garbage";
    case Damage::kZeroLength: return "ZeroLength";
    case Damage::kAnotherKeysEntry: return "AnotherKeysEntry";
  }
  return "Unknown";
}

void PrintTo(Damage damage, std::ostream* out) { *out << DamageName(damage); }

class ArtifactCacheCorruptionTest : public ::testing::TestWithParam<Damage> {};

TEST_P(ArtifactCacheCorruptionTest, IsReportedRemovedAndThenAMissThatAPutRepairs) {
  TempDir dir;
  ArtifactCache cache(dir.path().string(), kLarge);
  const std::string key = Key("damaged");
  const CacheEntry entry = KernelEntry(3);
  std::string err;
  ASSERT_TRUE(cache.Put(key, entry, &err)) << err;
  ASSERT_TRUE(cache.Put(Key("neighbour"), KernelEntry(4), &err)) << err;
  const fs::path file = EntryFile(dir.path(), key);
  std::string bytes = ReadText(file);
  switch (GetParam()) {
    case Damage::kTruncateByOne: bytes.pop_back(); break;
    case Damage::kTruncateToHalf: bytes.resize(bytes.size() / 2); break;
    case Damage::kTruncateIntoHeader: bytes.resize(10); break;
    case Damage::kFlipPayloadByte: bytes[bytes.size() - 300] ^= 0x01; break;  // in the cubin: only the checksum sees it
    case Damage::kFlipMagic: bytes[0] ^= 0x20; break;
    case Damage::kGarbage: bytes = BinaryBytes(bytes.size(), 99); break;
    case Damage::kZeroLength: bytes.clear(); break;
    // Intact and checksummed, but made for another key: not this one's kernel.
    case Damage::kAnotherKeysEntry: bytes = ReadText(EntryFile(dir.path(), Key("neighbour"))); break;
  }
  WriteText(file, bytes);

  CacheEntry got = {{"untouched", "yes"}};
  EXPECT_EQ(cache.Get(key, &got), Found::kCorrupt);
  EXPECT_EQ(got, (CacheEntry{{"untouched", "yes"}})) << "no partial data";
  EXPECT_FALSE(fs::exists(file)) << "a corrupt entry is removed";
  EXPECT_EQ(cache.Get(key, &got), Found::kMiss);
  EXPECT_EQ(cache.Get(Key("neighbour"), &got), Found::kHit) << "other entries are untouched";

  ASSERT_TRUE(cache.Put(key, entry, &err)) << err;
  ASSERT_EQ(cache.Get(key, &got), Found::kHit);
  EXPECT_EQ(got, entry);
}

// Named so that --gtest_filter='ArtifactCache*' runs these too.
INSTANTIATE_TEST_SUITE_P(ArtifactCache, ArtifactCacheCorruptionTest,
                         ::testing::Values(Damage::kTruncateByOne, Damage::kTruncateToHalf, Damage::kTruncateIntoHeader,
                                           Damage::kFlipPayloadByte, Damage::kFlipMagic, Damage::kGarbage,
                                           Damage::kZeroLength, Damage::kAnotherKeysEntry),
                         [](const ::testing::TestParamInfo<Damage>& info) { return DamageName(info.param); });

void AppendLittleEndian(std::string* out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>(value >> (8 * i)));
}

TEST(ArtifactCacheTest, ACheckedPayloadThatLiesAboutItsLengthsIsCorruptNotACrash) {
  // A checksum proves the bytes are what was written, not that the writer was
  // this code: the parser checks every length against what is left.
  TempDir dir;
  ArtifactCache cache(dir.path().string(), kLarge);
  const std::string key = Key("liar");
  std::vector<std::string> payloads;
  std::string payload;
  AppendLittleEndian(&payload, key.size(), 4);
  payload += key;
  std::string one_blob = payload;
  AppendLittleEndian(&one_blob, 1, 4);
  AppendLittleEndian(&one_blob, 5, 4);
  one_blob += "cubin";
  payloads.push_back(one_blob + std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8) + "abc");  // huge blob
  payloads.push_back(one_blob + std::string("\x03\0\0\0\0\0\0\0", 8) + "abcEXTRA");           // trailing bytes
  std::string many = payload;
  AppendLittleEndian(&many, 0xffffffff, 4);  // four billion blobs, none there
  payloads.push_back(many);
  std::string twice = payload;
  AppendLittleEndian(&twice, 2, 4);
  for (int i = 0; i < 2; ++i) {
    AppendLittleEndian(&twice, 1, 4);
    twice += "x";
    AppendLittleEndian(&twice, 0, 8);
  }
  payloads.push_back(twice);  // one name twice
  for (const std::string& p : payloads) {
    std::string file = "TAOTCACH";
    AppendLittleEndian(&file, 1, 4);
    file += Sha256Hex(p);
    AppendLittleEndian(&file, p.size(), 8);
    file += p;
    WriteText(EntryFile(dir.path(), key), file);
    CacheEntry got;
    EXPECT_EQ(cache.Get(key, &got), Found::kCorrupt) << p.size();
    EXPECT_TRUE(got.empty());
  }
}

TEST(ArtifactCacheTest, KeysThatAreNotLowercaseHexAreRejected) {
  TempDir dir;
  const fs::path root = dir.path() / "cache";
  ArtifactCache cache(root.string(), kLarge);
  const std::vector<std::string> bad = {
      "", "a", "..", "../../../etc/passwd", "ab/cd", "a.b", " abc", "ABCDEF", "0123456789abcdeg",
      std::string("ab\0cd", 5), std::string(129, 'a'),
  };
  for (const std::string& key : bad) {
    std::string err;
    EXPECT_NO_THROW(EXPECT_FALSE(cache.Put(key, KernelEntry(1), &err)) << key);
    EXPECT_NE(err.find("is not a kernel cache key"), std::string::npos) << err;
    CacheEntry got;
    EXPECT_EQ(cache.Get(key, &got), Found::kMiss) << key;
  }
  EXPECT_FALSE(fs::exists(root)) << "a rejected key writes nothing";
  EXPECT_TRUE(ListFiles(dir.path()).empty());

  std::string err;
  for (const std::string& key : {std::string("ab"), std::string(128, 'f')}) {
    ASSERT_TRUE(cache.Put(key, KernelEntry(1), &err)) << key << ": " << err;
    CacheEntry got;
    EXPECT_EQ(cache.Get(key, &got), Found::kHit) << key;
  }
}

TEST(ArtifactCacheTest, AnEntryLargerThanTheLimitIsNotStored) {
  TempDir dir;
  ArtifactCache cache(dir.path().string(), 4096);
  std::string err;
  EXPECT_FALSE(cache.Put(Key("big"), KernelEntry(1, 10000), &err));
  EXPECT_NE(err.find("exceed the kernel cache's limit of 4096 bytes"), std::string::npos) << err;
  EXPECT_EQ(cache.Measure().entries, 0u);
  EXPECT_TRUE(cache.Put(Key("small"), KernelEntry(1, 100), &err)) << err;
}

TEST(ArtifactCacheTest, PutBelowAFileFailsWithAMessage) {
  TempDir dir;
  WriteText(dir.path() / "file", "not a folder");
  const std::string root = (dir.path() / "file" / "cache").string();
  ArtifactCache cache(root, kLarge);
  std::string err;
  bool stored = true;
  EXPECT_NO_THROW(stored = cache.Put(Key("k"), KernelEntry(1), &err));
  EXPECT_FALSE(stored);
  EXPECT_NE(err.find("cannot create the kernel cache folder '" + root + "/v1/"), std::string::npos) << err;
  EXPECT_NE(err.find("'" + (dir.path() / "file").string() + "' is a file; a file is in the way"), std::string::npos)
      << err;
  CacheEntry got;
  EXPECT_EQ(cache.Get(Key("k"), &got), Found::kMiss);
  EXPECT_EQ(cache.Measure().entries, 0u);
}

TEST(ArtifactCacheTest, PutIntoAnUnwritableFolderFailsWithAMessage) {
  TempDir dir;
  const fs::path root = dir.path() / "cache";
  fs::create_directories(root);
  fs::permissions(dir.path(), fs::perms::others_exec | fs::perms::group_exec, fs::perm_options::add);
  fs::permissions(root, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
  // Root writes into a 0555 folder anyway, so the Put runs in a child that,
  // when root, becomes nobody first.
  const ForkedResult child = RunForked([&](int out) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) return 77;
    if (::access(root.c_str(), W_OK) == 0) return 77;
    ArtifactCache cache(root.string(), kLarge);
    std::string err;
    const bool stored = cache.Put(Key("k"), KernelEntry(1), &err);
    if (::write(out, err.data(), err.size()) < 0) return 3;
    return stored ? 1 : 0;
  });
  const std::string& message = child.output;
  const int status = child.status;
  fs::permissions(root, fs::perms::owner_all, fs::perm_options::add);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  if (WEXITSTATUS(status) == 77) GTEST_SKIP() << "cannot get a user who is refused writing a 0555 folder";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the Put succeeded";
  EXPECT_NE(message.find("cannot create the kernel cache folder '" + (root / "v1").string() + "': Permission denied"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("not writable by you"), std::string::npos) << message;
  EXPECT_TRUE(ListFiles(root).empty());
}

// What writer `writer` stores under `key` in its `iteration`th Put: the reader
// recomputes it from the entry's own fields to tell a whole entry from a torn one.
CacheEntry WrittenBy(const std::string& key, int writer, int iteration) {
  const unsigned seed = static_cast<unsigned>(writer * 1000 + iteration);
  return {{"key", key},
          {"writer", std::to_string(writer)},
          {"iteration", std::to_string(iteration)},
          {"cubin", BinaryBytes(600 + (seed * 37) % 1800, seed)}};
}

bool ParseSmallNumber(const std::string& text, int* value) {
  if (text.empty() || text.size() > 6) return false;
  *value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    *value = *value * 10 + (c - '0');
  }
  return true;
}

// True when `entry` is exactly what some writer stored under `key`.
bool IsWholeEntry(const std::string& key, const CacheEntry& entry) {
  int writer = 0, iteration = 0;
  if (!entry.count("writer") || !entry.count("iteration")) return false;
  if (!ParseSmallNumber(entry.at("writer"), &writer) || !ParseSmallNumber(entry.at("iteration"), &iteration)) {
    return false;
  }
  return entry == WrittenBy(key, writer, iteration);
}

TEST(ArtifactCacheTest, ConcurrentWritersAndAReaderNeverSeeATornEntryAndTheLimitHolds) {
  // Separate processes, as separate triton-aot runs of a parallel build are.
  TempDir dir;
  const fs::path root = dir.path() / "cache";
  const fs::path done = dir.path() / "writers-done";
  constexpr int kWriters = 4;
  constexpr int kPutsPerWriter = 60;
  constexpr int kKeys = 24;  // shared by all writers: ~40 KiB of entries, twice the limit
  constexpr uint64_t kMaxBytes = 20 * 1024;  // so eviction runs again and again during the run
  std::vector<std::string> keys;
  for (int i = 0; i < kKeys; ++i) keys.push_back(Key("kernel " + std::to_string(i)));

  std::vector<pid_t> writers;
  for (int w = 0; w < kWriters; ++w) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ArtifactCache cache(root.string(), kMaxBytes);
      for (int i = 0; i < kPutsPerWriter; ++i) {
        const std::string& key = keys[static_cast<size_t>((w * 5 + i) % kKeys)];
        std::string err;
        if (!cache.Put(key, WrittenBy(key, w, i), &err)) {
          std::fprintf(stderr, "writer %d: %s\n", w, err.c_str());
          ::_exit(1);
        }
      }
      ::_exit(0);
    }
    writers.push_back(pid);
  }

  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t reader = ::fork();
  ASSERT_GE(reader, 0);
  if (reader == 0) {
    ::close(pipe_fds[0]);
    ArtifactCache cache(root.string(), kMaxBytes);
    int hits = 0, torn = 0, corrupt = 0;
    // Passes over every key until one that starts after the writers are done.
    bool writers_done = false;
    do {
      writers_done = fs::exists(done);
      for (const std::string& key : keys) {
        CacheEntry entry;
        const Found found = cache.Get(key, &entry);
        if (found == Found::kHit) ++hits;
        if (found == Found::kHit && !IsWholeEntry(key, entry)) ++torn;
        if (found == Found::kCorrupt) ++corrupt;
      }
    } while (!writers_done);
    const std::string report = fmt::format("{} {} {}", hits, torn, corrupt);
    if (::write(pipe_fds[1], report.data(), report.size()) < 0) ::_exit(3);
    ::_exit(0);
  }
  ::close(pipe_fds[1]);

  for (pid_t pid : writers) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a writer failed: " << status;
  }
  WriteText(done, "");
  std::string report;
  char buffer[256];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) report.append(buffer, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(reader, &status, 0), reader);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the reader failed: " << status;

  int hits = -1, torn = -1, corrupt = -1;
  ASSERT_EQ(std::sscanf(report.c_str(), "%d %d %d", &hits, &torn, &corrupt), 3) << report;
  EXPECT_GT(hits, 0) << "the reader never found anything: the test proves nothing";
  EXPECT_EQ(torn, 0) << "hits whose bytes no writer wrote";
  EXPECT_EQ(corrupt, 0) << "entries seen half-written";

  ArtifactCache cache(root.string(), kMaxBytes);
  const ArtifactCache::Usage usage = cache.Measure();
  EXPECT_LE(usage.bytes, kMaxBytes);
  EXPECT_GT(usage.entries, 0u);
  EXPECT_LT(usage.entries, static_cast<uint64_t>(kKeys)) << "the limit never forced an eviction";
  EXPECT_GE(RecordedTotal(root), usage.bytes) << "the running total may overestimate, never underestimate";
  EXPECT_TRUE(DotFiles(root).empty()) << "temporaries left behind";
  for (const std::string& key : keys) {
    CacheEntry entry;
    const Found found = cache.Get(key, &entry);
    EXPECT_NE(found, Found::kCorrupt) << key;
    if (found == Found::kHit) {
      EXPECT_TRUE(IsWholeEntry(key, entry)) << key;
    }
  }
}

TEST(ArtifactCacheParseByteSizeTest, AcceptsBytesAndBinaryUnits) {
  const std::vector<std::pair<std::string, uint64_t>> cases = {
      {"1", 1},
      {"1048576", 1048576},
      {"512K", 512ull << 10},
      {"512KiB", 512ull << 10},
      {"512M", 512ull << 20},
      {"512MiB", 512ull << 20},
      {"5G", 5ull << 30},
      {"5GiB", 5ull << 30},
      {"007M", 7ull << 20},
      {"18446744073709551615", UINT64_MAX},
      {"17179869183G", 17179869183ull << 30},
  };
  for (const auto& [text, expected] : cases) {
    uint64_t bytes = 0;
    std::string err;
    EXPECT_TRUE(ParseByteSize(text, &bytes, &err)) << text << ": " << err;
    EXPECT_EQ(bytes, expected) << text;
  }
}

TEST(ArtifactCacheParseByteSizeTest, RejectsAnythingElseAndZeroWithAMessage) {
  const std::vector<std::string> bad = {
      "", "0", "0K", "000G", "K", "-1", "+5", " 5", "5 ", "5 G", "5g", "5k", "5GB", "5T", "5Gi", "1.5G", "5GiBs",
      "0x10", "1e9",
      "18446744073709551616",     // 2^64
      "99999999999999999999999",  // far beyond
      "17179869184G",             // 2^34 GiB = 2^64
  };
  for (const std::string& text : bad) {
    uint64_t bytes = 12345;
    std::string err;
    EXPECT_FALSE(ParseByteSize(text, &bytes, &err)) << text;
    EXPECT_EQ(bytes, 12345u) << text << ": changed on failure";
    EXPECT_NE(err.find("'" + text + "'"), std::string::npos) << "the message quotes the text: " << err;
    EXPECT_NE(err.find("5G"), std::string::npos) << "the message shows an accepted form: " << err;
  }
}

TEST(ArtifactCacheDefaultDirTest, FollowsTheEnvironmentInOrder) {
  Environment::Variables variables = {
      {"TRITON_AOT_CACHE_DIR", "/cache/own"}, {"XDG_CACHE_HOME", "/cache/xdg"}, {"HOME", "/home/someone"}};
  EXPECT_EQ(DefaultCacheDir(Environment(variables)), "/cache/own");
  variables.erase("TRITON_AOT_CACHE_DIR");
  EXPECT_EQ(DefaultCacheDir(Environment(variables)), "/cache/xdg/triton-aot");
  Environment::Variables relative_xdg = variables;
  relative_xdg["XDG_CACHE_HOME"] = "relative/cache";  // ignored, as the XDG specification says
  EXPECT_EQ(DefaultCacheDir(Environment(relative_xdg)), "/home/someone/.cache/triton-aot");
  variables.erase("XDG_CACHE_HOME");
  EXPECT_EQ(DefaultCacheDir(Environment(variables)), "/home/someone/.cache/triton-aot");
  variables.erase("HOME");
  EXPECT_EQ(DefaultCacheDir(Environment(variables)), "");
  const Environment empty({{"TRITON_AOT_CACHE_DIR", ""}, {"XDG_CACHE_HOME", ""}, {"HOME", "/home/someone"}});
  EXPECT_EQ(DefaultCacheDir(empty), "/home/someone/.cache/triton-aot") << "empty variables count as unset";
}

}  // namespace
}  // namespace triton_aot

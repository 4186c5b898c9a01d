#include "cache_entry.h"

#include <cstdint>
#include <string_view>

#include "content_hash.h"

namespace triton_aot {
namespace {

constexpr std::string_view kMagic = "TAOTCACH";
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kHexDigestLength = 64;

void AppendU32(std::string* out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(value >> (8 * i)));
}

void AppendU64(std::string* out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(value >> (8 * i)));
}

// Reads the fields of an entry file front to back. Every read checks the
// bytes left first: the file may be anything at all.
class Reader {
 public:
  explicit Reader(std::string_view data) : rest_(data) {}
  bool Bytes(size_t size, std::string_view* out) {
    if (rest_.size() < size) return false;
    *out = rest_.substr(0, size);
    rest_.remove_prefix(size);
    return true;
  }
  bool U32(uint32_t* value) {
    std::string_view bytes;
    if (!Bytes(4, &bytes)) return false;
    *value = 0;
    for (int i = 3; i >= 0; --i) *value = (*value << 8) | static_cast<unsigned char>(bytes[i]);
    return true;
  }
  bool U64(uint64_t* value) {
    std::string_view bytes;
    if (!Bytes(8, &bytes)) return false;
    *value = 0;
    for (int i = 7; i >= 0; --i) *value = (*value << 8) | static_cast<unsigned char>(bytes[i]);
    return true;
  }
  bool String32(std::string_view* out) {
    uint32_t size = 0;
    return U32(&size) && Bytes(size, out);
  }
  bool String64(std::string_view* out) {
    uint64_t size = 0;
    return U64(&size) && size <= rest_.size() && Bytes(static_cast<size_t>(size), out);
  }
  bool AtEnd() const { return rest_.empty(); }
  std::string_view Rest() const { return rest_; }

 private:
  std::string_view rest_;
};

}  // namespace

std::string EncodeEntry(const std::string& key, const CacheEntry& entry) {
  std::string payload;
  AppendU32(&payload, static_cast<uint32_t>(key.size()));
  payload += key;
  AppendU32(&payload, static_cast<uint32_t>(entry.size()));
  for (const auto& [name, bytes] : entry) {
    AppendU32(&payload, static_cast<uint32_t>(name.size()));
    payload += name;
    AppendU64(&payload, bytes.size());
    payload += bytes;
  }
  std::string file(kMagic);
  AppendU32(&file, kFormatVersion);
  file += Sha256Hex(payload);
  AppendU64(&file, payload.size());
  file += payload;
  return file;
}

bool DecodeEntry(std::string_view file, const std::string& key, CacheEntry* entry) {
  Reader header(file);
  std::string_view magic, digest;
  uint32_t version = 0;
  uint64_t payload_size = 0;
  if (!header.Bytes(kMagic.size(), &magic) || magic != kMagic) return false;
  if (!header.U32(&version) || version != kFormatVersion) return false;
  if (!header.Bytes(kHexDigestLength, &digest) || !header.U64(&payload_size)) return false;
  const std::string_view payload = header.Rest();
  if (payload_size != payload.size() || Sha256Hex(payload) != digest) return false;

  Reader reader(payload);
  std::string_view stored_key;
  uint32_t count = 0;
  if (!reader.String32(&stored_key) || stored_key != key || !reader.U32(&count)) return false;
  CacheEntry decoded;
  for (uint32_t i = 0; i < count; ++i) {
    std::string_view name, bytes;
    if (!reader.String32(&name) || !reader.String64(&bytes)) return false;
    if (!decoded.emplace(name, bytes).second) return false;  // a name twice: not something Put writes
  }
  if (!reader.AtEnd()) return false;
  *entry = std::move(decoded);
  return true;
}

}  // namespace triton_aot

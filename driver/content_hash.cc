#include "content_hash.h"

#include <openssl/evp.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace triton_aot {
namespace {

// OpenSSL's SHA-256 fails only when it cannot allocate its context or is
// built without SHA-256; neither leaves anything a caller could do, and a
// wrong digest would silently reuse the wrong cached kernel. So: stop.
void Check(int ok, const char* what) {
  if (ok == 1) return;
  std::fprintf(stderr, "triton-aot: internal error: OpenSSL's %s failed for SHA-256\n", what);
  std::abort();
}

std::string Hex(const unsigned char* bytes, unsigned int size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex += kDigits[bytes[i] >> 4];
    hex += kDigits[bytes[i] & 0xf];
  }
  return hex;
}

std::string FinalHex(EVP_MD_CTX* context) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  Check(EVP_DigestFinal_ex(context, digest, &size), "EVP_DigestFinal_ex");
  return Hex(digest, size);
}

// The length as 8 little-endian bytes: the same on every machine, so that a
// digest made on one names the same artifact on another.
void UpdateLength(EVP_MD_CTX* context, uint64_t length) {
  unsigned char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(length >> (8 * i));
  Check(EVP_DigestUpdate(context, bytes, sizeof bytes), "EVP_DigestUpdate");
}

}  // namespace

ContentHash::ContentHash() : context_(EVP_MD_CTX_new()) {
  Check(context_ != nullptr, "EVP_MD_CTX_new");
  Check(EVP_DigestInit_ex(context_, EVP_sha256(), nullptr), "EVP_DigestInit_ex");
}

ContentHash::~ContentHash() { EVP_MD_CTX_free(context_); }

void ContentHash::Add(std::string_view name, std::string_view value) {
  UpdateLength(context_, name.size());
  Check(EVP_DigestUpdate(context_, name.data(), name.size()), "EVP_DigestUpdate");
  UpdateLength(context_, value.size());
  Check(EVP_DigestUpdate(context_, value.data(), value.size()), "EVP_DigestUpdate");
}

std::string ContentHash::HexDigest() {
  // Finishing a copy leaves this one open for more fields.
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  Check(copy != nullptr, "EVP_MD_CTX_new");
  Check(EVP_MD_CTX_copy_ex(copy, context_), "EVP_MD_CTX_copy_ex");
  std::string hex = FinalHex(copy);
  EVP_MD_CTX_free(copy);
  return hex;
}

std::string Sha256Hex(std::string_view data) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  Check(context != nullptr, "EVP_MD_CTX_new");
  Check(EVP_DigestInit_ex(context, EVP_sha256(), nullptr), "EVP_DigestInit_ex");
  Check(EVP_DigestUpdate(context, data.data(), data.size()), "EVP_DigestUpdate");
  std::string hex = FinalHex(context);
  EVP_MD_CTX_free(context);
  return hex;
}

}  // namespace triton_aot

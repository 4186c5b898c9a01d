// SHA-256 digests of what goes into a compiled kernel, to name its cached
// artifacts: the same inputs give the same name in every process and on every
// machine, and any change in them gives another.
#pragma once

#include <string>
#include <string_view>

// OpenSSL's digest context, kept out of this header.
struct evp_md_ctx_st;

namespace triton_aot {

// SHA-256 over a sequence of named fields.
class ContentHash {
 public:
  ContentHash();
  ~ContentHash();
  ContentHash(const ContentHash&) = delete;
  ContentHash& operator=(const ContentHash&) = delete;

  // Each field is length-prefixed (name and value), so ("ab","c") and ("a","bc") differ.
  void Add(std::string_view name, std::string_view value);

  // 64 lowercase hex digits: the digest of the fields added so far. Fields may
  // still be added afterwards; a later call includes them.
  std::string HexDigest();

 private:
  evp_md_ctx_st* context_;
};

// The plain SHA-256 of `data` (no field framing), as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view data);

}  // namespace triton_aot

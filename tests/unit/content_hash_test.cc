#include "content_hash.h"

#include <gtest/gtest.h>

#include <string>

namespace triton_aot {
namespace {

TEST(ContentHashTest, Sha256HexMatchesKnownVectors) {
  // FIPS 180-2's examples.
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(ContentHashTest, Sha256HexHashesEveryByteIncludingNul) {
  EXPECT_NE(Sha256Hex(std::string("a\0b", 3)), Sha256Hex("a"));
  EXPECT_NE(Sha256Hex(std::string("a\0b", 3)), Sha256Hex(std::string("a\0c", 3)));
}

TEST(ContentHashTest, NoFieldsIsTheHashOfNothing) {
  ContentHash hash;
  EXPECT_EQ(hash.HexDigest(), Sha256Hex(""));
}

TEST(ContentHashTest, DigestIs64LowercaseHexDigits) {
  ContentHash hash;
  hash.Add("source", "def kernel(): pass");
  const std::string digest = hash.HexDigest();
  ASSERT_EQ(digest.size(), 64u);
  for (char c : digest) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << digest;
}

TEST(ContentHashTest, FieldsAreLengthPrefixedSoBoundariesMatter) {
  auto digest_of = [](std::string_view name, std::string_view value) {
    ContentHash hash;
    hash.Add(name, value);
    return hash.HexDigest();
  };
  EXPECT_NE(digest_of("ab", "c"), digest_of("a", "bc"));
  EXPECT_NE(digest_of("ab", ""), digest_of("a", "b"));
  EXPECT_NE(digest_of("", "ab"), digest_of("ab", ""));

}

TEST(ContentHashTest, FramingIsFixedSoKeysStayStableAcrossVersions) {
  // Each of name and value: its length as 8 little-endian bytes, then its
  // bytes. Changing this would orphan every cached kernel of every user.
  ContentHash hash;
  hash.Add("ab", "c");
  const std::string framed("\x02\0\0\0\0\0\0\0ab\x01\0\0\0\0\0\0\0c", 19);
  EXPECT_EQ(hash.HexDigest(), Sha256Hex(framed));
}

TEST(ContentHashTest, OrderOfFieldsMatters) {
  ContentHash ab;
  ab.Add("a", "1");
  ab.Add("b", "2");
  ContentHash ba;
  ba.Add("b", "2");
  ba.Add("a", "1");
  EXPECT_NE(ab.HexDigest(), ba.HexDigest());
}

TEST(ContentHashTest, SameFieldsGiveSameDigest) {
  ContentHash first;
  first.Add("arch", "sm_90");
  first.Add("cubin", std::string("\0\x01\xff", 3));
  ContentHash second;
  second.Add("arch", "sm_90");
  second.Add("cubin", std::string("\0\x01\xff", 3));
  EXPECT_EQ(first.HexDigest(), second.HexDigest());
}

TEST(ContentHashTest, DigestCanBeTakenThenMoreFieldsAdded) {
  ContentHash hash;
  hash.Add("a", "1");
  const std::string after_one = hash.HexDigest();
  EXPECT_EQ(hash.HexDigest(), after_one);  // taking it does not change it
  hash.Add("b", "2");

  ContentHash fresh;
  fresh.Add("a", "1");
  fresh.Add("b", "2");
  EXPECT_EQ(hash.HexDigest(), fresh.HexDigest());
  EXPECT_NE(hash.HexDigest(), after_one);
}

}  // namespace
}  // namespace triton_aot

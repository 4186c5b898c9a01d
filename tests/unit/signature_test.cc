#include "signature.h"

#include <gtest/gtest.h>

#include <string>

namespace triton_aot {
namespace {

ArgType MustParse(const std::string& text) {
  ArgType type;
  std::string err;
  EXPECT_TRUE(ParseArgType(text, &type, &err)) << text << ": " << err;
  return type;
}

std::string ParseError(const std::string& text) {
  ArgType type;
  type.dtype = "untouched";
  std::string err;
  EXPECT_FALSE(ParseArgType(text, &type, &err)) << "'" << text << "' was accepted";
  EXPECT_EQ(type.dtype, "untouched") << "a failed parse must leave the output alone";
  return err;
}

TEST(ParseArgTypeTest, Pointers) {
  ArgType t = MustParse("*fp16");
  EXPECT_TRUE(t.is_pointer);
  EXPECT_EQ(t.dtype, "fp16");
  EXPECT_EQ(t.hint, Hint::kNone);

  t = MustParse("*fp32:16");
  EXPECT_TRUE(t.is_pointer);
  EXPECT_EQ(t.dtype, "fp32");
  EXPECT_EQ(t.hint, Hint::kDivisibleBy16);

  EXPECT_TRUE(MustParse("*u8").is_pointer);
  EXPECT_TRUE(MustParse("*bf16:16").is_pointer);
}

TEST(ParseArgTypeTest, Scalars) {
  ArgType t = MustParse("i32");
  EXPECT_FALSE(t.is_pointer);
  EXPECT_EQ(t.dtype, "i32");
  EXPECT_EQ(t.hint, Hint::kNone);

  EXPECT_EQ(MustParse("fp32").dtype, "fp32");
  EXPECT_EQ(MustParse("i1").dtype, "i1");
  EXPECT_EQ(MustParse("u64").dtype, "u64");
}

TEST(ParseArgTypeTest, IntegerHints) {
  EXPECT_EQ(MustParse("i32:16").hint, Hint::kDivisibleBy16);
  EXPECT_EQ(MustParse("i64:16").hint, Hint::kDivisibleBy16);
  EXPECT_EQ(MustParse("i32:1").hint, Hint::kEqualToOne);
  EXPECT_EQ(MustParse("u64:1").hint, Hint::kEqualToOne);
}

TEST(ParseArgTypeTest, EqualToOneIsForIntegersOnly) {
  for (const char* text : {"fp32:1", "*fp16:1", "*i32:1"}) {
    std::string err = ParseError(text);
    EXPECT_NE(err.find("':1'"), std::string::npos) << err;
    EXPECT_NE(err.find("integers only"), std::string::npos) << err;
  }
}

TEST(ParseArgTypeTest, DivisibleBy16IsNotForFloats) {
  for (const char* text : {"fp32:16", "bf16:16"}) {
    std::string err = ParseError(text);
    EXPECT_NE(err.find(std::string("'") + text + "'"), std::string::npos) << err;
    EXPECT_NE(err.find("pointers and integers only"), std::string::npos) << err;
  }
}

TEST(ParseArgTypeTest, RejectsUnknownTypes) {
  for (const char* text : {"", "*", "float", "int32", "f32", "*i1", "**fp16", "I32", "i32 "}) {
    std::string err = ParseError(text);
    EXPECT_NE(err.find("is not an argument type"), std::string::npos) << text << ": " << err;
    // The message lists what is valid.
    EXPECT_NE(err.find("fp16"), std::string::npos) << err;
  }
}

TEST(ParseArgTypeTest, RejectsUnknownHints) {
  for (const char* text : {"i32:8", "*fp16:32", "i32:", "i32:16:16"}) {
    std::string err = ParseError(text);
    EXPECT_NE(err.find("unknown hint"), std::string::npos) << text << ": " << err;
  }
  EXPECT_NE(ParseError("i32:8").find("':8'"), std::string::npos);
}

TEST(ArgTypeTest, TritonTypeDropsTheHintAndToStringKeepsIt) {
  ArgType t = MustParse("*fp16:16");
  EXPECT_EQ(t.TritonType(), "*fp16");
  EXPECT_EQ(t.ToString(), "*fp16:16");
  EXPECT_EQ(MustParse("i32:1").TritonType(), "i32");
}

TEST(ArgTypeTest, ToStringRoundTrips) {
  for (const char* text : {"*fp16", "*fp16:16", "*i8:16", "i32", "i32:16", "i64:1", "fp32", "u8", "*bf16", "i1:1"}) {
    ArgType t = MustParse(text);
    EXPECT_EQ(t.ToString(), text);
    EXPECT_EQ(MustParse(t.ToString()), t);
  }
}

TEST(ArgTypeTest, IsInteger) {
  for (const char* text : {"i1", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "i32:16"}) {
    EXPECT_TRUE(MustParse(text).IsInteger()) << text;
  }
  // Pointers to integers are pointers, and floats are not integers.
  for (const char* text : {"*i32", "*u64", "fp16", "bf16", "fp32", "fp64", "fp8e5"}) {
    EXPECT_FALSE(MustParse(text).IsInteger()) << text;
  }
}

}  // namespace
}  // namespace triton_aot

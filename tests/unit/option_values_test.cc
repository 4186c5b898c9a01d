#include "option_values.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>

namespace triton_aot {
namespace {

constexpr NumberRange kSeconds{"a number of seconds", 0.1, 86400, false};
constexpr NumberRange kWholeSeconds{"a whole number of seconds", 1, 604800, true};

TEST(ParseNumberTest, TakesNumbersInTheRange) {
  double value = 0;
  std::string err;
  ASSERT_TRUE(ParseNumber("120", kSeconds, &value, &err)) << err;
  EXPECT_EQ(value, 120);
  ASSERT_TRUE(ParseNumber("0.1", kSeconds, &value, &err)) << err;
  EXPECT_EQ(value, 0.1);
  ASSERT_TRUE(ParseNumber("86400", kSeconds, &value, &err)) << err;
  ASSERT_TRUE(ParseNumber("604800", kWholeSeconds, &value, &err)) << err;
  EXPECT_EQ(value, 604800);
}

TEST(ParseNumberTest, RefusesEverythingElseNamingTheValueAndTheRange) {
  for (const char* text : {"-1", "0", "0.05", "86401", "18446744073709551616", "1e400", "ten", "", " 5", "5s", "nan",
                           "inf", "-inf"}) {
    double value = 42;
    std::string err;
    EXPECT_FALSE(ParseNumber(text, kSeconds, &value, &err)) << text;
    EXPECT_EQ(value, 42) << "a refused value leaves the output alone";
    EXPECT_EQ(err, fmt::format("'{}' is not a number of seconds from 0.1 to 86400", text));
  }
  for (const char* text : {"0", "1.5", "1e3", "+5", "-1", "604801", "18446744073709551616", ""}) {
    double value = 42;
    std::string err;
    EXPECT_FALSE(ParseNumber(text, kWholeSeconds, &value, &err)) << text;
    EXPECT_EQ(err, fmt::format("'{}' is not a whole number of seconds from 1 to 604800", text));
  }
}

}  // namespace
}  // namespace triton_aot

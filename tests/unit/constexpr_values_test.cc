// Constexpr values: numbers, booleans, strings, and Triton dtypes, which
// the frontend sends as {"triton_dtype": "<name>"} (tl.float16 in the spec).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "load_answer.h"
#include "spec.h"

namespace triton_aot {
namespace {

using nlohmann::json;

// The spec's error for add_kernel with constexpr BLOCK = `value`, or "".
std::string ErrorWithBlock(const json& value, ModuleSpec* spec) {
  const json entry = {{"kernel", "add_kernel"},
                      {"signature", {{"x_ptr", "*fp32"}, {"y_ptr", "*fp32"}, {"out_ptr", "*fp32"}, {"n", "i32"}}},
                      {"constexprs", {{"BLOCK", value}}}};
  Diagnostic error;
  const bool ok = ParseModuleSpec(testing::ParsedLoadAnswer(testing::LoadAnswer(json::array({entry}))),
                                  "/src/kernels.py", spec, &error);
  return ok ? "" : FormatDiagnostic(error);
}

TEST(ConstexprValuesTest, ATritonDtypeIsAValue) {
  ModuleSpec spec;
  ASSERT_EQ(ErrorWithBlock({{"triton_dtype", "fp16"}}, &spec), "");
  EXPECT_EQ(spec.kernels.at(0).variants.at(0).constexprs["BLOCK"].dump(), R"({"triton_dtype":"fp16"})");
}

TEST(ConstexprValuesTest, OtherObjectsAreNot) {
  ModuleSpec spec;
  for (const json& value : {json({{"triton_dtype", "fp16"}, {"extra", 1}}), json({{"triton_dtype", 16}}),
                            json({{"triton_dtype", "fp16\n// injected"}}), json({{"dtype", "fp16"}}),
                            json::array({1})}) {
    const std::string err = ErrorWithBlock(value, &spec);
    EXPECT_NE(err.find("constexpr 'BLOCK' must be an int, float, bool, str or Triton dtype (tl.float16)"),
              std::string::npos)
        << value.dump() << ": " << err;
  }
}

// Compiled as Triton compiles a None: a constexpr, and no launch argument.
TEST(ConstexprValuesTest, AnArgumentTypedNoneIsAConstexprNone) {
  const json entry = {{"kernel", "add_kernel"},
                      {"signature", {{"x_ptr", "*fp32"}, {"y_ptr", "none"}, {"out_ptr", "*fp32"}, {"n", "i32"}}},
                      {"constexprs", {{"BLOCK", 64}}}};
  ModuleSpec spec;
  Diagnostic error;
  ASSERT_TRUE(ParseModuleSpec(testing::ParsedLoadAnswer(testing::LoadAnswer(json::array({entry}))), "/src/k.py",
                              &spec, &error))
      << FormatDiagnostic(error);
  const KernelSpec& kernel = spec.kernels.at(0);
  EXPECT_EQ(kernel.arg_names, (std::vector<std::string>{"x_ptr", "out_ptr", "n"}));
  EXPECT_TRUE(kernel.params.at(1).is_constexpr);
  EXPECT_EQ(kernel.variants.at(0).constexprs.dump(), R"({"y_ptr":null,"BLOCK":64})");
}

}  // namespace
}  // namespace triton_aot

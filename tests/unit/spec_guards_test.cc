// Guards and variant families in the spec: "guard" conditions on variants,
// and "for_each", one variant per value (see docs/kernel-spec.md).
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "load_answer.h"
#include "spec.h"

namespace triton_aot {
namespace {

using nlohmann::json;

constexpr const char* kPath = "/src/kernels.py";

// add_kernel(x_ptr, y_ptr, out_ptr, n, BLOCK) with these variants.
json Add(const json& variants, const json& extra = json::object()) {
  json entry = {{"kernel", "add_kernel"},
                {"signature", {{"x_ptr", "*fp32"}, {"y_ptr", "*fp32"}, {"out_ptr", "*fp32"}, {"n", "i32"}}},
                {"grid", {"cdiv(n, BLOCK)"}},
                {"variants", variants}};
  entry.update(extra);
  return testing::LoadAnswer(json::array({entry}));
}

// The spec's error, or "" when it parses.
std::string ErrorOf(const json& loaded, ModuleSpec* spec) {
  Diagnostic error;
  return ParseModuleSpec(testing::ParsedLoadAnswer(loaded), kPath, spec, &error) ? "" : FormatDiagnostic(error);
}

TEST(SpecGuardsTest, AVariantCarriesItsGuard) {
  ModuleSpec spec;
  ASSERT_EQ(ErrorOf(Add({{{"name", "small"}, {"constexprs", {{"BLOCK", 256}}}, {"guard", "n <= BLOCK"}},
                         {{"name", "big"}, {"constexprs", {{"BLOCK", 1024}}}}}),
                    &spec),
            "");
  const KernelSpec& kernel = spec.kernels.at(0);
  ASSERT_TRUE(kernel.variants.at(0).guard);
  EXPECT_EQ(kernel.variants[0].guard->text(), "n <= BLOCK");
  EXPECT_FALSE(kernel.variants.at(1).guard);
}

TEST(SpecGuardsTest, AGuardReadsLaunchParameters) {
  ModuleSpec spec;
  json loaded = Add({{{"name", "few"}, {"constexprs", {{"BLOCK", 256}}}, {"guard", "rows < 64 and n % 16 == 0"}},
                     {{"name", "many"}, {"constexprs", {{"BLOCK", 512}}}}},
                    {{"launch_params", {"rows: i32"}}});
  EXPECT_EQ(ErrorOf(loaded, &spec), "");
}

TEST(SpecGuardsTest, MistakesInAGuardNameTheVariantAndSayWhatIsWrong) {
  const std::string at = std::string(kPath) + ":" + std::to_string(testing::VariantLine(0, 0)) +
                         ": error: kernel 'add_kernel', variant 'v'";
  const struct {
    json guard, constexprs;
    std::string says;
  } cases[] = {
      {"n", {{"BLOCK", 256}},
       "guard 'n', column 1: a guard is a condition: compare the numbers ('n % 16 == 0', 'n != 0')"},
      {"m < 4", {{"BLOCK", 256}},
       "guard 'm < 4' reads 'm', which is unknown; it may read the integer arguments and constexprs: BLOCK, n"},
      {"x_ptr != 0", {{"BLOCK", 256}}, "guard 'x_ptr != 0' reads 'x_ptr', which is not an integer"},
      {16, {{"BLOCK", 256}}, "guard must be a string condition such as \"n_cols <= 1024\", not int"},
      {"n < BLOCK", {{"BLOCK", "big"}},
       "the guard reads constexpr 'BLOCK', which is \"big\" here; it must be an int or a bool"},
  };
  for (const auto& c : cases) {
    ModuleSpec spec;
    const std::string error =
        ErrorOf(Add({{{"name", "v"}, {"constexprs", c.constexprs}, {"guard", c.guard}}}, {{"grid", {"n"}}}), &spec);
    EXPECT_NE(error.find(c.says), std::string::npos) << error;
    EXPECT_EQ(error.rfind(at, 0), 0u) << error;
  }
}

TEST(SpecFamiliesTest, OneVariantPerValueEachWithTheGuard) {
  ModuleSpec spec;
  ASSERT_EQ(ErrorOf(Add({{{"name", "rows"}, {"for_each", {{"BLOCK", {256, 1024, 4096}}}}, {"guard", "n <= BLOCK"}},
                         {{"name", "generic"}, {"constexprs", {{"BLOCK", 8192}}}}}),
                    &spec),
            "");
  const KernelSpec& kernel = spec.kernels.at(0);
  ASSERT_EQ(kernel.variants.size(), 4u);
  const char* names[] = {"rows_256", "rows_1024", "rows_4096", "generic"};
  const int blocks[] = {256, 1024, 4096, 8192};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(kernel.variants[i].name, names[i]);
    EXPECT_EQ(kernel.variants[i].constexprs["BLOCK"], blocks[i]);
    EXPECT_EQ(kernel.variants[i].guard.has_value(), i < 3);
  }
}

TEST(SpecFamiliesTest, AListOfMembersSetsConstexprsAndLaunchOptions) {
  ModuleSpec spec;
  const json members = {{{"BLOCK", 1024}, {"num_warps", 4}}, {{"BLOCK", 4096}, {"num_warps", 16}}};
  ASSERT_EQ(ErrorOf(Add({{{"for_each", members}, {"guard", "n <= BLOCK"}}}), &spec), "");
  const KernelSpec& kernel = spec.kernels.at(0);
  ASSERT_EQ(kernel.variants.size(), 2u);
  EXPECT_EQ(kernel.variants[0].name, "BLOCK_1024");  // without a name, the constexpr's
  EXPECT_EQ(kernel.variants[0].num_warps, 4);
  EXPECT_EQ(kernel.variants[1].name, "BLOCK_4096");
  EXPECT_EQ(kernel.variants[1].num_warps, 16);
}

TEST(SpecFamiliesTest, MistakesNameTheVariant) {
  const struct {
    json variant;
    std::string says;
  } cases[] = {
      {{{"name", "r"}, {"for_each", {{"BLOCK", json::array()}}}}, "for_each['BLOCK'] must be a non-empty list"},
      {{{"name", "r"}, {"for_each", 4}}, "for_each must be a dict from constexpr names to lists of values"},
      {{{"name", "r"}, {"for_each", {{"BLOCK", {1.5}}}}}, "for_each value 1.5 of 'BLOCK' must be an int, a bool"},
      {{{"name", "r"}, {"constexprs", {{"BLOCK", 4}}}, {"for_each", {{"BLOCK", {8}}}}},
       "'BLOCK' is set both by the variant and by its for_each"},
      {{{"for_each", {{{"num_warps", 4}}}}}, "a for_each member that sets no constexpr needs the variant's name"},
      {{{"name", "r"}, {"for_each", {{"BLOCK", {256, 256}}}}}, "two variants are named 'r_256'"},
      {{{"name", "r"}, {"for_each", {{"WIDTH", {256}}}}}, "WIDTH"},
  };
  for (const auto& c : cases) {
    ModuleSpec spec;
    const std::string error = ErrorOf(Add(json::array({c.variant})), &spec);
    EXPECT_NE(error.find(c.says), std::string::npos) << c.variant.dump() << ": " << error;
    EXPECT_NE(error.find(":" + std::to_string(testing::VariantLine(0, 0)) + ": error: kernel 'add_kernel'"),
              std::string::npos)
        << error;
  }
}

}  // namespace
}  // namespace triton_aot

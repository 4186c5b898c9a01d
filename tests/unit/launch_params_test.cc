// launch_params: integers only the grid reads, parameters of the launch
// function that computes the grid; and entries without a grid, which only the
// launch with the caller's grid launches.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "load_answer.h"
#include "spec.h"

namespace triton_aot {
namespace {

using nlohmann::json;

constexpr const char* kPath = "/src/kernels.py";

json RowWise(const json& launch_params, const json& grid) {
  json entry = {{"kernel", "add_kernel"},
                {"signature", {{"x_ptr", "*fp32"}, {"y_ptr", "*fp32"}, {"out_ptr", "*fp32"}, {"n", "i32"}}},
                {"constexprs", {{"BLOCK", 1024}}},
                {"launch_params", launch_params}};
  if (!grid.is_null()) entry["grid"] = grid;
  return testing::LoadAnswer(json::array({entry}));
}

// The spec's error, or "" when it parses.
std::string ErrorOf(const json& loaded, ModuleSpec* spec) {
  Diagnostic error;
  return ParseModuleSpec(testing::ParsedLoadAnswer(loaded), kPath, spec, &error) ? "" : FormatDiagnostic(error);
}

TEST(LaunchParamsTest, TheGridReadsThemInTheOrderGiven) {
  ModuleSpec spec;
  ASSERT_EQ(ErrorOf(RowWise({"n_rows: i32", "splits : u64"}, {"n_rows", "splits"}), &spec), "");
  const KernelSpec& kernel = spec.kernels.at(0);
  ASSERT_EQ(kernel.launch_params.size(), 2u);
  EXPECT_EQ(kernel.launch_params[0].name, "n_rows");
  EXPECT_EQ(kernel.launch_params[0].type.dtype, "i32");
  EXPECT_EQ(kernel.launch_params[1].name, "splits");
  EXPECT_EQ(kernel.launch_params[1].type.dtype, "u64");
  EXPECT_EQ(kernel.grid.at(0).text(), "n_rows");
}

TEST(LaunchParamsTest, AnEntryWithoutAGridHasNone) {
  ModuleSpec spec;
  ASSERT_EQ(ErrorOf(RowWise(json::array(), nullptr), &spec), "");
  EXPECT_TRUE(spec.kernels.at(0).grid.empty());
}

TEST(LaunchParamsTest, MistakesNameTheEntryAndSayHowToWriteThem) {
  ModuleSpec spec;
  const std::string at = std::string(kPath) + ":" + std::to_string(testing::EntryLine(0)) + ": error: kernel ";
  const struct {
    json params, grid;
    std::string says;
  } cases[] = {
      {{"n_rows"}, {"n_rows"}, "launch_params holds 'n_rows': a name (a C++ identifier), ':' and an integer type"},
      {{"n_rows: fp32"}, {"n_rows"}, "'n_rows' must be of an integer type without hints (i32, i64, u32, u64)"},
      {{"n_rows: i32:16"}, {"n_rows"}, "'n_rows' must be of an integer type without hints"},
      {{"n: i32"}, {"n"}, "'n' is a parameter of add_kernel already"},
      {{"n_rows: i32", "n_rows: i64"}, {"n_rows"}, "launch_params name 'n_rows' twice"},
      {{"class: i32"}, {"1"}, "launch_params holds 'class: i32'"},
      {{{"n_rows", "i32"}}, {"n_rows"}, "launch_params must be a list of \"name: type\" strings, not dict"},
      {{"n_rows: i32"}, nullptr, "launch_params are for the grid to read, but the entry has no grid"},
      {json::array(), {"n_rows"}, "grid expression 'n_rows' reads 'n_rows', which is unknown"},
  };
  for (const auto& c : cases) {
    const std::string err = ErrorOf(RowWise(c.params, c.grid), &spec);
    EXPECT_EQ(err.rfind(at, 0), 0u) << err;
    EXPECT_NE(err.find(c.says), std::string::npos) << c.params.dump() << ": " << err;
  }
}

}  // namespace
}  // namespace triton_aot

// Constexprs with a value per arch ({"per_arch": {...}}): each arch's jobs
// compile their own value, an arch without one is an error at the variant,
// and what a launch computes before it knows the arch may not read one.
#include "per_arch.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compile_module_fixture.h"
#include "load_answer.h"
#include "test_support.h"

namespace triton_aot {
namespace {

using nlohmann::ordered_json;

bool IsInt(const json& value) { return value.is_number_integer(); }

TEST(PerArchTest, EachArchTakesItsKeyElseTheDefault) {
  const ordered_json value = {{"per_arch", {{"80", 2}, {"sm_90a", 4}, {"default", 3}}}};
  EXPECT_EQ(ValueForArch(value, 80), 2);
  EXPECT_EQ(ValueForArch(value, 90), 4) << "a key may be spelt as ARCHITECTURES spells it";
  EXPECT_EQ(ValueForArch(value, 86), 3);
  EXPECT_TRUE(ValueForArch({{"per_arch", {{"80", 2}}}}, 90).is_null()) << "no key and no default: no value";
  EXPECT_EQ(ValueForArch(7, 90), 7) << "a plain value is every arch's";
  EXPECT_EQ(PerArchSummary(value), "sm_80: 2, sm_90a: 4, others: 3");
}

TEST(PerArchTest, AMalformedValueSaysWhatIsWrong) {
  EXPECT_EQ(PerArchProblem({{"per_arch", {{"80", 2}}}}, IsInt), "");
  const std::string shape = "a per-arch value must be {\"per_arch\": {<arch>: <value>, ...}}";
  for (const json& bad : {json{{"per_arch", json::object()}}, json{{"per_arch", 2}},
                          json{{"per_arch", {{"80", 2}}}, {"other", 1}}}) {
    EXPECT_EQ(PerArchProblem(bad, IsInt).rfind(shape, 0), 0u) << bad;
  }
  EXPECT_EQ(PerArchProblem({{"per_arch", {{"hopper", 2}}}}, IsInt),
            "per_arch key 'hopper' is no arch: use an arch such as 80, \"90a\" or \"sm_100\", or \"default\"");
  EXPECT_EQ(PerArchProblem({{"per_arch", {{"90", 2}, {"90a", 3}}}}, IsInt), "per_arch names sm_90a twice");
  EXPECT_EQ(PerArchProblem({{"per_arch", {{"90", "x"}}}}, IsInt),
            "per_arch value for '90' must be an int, float, bool, str or Triton dtype, not \"x\"");
}

class PerArchCompileTest : public CompileModuleTest {
 protected:
  // scale_kernel, its EVEN per arch as `even`, its grid reading `grid_reads`.
  void Entry(const json& even, const std::string& grid = "cdiv(n, BLOCK)") {
    const json entry = {{"kernel", "scale_kernel"},
                        {"signature", {{"x_ptr", "*fp32"}, {"n", "i32"}, {"alpha", "fp32"}}},
                        {"grid", json::array({grid})},
                        {"constexprs", {{"EVEN", even}}}};
    script_.load_answer = testing::LoadAnswer(json::array({entry}));
    script_.load_answer["triton_file"] = dir_ / "triton/__init__.py";
    script_.load_answer["triton_key"] = "key-of-this-triton";
  }
};

TEST_F(PerArchCompileTest, EachArchsJobsCompileItsOwnValue) {
  Entry({{"per_arch", {{"80", true}, {"90", false}}}});
  CompileOk();
  std::vector<std::string> sent;
  for (const CompileJob& job : script_.compiled) {
    sent.push_back(fmt::format("{}:{}", job.arch, job.constexprs["EVEN"].dump()));
  }
  EXPECT_EQ(sent, (std::vector<std::string>{"80:true", "90:false"}));
  const json variant = json::parse(testing::ReadText(dir_.path() / "out/adds.json"))["kernels"][0]["variants"][0];
  EXPECT_EQ(variant["constexprs"]["EVEN"], json({{"per_arch", {{"80", true}, {"90", false}}}}));
  EXPECT_NE(testing::ReadText(dir_.path() / "out/adds.h").find("EVEN={sm_80: true, sm_90a: false}"),
            std::string::npos);
}

TEST_F(PerArchCompileTest, AnArchWithoutAValueIsAnErrorAtTheVariant) {
  Entry({{"per_arch", {{"80", true}}}});
  std::string err;
  EXPECT_FALSE(Compile(&err));
  EXPECT_EQ(err, fmt::format("{}:{}: error: kernel 'scale_kernel', variant 'default': constexpr 'EVEN' has no value "
                             "for sm_90a (it has sm_80: true): add 90 to its per_arch values, or a \"default\"",
                             dir_ / "src/adds.py", testing::EntryLine(0)));
  EXPECT_TRUE(script_.compiled.empty()) << "nothing is compiled";
}

TEST_F(PerArchCompileTest, AGridMayNotReadAPerArchValue) {
  Entry({{"per_arch", {{"80", 1}, {"default", 2}}}}, "cdiv(n, 128) * EVEN");
  std::string err;
  EXPECT_FALSE(Compile(&err));
  EXPECT_NE(err.find("kernel 'scale_kernel', variant 'default': the grid reads constexpr 'EVEN', whose value differs "
                     "per arch (sm_80: 1, others: 2), and a launch computes its grid before it knows which arch's "
                     "code the device runs: give 'EVEN' one value, or read a launch parameter instead"),
            std::string::npos)
      << err;
}

}  // namespace
}  // namespace triton_aot

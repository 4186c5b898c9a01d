// ParseModuleSpec gets the frontend's answer to a `load` request (see
// driver/frontend/triton_aot_frontend.py, Frontend.load). These tests build
// that JSON by hand, the way the frontend would for a module such as:
//
//   @triton.jit
//   def add_kernel(x_ptr, y_ptr, out_ptr, n, BLOCK: tl.constexpr): ...
//   @triton.jit
//   def scale_kernel(x_ptr, n, alpha, BLOCK: tl.constexpr = 128, EVEN: tl.constexpr = False): ...
//   @triton.autotune(configs=[triton.Config({"BLOCK": 64}, num_warps=2),
//                             triton.Config({"BLOCK": 128}, num_warps=8, num_stages=4, maxnreg=128)],
//                    key=["n"])
//   @triton.jit
//   def tuned_kernel(x_ptr, n, BLOCK: tl.constexpr, EVEN: tl.constexpr): ...
//   @triton.heuristics(...)
//   @triton.jit
//   def heur_kernel(...): ...
//
//   TRITON_AOT_KERNELS = [...]   # line 20; entry i on line 30 + 10 i,
//                                # its variant v on line 32 + 10 i + v
#include "spec.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "load_answer.h"

namespace triton_aot {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr char kPath[] = "kernels/vec.py";
using testing::EntryLine;
using testing::kSpecLine;
using testing::VariantLine;

json Loaded(const json& spec) { return testing::LoadAnswer(spec); }

json AddEntry() {
  return {{"kernel", "add_kernel"},
          {"signature", {{"x_ptr", "*fp32"}, {"y_ptr", "*fp32"}, {"out_ptr", "*fp32"}, {"n", "i32"}}},
          {"grid", json::array({"cdiv(n, BLOCK)"})},
          {"constexprs", {{"BLOCK", 1024}}}};
}

json TunedEntry() {
  return {{"kernel", "tuned_kernel"},
          {"signature", {{"x_ptr", "*fp32"}, {"n", "i32"}}},
          {"grid", json::array({"cdiv(n, BLOCK)"})},
          {"constexprs", {{"EVEN", true}}}};
}

ModuleSpec MustParse(const json& loaded) {
  ModuleSpec spec;
  Diagnostic error;
  EXPECT_TRUE(ParseModuleSpec(testing::ParsedLoadAnswer(loaded), kPath, &spec, &error)) << FormatDiagnostic(error);
  return spec;
}

// Checks that parsing fails with a compiler-style message on `line` that
// contains every fragment.
::testing::AssertionResult FailsWith(const json& loaded, int line, std::initializer_list<std::string> fragments) {
  ModuleSpec spec;
  Diagnostic error;
  if (ParseModuleSpec(testing::ParsedLoadAnswer(loaded), kPath, &spec, &error)) {
    return ::testing::AssertionFailure() << "the spec was accepted";
  }
  const std::string err = FormatDiagnostic(error);
  const std::string prefix = std::string(kPath) + ":" + std::to_string(line) + ": error: ";
  if (err.rfind(prefix, 0) != 0) return ::testing::AssertionFailure() << "expected prefix '" << prefix << "': " << err;
  for (const std::string& fragment : fragments) {
    if (err.find(fragment) == std::string::npos) {
      return ::testing::AssertionFailure() << "expected '" << fragment << "' in: " << err;
    }
  }
  return ::testing::AssertionSuccess() << err;
}

int64_t EvalGrid(const GridExpr& expr, const json& values) {
  int64_t out = 0;
  std::string err;
  EXPECT_TRUE(expr.Evaluate(
      [&](const std::string& name) -> std::optional<int64_t> {
        return values.contains(name) ? std::optional<int64_t>(values[name].get<int64_t>()) : std::nullopt;
      },
      &out, &err))
      << err;
  return out;
}

// --- Specs that are accepted -------------------------------------------------

TEST(ParseModuleSpecTest, TwoVariantsOverrideHintsAndConstexprs) {
  json entry = AddEntry();
  entry["variants"] = json::array(
      {{{"name", "aligned"},
        {"signature", {{"x_ptr", "*fp32:16"}, {"y_ptr", "*fp32:16"}, {"out_ptr", "*fp32:16"}, {"n", "i32:16"}}}},
       {{"name", "generic"}, {"constexprs", {{"BLOCK", 256}}}, {"num_warps", 8}}});
  ModuleSpec spec = MustParse(Loaded(json::array({entry})));
  ASSERT_EQ(spec.kernels.size(), 1u);
  const KernelSpec& k = spec.kernels[0];
  EXPECT_EQ(k.name, "add_kernel");
  EXPECT_EQ(k.function, "add_kernel");
  EXPECT_EQ(k.line, EntryLine(0));
  EXPECT_FALSE(k.autotuned);
  // Constexprs are not launch arguments.
  EXPECT_EQ(k.arg_names, (std::vector<std::string>{"x_ptr", "y_ptr", "out_ptr", "n"}));
  ASSERT_EQ(k.params.size(), 5u);
  EXPECT_TRUE(k.params[4].is_constexpr);
  EXPECT_FALSE(k.params[3].is_constexpr);

  // The grid always has three dimensions; the missing ones are 1.
  ASSERT_EQ(k.grid.size(), 3u);
  EXPECT_EQ(EvalGrid(k.grid[0], {{"n", 1000}, {"BLOCK", 256}}), 4);
  EXPECT_EQ(EvalGrid(k.grid[1], json::object()), 1);
  EXPECT_EQ(EvalGrid(k.grid[2], json::object()), 1);

  ASSERT_EQ(k.variants.size(), 2u);
  const Variant& aligned = k.variants[0];
  EXPECT_EQ(aligned.name, "aligned");
  EXPECT_EQ(aligned.line, VariantLine(0, 0));
  for (const ArgType& t : aligned.arg_types) EXPECT_EQ(t.hint, Hint::kDivisibleBy16) << t.ToString();
  EXPECT_EQ(aligned.arg_types[0].ToString(), "*fp32:16");
  EXPECT_EQ(aligned.constexprs, ordered_json({{"BLOCK", 1024}}));  // from the entry
  EXPECT_EQ(aligned.num_warps, 4);                                 // Triton's default
  EXPECT_EQ(aligned.num_stages, 3);
  EXPECT_EQ(aligned.num_ctas, 1);
  EXPECT_FALSE(aligned.maxnreg.has_value());
  EXPECT_EQ(aligned.autotune_config, -1);

  const Variant& generic = k.variants[1];
  EXPECT_EQ(generic.name, "generic");
  EXPECT_EQ(generic.line, VariantLine(0, 1));
  for (const ArgType& t : generic.arg_types) EXPECT_EQ(t.hint, Hint::kNone) << t.ToString();
  EXPECT_EQ(generic.arg_types[3].ToString(), "i32");
  EXPECT_EQ(generic.constexprs, ordered_json({{"BLOCK", 256}}));  // the variant's value wins
  EXPECT_EQ(generic.num_warps, 8);
}

TEST(ParseModuleSpecTest, OneImplicitVariantIsNamedDefault) {
  json entry = AddEntry();
  entry["num_warps"] = 2;
  entry["num_stages"] = 5;
  entry["maxnreg"] = 96;
  ModuleSpec spec = MustParse(Loaded(json::array({entry})));
  ASSERT_EQ(spec.kernels.size(), 1u);
  ASSERT_EQ(spec.kernels[0].variants.size(), 1u);
  const Variant& v = spec.kernels[0].variants[0];
  EXPECT_EQ(v.name, "default");
  EXPECT_EQ(v.num_warps, 2);
  EXPECT_EQ(v.num_stages, 5);
  EXPECT_EQ(v.maxnreg, std::optional<int>(96));
}

TEST(ParseModuleSpecTest, NameGivesTheKernelACppNameAndGridTakesInts) {
  json entry = AddEntry();
  entry["name"] = "add";
  entry["grid"] = json::array({"cdiv(n, BLOCK)", 2, "n % 3"});
  ModuleSpec spec = MustParse(Loaded(json::array({entry})));
  ASSERT_EQ(spec.kernels.size(), 1u);
  EXPECT_EQ(spec.kernels[0].name, "add");
  EXPECT_EQ(spec.kernels[0].function, "add_kernel");
  EXPECT_EQ(EvalGrid(spec.kernels[0].grid[1], json::object()), 2);
  EXPECT_EQ(EvalGrid(spec.kernels[0].grid[2], {{"n", 7}}), 1);
}

TEST(ParseModuleSpecTest, ConstexprDefaultsOfTheFunctionAreUsed) {
  json entry = {
      {"kernel", "scale_kernel"},
      {"signature", {{"x_ptr", "*fp16"}, {"n", "i64"}, {"alpha", "fp32"}}},
      {"grid", "cdiv(n, BLOCK)"},
      {"variants", json::array({{{"name", "defaults"}}, {{"name", "even"}, {"constexprs", {{"EVEN", true}}}}})}};
  ModuleSpec spec = MustParse(Loaded(json::array({entry})));
  ASSERT_EQ(spec.kernels.size(), 1u);
  const KernelSpec& k = spec.kernels[0];
  EXPECT_EQ(k.arg_names, (std::vector<std::string>{"x_ptr", "n", "alpha"}));
  ASSERT_EQ(k.variants.size(), 2u);
  EXPECT_EQ(k.variants[0].constexprs, ordered_json({{"BLOCK", 128}, {"EVEN", false}}));
  EXPECT_EQ(k.variants[1].constexprs, ordered_json({{"BLOCK", 128}, {"EVEN", true}}));
  // A grid given as one string is one dimension.
  EXPECT_EQ(EvalGrid(k.grid[0], {{"n", 129}, {"BLOCK", 128}}), 2);
}

TEST(ParseModuleSpecTest, ConstexprsKeepParameterOrder) {
  // The spec lists EVEN before BLOCK; the compile job must see the function's order.
  json entry = {{"kernel", "scale_kernel"},
                {"signature", {{"x_ptr", "*fp16"}, {"n", "i64"}, {"alpha", "fp32"}}},
                {"grid", json::array({"n"})},
                {"constexprs", {{"EVEN", true}, {"BLOCK", 64}}}};
  ModuleSpec spec = MustParse(Loaded(json::array({entry})));
  ASSERT_EQ(spec.kernels.size(), 1u);
  const auto& constexprs = spec.kernels[0].variants[0].constexprs;
  std::vector<std::string> keys;
  for (const auto& [key, value] : constexprs.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"BLOCK", "EVEN"}));
}

TEST(ParseModuleSpecTest, AutotunedKernelExpandsToOneVariantPerConfig) {
  ModuleSpec spec = MustParse(Loaded(json::array({TunedEntry()})));
  ASSERT_EQ(spec.kernels.size(), 1u);
  const KernelSpec& k = spec.kernels[0];
  EXPECT_TRUE(k.autotuned);
  EXPECT_EQ(k.autotune_key, (std::vector<std::string>{"n"}));
  ASSERT_EQ(k.variants.size(), 2u);

  const Variant& c0 = k.variants[0];
  EXPECT_EQ(c0.name, "config0");
  EXPECT_EQ(c0.autotune_config, 0);
  // The config's kwargs merged with the spec's constexprs, in parameter order.
  EXPECT_EQ(c0.constexprs, ordered_json({{"BLOCK", 64}, {"EVEN", true}}));
  EXPECT_EQ(c0.num_warps, 2);
  EXPECT_EQ(c0.num_stages, 3);
  EXPECT_FALSE(c0.maxnreg.has_value());

  const Variant& c1 = k.variants[1];
  EXPECT_EQ(c1.name, "config1");
  EXPECT_EQ(c1.autotune_config, 1);
  EXPECT_EQ(c1.constexprs, ordered_json({{"BLOCK", 128}, {"EVEN", true}}));
  EXPECT_EQ(c1.num_warps, 8);
  EXPECT_EQ(c1.num_stages, 4);
  EXPECT_EQ(c1.maxnreg, std::optional<int>(128));
}

TEST(ParseModuleSpecTest, NamedVariantsOfAnAutotunedKernelAreMultipliedByTheConfigs) {
  json entry = TunedEntry();
  entry.erase("constexprs");
  entry["variants"] =
      json::array({{{"name", "even"}, {"constexprs", {{"EVEN", true}}}},
                   {{"name", "odd"}, {"signature", {{"n", "i32:16"}}}, {"constexprs", {{"EVEN", false}}}}});
  ModuleSpec spec = MustParse(Loaded(json::array({entry})));
  ASSERT_EQ(spec.kernels.size(), 1u);
  const KernelSpec& k = spec.kernels[0];
  ASSERT_EQ(k.variants.size(), 4u);
  EXPECT_EQ(k.variants[0].name, "even_config0");
  EXPECT_EQ(k.variants[1].name, "even_config1");
  EXPECT_EQ(k.variants[2].name, "odd_config0");
  EXPECT_EQ(k.variants[3].name, "odd_config1");
  EXPECT_EQ(k.variants[3].autotune_config, 1);
  EXPECT_EQ(k.variants[3].constexprs, ordered_json({{"BLOCK", 128}, {"EVEN", false}}));
  EXPECT_EQ(k.variants[3].arg_types[1].hint, Hint::kDivisibleBy16);
  EXPECT_EQ(k.variants[0].arg_types[1].hint, Hint::kNone);
  EXPECT_EQ(k.variants[2].line, VariantLine(0, 1));
}

TEST(ParseModuleSpecTest, SeveralKernelsKeepSpecOrder) {
  json scale = {{"kernel", "scale_kernel"},
                {"signature", {{"x_ptr", "*fp16"}, {"n", "i64"}, {"alpha", "fp32"}}},
                {"grid", json::array({"n"})}};
  ModuleSpec spec = MustParse(Loaded(json::array({scale, AddEntry()})));
  ASSERT_EQ(spec.kernels.size(), 2u);
  EXPECT_EQ(spec.kernels[0].name, "scale_kernel");
  EXPECT_EQ(spec.kernels[1].name, "add_kernel");
  EXPECT_EQ(spec.kernels[1].line, EntryLine(1));
}

// --- Errors in the module's list --------------------------------------------

TEST(ParseModuleSpecTest, ModuleWithoutSpec) {
  json loaded = Loaded(json(nullptr));
  loaded["has_spec"] = false;
  EXPECT_TRUE(FailsWith(loaded, 1, {"TRITON_AOT_KERNELS"}));
}

TEST(ParseModuleSpecTest, EmptyList) {
  EXPECT_TRUE(FailsWith(Loaded(json::array()), kSpecLine, {"TRITON_AOT_KERNELS", "non-empty list"}));
}

TEST(ParseModuleSpecTest, ListThatIsNotAList) {
  EXPECT_TRUE(FailsWith(Loaded(json::object()), kSpecLine, {"TRITON_AOT_KERNELS", "non-empty list"}));
}

TEST(ParseModuleSpecTest, EntryNotADict) {
  EXPECT_TRUE(FailsWith(Loaded(json::array({AddEntry(), "add_kernel"})), EntryLine(1),
                        {"kernel entry 1 must be a dict", "got str"}));
}

TEST(ParseModuleSpecTest, UnknownField) {
  json entry = AddEntry();
  entry["warps"] = 4;
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"unknown field 'warps'", "num_warps"}));
}

TEST(ParseModuleSpecTest, MissingRequiredFields) {
  for (const char* field : {"kernel", "signature"}) {
    json entry = AddEntry();
    entry.erase(field);
    EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {std::string("has no '") + field + "'"}))
        << field;
  }
}

TEST(ParseModuleSpecTest, KernelNotInModuleListsTheOnesFound) {
  json entry = AddEntry();
  entry["kernel"] = "add_kernal";
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0),
                        {"'add_kernal'", "not a @triton.jit function", "add_kernel", "scale_kernel", "tuned_kernel"}));
}

TEST(ParseModuleSpecTest, KernelNameNotAString) {
  json entry = AddEntry();
  entry["kernel"] = 3;
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"kernel must be the name"}));
}

TEST(ParseModuleSpecTest, CppNameNotAnIdentifier) {
  json entry = AddEntry();
  entry["name"] = "add-kernel";
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"C++ identifier", "add-kernel"}));
}

TEST(ParseModuleSpecTest, SignatureNotADict) {
  json entry = AddEntry();
  entry["signature"] = json::array({"*fp32", "*fp32", "*fp32", "i32"});
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0),
                        {"kernel 'add_kernel'", "signature must be a dict", "got list"}));
}

TEST(ParseModuleSpecTest, ArgumentWithoutType) {
  json entry = AddEntry();
  entry["signature"].erase("n");
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"argument 'n' has no type"}));
}

TEST(ParseModuleSpecTest, TypeThatIsNotAString) {
  json entry = AddEntry();
  entry["signature"]["n"] = 32;
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"type of 'n' must be a string", "not int"}));
}

TEST(ParseModuleSpecTest, SignatureNamingAConstexpr) {
  json entry = AddEntry();
  entry["signature"]["BLOCK"] = "i32";
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"'BLOCK' is a tl.constexpr", "constexprs"}));
}

TEST(ParseModuleSpecTest, SignatureNamingAnUnknownArgument) {
  json entry = AddEntry();
  entry["signature"]["z_ptr"] = "*fp32";
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0),
                        {"'z_ptr'", "not an argument of add_kernel(x_ptr, y_ptr, out_ptr, n)"}));
}

TEST(ParseModuleSpecTest, BadTypeString) {
  json entry = AddEntry();
  entry["signature"]["n"] = "int";
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"argument 'n'", "'int' is not an argument type"}));
}

TEST(ParseModuleSpecTest, VariantMayNotChangeTheBaseType) {
  json entry = AddEntry();
  entry["variants"] = json::array({{{"name", "a"}}, {{"name", "half"}, {"signature", {{"x_ptr", "*fp16:16"}}}}});
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), VariantLine(0, 1),
                        {"variant 'half'", "argument 'x_ptr' is *fp32", "only its hint", "*fp16"}));
}

TEST(ParseModuleSpecTest, ConstexprWithoutValue) {
  json entry = AddEntry();
  entry.erase("constexprs");
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"constexpr 'BLOCK' has no value"}));
}

TEST(ParseModuleSpecTest, ConstexprWithoutValueInOneVariant) {
  json entry = AddEntry();
  entry.erase("constexprs");
  entry["variants"] = json::array({{{"name", "big"}, {"constexprs", {{"BLOCK", 1024}}}}, {{"name", "small"}}});
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), VariantLine(0, 1),
                        {"variant 'small'", "constexpr 'BLOCK' has no value"}));
}

TEST(ParseModuleSpecTest, ConstexprOfTheWrongType) {
  json entry = AddEntry();
  entry["constexprs"]["BLOCK"] = json::array({128, 256});
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"constexpr 'BLOCK'", "not list"}));
}

TEST(ParseModuleSpecTest, ConstexprsNotADict) {
  json entry = AddEntry();
  entry["constexprs"] = json::array({1024});
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"constexprs must be a dict", "got list"}));
}

TEST(ParseModuleSpecTest, ConstexprsNamingALaunchArgument) {
  json entry = AddEntry();
  entry["constexprs"]["n"] = 4096;
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0),
                        {"constexprs names 'n'", "not a tl.constexpr parameter of add_kernel", "those are: BLOCK"}));
}

TEST(ParseModuleSpecTest, GridNamingAnUnknownName) {
  json entry = AddEntry();
  entry["grid"] = json::array({"cdiv(m, BLOCK)"});
  EXPECT_TRUE(
      FailsWith(Loaded(json::array({entry})), EntryLine(0), {"'cdiv(m, BLOCK)'", "reads 'm'", "unknown", "BLOCK, n"}));
}

TEST(ParseModuleSpecTest, GridNamingAFloatArgument) {
  json entry = {{"kernel", "scale_kernel"},
                {"signature", {{"x_ptr", "*fp16"}, {"n", "i64"}, {"alpha", "fp32"}}},
                {"grid", json::array({"alpha"})}};
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"reads 'alpha'", "not an integer"}));
}

TEST(ParseModuleSpecTest, GridNamingAPointer) {
  json entry = AddEntry();
  entry["grid"] = json::array({"x_ptr"});
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"reads 'x_ptr'", "not an integer"}));
}

TEST(ParseModuleSpecTest, GridThatDoesNotParse) {
  json entry = AddEntry();
  entry["grid"] = json::array({"n / BLOCK"});
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"kernel 'add_kernel'", "'//'"}));
}

TEST(ParseModuleSpecTest, GridWithFourDimensions) {
  json entry = AddEntry();
  entry["grid"] = json::array({"n", 1, 1, 1});
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"1 to 3 dimensions"}));
  entry["grid"] = json::array();
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"1 to 3 dimensions"}));
}

TEST(ParseModuleSpecTest, GridReadingANonIntegerConstexpr) {
  json entry = AddEntry();
  entry["variants"] = json::array({{{"name", "ok"}}, {{"name", "odd"}, {"constexprs", {{"BLOCK", "big"}}}}});
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), VariantLine(0, 1),
                        {"variant 'odd'", "constexpr 'BLOCK'", "must be an int"}));
}

TEST(ParseModuleSpecTest, DuplicateVariantNames) {
  json entry = AddEntry();
  entry["variants"] = json::array({{{"name", "v"}}, {{"name", "v"}, {"num_warps", 8}}});
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), VariantLine(0, 1), {"two variants are named 'v'"}));
}

TEST(ParseModuleSpecTest, IdenticalVariants) {
  json entry = AddEntry();
  // Spelled differently, built the same: num_warps 4 is the default.
  entry["variants"] =
      json::array({{{"name", "a"}}, {{"name", "b"}, {"num_warps", 4}, {"constexprs", {{"BLOCK", 1024}}}}});
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), VariantLine(0, 1), {"variants 'a' and 'b' are identical"}));
}

TEST(ParseModuleSpecTest, UnnamedVariantAmongSeveral) {
  json entry = AddEntry();
  entry["variants"] = json::array({{{"name", "a"}}, {{"num_warps", 8}}});
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), VariantLine(0, 1), {"variant 1 has no name"}));
}

TEST(ParseModuleSpecTest, VariantsNotAList) {
  json entry = AddEntry();
  entry["variants"] = json::array();
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"variants must be a non-empty list"}));
}

TEST(ParseModuleSpecTest, VariantWithUnknownField) {
  json entry = AddEntry();
  entry["variants"] = json::array({{{"name", "a"}, {"grid", json::array({"n"})}}});
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), VariantLine(0, 0), {"variant 0", "unknown field 'grid'"}));
}

TEST(ParseModuleSpecTest, NumWarpsMustBeAPowerOfTwo) {
  json entry = AddEntry();
  entry["num_warps"] = 3;
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"num_warps must be a power of two", "not 3"}));
  entry["num_warps"] = 64;
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"num_warps must be a power of two", "not 64"}));
}

TEST(ParseModuleSpecTest, LaunchOptionsMustBePositiveIntegers) {
  json entry = AddEntry();
  entry["num_stages"] = 0;
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"num_stages must be a positive integer"}));
  entry = AddEntry();
  entry["num_warps"] = "4";
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"num_warps must be a positive integer", "str"}));
}

TEST(ParseModuleSpecTest, AutotunedKernelTakesNoLaunchOptionsFromTheSpec) {
  json entry = TunedEntry();
  entry["num_warps"] = 4;
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0), {"is autotuned", "num_warps"}));

  entry = TunedEntry();
  entry["variants"] = json::array({{{"name", "v"}, {"num_stages", 2}}});
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), VariantLine(0, 0), {"variant 'v'", "autotuned", "num_stages"}));
}

TEST(ParseModuleSpecTest, ConfigKwargsConflictingWithSpecConstexprs) {
  json entry = TunedEntry();
  entry["constexprs"]["BLOCK"] = 32;
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0),
                        {"@triton.autotune config 0", "constexpr 'BLOCK' is set both by the spec and by the config"}));
}

// The frontend computes what @triton.heuristics computes, as each variant
// compiles; the spec may leave those constexprs out, or give them.
TEST(ParseModuleSpecTest, ConstexprsThatHeuristicsComputeMayBeLeftOut) {
  json entry = {{"kernel", "heur_kernel"},
                {"signature", {{"x_ptr", "*fp32"}, {"n", "i32"}}},
                {"constexprs", {{"BLOCK", 128}}},
                {"grid", {"cdiv(n, BLOCK)"}},
                {"variants", {{{"name", "computed"}}, {{"name", "given"}, {"constexprs", {{"EVEN", false}}}}}}};
  ModuleSpec spec;
  Diagnostic error;
  ASSERT_TRUE(ParseModuleSpec(testing::ParsedLoadAnswer(Loaded(json::array({entry}))), kPath, &spec, &error))
      << FormatDiagnostic(error);
  const KernelSpec& kernel = spec.kernels.at(0);
  EXPECT_EQ(kernel.heuristics, std::vector<std::string>{"EVEN"});
  EXPECT_FALSE(kernel.variants.at(0).constexprs.contains("EVEN"));
  EXPECT_EQ(kernel.variants.at(1).constexprs["EVEN"], false);
}

TEST(ParseModuleSpecTest, AGridOrGuardCannotReadWhatHeuristicsCompute) {
  json entry = {{"kernel", "heur_kernel"},
                {"signature", {{"x_ptr", "*fp32"}, {"n", "i32"}}},
                {"constexprs", {{"BLOCK", 128}}},
                {"grid", {"cdiv(n, BLOCK) * EVEN"}}};
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0),
                        {"the grid reads 'EVEN', which @triton.heuristics computes as the kernel compiles"}));
}

// --- @triton.autotune's buffers, hooks and pruning ---------------------------

// The answer for `entry` with tuned_kernel's @triton.autotune edited.
json LoadedTuned(const json& entry, const std::function<void(json& autotune)>& edit) {
  json kernels = testing::ModuleKernels();
  edit(kernels["tuned_kernel"]["autotune"]);
  return testing::LoadAnswer(json::array({entry}), kernels);
}

void ZeroX(json& autotune) { autotune["reset_to_zero"] = {"x_ptr"}; }

TEST(ParseModuleSpecTest, ResetToZeroAndRestoreValueBuffersGetTheirSizes) {
  json entry = TunedEntry();
  entry["buffer_sizes"] = {{"x_ptr", "n * 2"}};
  ModuleSpec spec = MustParse(LoadedTuned(entry, ZeroX));
  ASSERT_EQ(spec.kernels[0].tuning_buffers.size(), 1u);
  const TuningBufferSpec& zeroed = spec.kernels[0].tuning_buffers[0];
  EXPECT_EQ(zeroed.arg, 0u);
  EXPECT_TRUE(zeroed.reset_to_zero);
  EXPECT_FALSE(zeroed.restore_value);
  EXPECT_EQ(EvalGrid(zeroed.elements, {{"n", 100}}), 200);
  // Named by both: one buffer, zeroed and restored.
  spec = MustParse(LoadedTuned(entry, [](json& autotune) {
    autotune["reset_to_zero"] = {"x_ptr"};
    autotune["restore_value"] = {"x_ptr"};
  }));
  ASSERT_EQ(spec.kernels[0].tuning_buffers.size(), 1u);
  EXPECT_TRUE(spec.kernels[0].tuning_buffers[0].reset_to_zero && spec.kernels[0].tuning_buffers[0].restore_value);
  // An int is a size too; kernels without the lists have no buffers.
  entry["buffer_sizes"] = {{"x_ptr", 4096}};
  spec = MustParse(LoadedTuned(entry, [](json& autotune) { autotune["restore_value"] = {"x_ptr"}; }));
  EXPECT_EQ(EvalGrid(spec.kernels[0].tuning_buffers.at(0).elements, json::object()), 4096);
  EXPECT_TRUE(MustParse(Loaded(json::array({TunedEntry()}))).kernels[0].tuning_buffers.empty());
}

TEST(ParseModuleSpecTest, ABufferWithoutSizeSaysWhatToAdd) {
  EXPECT_TRUE(FailsWith(LoadedTuned(TunedEntry(), ZeroX), EntryLine(0),
                        {"kernel 'tuned_kernel': reset_to_zero buffer 'x_ptr' has no size: add \"buffer_sizes\": "
                         "{\"x_ptr\": \"<elements>\"} to the entry, its number of fp32 elements as an integer "
                         "expression over the arguments and constexprs (e.g. \"M * N\")"}));
  EXPECT_TRUE(FailsWith(LoadedTuned(TunedEntry(), [](json& autotune) { autotune["restore_value"] = {"x_ptr"}; }),
                        EntryLine(0), {"restore_value buffer 'x_ptr' has no size"}));
}

TEST(ParseModuleSpecTest, BuffersMustBePointerArguments) {
  json entry = TunedEntry();
  entry["buffer_sizes"] = {{"x_ptr", "n"}};
  EXPECT_TRUE(FailsWith(LoadedTuned(entry, [](json& a) { a["reset_to_zero"] = {"x_ptr", "n"}; }), EntryLine(0),
                        {"kernel 'tuned_kernel': @triton.autotune(reset_to_zero=[...]) names 'n', which is i32, not "
                         "a pointer: name only pointer arguments, the buffers tuning must zero or restore"}));
  EXPECT_TRUE(FailsWith(LoadedTuned(entry, [](json& a) { a["restore_value"] = {"y_ptr"}; }), EntryLine(0),
                        {"@triton.autotune(restore_value=[...]) names 'y_ptr', which is not an argument of "
                         "tuned_kernel(x_ptr, n): name only pointer arguments"}));
  EXPECT_TRUE(FailsWith(LoadedTuned(entry, [](json& a) { a["reset_to_zero"] = {"BLOCK"}; }), EntryLine(0),
                        {"names 'BLOCK', a tl.constexpr parameter: name only pointer arguments"}));
}

TEST(ParseModuleSpecTest, BufferSizesOnlyForTheListedBuffersOfAnAutotunedKernel) {
  json entry = TunedEntry();
  entry["buffer_sizes"] = {{"x_ptr", "n"}};
  EXPECT_TRUE(FailsWith(Loaded(json::array({entry})), EntryLine(0),
                        {"kernel 'tuned_kernel': buffer_sizes names 'x_ptr', which neither reset_to_zero nor "
                         "restore_value of its @triton.autotune names: remove it"}));
  json plain = AddEntry();
  plain["buffer_sizes"] = {{"out_ptr", "n"}};
  EXPECT_TRUE(FailsWith(Loaded(json::array({plain})), EntryLine(0),
                        {"kernel 'add_kernel' is not autotuned", "remove it"}));
  entry["buffer_sizes"] = json::array({"n"});
  EXPECT_TRUE(FailsWith(LoadedTuned(entry, ZeroX), EntryLine(0),
                        {"buffer_sizes must be a dict from pointer argument to its number of elements, e.g. "
                         "{\"c_ptr\": \"M * N\"}; got list"}));
}

TEST(ParseModuleSpecTest, BufferSizesAreIntegerExpressionsTheSameForEveryConfig) {
  json entry = TunedEntry();
  entry["buffer_sizes"] = {{"x_ptr", "n * Q"}};
  EXPECT_TRUE(FailsWith(LoadedTuned(entry, ZeroX), EntryLine(0),
                        {"kernel 'tuned_kernel': the size of 'x_ptr' in buffer_sizes: its expression 'n * Q' reads "
                         "'Q', which is unknown; it may read the integer arguments and constexprs"}));
  entry["buffer_sizes"] = {{"x_ptr", "n /"}};
  EXPECT_TRUE(FailsWith(LoadedTuned(entry, ZeroX), EntryLine(0), {"the size of 'x_ptr' in buffer_sizes: "}));
  entry["buffer_sizes"] = {{"x_ptr", 2.5}};
  EXPECT_TRUE(FailsWith(LoadedTuned(entry, ZeroX), EntryLine(0),
                        {"the size of 'x_ptr' in buffer_sizes: it must be a string expression or an int, not float"}));
  entry["buffer_sizes"] = {{"x_ptr", "n * BLOCK"}};
  EXPECT_TRUE(FailsWith(LoadedTuned(entry, ZeroX), EntryLine(0),
                        {"reads constexpr 'BLOCK', which is 64 in variant 'config0' and 128 in variant 'config1': a "
                         "buffer's size must be the same for every config"}));
  entry["buffer_sizes"] = {{"x_ptr", "n * EVEN"}};
  EXPECT_TRUE(FailsWith(LoadedTuned(entry, ZeroX), EntryLine(0),
                        {"reads constexpr 'EVEN', which is true in variant 'config0'; it must be an int"}));
}

TEST(ParseModuleSpecTest, AutotuneHooksAndPruningAreRefusedSayingWhy) {
  // Refused before anything else of the entry is looked at.
  const json entry = TunedEntry();
  EXPECT_TRUE(FailsWith(LoadedTuned(entry, [](json& a) { a["pre_hook"] = true; }), EntryLine(0),
                        {"kernel 'tuned_kernel': @triton.autotune(pre_hook=...) runs Python before each trial while "
                         "tuning, and a compiled program has no Python: do that work in the kernel or in the caller, "
                         "and remove pre_hook"}));
  EXPECT_TRUE(FailsWith(LoadedTuned(entry, [](json& a) { a["post_hook"] = true; }), EntryLine(0),
                        {"@triton.autotune(post_hook=...) runs Python after each trial while tuning",
                         "remove post_hook", "restore_value"}));
  EXPECT_TRUE(FailsWith(LoadedTuned(entry, [](json& a) { a["configs"][1]["pre_hook"] = true; }), EntryLine(0),
                        {"kernel 'tuned_kernel': @triton.autotune config 1 has a pre_hook, which runs Python before "
                         "each launch of that config", "remove the config's pre_hook"}));
  EXPECT_TRUE(FailsWith(LoadedTuned(entry, [](json& a) { a["perf_model"] = true; }), EntryLine(0),
                        {"kernel 'tuned_kernel': @triton.autotune(prune_configs_by={\"perf_model\": ...}) estimates "
                         "run times from the sizes of each launch to choose the configs to time, and a compiled "
                         "program has no Python: choose them in the entry with \"configs\": [<indices>] (the "
                         "pruners are then not run), or remove perf_model and top_k"}));
  json broken = TunedEntry();
  broken.erase("signature");
  broken["signature"] = "none";
  EXPECT_TRUE(FailsWith(LoadedTuned(broken, [](json& a) { a["pre_hook"] = true; }), EntryLine(0), {"pre_hook"}));
}

TEST(ParseModuleSpecTest, AnEntryMaySelectTheConfigsItBuildsKeepingTheirNumbers) {
  json entry = TunedEntry();
  entry["configs"] = {1};
  const ModuleSpec spec = MustParse(testing::LoadAnswer(json::array({entry})));
  ASSERT_EQ(spec.kernels[0].variants.size(), 1u);
  EXPECT_EQ(spec.kernels[0].variants[0].name, "config1");
  EXPECT_EQ(spec.kernels[0].variants[0].autotune_config, 1);
  EXPECT_EQ(spec.kernels[0].variants[0].num_warps, 8);
  // A selection stands in for the module's pruners, which are then not run.
  for (const char* pruner : {"early_config_prune", "perf_model"}) {
    const ModuleSpec chosen = MustParse(LoadedTuned(entry, [&](json& a) { a[pruner] = true; }));
    EXPECT_EQ(chosen.kernels[0].variants.size(), 1u) << pruner;
    EXPECT_FALSE(chosen.kernels[0].prune_at_build) << pruner;
  }
}

TEST(ParseModuleSpecTest, AnEarlyConfigPruneChoosesTheConfigsAtBuildTime) {
  const ModuleSpec spec = MustParse(LoadedTuned(TunedEntry(), [](json& a) { a["early_config_prune"] = true; }));
  EXPECT_TRUE(spec.kernels[0].prune_at_build);
  EXPECT_EQ(spec.kernels[0].variants.size(), 2u) << "every config is planned; the pruner leaves some out per arch";
  EXPECT_FALSE(MustParse(LoadedTuned(TunedEntry(), [](json&) {})).kernels[0].prune_at_build);
}

TEST(ParseModuleSpecTest, ASelectionMustNameEachConfigOnceByIndex) {
  const std::string expected = "kernel 'tuned_kernel': configs must be a non-empty list of the indices (0 to 1) of "
                               "the @triton.autotune configs to build, each once, e.g. [0, 2]";
  for (const json& bad : {json::array(), json(1), json::array({2}), json::array({-1}), json::array({0, 0}),
                          json::array({"0"}), json::array({0.5})}) {
    json entry = TunedEntry();
    entry["configs"] = bad;
    EXPECT_TRUE(FailsWith(testing::LoadAnswer(json::array({entry})), EntryLine(0), {expected})) << bad;
  }
  json plain = AddEntry();
  plain["configs"] = {0};
  EXPECT_TRUE(FailsWith(Loaded(json::array({plain})), EntryLine(0),
                        {"kernel 'add_kernel' is not autotuned, and configs selects @triton.autotune configs: "
                         "remove it"}));
}

TEST(ParseModuleSpecTest, DuplicateKernelNames) {
  json second = AddEntry();
  second["constexprs"]["BLOCK"] = 256;
  EXPECT_TRUE(FailsWith(Loaded(json::array({AddEntry(), second})), EntryLine(1),
                        {"two kernel entries are named 'add_kernel': give the entry a (different) \"name\""}));

  // The same function twice is fine once the C++ names differ...
  second["name"] = "add_small";
  ModuleSpec spec = MustParse(Loaded(json::array({AddEntry(), second})));
  EXPECT_EQ(spec.kernels.size(), 2u);
  // ...and a C++ name may not clash with another kernel's either.
  second["name"] = "add_kernel";
  EXPECT_TRUE(FailsWith(Loaded(json::array({AddEntry(), second})), EntryLine(1), {"named 'add_kernel'"}));
}

TEST(ParseModuleSpecTest, WithoutLineInformationErrorsPointAtTheList) {
  // A spec built by code (a list comprehension) has no literal entries.
  json entry = AddEntry();
  entry.erase("signature");
  json loaded = Loaded(json::array({entry}));
  loaded["spec_lines"]["entries"] = json::array();
  EXPECT_TRUE(FailsWith(loaded, kSpecLine, {"has no 'signature'"}));
  // No spec assignment found at all: line 1.
  loaded["spec_lines"] = nullptr;
  EXPECT_TRUE(FailsWith(loaded, 1, {"has no 'signature'"}));
}

// --- Names --------------------------------------------------------------------

TEST(IsIdentifierTest, AcceptsCIdentifiers) {
  for (const char* text : {"a", "_", "add_kernel", "K2", "_x9"}) EXPECT_TRUE(IsIdentifier(text)) << text;
  for (const char* text : {"", "2k", "add-kernel", "a b", "a::b", "a.b", "\xc3\xa4"}) {
    EXPECT_FALSE(IsIdentifier(text)) << text;
  }
}

}  // namespace
}  // namespace triton_aot

#include "codegen.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "metadata.h"
#include "test_support.h"

namespace triton_aot {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::TempDir;
using testing::WriteText;

ArgType Type(const std::string& text) {
  ArgType type;
  std::string err;
  EXPECT_TRUE(ParseArgType(text, &type, &err)) << err;
  return type;
}

GridExpr Grid(const std::string& text) {
  GridExpr expr;
  std::string err;
  EXPECT_TRUE(GridExpr::Parse(text, &expr, &err)) << err;
  return expr;
}

ArchBuild ArchOf(int capability, int num_warps, int shared) {
  ArchBuild ab;
  ab.arch = Arch{capability};
  ab.sm = ab.arch.SmName();
  ab.metadata = {{"name", "add_kernel"},       {"num_warps", num_warps},
                 {"shared", shared},           {"global_scratch_size", 0},
                 {"global_scratch_align", 1},  {"profile_scratch_size", 0},
                 {"profile_scratch_align", 1}, {"tmem_size", 0}};
  return ab;
}

// What compiling this module would have produced:
//   add(x_ptr: *fp32, n: i32), variants "aligned" and "unit_n", for sm_80 and sm_90a;
//   fill(), autotuned, one config.
// The "fatbins" are stand-in bytes: codegen only embeds them.
ModuleBuild MakeBuild() {
  ModuleBuild build;
  build.module_name = "vec";
  build.cpp_namespace = "ns";
  build.triton_version = "3.6.0";
  build.archs = {Arch{80}, Arch{90}};
  for (int capability : {80, 90}) {
    build.ptxas[capability] = PtxasChoice{{"/opt/cuda/bin/ptxas", "13.0", {"sm_80", "sm_90a"}}, "CUDA toolkit"};
  }

  Kernel add;
  add.name = "add";
  add.function = "add_kernel";
  add.params = {{"x_ptr", false}, {"n", false}, {"BLOCK", true}};
  add.arg_names = {"x_ptr", "n"};
  add.grid = {Grid("cdiv(n, BLOCK)"), Grid("1"), Grid("1")};
  Variant aligned;
  aligned.name = "aligned";
  aligned.arg_types = {Type("*fp32:16"), Type("i32:16")};
  aligned.constexprs = {{"BLOCK", 1024}};
  Variant unit_n = aligned;
  unit_n.name = "unit_n";
  unit_n.arg_types = {Type("*fp32"), Type("i32:1")};
  unit_n.constexprs = {{"BLOCK", 256}};
  unit_n.num_warps = 8;
  add.variants = {aligned, unit_n};

  Kernel fill;
  fill.name = "fill";
  fill.function = "fill_kernel";
  fill.params = {{"VALUE", true}};
  fill.grid = {Grid("4"), Grid("1"), Grid("1")};
  fill.autotuned = true;
  Variant config0;
  config0.name = "config0";
  config0.constexprs = {{"VALUE", 7}};
  config0.autotune_config = 0;
  fill.variants = {config0};
  build.spec.kernels = {add, fill};

  VariantBuild v0;
  v0.kernel_index = 0;
  v0.variant_index = 0;
  v0.entry = "add_kernel";
  v0.archs = {ArchOf(80, 4, 0), ArchOf(90, 4, 1024)};
  v0.fatbin = "ABCD";
  v0.fatbin_name = "vec.fatbins/add.aligned.fatbin";
  VariantBuild v1 = v0;
  v1.variant_index = 1;
  v1.archs = {ArchOf(80, 8, 0), ArchOf(90, 8, 2048)};
  v1.fatbin = std::string("EF\0\xffGHIJK", 9);  // raw bytes, NUL included
  v1.fatbin_name = "vec.fatbins/add.unit_n.fatbin";
  VariantBuild v2;
  v2.kernel_index = 1;
  v2.variant_index = 0;
  v2.entry = "fill_kernel";
  v2.archs = {ArchOf(80, 4, 0), ArchOf(90, 4, 0)};
  v2.fatbin = "LMNOPQ";
  v2.fatbin_name = "vec.fatbins/fill.config0.fatbin";
  build.variants = {v0, v1, v2};
  return build;
}

// A build with one kernel and one variant, named as given.
ModuleBuild Named(const std::string& ns, const std::string& module, const std::string& kernel,
                  const std::string& variant) {
  ModuleBuild build = MakeBuild();
  build.cpp_namespace = ns;
  build.module_name = module;
  build.spec.kernels[0].name = kernel;
  build.spec.kernels[0].variants[0].name = variant;
  return build;
}

std::string SymbolOf(const ModuleBuild& build) { return FatbinSymbol(build, build.variants[0]); }

TEST(FatbinSymbolTest, IsAnAssemblerIdentifier) {
  ModuleBuild build = MakeBuild();
  for (const VariantBuild& v : build.variants) {
    const std::string symbol = FatbinSymbol(build, v);
    EXPECT_TRUE(IsIdentifier(symbol)) << symbol;
  }
}

TEST(FatbinSymbolTest, DistinctNamesNeverCollide) {
  std::set<std::string> symbols;
  // Pairs that plain '_'-joining would map to the same symbol.
  const std::vector<ModuleBuild> builds = {
      Named("ns", "m", "a_b", "c"),   Named("ns", "m", "a", "b_c"),   Named("ns", "a_b", "c", "v"),
      Named("ns", "a", "b_c", "v"),   Named("ns_a", "b", "k", "v"),   Named("ns", "a_b", "k", "v"),
      Named("x::y", "m", "k", "v"),   Named("x_y", "m", "k", "v"),    Named("x", "y_m", "k", "v"),
      Named("x::y_m", "k", "v", "w"), Named("x::y", "m_k", "v", "w"), Named("x::y::m", "k", "v", "w")};
  for (const ModuleBuild& build : builds) {
    const std::string symbol = SymbolOf(build);
    EXPECT_TRUE(symbols.insert(symbol).second)
        << symbol << " for (" << build.cpp_namespace << ", " << build.module_name << ", " << build.spec.kernels[0].name
        << ", " << build.spec.kernels[0].variants[0].name << ") is taken";
  }
}

TEST(FatbinSymbolTest, DiffersPerVariant) {
  ModuleBuild build = MakeBuild();
  EXPECT_NE(FatbinSymbol(build, build.variants[0]), FatbinSymbol(build, build.variants[1]));
}

TEST(GenerateHeaderTest, DeclaresTheVariantTablesInTheModuleNamespace) {
  ModuleBuild build = MakeBuild();
  build.cpp_namespace = "ns::kernels";
  const std::string header = GenerateHeader(build);
  const size_t open = header.find("namespace ns::kernels::vec {");
  const size_t add = header.find("extern const triton_aot::KernelImage add_variants[2];");
  const size_t fill = header.find("extern const triton_aot::KernelImage fill_variants[1];");
  const size_t close = header.find("}  // namespace ns::kernels::vec");
  ASSERT_NE(open, std::string::npos) << header;
  ASSERT_NE(add, std::string::npos) << header;
  ASSERT_NE(fill, std::string::npos) << header;
  ASSERT_NE(close, std::string::npos) << header;
  EXPECT_LT(open, add);
  EXPECT_LT(fill, close);
  EXPECT_NE(header.find("#pragma once"), std::string::npos);
  EXPECT_NE(header.find("#include <triton_aot/kernel_image.h>"), std::string::npos);
  // The comments document the kernel for readers of the header.
  EXPECT_NE(header.find("add(x_ptr: *fp32, n: i32)"), std::string::npos) << header;
  EXPECT_NE(header.find("cdiv(n, BLOCK)"), std::string::npos) << header;
}

TEST(GenerateSourceTest, EmbedsEachFatbinByRelativePath) {
  ModuleBuild build = MakeBuild();
  const std::string source = GenerateSource(build);
  EXPECT_NE(source.find("#include \"vec.h\""), std::string::npos) << source;
  size_t count = 0;
  for (size_t pos = 0; (pos = source.find(".incbin", pos)) != std::string::npos; ++pos) ++count;
  EXPECT_EQ(count, build.variants.size()) << source;
  for (const VariantBuild& v : build.variants) {
    EXPECT_NE(source.find(".incbin \\\"" + v.fatbin_name + "\\\""), std::string::npos) << v.fatbin_name;
  }
  // The output folder must not be baked into the file: builds are relocatable
  // and reproducible.
  EXPECT_EQ(source.find("/tmp"), std::string::npos);
  EXPECT_EQ(source.find(".incbin \\\"/"), std::string::npos);
}

// The real test of the generated code: compile it with a C++17 compiler, warnings
// as errors, link it, and check at run time what it embedded.
TEST(GenerateSourceTest, CompilesLinksAndEmbedsTheExactBytes) {
  ModuleBuild build = MakeBuild();
  TempDir out;        // the add_triton_kernels() output folder
  TempDir build_dir;  // somewhere else, so that only -Wa,-I finds the fatbins
  WriteText(out / "vec.h", GenerateHeader(build));
  WriteText(out / "vec.cc", GenerateSource(build));
  for (const VariantBuild& v : build.variants) WriteText(out / v.fatbin_name, v.fatbin);
  WriteText(out / "main.cc", R"(#include "vec.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) {                                                    \
      std::fprintf(stderr, "line %d: CHECK(%s) failed\n", __LINE__, #cond); \
      return 1;                                                       \
    }                                                                 \
  } while (0)

static std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

static bool SameBytes(const triton_aot::KernelImage& image, const std::string& file) {
  return image.fatbin_size == file.size() && std::memcmp(image.fatbin, file.data(), file.size()) == 0;
}

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const std::string dir = argv[1];
  using triton_aot::ArgHint;
  static_assert(ns::vec::add_num_variants == 2, "two variants of add");
  static_assert(ns::vec::fill_num_variants == 1, "one variant of fill");
  const triton_aot::KernelImage* add = ns::vec::add_variants;
  const triton_aot::KernelImage& fill = ns::vec::fill_variants[0];

  CHECK(std::string(add[0].kernel) == "add" && std::string(add[0].variant) == "aligned");
  CHECK(std::string(add[1].kernel) == "add" && std::string(add[1].variant) == "unit_n");
  CHECK(std::string(add[0].entry) == "add_kernel");
  CHECK(SameBytes(add[0], Read(dir + "/vec.fatbins/add.aligned.fatbin")));
  CHECK(SameBytes(add[1], Read(dir + "/vec.fatbins/add.unit_n.fatbin")));
  CHECK(SameBytes(fill, Read(dir + "/vec.fatbins/fill.config0.fatbin")));
  CHECK(add[0].fatbin_size == 4 && add[1].fatbin_size == 9);
  // cuModuleLoadData wants aligned images.
  CHECK(reinterpret_cast<std::uintptr_t>(add[0].fatbin) % 64 == 0);
  CHECK(reinterpret_cast<std::uintptr_t>(add[1].fatbin) % 64 == 0);

  CHECK(add[0].num_args == 2 && add[1].num_args == 2);
  CHECK(add[0].arg_hints[0] == ArgHint::kDivisibleBy16 && add[0].arg_hints[1] == ArgHint::kDivisibleBy16);
  CHECK(add[1].arg_hints[0] == ArgHint::kNone && add[1].arg_hints[1] == ArgHint::kEqualToOne);
  CHECK(add[0].autotune_config == -1 && add[1].autotune_config == -1);

  CHECK(add[0].num_archs == 2);
  CHECK(add[0].archs[0].capability == 80 && add[0].archs[1].capability == 90);
  CHECK(add[0].archs[0].num_warps == 4 && add[1].archs[0].num_warps == 8);
  CHECK(add[0].archs[1].shared_bytes == 1024 && add[1].archs[1].shared_bytes == 2048);
  CHECK(add[0].archs[0].shared_bytes == 0);
  CHECK(add[0].archs[1].global_scratch_align == 1);

  CHECK(std::string(fill.entry) == "fill_kernel");
  CHECK(fill.num_args == 0);
  CHECK(fill.autotune_config == 0);
  std::puts("embedded bytes ok");
  return 0;
}
)");
  const std::string include = std::string(TRITON_AOT_SOURCE_DIR) + "/runtime/include";
  ProcessResult cc = testing::Run({"c++", "-std=c++17", "-Wall", "-Wextra", "-Werror", "-I" + include,
                                   "-Wa,-I" + out.path().string(), out / "main.cc", out / "vec.cc", "-o", "main"},
                                  build_dir.path().string());
  ASSERT_TRUE(cc.Succeeded()) << cc.output << "\n--- vec.cc ---\n" << GenerateSource(build);
  ProcessResult run = testing::Run({build_dir / "main", out.path().string()});
  EXPECT_TRUE(run.Succeeded()) << run.output;
  EXPECT_NE(run.output.find("embedded bytes ok"), std::string::npos) << run.output;
}

TEST(ModuleMetadataJsonTest, DescribesWhatWasBuilt) {
  ModuleBuild build = MakeBuild();
  const json md = json::parse(ModuleMetadataJson(build));
  EXPECT_EQ(md["module"], "vec");
  EXPECT_EQ(md["namespace"], "ns");
  EXPECT_EQ(md["triton_version"], "3.6.0");
  EXPECT_EQ(md["archs"], json::array({"sm_80", "sm_90a"}));
  ASSERT_EQ(md["ptxas"].size(), 2u);
  EXPECT_EQ(md["ptxas"][1]["arch"], "sm_90a");
  EXPECT_EQ(md["ptxas"][1]["origin"], "CUDA toolkit");

  ASSERT_EQ(md["kernels"].size(), 2u);
  const json& add = md["kernels"][0];
  EXPECT_EQ(add["name"], "add");
  EXPECT_EQ(add["function"], "add_kernel");
  EXPECT_EQ(add["grid"], json::array({"cdiv(n, BLOCK)", "1", "1"}));
  EXPECT_EQ(add["arguments"][0], json({{"name", "x_ptr"}, {"type", "*fp32"}}));
  ASSERT_EQ(add["variants"].size(), 2u);
  const json& aligned = add["variants"][0];
  EXPECT_EQ(aligned["name"], "aligned");
  EXPECT_EQ(aligned["fatbin"], "vec.fatbins/add.aligned.fatbin");
  EXPECT_EQ(aligned["fatbin_size"], 4);
  EXPECT_EQ(aligned["signature"], json({{"x_ptr", "*fp32:16"}, {"n", "i32:16"}}));
  EXPECT_EQ(aligned["constexprs"], json({{"BLOCK", 1024}}));
  ASSERT_EQ(aligned["archs"].size(), 2u);
  EXPECT_EQ(aligned["archs"][1]["arch"], "sm_90a");
  EXPECT_EQ(aligned["archs"][1]["shared"], 1024);
  EXPECT_EQ(aligned["archs"][1]["ptxas_version"], "13.0");
  const json& unit_n = add["variants"][1];
  EXPECT_EQ(unit_n["name"], "unit_n");
  EXPECT_EQ(unit_n["fatbin"], "vec.fatbins/add.unit_n.fatbin");
  EXPECT_EQ(unit_n["signature"]["n"], "i32:1");
  EXPECT_EQ(unit_n["num_warps"], 8);
  EXPECT_FALSE(unit_n.contains("autotune_config"));

  const json& fill = md["kernels"][1];
  EXPECT_EQ(fill["variants"][0]["name"], "config0");
  EXPECT_EQ(fill["variants"][0]["autotune_config"], 0);
}

}  // namespace
}  // namespace triton_aot

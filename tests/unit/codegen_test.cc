#include "codegen.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "code_printer.h"
#include "codegen_names.h"
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

  KernelSpec add;
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

  KernelSpec fill;
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

// A module "m" in namespace "ns" with one kernel `name`, one variant
// ("only"), and the arguments (name, spec type) given.
ModuleBuild OneKernel(const std::string& name, const std::vector<std::pair<std::string, std::string>>& args,
                      const std::string& grid = "1") {
  ModuleBuild build = MakeBuild();
  build.module_name = "m";
  KernelSpec kernel;
  kernel.name = name;
  kernel.function = name;
  kernel.grid = {Grid(grid), Grid("1"), Grid("1")};
  Variant only;
  only.name = "only";
  only.constexprs = nlohmann::ordered_json::object();
  for (const auto& [arg, type] : args) {
    kernel.params.push_back({arg, false});
    kernel.arg_names.push_back(arg);
    only.arg_types.push_back(Type(type));
  }
  kernel.variants = {only};
  build.spec.kernels = {kernel};
  VariantBuild v;
  v.entry = name;
  v.archs = {ArchOf(80, 4, 0)};
  v.fatbin = "XYZ";
  v.fatbin_name = "m.fatbins/" + name + ".only.fatbin";
  build.variants = {v};
  return build;
}

// Adds to OneKernel's kernel a copy of its first variant named `name`, built
// like it, and returns it.
Variant& AddVariant(ModuleBuild* build, const std::string& name) {
  KernelSpec& kernel = build->spec.kernels[0];
  Variant copy = kernel.variants[0];
  copy.name = name;
  kernel.variants.push_back(copy);
  VariantBuild v = build->variants[0];
  v.variant_index = kernel.variants.size() - 1;
  v.fatbin_name = build->module_name + ".fatbins/" + kernel.name + "." + name + ".fatbin";
  build->variants.push_back(v);
  return kernel.variants.back();
}

// The flags generated code must compile with: warnings as errors, against
// the runtime's headers and cuda.h; the fatbins are found through -Wa,-I.
std::vector<std::string> CompilerFlags(const std::string& standard, const std::filesystem::path& out) {
  return {"c++",
          "-std=" + standard,
          "-Wall",
          "-Wextra",
          "-Werror",
          "-pedantic",
          "-I" TRITON_AOT_RUNTIME_INCLUDE_DIR,
          "-I" TRITON_AOT_CUDA_INCLUDE_DIR,
          "-Wa,-I" + out.string()};
}

// Writes the module's header and source, its stand-in fatbins and `main_cc`
// into `out`.
void WriteModule(const ModuleBuild& build, const TempDir& out, const std::string& main_cc) {
  WriteText(out / (build.module_name + ".h"), GenerateHeader(build));
  WriteText(out / (build.module_name + ".cc"), GenerateSource(build));
  for (const VariantBuild& v : build.variants) WriteText(out / v.fatbin_name, v.fatbin);
  WriteText(out / "main.cc", main_cc);
}

// Compiles the generated source and `main_cc` (which includes the header) to
// objects; the assembler embeds the fatbins too.
ProcessResult CompileModule(const ModuleBuild& build, const std::string& main_cc,
                            const std::string& standard = "c++17") {
  TempDir out;
  WriteModule(build, out, main_cc);
  std::vector<std::string> argv = CompilerFlags(standard, out.path());
  argv.insert(argv.end(), {"-c", out / "main.cc", out / (build.module_name + ".cc")});
  ProcessResult result = testing::Run(argv, out.path().string());
  if (!result.Succeeded()) {
    result.output += "\n--- " + build.module_name + ".h ---\n" + GenerateHeader(build) + "\n--- " +
                     build.module_name + ".cc ---\n" + GenerateSource(build);
  }
  return result;
}

// The generated source's statement that sets grids[`slot`], with the
// comment after it if it is on the same line.
std::string GridLine(const std::string& source, size_t slot) {
  const std::string start = "grids[" + std::to_string(slot) + "] = ";
  const size_t pos = source.find(start);
  if (pos == std::string::npos) return "";
  return source.substr(pos, source.find('\n', source.find("};", pos)) - pos);
}

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

TEST(GenerateHeaderTest, DeclaresTheLaunchFunctionsInTheModuleNamespace) {
  ModuleBuild build = MakeBuild();
  build.cpp_namespace = "ns::kernels";
  const std::string header = GenerateHeader(build);
  const size_t open = header.find("namespace ns::kernels::vec {");
  // Too long for one line: a parameter a line.
  const size_t add = header.find(
      "triton_aot::Status add(\n"
      "    CUstream stream,\n"
      "    triton_aot::DevicePtr<float> x_ptr,\n"
      "    std::int32_t n,\n"
      "    const triton_aot::LaunchOptions& options = {});");
  const size_t add_grid = header.find(
      "triton_aot::Status add(\n"
      "    triton_aot::Grid grid,\n"
      "    CUstream stream,\n"
      "    triton_aot::DevicePtr<float> x_ptr,\n"
      "    std::int32_t n,\n"
      "    const triton_aot::LaunchOptions& options = {});");
  const size_t add_kernel = header.find("triton_aot::Kernel& add_kernel();");
  const size_t add_table = header.find("extern const triton_aot::KernelImage add_variants[2];");
  const size_t fill = header.find("triton_aot::Status fill(CUstream stream, const triton_aot::LaunchOptions& options = {});");
  const size_t fill_table = header.find("extern const triton_aot::KernelImage fill_variants[1];");
  const size_t close = header.find("}  // namespace ns::kernels::vec");
  for (size_t pos : {open, add, add_grid, add_kernel, add_table, fill, fill_table, close}) {
    ASSERT_NE(pos, std::string::npos) << header;
  }
  EXPECT_LT(open, add);
  EXPECT_LT(fill_table, close);
  EXPECT_NE(header.find("#pragma once"), std::string::npos);
  EXPECT_NE(header.find("#include <triton_aot/runtime.h>"), std::string::npos);
  // The comments document the kernel for readers of the header.
  EXPECT_NE(header.find("add(x_ptr: *fp32, n: i32)"), std::string::npos) << header;
  EXPECT_NE(header.find("grid: (cdiv(n, BLOCK), 1, 1); variants: aligned, unit_n"), std::string::npos) << header;
  EXPECT_NE(header.find("autotuned over 1 configs"), std::string::npos) << header;
}

TEST(GenerateHeaderTest, ParametersHaveTheArgumentsCppTypes) {
  ModuleBuild build = OneKernel(
      "k", {{"f", "fp32"}, {"i", "i64"}, {"p", "*fp16"}, {"b", "i1"}, {"h", "bf16"}, {"u", "u32"}, {"q", "*i8"}});
  const std::string header = GenerateHeader(build);
  const std::string params =
      "    float f,\n    std::int64_t i,\n    triton_aot::DevicePtr<triton_aot::float16> p,\n    bool b,\n"
      "    triton_aot::bfloat16 h,\n    std::uint32_t u,\n    triton_aot::DevicePtr<std::int8_t> q,\n";
  EXPECT_NE(header.find("triton_aot::Status k(\n    CUstream stream,\n" + params), std::string::npos) << header;
  EXPECT_NE(header.find("triton_aot::Status k(\n    triton_aot::Grid grid,\n    CUstream stream,\n" + params),
            std::string::npos)
      << header;
  // The compiler agrees: both overloads convert to exactly these types.
  ProcessResult cc = CompileModule(build, R"(#include "m.h"

using T = triton_aot::Status;
using Args = triton_aot::DevicePtr<triton_aot::float16>;
constexpr T (*launch)(CUstream, float, std::int64_t, Args, bool, triton_aot::bfloat16, std::uint32_t,
                      triton_aot::DevicePtr<std::int8_t>, const triton_aot::LaunchOptions&) = &ns::m::k;
constexpr T (*launch_grid)(triton_aot::Grid, CUstream, float, std::int64_t, Args, bool, triton_aot::bfloat16,
                           std::uint32_t, triton_aot::DevicePtr<std::int8_t>, const triton_aot::LaunchOptions&) =
    &ns::m::k;

int main() {
  (void)launch;
  (void)launch_grid;
  return 0;
}
)");
  EXPECT_TRUE(cc.Succeeded()) << cc.output;
}

// Every C++ keyword that Python allows as a name, and the launch functions'
// own parameter and local names.
const std::vector<std::string> kCppOnlyKeywords = {
    "alignas",  "alignof",   "and_eq",   "asm",          "auto",        "bitand",    "bitor",       "bool",
    "case",     "catch",     "char",     "char8_t",      "char16_t",    "char32_t",  "compl",       "concept",
    "const",    "consteval", "constexpr", "constinit",   "const_cast",  "co_await",  "co_return",   "co_yield",
    "decltype", "default",   "delete",   "do",           "double",      "dynamic_cast", "enum",     "explicit",
    "export",   "extern",    "false",    "float",        "friend",      "goto",      "inline",      "int",
    "long",     "mutable",   "namespace", "new",         "noexcept",    "not_eq",    "nullptr",     "operator",
    "or_eq",    "private",   "protected", "public",      "register",    "reinterpret_cast", "requires", "short",
    "signed",   "sizeof",    "static",   "static_assert", "static_cast", "struct",   "switch",      "template",
    "this",     "thread_local", "throw", "true",         "typedef",     "typeid",    "typename",    "union",
    "unsigned", "using",     "virtual",  "void",         "volatile",    "wchar_t",   "xor",         "xor_eq"};
const std::vector<std::string> kLaunchLocals = {"stream", "options", "grid", "args", "params", "grids", "key",
                                                 "buffer_elements"};

TEST(GenerateHeaderTest, ArgumentsNamedLikeKeywordsOrLaunchLocalsGetAnUnderscore) {
  std::vector<std::pair<std::string, std::string>> args = {{"n", "i32"}};
  for (const auto& list : {kCppOnlyKeywords, kLaunchLocals}) {
    for (const std::string& name : list) args.push_back({name, "i32"});
  }
  ModuleBuild build = OneKernel("k", args, "cdiv(stream, 4) + new");
  build.spec.kernels[0].autotuned = true;
  build.spec.kernels[0].autotune_key = {"key", "int"};
  build.spec.kernels[0].variants[0].autotune_config = 0;
  const std::string header = GenerateHeader(build);
  EXPECT_NE(header.find("std::int32_t n,"), std::string::npos) << header;
  for (const auto& [name, type] : args) {
    if (name == "n") continue;
    EXPECT_NE(header.find("std::int32_t " + name + "_,"), std::string::npos) << name;
  }
  // Messages name the arguments as the kernel does.
  const std::string source = GenerateSource(build);
  EXPECT_NE(source.find("{\n    \"n\",\n    \"alignas\",\n    \"alignof\",\n"), std::string::npos) << source;
  EXPECT_NE(GridLine(source, 0).find("(triton_aot::grid::cdiv(stream_, 4) + new_)"), std::string::npos) << source;
  EXPECT_NE(source.find("const std::int64_t key[] = {static_cast<std::int64_t>(key_), "
                        "static_cast<std::int64_t>(int_)};"),
            std::string::npos)
      << source;

  std::string call = "ns::m::k(nullptr";
  for (size_t i = 0; i < args.size(); ++i) call += ", " + std::to_string(i);
  const std::string main_cc = "#include \"m.h\"\n\nint main(int argc, char**) {\n  if (argc > 99) return " + call +
                              ").ok();\n  return 0;\n}\n";
  for (const char* standard : {"c++17", "c++20"}) {
    ProcessResult cc = CompileModule(build, main_cc, standard);
    EXPECT_TRUE(cc.Succeeded()) << standard << ":\n" << cc.output;
  }
}

TEST(GenerateHeaderTest, ArgumentsThatWouldHideGeneratedNamesOrCollideStayDistinct) {
  // "k_kernel" and "Launch_k" would hide the functions the launch body calls;
  // "ns" would hide the namespace; "new" becomes "new_", which is also taken.
  const std::vector<std::pair<std::string, std::string>> args = {
      {"k_kernel", "i32"}, {"Launch_k", "i32"}, {"ns", "i32"}, {"new_", "i32"}, {"new", "i32"}};
  ModuleBuild build = OneKernel("k", args, "k_kernel + ns + new");
  const std::string header = GenerateHeader(build);
  for (const char* declared : {"std::int32_t k_kernel_,", "std::int32_t Launch_k_,", "std::int32_t ns,",
                               "std::int32_t new_,", "std::int32_t new__,"}) {
    EXPECT_NE(header.find(declared), std::string::npos) << declared << "\n" << header;
  }
  const std::string main_cc =
      "#include \"m.h\"\n\nint main(int argc, char**) {\n  if (argc > 99) return ns::m::k(nullptr, 1, 2, 3, 4, 5).ok();\n"
      "  return 0;\n}\n";
  ProcessResult cc = CompileModule(build, main_cc, "c++17");
  EXPECT_TRUE(cc.Succeeded()) << cc.output;
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

TEST(GenerateSourceTest, EachVariantsGridReadsItsOwnConstexprs) {
  const std::string source = GenerateSource(MakeBuild());
  // add: grid cdiv(n, BLOCK), BLOCK=1024 in "aligned" and 256 in "unit_n",
  // in checked integers (triton_aot::grid::Int) that convert from n.
  EXPECT_EQ(GridLine(source, 0), "grids[0] = {triton_aot::grid::cdiv(n, 1024), 1, 1};  // aligned");
  EXPECT_EQ(GridLine(source, 1), "grids[1] = {triton_aot::grid::cdiv(n, 256), 1, 1};  // unit_n");
  EXPECT_NE(source.find("triton_aot::grid::Dims grids[2];"), std::string::npos) << source;
  // An explicit grid replaces every variant's: the runtime takes it instead.
  EXPECT_NE(source.find("  if (!grid) {\n    grids[0] = "), std::string::npos) << source;
  EXPECT_NE(source.find("Launch(stream, args, params, grid, grids, nullptr, 0, options);"), std::string::npos)
      << source;
  // The expressions' text, for the runtime's messages.
  EXPECT_NE(source.find("const char* const kAddGrid[] = {\"cdiv(n, BLOCK)\", \"1\", \"1\"};"), std::string::npos)
      << source;
  EXPECT_NE(source.find("        kAddGrid,  "), std::string::npos) << source;
}

TEST(GenerateSourceTest, ALongGridHasADimensionALine) {
  ModuleBuild build = OneKernel("k", {{"M", "i64"}, {"N", "i64"}}, "cdiv(M, 128) * cdiv(N, 128) + max(M, N) // 7");
  EXPECT_EQ(GridLine(GenerateSource(build), 0),
            "grids[0] = {\n"
            "        ((triton_aot::grid::cdiv(M, 128) * triton_aot::grid::cdiv(N, 128)) +\n"
            "            triton_aot::grid::floordiv(triton_aot::grid::max(M, N), 7)),\n"
            "        1,\n"
            "        1,\n"
            "    };");
}

TEST(GenerateSourceTest, ConstexprsAtTheEndsOfInt64AreValidLiterals) {
  ModuleBuild build = OneKernel("k", {{"n", "i64"}}, "max(n, SMALL) + BIG");
  KernelSpec& kernel = build.spec.kernels[0];
  kernel.params.push_back({"BIG", true});
  kernel.params.push_back({"SMALL", true});
  kernel.variants[0].constexprs["BIG"] = UINT64_MAX;  // above INT64_MAX: an overflow when the grid is computed
  kernel.variants[0].constexprs["SMALL"] = INT64_MIN;
  const std::string source = GenerateSource(build);
  EXPECT_NE(GridLine(source, 0).find("(triton_aot::grid::max(n, (-9223372036854775807 - 1)) + 18446744073709551615u)"),
            std::string::npos)
      << source;
  ProcessResult cc = CompileModule(build, "#include \"m.h\"\nint main() { return 0; }\n");
  EXPECT_TRUE(cc.Succeeded()) << cc.output;
}

TEST(GenerateSourceTest, AutotunedKernelsPassTheKeyInKeyOrder) {
  ModuleBuild build = OneKernel("mm", {{"a", "*fp16"}, {"M", "i32"}, {"N", "i32"}, {"K", "i32"}});
  KernelSpec& kernel = build.spec.kernels[0];
  kernel.autotuned = true;
  kernel.autotune_key = {"N", "M"};
  kernel.variants[0].name = "config0";
  kernel.variants[0].autotune_config = 0;
  AddVariant(&build, "config1").autotune_config = 1;

  const std::string source = GenerateSource(build);
  EXPECT_NE(source.find("const std::int64_t key[] = {static_cast<std::int64_t>(N), static_cast<std::int64_t>(M)};"),
            std::string::npos)
      << source;
  EXPECT_NE(source.find("return ::ns::m::mm_kernel().Launch(stream, args, params, grid, grids, key, 2, options);"),
            std::string::npos)
      << source;
  EXPECT_NE(GenerateHeader(build).find("// autotuned over 2 configs, key (N, M): see mm_kernel()"), std::string::npos);
  // Kernels without a key pass none.
  EXPECT_NE(GenerateSource(MakeBuild()).find("return ::ns::vec::add_kernel().Launch(stream, args, params, grid, grids, "
                                             "nullptr, 0, options);"),
            std::string::npos);
  ProcessResult cc = CompileModule(build, "#include \"m.h\"\nint main() { return 0; }\n");
  EXPECT_TRUE(cc.Succeeded()) << cc.output;
}

// mm(c: *fp16, M, N) autotuned over two configs, c zeroed while tuning.
ModuleBuild TunedWithBuffer(bool reset_to_zero, bool restore_value) {
  ModuleBuild build = OneKernel("mm", {{"c", "*fp16"}, {"M", "i32"}, {"N", "i32"}});
  KernelSpec& kernel = build.spec.kernels[0];
  kernel.autotuned = true;
  kernel.autotune_key = {"M"};
  kernel.params.push_back({"SPLIT", true});
  kernel.variants[0].name = "config0";
  kernel.variants[0].autotune_config = 0;
  kernel.variants[0].constexprs = {{"SPLIT", 2}};
  AddVariant(&build, "config1").autotune_config = 1;
  kernel.tuning_buffers = {{0, reset_to_zero, restore_value, Grid("M * N * SPLIT")}};
  return build;
}

TEST(GenerateSourceTest, TuningBuffersAreATableAndTheirSizesComeWithEachLaunch) {
  const ModuleBuild build = TunedWithBuffer(true, false);
  const std::string source = GenerateSource(build);
  EXPECT_NE(source.find(R"cc(
// mm: the buffers autotuning zeroes (reset_to_zero) or restores (restore_value).
constexpr triton_aot::TuningBuffer kMmTuningBuffers[] = {
    {
        0,      // arg (c)
        2,      // element_bytes
        true,   // reset_to_zero
        false,  // restore_value
    },
};
)cc"),
            std::string::npos)
      << source;
  EXPECT_NE(source.find("static triton_aot::Kernel kernel(\"m.mm\", mm_variants, 2, kMmTuningBuffers, 1);"),
            std::string::npos)
      << source;
  EXPECT_NE(source.find(R"cc(  // The elements of each tuning buffer: c.
  const triton_aot::grid::Int buffer_elements[] = {((triton_aot::grid::Int(M) * N) * 2)};
  return ::ns::m::mm_kernel().Launch(
      stream, args, params, grid, grids, key, 1, options, buffer_elements);
)cc"),
            std::string::npos)
      << source;
  EXPECT_NE(GenerateHeader(build).find("// tuning zeroes c (M * N * SPLIT elements)\n"), std::string::npos)
      << GenerateHeader(build);
  EXPECT_NE(GenerateHeader(TunedWithBuffer(false, true)).find("// tuning restores c (M * N * SPLIT elements)\n"),
            std::string::npos);
  EXPECT_NE(GenerateHeader(TunedWithBuffer(true, true)).find("// tuning zeroes c (M * N * SPLIT elements) and "
                                                             "restores it\n"),
            std::string::npos);
  const json md = json::parse(ModuleMetadataJson(build));
  EXPECT_EQ(md["kernels"][0]["tuning_buffers"],
            json::array({{{"name", "c"}, {"reset_to_zero", true}, {"restore_value", false},
                          {"elements", "M * N * SPLIT"}}}));
  // Kernels without them: no table, no sizes, nothing more passed.
  const std::string plain = GenerateSource(MakeBuild());
  EXPECT_EQ(plain.find("TuningBuffer"), std::string::npos);
  EXPECT_EQ(plain.find("buffer_elements"), std::string::npos);
  EXPECT_FALSE(json::parse(ModuleMetadataJson(MakeBuild()))["kernels"][0].contains("tuning_buffers"));
  for (const char* standard : {"c++17", "c++20"}) {
    ProcessResult cc = CompileModule(build, "#include \"m.h\"\nint main() { return 0; }\n", standard);
    EXPECT_TRUE(cc.Succeeded()) << standard << ":\n" << cc.output;
  }
}

TEST(GenerateSourceTest, KernelsWithoutArgumentsCompile) {
  ModuleBuild build = OneKernel("noargs", {}, "3");
  const std::string source = GenerateSource(build);
  EXPECT_NE(source.find("return ::ns::m::noargs_kernel().Launch(\n      stream, nullptr, nullptr, grid, grids, nullptr, 0, "
                        "options);"),
            std::string::npos)
      << source;
  for (const char* standard : {"c++17", "c++20"}) {
    ProcessResult cc = CompileModule(build, R"(#include "m.h"

int main(int argc, char**) {
  if (argc > 99) return ns::m::noargs(nullptr).ok() && ns::m::noargs(triton_aot::Grid{1, 1, 1}, nullptr).ok();
  return ns::m::noargs_variants[0].num_args == 0 && ns::m::noargs_variants[0].arg_hints == nullptr ? 0 : 1;
}
)",
                                     standard);
    EXPECT_TRUE(cc.Succeeded()) << standard << ":\n" << cc.output;
  }
}

// Compiles the module WriteModule wrote into `out` (the add_triton_kernels()
// output folder) with its main.cc, links them with the runtime somewhere
// else, so that only -Wa,-I finds the fatbins, and runs the program with
// `out` as its argument. A failed compile is the result when there is one.
ProcessResult LinkAndRun(const ModuleBuild& build, const TempDir& out) {
  TempDir build_dir;
  std::vector<std::string> argv = CompilerFlags("c++17", out.path());
#ifdef TRITON_AOT_SANITIZER_CXX
  // The runtime library is built with sanitizers here (TRITON_AOT_SANITIZE):
  // a program that links it needs their runtime, from the same compiler.
  argv[0] = TRITON_AOT_SANITIZER_CXX;
  argv.push_back(TRITON_AOT_SANITIZER_FLAGS);
#endif
  argv.insert(argv.end(), {out / "main.cc", out / (build.module_name + ".cc"), TRITON_AOT_RUNTIME_LIBRARY, "-ldl",
                           "-pthread", "-o", "main"});
  ProcessResult cc = testing::Run(argv, build_dir.path().string());
  if (!cc.Succeeded()) {
    cc.output += "\n--- " + build.module_name + ".cc ---\n" + GenerateSource(build);
    return cc;
  }
  return testing::Run({build_dir / "main", out.path().string()});
}

// The real test of the generated code: compile it with a C++17 compiler, warnings
// as errors, link it with the runtime, and check at run time what it embedded
// and how the runtime chooses among its variants.
TEST(GenerateSourceTest, CompilesLinksAndEmbedsTheExactBytes) {
  ModuleBuild build = MakeBuild();
  TempDir out;  // the add_triton_kernels() output folder
  WriteModule(build, out, R"main(#include "vec.h"

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

static std::size_t Chosen(triton_aot::ArgValue x_ptr, std::int64_t n) {
  const triton_aot::ArgValue args[] = {x_ptr, triton_aot::ArgValue::Integer(n)};
  std::size_t index = 99;
  if (!ns::vec::add_kernel().Choose(args, {}, &index).ok()) return 100;
  return index;
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
  CHECK(std::string(add[0].arg_names[0]) == "x_ptr" && std::string(add[1].arg_names[1]) == "n");
  CHECK(add[0].autotune_config == -1 && add[1].autotune_config == -1);
  CHECK(std::string(add[0].constexprs) == "BLOCK=1024" && std::string(add[1].constexprs) == "BLOCK=256");

  CHECK(add[0].num_archs == 2);
  const triton_aot::ArchLaunchInfo& sm80 = add[0].archs[0];
  const triton_aot::ArchLaunchInfo& sm90a = add[0].archs[1];
  CHECK(sm80.capability == 80 && !sm80.arch_specific);
  CHECK(sm90a.capability == 90 && sm90a.arch_specific);
  CHECK(sm80.num_warps == 4 && add[1].archs[0].num_warps == 8);
  CHECK(sm90a.shared_bytes == 1024 && add[1].archs[1].shared_bytes == 2048);
  CHECK(sm80.shared_bytes == 0 && sm80.num_ctas == 1);
  CHECK(sm90a.global_scratch_size == 0 && sm90a.global_scratch_align == 1);
  CHECK(sm90a.profile_scratch_size == 0 && sm90a.profile_scratch_align == 1);
  CHECK(!sm90a.launch_cooperative_grid && !sm90a.launch_pdl);
  CHECK(sm80.ptxas_version == 13000 && sm90a.ptxas_version == 13000);

  CHECK(std::string(fill.entry) == "fill_kernel");
  CHECK(fill.num_args == 0 && fill.arg_names == nullptr);
  CHECK(fill.autotune_config == 0);
  CHECK(std::string(fill.constexprs) == "VALUE=7");

  // The runtime reads the tables: the hints decide the variant.
  CHECK(std::string(ns::vec::add_kernel().name()) == "vec.add");
  const triton_aot::ArgValue aligned = triton_aot::ArgValue::Pointer(0x1000), unaligned =
      triton_aot::ArgValue::Pointer(0x1004);
  CHECK(Chosen(aligned, 32) == 0);
  CHECK(Chosen(unaligned, 1) == 1);
  CHECK(Chosen(aligned, 1) == 1);
  CHECK(Chosen(unaligned, 32) == 100);
  // No GPU, or no context: the launch fails, and says which kernel did.
  triton_aot::Status status = ns::vec::add(nullptr, 0x1000, 32);
  CHECK(!status.ok() && status.message().rfind("vec.add: ", 0) == 0);
  status = ns::vec::fill(triton_aot::Grid{2, 1, 1}, nullptr);
  CHECK(!status.ok() && status.message().rfind("vec.fill: ", 0) == 0);
  // Arguments a forced variant does not accept fail the same on every
  // machine, and say the value: integers as numbers, pointers in hex.
  triton_aot::LaunchOptions forced;
  forced.variant = "aligned";
  status = ns::vec::add(nullptr, 0x1000, 33, forced);
  CHECK(status.code() == CUDA_ERROR_INVALID_VALUE);
  CHECK(status.message() == "vec.add: variant 'aligned' needs n divisible by 16 (it is 33)");
  status = ns::vec::add(nullptr, 0x1004, 32, forced);
  CHECK(status.message() == "vec.add: variant 'aligned' needs x_ptr divisible by 16 (it is 0x1004)");
  std::puts("embedded bytes ok");
  return 0;
}
)main");
  ProcessResult run = LinkAndRun(build, out);
  EXPECT_TRUE(run.Succeeded()) << run.output;
  EXPECT_NE(run.output.find("embedded bytes ok"), std::string::npos) << run.output;
}

// Generated grid code, linked with the runtime and run: an impossible grid
// is an error naming the kernel, the dimension, the expression and the values
// it read, and an empty grid launches nothing, before the CUDA driver is
// asked for anything (so the same on a machine without a GPU).
TEST(GenerateSourceTest, GridsAreCheckedAtLaunchWithTheirExpressionsAndValues) {
  ModuleBuild build = OneKernel("g", {{"n", "i64"}, {"u", "u64"}, {"d", "i32"}});
  KernelSpec& kernel = build.spec.kernels[0];
  kernel.grid = {Grid("cdiv(n, BLOCK)"), Grid("cdiv(u, BLOCK) * d"), Grid("n // d * n")};
  kernel.params.push_back({"BLOCK", true});
  kernel.variants[0].constexprs["BLOCK"] = 256;
  TempDir out;
  WriteModule(build, out, R"main(#include "m.h"

#include <cstdint>
#include <cstdio>
#include <string>

static int failures = 0;

// An empty `message`: the launch must succeed.
static void Expect(int line, const triton_aot::Status& status, const std::string& message) {
  if (status.ok() == message.empty() && status.message() == message) return;
  std::fprintf(stderr, "line %d: expected '%s', got '%s'\n", line, message.c_str(), status.message().c_str());
  ++failures;
}

int main() {
  Expect(__LINE__, ns::m::g(nullptr, INT64_MAX, 256, 1),
         "m.g: grid dimension x = cdiv(n, BLOCK) is 36028797018963968, more than CUDA's limit of 2147483647 "
         "(n=9223372036854775807, BLOCK=256)");
  Expect(__LINE__, ns::m::g(nullptr, 256, UINT64_MAX, 1),
         "m.g: grid dimension y = cdiv(u, BLOCK) * d overflows 64 bits (u=18446744073709551615, BLOCK=256, d=1)");
  Expect(__LINE__, ns::m::g(nullptr, 256, 65536 * 256, 1),
         "m.g: grid dimension y = cdiv(u, BLOCK) * d is 65536, more than CUDA's limit of 65535 (u=16777216, "
         "BLOCK=256, d=1)");
  Expect(__LINE__, ns::m::g(nullptr, 256, 256, 0), "m.g: grid dimension z = n // d * n divides by zero (n=256, d=0)");
  Expect(__LINE__, ns::m::g(nullptr, std::int64_t{1} << 32, 256, 1),
         "m.g: grid dimension z = n // d * n overflows 64 bits (n=4294967296, d=1)");
  Expect(__LINE__, ns::m::g(nullptr, INT64_MIN, 256, -1),
         "m.g: grid dimension x = cdiv(n, BLOCK) is -36028797018963968, less than 0 (n=-9223372036854775808, "
         "BLOCK=256)");
  Expect(__LINE__, ns::m::g(triton_aot::Grid{1, 65536, 1}, nullptr, 256, 256, 1),
         "m.g: grid dimension y (as passed) is 65536, more than CUDA's limit of 65535");
  // n == 0: x and z are 0, a launch that does nothing and succeeds.
  Expect(__LINE__, ns::m::g(nullptr, 0, 256, 1), "");
  Expect(__LINE__, ns::m::g(triton_aot::Grid{4, 0, 1}, nullptr, 256, 256, 1), "");
  if (failures == 0) std::puts("grids checked");
  return failures;
}
)main");
  ProcessResult run = LinkAndRun(build, out);
  EXPECT_TRUE(run.Succeeded()) << run.output;
  EXPECT_NE(run.output.find("grids checked"), std::string::npos) << run.output;
}

// The lines of `text` longer than kMaxLineLength, for messages.
// A family guarded by `n_cols <= BLOCK`, a guard that can fault, and a
// fall-back: which variant a launch chose shows in its grid's error, which
// names the chosen variant's BLOCK (the grid always exceeds CUDA's limit).
TEST(GenerateSourceTest, GuardsChooseTheFirstVariantWhoseConditionHolds) {
  ModuleBuild build = OneKernel("rows", {{"x_ptr", "*fp32"}, {"n_cols", "i32"}}, "BLOCK * 268435456");
  KernelSpec& kernel = build.spec.kernels[0];
  kernel.params.push_back({"BLOCK", true});
  kernel.launch_params = {{"n_rows", Type("i32")}};
  auto guard = [](const std::string& text) {
    GridExpr expr;
    std::string err;
    EXPECT_TRUE(GridExpr::ParseCondition(text, &expr, &err)) << err;
    return expr;
  };
  kernel.variants[0].name = "fallback";
  kernel.variants[0].constexprs["BLOCK"] = 8192;
  AddVariant(&build, "block_1024").constexprs["BLOCK"] = 1024;
  AddVariant(&build, "block_4096").constexprs["BLOCK"] = 4096;
  AddVariant(&build, "per_row").constexprs["BLOCK"] = 16;
  kernel.variants[1].guard = kernel.variants[2].guard = guard("n_cols <= BLOCK");
  kernel.variants[3].guard = guard("n_rows // (n_cols - 5000) > 1000 and n_rows > 0");
  TempDir out;
  WriteModule(build, out, R"main(#include "m.h"

#include <cstdio>
#include <string>

static int failures = 0;

static void Expect(int line, const triton_aot::Status& status, const std::string& block) {
  const std::string message = status.message();
  if (message.find("(BLOCK=" + block + ")") != std::string::npos) return;
  std::fprintf(stderr, "line %d: expected BLOCK=%s, got '%s'\n", line, block.c_str(), message.c_str());
  ++failures;
}

int main() {
  Expect(__LINE__, ns::m::rows(nullptr, nullptr, 1000, 4), "1024");
  Expect(__LINE__, ns::m::rows(nullptr, nullptr, 1024, 4), "1024");
  Expect(__LINE__, ns::m::rows(nullptr, nullptr, 1025, 4), "4096");
  Expect(__LINE__, ns::m::rows(nullptr, nullptr, 7000, 4), "8192");
  Expect(__LINE__, ns::m::rows(nullptr, nullptr, 1, 1000000), "1024");  // listed after block_1024
  Expect(__LINE__, ns::m::rows(nullptr, nullptr, 6000, 10000000), "16");
  // n_cols == 5000: the family's guards do not hold, and per_row's divides by zero.
  const std::string fault = ns::m::rows(nullptr, nullptr, 5000, 4).message();
  if (fault != "m.rows: variant 'per_row': its guard 'n_rows // (n_cols - 5000) > 1000 and n_rows > 0' cannot be "
               "evaluated for these arguments: it divides by zero") {
    std::fprintf(stderr, "fault: '%s'\n", fault.c_str());
    ++failures;
  }
  // A guard reads n_rows, so the launch with the caller's grid takes it too.
  const triton_aot::Status with_grid = ns::m::rows(triton_aot::Grid{1, 1, 1}, nullptr, nullptr, 5000, 4);
  if (with_grid.message() != fault) ++failures;
  if (failures == 0) std::puts("guards checked");
  return failures;
}
)main");
  ProcessResult run = LinkAndRun(build, out);
  EXPECT_TRUE(run.Succeeded()) << run.output;
  EXPECT_NE(run.output.find("guards checked"), std::string::npos) << run.output;
}

std::string LongLines(const std::string& text) {
  std::string out;
  for (size_t start = 0; start < text.size();) {
    const size_t end = std::min(text.find('\n', start), text.size());
    if (end - start > kMaxLineLength) out += text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

TEST(GeneratedLayoutTest, LinesFitIn100ColumnsEvenWithManyLongNames) {
  std::vector<std::pair<std::string, std::string>> args;
  const std::string long_name = "an_argument_with_a_long_name_";
  for (const char* type : {"*fp16:16", "*bf16", "i64:16", "fp32", "i32:1", "*fp8e4nv:16", "u32", "i1"}) {
    for (char suffix : {'a', 'b'}) args.push_back({long_name + std::string(1, suffix) + std::to_string(args.size()),
                                                   type});
  }
  ModuleBuild build = OneKernel("a_kernel_with_long_argument_names", args,
                                "cdiv(" + args[4].first + ", 128) * cdiv(" + args[5].first + " + " + args[9].first +
                                    ", 64)");
  KernelSpec& kernel = build.spec.kernels[0];
  kernel.autotuned = true;
  kernel.autotune_key = {args[4].first, args[5].first, args[9].first};
  kernel.variants[0].autotune_config = 0;
  kernel.variants[0].constexprs = {{"BLOCK_SIZE_ALONG_THE_FIRST_DIMENSION", 128},
                                   {"BLOCK_SIZE_ALONG_THE_SECOND_DIMENSION", 64},
                                   {"A_STRING_CONSTEXPR", "with words in it, quite a few of them"}};
  const std::string header = GenerateHeader(build), source = GenerateSource(build);
  EXPECT_EQ(LongLines(header), "") << header;
  EXPECT_EQ(LongLines(source), "") << source;
  ProcessResult cc = CompileModule(build, "#include \"m.h\"\nint main() { return 0; }\n");
  EXPECT_TRUE(cc.Succeeded()) << cc.output;
}

TEST(GeneratedLayoutTest, TableNamesAreCamelCaseAndUniqueWhenNamesLookAlike) {
  const std::string source = GenerateSource(MakeBuild());
  for (const char* table : {"kAddArgNames[]", "kAddArgBytes[]", "kAddAlignedHints[]", "kAddAlignedArchs[]",
                            "kAddUnitNHints[]", "kAddUnitNArchs[]", "kFillConfig0Archs[]"}) {
    EXPECT_NE(source.find(table), std::string::npos) << table << "\n" << source;
  }
  // my_kernel and myKernel are both "MyKernel"; (a_b, c) and (a, b_c) both
  // "ABC"; kernel kMyKernelArgNames would be hidden by a table so named.
  ModuleBuild build = OneKernel("my_kernel", {{"x", "i32"}});
  for (const auto& [kernel, variant] : std::vector<std::pair<std::string, std::string>>{
           {"myKernel", "only"}, {"a_b", "c"}, {"a", "b_c"}, {"kMyKernelArgNames", "only"}}) {
    KernelSpec spec = build.spec.kernels[0];
    spec.name = spec.function = kernel;
    spec.variants[0].name = variant;
    build.spec.kernels.push_back(spec);
    VariantBuild v = build.variants[0];
    v.kernel_index = build.spec.kernels.size() - 1;
    v.fatbin_name = "m.fatbins/" + kernel + "." + variant + ".fatbin";
    build.variants.push_back(v);
  }
  const TableNames tables(build);
  std::set<std::string> names;
  for (size_t k = 0; k < build.spec.kernels.size(); ++k) {
    for (const std::string& name : {tables.ArgNames(k), tables.ArgBytes(k), build.spec.kernels[k].name}) {
      EXPECT_TRUE(names.insert(name).second) << name;
    }
  }
  for (size_t i = 0; i < build.variants.size(); ++i) {
    for (const std::string& name : {tables.Hints(i), tables.Archs(i)}) EXPECT_TRUE(names.insert(name).second) << name;
  }
  EXPECT_EQ(tables.ArgNames(0), "kMyKernel2ArgNames");  // kMyKernelArgNames is a kernel's name
  EXPECT_EQ(tables.ArgNames(1), "kMyKernel3ArgNames");
  EXPECT_EQ(tables.Hints(2), "kABCHints");
  EXPECT_EQ(tables.Hints(3), "kABC2Hints");
  // The compiler agrees: no table is defined twice or hides a kernel.
  ProcessResult cc = CompileModule(build, "#include \"m.h\"\nint main() { return 0; }\n");
  EXPECT_TRUE(cc.Succeeded()) << cc.output;
}

TEST(GenerateHeaderTest, SaysWhatEachVariantPromisesAndWhereItIsDeclared) {
  ModuleBuild build = OneKernel("k", {{"p", "*fp32:16"}, {"q", "*fp16:16"}, {"r", "*fp16"}, {"n", "i32:16"},
                                      {"stride", "i64:1"}, {"m", "i32"}, {"alpha", "fp32"}});
  Variant& fast = build.spec.kernels[0].variants[0];
  fast.name = "fast";
  fast.line = 12;
  fast.constexprs = {{"BLOCK", 256}};
  Variant& plain = AddVariant(&build, "plain");
  plain.line = 13;
  plain.num_warps = 8;
  plain.num_stages = 2;
  for (ArgType& type : plain.arg_types) type.hint = Hint::kNone;
  const std::string header = GenerateHeader(build);
  EXPECT_NE(header.find("\n//   fast (m.py:12): p, q 16-byte aligned; n % 16 == 0; stride == 1\n"
                        "//       with BLOCK=256; num_warps=4, num_stages=3\n"),
            std::string::npos)
      << header;
  EXPECT_NE(header.find("\n//   plain (m.py:13): no promises\n"
                        "//       with BLOCK=256; num_warps=8, num_stages=2\n"),
            std::string::npos)
      << header;
}

// Strings from the module reach the generated code through one escaping
// function: whatever they hold, the program sees them byte for byte.
TEST(GenerateSourceTest, StringsWithQuotesBackslashesAndLineBreaksArriveIntact) {
  ModuleBuild build = MakeBuild();
  build.triton_version = "3.6.0 */ \"quoted\" back\\slash\nnext line ?\?= \xc3\xa9";
  build.spec.kernels[0].variants[0].constexprs = {{"BLOCK", 1024}, {"NOTE", "a \"b\" c\\d\ne */ ?\?= \xc3\xa9"}};
  build.variants[0].fatbin_name = "vec.fatbins/we\"ird\\ na\nme ?\?=.fatbin";
  TempDir out;
  WriteModule(build, out, R"main(#include "vec.h"

#include <cstdio>
#include <cstring>

int main() {
  const triton_aot::KernelImage& image = ns::vec::add_variants[0];
  std::fwrite(image.constexprs, 1, std::strlen(image.constexprs), stdout);
  std::fputc('|', stdout);
  std::fwrite(image.fatbin, 1, image.fatbin_size, stdout);
  return 0;
}
)main");
  ProcessResult run = LinkAndRun(build, out);
  EXPECT_TRUE(run.Succeeded()) << run.output;
  EXPECT_EQ(run.output, ConstexprSummary(build.spec.kernels[0].variants[0]) + "|" + build.variants[0].fatbin);
  EXPECT_EQ(LongLines(GenerateHeader(build)) + LongLines(GenerateSource(build)), "");
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

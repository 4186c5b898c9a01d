// GenerateSource: the fatbins, embedded by the assembler, the tables the
// runtime reads (KernelImage and ArchLaunchInfo rows), and the launch
// functions.
#include <vector>

#include <fmt/format.h>

#include "code_printer.h"
#include "codegen.h"
#include "codegen_launch.h"
#include "codegen_names.h"
#include "cpp_escape.h"

namespace triton_aot {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// The __asm__ block's lines, each an assembler line as a C++ literal.
std::string AsmLines(const ModuleBuild& build) {
  std::vector<std::string> lines = {".pushsection .rodata.triton_aot,\"a\",@progbits"};
  for (const VariantBuild& v : build.variants) {
    const std::string symbol = FatbinSymbol(build, v);
    lines.insert(lines.end(), {".balign 64", ".globl " + symbol, ".hidden " + symbol, ".type " + symbol + ", @object",
                               fmt::format(".size {}, {}", symbol, v.fatbin.size()), symbol + ":",
                               ".incbin " + AsmStringLiteral(v.fatbin_name)});
  }
  lines.push_back(".popsection");
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) out += (i ? "\n" : "") + CppStringLiteral(lines[i] + "\n");
  return out;
}

// The buffers autotuning keeps as the caller passed them, for kernels that
// have any.
void EmitTuningBuffers(CodePrinter& printer, const KernelSpec& kernel, const std::string& table) {
  if (kernel.tuning_buffers.empty()) return;
  auto flag = [](bool value) { return std::string(value ? "true" : "false"); };
  std::string rows;
  for (const TuningBufferSpec& buffer : kernel.tuning_buffers) {
    rows += (rows.empty() ? "" : "\n") +
            FieldPerLine({{std::to_string(buffer.arg), "arg (" + CppCommentText(kernel.arg_names[buffer.arg]) + ")"},
                          {std::to_string(ElementBytes(kernel.variants.front().arg_types[buffer.arg])),
                           "element_bytes"},
                          {flag(buffer.reset_to_zero), "reset_to_zero"},
                          {flag(buffer.restore_value), "restore_value"}},
                         4) +
            ",";
  }
  printer.Emit({{"kernel", kernel.name}, {"table", table}, {"rows", rows}}, R"cc(

    // $kernel$: the buffers autotuning zeroes (reset_to_zero) or restores (restore_value).
    constexpr triton_aot::TuningBuffer $table$[] = {
        $rows$
    };
  )cc");
}

// Each kernel's argument names and sizes and its grid expressions, which all
// its variants share.
void EmitKernelTables(CodePrinter& printer, const ModuleBuild& build, const TableNames& tables) {
  for (size_t k = 0; k < build.spec.kernels.size(); ++k) {
    const KernelSpec& kernel = build.spec.kernels[k];
    std::vector<std::string> names, bytes, grid;
    for (size_t a = 0; a < kernel.arg_names.size(); ++a) {
      names.push_back(CppStringLiteral(kernel.arg_names[a]));
      bytes.push_back(std::to_string(ArgBytes(kernel.variants.front().arg_types[a])));
    }
    EmitTuningBuffers(printer, kernel, tables.TuningBuffers(k));
    for (const GridExpr& dim : kernel.grid) {
      // One a line when long, as adjacent literals four columns in; a ',' follows.
      std::string literal = SplitStringLiteral(CppStringLiteral(dim.text()), 4, kMaxLineLength - 1);
      for (size_t pos = literal.find('\n'); pos != std::string::npos; pos = literal.find('\n', pos + 1)) {
        literal.insert(pos + 1, "    ");
      }
      grid.push_back(literal);
    }
    // No table for a kernel without a grid in the spec: its images say nullptr.
    const std::string grid_table =
        grid.empty() ? "" : FitOrOnePerLine("const char* const " + tables.Grid(k) + "[] = {", grid, "};", 0, true);
    if (kernel.arg_names.empty() && grid.empty()) continue;
    if (kernel.arg_names.empty()) {
      printer.Emit({{"about", WrappedComment(kernel.name + ": the grid expressions.", 0)}, {"grid", grid_table}},
                   R"cc(

                     $about$
                     $grid$
                   )cc");
      continue;
    }
    const std::string about = kernel.name + ": the launch arguments' names and sizes in bytes" +
                              (grid.empty() ? "." : ", and the grid expressions.");
    printer.Emit({{"about", WrappedComment(about, 0)},
                  {"names", FitOrOnePerLine("const char* const " + tables.ArgNames(k) + "[] = {", names, "};", 0, true)},
                  {"bytes", FitOrOnePerLine("const std::uint8_t " + tables.ArgBytes(k) + "[] = {", bytes, "};", 0, true)},
                  {"grid", grid_table}},
                 grid.empty() ? R"cc(

                   $about$
                   $names$
                   $bytes$
                 )cc"
                              : R"cc(

                   $about$
                   $names$
                   $bytes$
                   $grid$
                 )cc");
  }
}

std::string ArchRow(const ModuleBuild& build, const ArchBuild& ab) {
  const auto& m = ab.metadata;
  auto flag = [](bool value) { return std::string(value ? "true" : "false"); };
  auto number = [&](const char* key, int otherwise) { return std::to_string(m.value(key, otherwise)); };
  return FieldPerLine({{std::to_string(ab.arch.capability), "capability (" + ab.sm + ")"},
                       {flag(ab.sm.back() == 'a'), "arch_specific"},
                       {number("num_warps", 0), "num_warps"},
                       {number("num_ctas", 1), "num_ctas"},
                       {number("shared", 0), "shared_bytes"},
                       {number("global_scratch_size", 0), "global_scratch_size"},
                       {number("global_scratch_align", 1), "global_scratch_align"},
                       {number("profile_scratch_size", 0), "profile_scratch_size"},
                       {number("profile_scratch_align", 1), "profile_scratch_align"},
                       {flag(m.value("launch_cooperative_grid", false)), "launch_cooperative_grid"},
                       {flag(m.value("launch_pdl", false)), "launch_pdl"},
                       {std::to_string(PtxasVersionNumber(build.ptxas.at(ab.arch.capability).info.version)),
                        "ptxas_version"}},
                      4);
}

// The archs an autotune config is left out of, which a launch there skips.
void EmitSkippedArchs(CodePrinter& printer, const VariantBuild& v, const std::string& table) {
  if (v.skipped_archs.empty()) return;
  std::vector<std::string> capabilities;
  std::string sms;
  for (const Arch& arch : v.skipped_archs) {
    capabilities.push_back(std::to_string(arch.capability));
    sms += (sms.empty() ? "" : ", ") + arch.SmName();
  }
  const std::string about =
      fmt::format("Not built for {}: the config is too large there, or the kernel's pruner left it out.", sms);
  printer.Emit({{"about", WrappedComment(about, 0)},
                {"table", FitOrOnePerLine("constexpr int " + table + "[] = {", capabilities, "};", 0, true)}},
               R"cc(

                 $about$
                 $table$
               )cc");
}

// Each variant's argument hints and per-arch launch settings.
void EmitVariantTables(CodePrinter& printer, const ModuleBuild& build, const TableNames& tables) {
  for (size_t i = 0; i < build.variants.size(); ++i) {
    const VariantBuild& v = build.variants[i];
    const KernelSpec& kernel = build.KernelOf(v);
    const Variant& variant = build.VariantOf(v);
    Fields hints;
    for (size_t a = 0; a < kernel.arg_names.size(); ++a) {
      hints.push_back({HintName(variant.arg_types[a].hint), CppCommentText(kernel.arg_names[a])});
    }
    std::string archs;
    for (const ArchBuild& ab : v.archs) archs += (archs.empty() ? "" : "\n") + ArchRow(build, ab) + ",";
    EmitSkippedArchs(printer, v, tables.SkippedArchs(i));
    const std::string about = fmt::format("{}, variant {}: {}", kernel.name, variant.name, ConstexprSummary(variant));
    printer.Emit({{"about", WrappedComment(CppCommentText(about), 0)},
                  {"hints_table", tables.Hints(i)},
                  {"hints", FieldPerLine(hints, 0).substr(1)},  // after the table's own "{"
                  {"archs_table", tables.Archs(i)},
                  {"archs", archs}},
                 hints.empty() ? R"cc(

                   $about$
                   constexpr triton_aot::ArchLaunchInfo $archs_table$[] = {
                       $archs$
                   };
                 )cc"
                               : R"cc(

                   $about$
                   constexpr triton_aot::ArgHint $hints_table$[] = {$hints$;
                   constexpr triton_aot::ArchLaunchInfo $archs_table$[] = {
                       $archs$
                   };
                 )cc");
  }
}

std::string ImageRow(const ModuleBuild& build, const TableNames& tables, size_t i) {
  const VariantBuild& v = build.variants[i];
  const KernelSpec& kernel = build.KernelOf(v);
  const Variant& variant = build.VariantOf(v);
  const bool has_args = !kernel.arg_names.empty();
  return FieldPerLine({{CppStringLiteral(kernel.name), "kernel"},
                       {CppStringLiteral(variant.name), "variant"},
                       {CppStringLiteral(v.entry), "entry"},
                       {FatbinSymbol(build, v), "fatbin"},
                       {std::to_string(v.fatbin.size()), "fatbin_size"},
                       {has_args ? tables.Hints(i) : "nullptr", "arg_hints"},
                       {has_args ? tables.ArgNames(v.kernel_index) : "nullptr", "arg_names"},
                       {has_args ? tables.ArgBytes(v.kernel_index) : "nullptr", "arg_bytes"},
                       {std::to_string(kernel.arg_names.size()), "num_args"},
                       {tables.Archs(i), "archs"},
                       {std::to_string(v.archs.size()), "num_archs"},
                       {std::to_string(variant.autotune_config), "autotune_config"},
                       // The row's fields are 8 deep; ",  // constexprs" follows.
                       {SplitStringLiteral(CppStringLiteral(ConstexprSummary(variant)), 8, kMaxLineLength - 16),
                        "constexprs"},
                       {kernel.grid.empty() ? "nullptr" : tables.Grid(v.kernel_index), "grid"},
                       {variant.guard ? SplitStringLiteral(CppStringLiteral(variant.guard->text()), 8) : "nullptr",
                        "guard"},
                       {v.skipped_archs.empty() ? "nullptr" : tables.SkippedArchs(i), "skipped_archs"},
                       {std::to_string(v.skipped_archs.size()), "num_skipped_archs"}},
                      4);
}

// A kernel's variants table, its Kernel and its launch functions.
void EmitKernel(CodePrinter& printer, const ModuleBuild& build, const TableNames& tables, size_t k) {
  const KernelSpec& kernel = build.spec.kernels[k];
  std::string rows;
  for (size_t i = 0; i < build.variants.size(); ++i) {
    if (build.variants[i].kernel_index == k) rows += (rows.empty() ? "" : "\n") + ImageRow(build, tables, i) + ",";
  }
  std::vector<std::string> kernel_args = {CppStringLiteral(build.module_name + "." + kernel.name),
                                          kernel.name + "_variants", std::to_string(VariantCount(build, k))};
  if (!kernel.tuning_buffers.empty()) {
    kernel_args.insert(kernel_args.end(), {tables.TuningBuffers(k), std::to_string(kernel.tuning_buffers.size())});
  }
  printer.Emit({{"name", kernel.name},
                {"count", std::to_string(VariantCount(build, k))},
                {"rows", rows},
                {"make_kernel", FitOrFilled("static triton_aot::Kernel kernel(", kernel_args, ");", 2)}},
               R"cc(

                 const triton_aot::KernelImage $name$_variants[$count$] = {
                     $rows$
                 };

                 triton_aot::Kernel& $name$_kernel() {
                   $make_kernel$
                   return kernel;
                 }
               )cc");
  EmitLaunchFunctions(printer, build, k);
}

}  // namespace

std::string GenerateSource(const ModuleBuild& build) {
  const TableNames tables(build);
  CodePrinter printer;
  std::string symbols;
  for (const VariantBuild& v : build.variants) {
    symbols += (symbols.empty() ? "" : "\n") + fmt::format("extern const unsigned char {}[];", FatbinSymbol(build, v));
  }
  printer.Emit({{"banner", Banner(build, BannerFor::kSource)},
                {"header", CppStringLiteral(build.module_name + ".h")},
                {"asm", AsmLines(build)},
                {"symbols", symbols},
                {"namespace", build.cpp_namespace + "::" + build.module_name},
                {"kernel_tables", [&] { EmitKernelTables(printer, build, tables); }},
                {"variant_tables", [&] { EmitVariantTables(printer, build, tables); }},
                {"kernels",
                 [&] {
                   for (size_t k = 0; k < build.spec.kernels.size(); ++k) EmitKernel(printer, build, tables, k);
                 }}},
               R"cc(
                 $banner$
                 #include $header$

                 // The fatbins are embedded by the assembler, which costs the same whatever
                 // their size; their paths are relative to the folder of this file.
                 __asm__(
                     $asm$);

                 extern "C" {
                 $symbols$
                 }

                 namespace $namespace$ {
                 namespace {
                 $kernel_tables$
                 $variant_tables$

                 }  // namespace
                 $kernels$

                 }  // namespace $namespace$
               )cc");
  return printer.text();
}

}  // namespace triton_aot

// triton-aot: the build step behind add_triton_kernels(), and its tools.
//
//   triton-aot compile <module.py> --output-dir D --namespace NS --arch 90 ...
//   triton-aot report <timing-log>

#include <cstdio>
#include <filesystem>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "arch.h"
#include "compile_module.h"
#include "frontend.h"
#include "interrupt.h"
#include "spec.h"
#include "timing_log.h"
#include "version.h"

namespace {

using namespace triton_aot;

int RunCompile(CompileModuleOptions options, const std::vector<std::string>& arch_texts, const std::string& python,
               const std::string& frontend, double load_timeout_s) {
  std::string err;
  if (!ParseArchList(arch_texts, &options.archs, &err)) {
    fmt::print(stderr, "triton-aot: error: --arch: {}\n", err);
    return 2;
  }
  if (!IsNamespace(options.cpp_namespace)) {
    fmt::print(stderr, "triton-aot: error: --namespace: '{}' is not a C++ namespace name (e.g. kernels or my::kernels)\n",
               options.cpp_namespace);
    return 2;
  }
  PtxasSources explicit_sources = options.ptxas;
  options.ptxas = PtxasSources::FromEnvironment();
  options.ptxas.explicit_path = explicit_sources.explicit_path;
  options.ptxas.toolkit_path = explicit_sources.toolkit_path;
  CompilerFactory factory = [&](const std::string& scratch) -> std::unique_ptr<KernelCompiler> {
    FrontendOptions frontend_options;
    frontend_options.python = python;
    frontend_options.script = frontend;
    frontend_options.stderr_path = scratch + "/frontend.log";
    frontend_options.triton_cache_dir = scratch + "/triton-cache";
    frontend_options.load_timeout_ms = static_cast<int>(load_timeout_s * 1000);
    return std::make_unique<FrontendProcess>(frontend_options);
  };
  PtxasProber prober;
  InstallInterruptHandlers();
  const bool compiled = CompileModule(options, factory, prober, &err);
  // Interrupted: everything is cleaned up by now; end as the signal would
  // have, so that Ninja reports an interruption rather than a failure.
  if (const int signal = PendingInterrupt()) DieOfSignal(signal);
  if (!compiled) {
    fmt::print(stderr, "{}\n", err);
    return 1;
  }
  return 0;
}

int RunReport(const std::string& log, size_t top) {
  std::vector<TimingRecord> records;
  int bad_lines = 0;
  std::string err;
  if (!ReadTimingLog(log, &records, &bad_lines, &err)) {
    fmt::print(stderr, "triton-aot: error: {}\n", err);
    return 1;
  }
  fmt::print("{}", FormatReport(records, bad_lines, top));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"triton-aot: compiles Triton kernel modules ahead of time, one build edge per module"};
  app.set_version_flag("--version", std::string("triton-aot ") + triton_aot::kVersion);
  app.require_subcommand(1);

  CompileModuleOptions options;
  std::vector<std::string> archs;
  std::string python = "python3";
  std::string frontend;
  CLI::App* compile = app.add_subcommand("compile", "compile one kernel module into fatbins, metadata and C++");
  compile->add_option("module", options.module_path, "the kernel module (.py)")->required()->check(CLI::ExistingFile);
  compile->add_option("--output-dir", options.output_dir, "folder for the artifacts")->required();
  compile->add_option("--namespace", options.cpp_namespace, "C++ namespace of the generated API")->required();
  compile->add_option("--arch", archs, "target architecture (80, 90, 90a, 100, ...); repeat for several")
      ->required()
      ->take_all();
  compile->add_option("--frontend", frontend, "the Python frontend script")->required()->check(CLI::ExistingFile);
  compile->add_option("--fatbinary", options.fatbinary, "CUDA's fatbinary")->required();
  compile->add_option("--python", python, "Python interpreter that has Triton");
  compile->add_option("--depfile", options.depfile, "write a Makefile-syntax depfile here");
  compile->add_option("--timing-log", options.timing_log, "append one JSON line per compiled variant here");
  compile->add_option("--source-root", options.source_root,
                      "Python files under this folder that the module imports are dependencies");
  compile->add_option("--ptxas", options.ptxas.explicit_path, "use this ptxas (an error if it cannot be used)");
  compile->add_option("--toolkit-ptxas", options.ptxas.toolkit_path, "the CUDA toolkit's ptxas, tried after "
                                                                       "--ptxas and TRITON_PTXAS_PATH");
  double load_timeout_s = 120;
  compile->add_option("--load-timeout", load_timeout_s,
                      "seconds that starting Python and importing the module may take (default 120)")
      ->check(CLI::Range(0.1, 86400.0));
  compile->add_flag("-v,--verbose", options.verbose, "say which ptxas candidates were skipped, and the times");

  std::string log;
  size_t top = 10;
  CLI::App* report = app.add_subcommand("report", "summarise a timing log: total, slowest kernels, failures");
  report->add_option("log", log, "the timing log")->required();
  report->add_option("--top", top, "how many of the slowest kernels to list");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (*compile) {
    if (options.source_root.empty()) {
      options.source_root = std::filesystem::absolute(options.module_path).parent_path().string();
    }
    return RunCompile(options, archs, python, frontend, load_timeout_s);
  }
  return RunReport(log, top);
}

// triton-aot: the build step behind add_triton_kernels(), and its tools.
//
//   triton-aot compile <module.py> --output-dir D --namespace NS --arch 90 ...
//   triton-aot report <timing-log> [--trace build.json]
//   triton-aot service status|stop <build-tree>

#include <cstdio>
#include <filesystem>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "arch.h"
#include "atomic_file.h"
#include "artifact_cache.h"
#include "compile_module.h"
#include "frontend.h"
#include "interrupt.h"
#include "report/report_command.h"
#include "service_client.h"
#include "spec.h"
#include "version.h"

namespace {

using namespace triton_aot;

// How the compile edge reaches Triton: through the build tree's warm compile
// service when it can, else through a Python of its own.
struct CompilerChoice {
  std::string python;
  std::string frontend;
  double load_timeout_s = 120;
  bool use_service = true;
  int service_idle_timeout_s = 900;
};

int RunCompile(CompileModuleOptions options, const std::vector<std::string>& arch_texts,
               const CompilerChoice& choice) {
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
  options.frontend_script = choice.frontend;
  options.frontend_identity =
      ServiceIdentity(choice.python, choice.frontend, options.ptxas.explicit_path, options.ptxas.toolkit_path);
  CompilerFactory factory = [&](const std::string& scratch) -> std::unique_ptr<KernelCompiler> {
    FrontendOptions frontend_options;
    frontend_options.python = choice.python;
    frontend_options.script = choice.frontend;
    frontend_options.stderr_path = scratch + "/frontend.log";
    frontend_options.triton_cache_dir = scratch + "/triton-cache";
    frontend_options.temp_dir = scratch + "/tmp";
    std::error_code ec;
    std::filesystem::create_directory(frontend_options.temp_dir, ec);  // without it, Python uses /tmp
    frontend_options.load_timeout_ms = static_cast<int>(choice.load_timeout_s * 1000);
    std::string why_not = "it is off (--no-service)";
    if (choice.use_service && options.build_tree.empty()) why_not = "no --build-tree was given";
    if (choice.use_service && !options.build_tree.empty()) {
      ServiceOptions service;
      service.build_tree = options.build_tree;
      service.folder = DefaultServiceFolder();
      service.python = choice.python;
      service.frontend_script = choice.frontend;
      service.identity = options.frontend_identity;
      for (const Arch& arch : options.archs) service.warm_up_archs.push_back(arch.capability);
      service.warm_up_ptxas =
          !options.ptxas.explicit_path.empty() ? options.ptxas.explicit_path : options.ptxas.toolkit_path;
      service.idle_timeout_s = choice.service_idle_timeout_s;
      if (auto link = ConnectToService(service, frontend_options, &why_not)) {
        return std::make_unique<Frontend>(frontend_options, std::move(link));
      }
    }
    if (options.verbose && PendingInterrupt() == 0) {
      fmt::print(stderr, "triton-aot: {}: compiling in a Python of this edge's own; the compile service is not used: {}\n",
                 options.module_path, why_not);
    }
    return std::make_unique<Frontend>(frontend_options, MakeProcessLink(frontend_options));
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

int RunService(const std::string& action, const std::string& build_tree) {
  const std::string folder = DefaultServiceFolder();
  std::string what, err;
  if (action == "status") {
    pid_t pid = -1;
    switch (ServiceRunning(folder, build_tree, &pid, &err)) {
      case ServiceState::kRunning: fmt::print("a compile service (pid {}) serves {}\n", pid, build_tree); return 0;
      case ServiceState::kNotRunning: fmt::print("no compile service runs for {}\n", build_tree); return 3;
      case ServiceState::kUnknown: fmt::print(stderr, "triton-aot: error: service status: {}\n", err); return 1;
    }
  }
  if (!StopService(folder, build_tree, &what, &err)) {
    fmt::print(stderr, "triton-aot: error: service stop: {}\n", err);
    return 1;
  }
  fmt::print("{}\n", what);
  return 0;
}

int RunReport(const ReportOptions& options) {
  ReportOutput output;
  Diagnostic error;
  const bool made = MakeReport(options, &output, &error);
  fmt::print("{}", output.text);
  for (const std::string& note : output.notes) fmt::print(stderr, "{}\n", note);
  if (made) return 0;
  fmt::print(stderr, "{}\n", FormatDiagnostic(error));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"triton-aot: compiles Triton kernel modules ahead of time, one build edge per module"};
  app.set_version_flag("--version", std::string("triton-aot ") + triton_aot::kVersion);
  app.require_subcommand(1);

  CompileModuleOptions options;
  std::vector<std::string> archs;
  CompilerChoice choice;
  choice.python = "python3";
  std::string cache_size = "2G";
  bool no_cache = false;
  bool no_service = false;
  CLI::App* compile = app.add_subcommand("compile", "compile one kernel module into fatbins, metadata and C++");
  compile->add_option("module", options.module_path, "the kernel module (.py)")->required()->check(CLI::ExistingFile);
  compile->add_option("--output-dir", options.output_dir, "folder for the artifacts")->required();
  compile->add_option("--namespace", options.cpp_namespace, "C++ namespace of the generated API")->required();
  compile->add_option("--arch", archs, "target architecture (80, 90, 90a, 100, ...); repeat for several")
      ->required()
      ->take_all();
  compile->add_option("--frontend", choice.frontend, "the Python frontend script")->required()->check(CLI::ExistingFile);
  compile->add_option("--fatbinary", options.fatbinary, "CUDA's fatbinary")->required();
  compile->add_option("--python", choice.python, "Python interpreter that has Triton");
  compile->add_option("--depfile", options.depfile, "write a Makefile-syntax depfile here");
  compile->add_option("--timing-log", options.timing_log, "append one JSON line per compiled variant here");
  compile->add_option("--source-root", options.source_root,
                      "Python files under this folder that the module imports are dependencies");
  compile->add_option("--ptxas", options.ptxas.explicit_path, "use this ptxas (an error if it cannot be used)");
  compile->add_option("--toolkit-ptxas", options.ptxas.toolkit_path, "the CUDA toolkit's ptxas, tried after "
                                                                       "--ptxas and TRITON_PTXAS_PATH");
  compile->add_option("--load-timeout", choice.load_timeout_s,
                      "seconds that starting Python and importing the module may take (default 120)")
      ->check(CLI::Range(0.1, 86400.0));
  compile->add_option("--build-tree", options.build_tree,
                      "the build tree of this edge: its edges share one warm compile service");
  compile->add_flag("--no-service", no_service, "compile in a Python of this edge's own, not in the compile service");
  compile->add_option("--service-idle-timeout", choice.service_idle_timeout_s,
                      "seconds a compile service started by this edge waits for work before it exits (default 900)")
      ->check(CLI::Range(1, 7 * 24 * 3600));
  compile->add_option("--cache-dir", options.cache_dir,
                      "the artifact cache (default: $TRITON_AOT_CACHE_DIR, else $XDG_CACHE_HOME/triton-aot, else "
                      "~/.cache/triton-aot)");
  compile->add_option("--cache-size", cache_size, "largest size of the artifact cache, e.g. 512M or 2G (default 2G)");
  compile->add_flag("--no-cache", no_cache, "neither read nor write the artifact cache");
  compile->add_flag("-v,--verbose", options.verbose,
                    "say which ptxas candidates were skipped, why the compile service is not used, and the times");

  std::string service_action, service_tree;
  CLI::App* service = app.add_subcommand("service", "the warm compile service of a build tree");
  service->add_option("action", service_action, "status or stop")->required()->check(CLI::IsMember({"status", "stop"}));
  service->add_option("build-tree", service_tree, "the build tree it serves")->required();

  ReportOptions report_options;
  CLI::App* report = app.add_subcommand("report", "summarise a timing log: total, slowest kernels, failures");
  report->add_option("log", report_options.timing_log, "the timing log")->required();
  report->add_option("--top", report_options.top, "how many of the slowest kernels to list");
  CLI::Option* trace_option =
      report->add_option("--trace", report_options.trace,
                         "also write the latest build as a Chrome trace (JSON) here, for https://ui.perfetto.dev");
  report->add_option("--ninja-log", report_options.ninja_log,
                     "Ninja's log of the build (default: .ninja_log beside the timing log)")
      ->needs(trace_option);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (*compile) {
    if (options.source_root.empty()) {
      options.source_root = std::filesystem::absolute(options.module_path).parent_path().string();
    }
    choice.use_service = !no_service;
    if (no_cache) {
      options.cache_dir.clear();
    } else {
      if (options.cache_dir.empty()) options.cache_dir = DefaultCacheDir();
      std::string err;
      if (!ParseByteSize(cache_size, &options.cache_max_bytes, &err)) {
        fmt::print(stderr, "triton-aot: error: --cache-size: {} (CMake: TRITON_AOT_CACHE_SIZE)\n", err);
        return 2;
      }
    }
    return RunCompile(options, archs, choice);
  }
  if (*service) return RunService(service_action, service_tree);
  return RunReport(report_options);
}

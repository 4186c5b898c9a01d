// triton-aot: the build step behind add_triton_kernels(), and its tools.
//
//   triton-aot compile <module.py> --output-dir D --namespace NS --arch 90 ...
//   triton-aot report <timing-log> [--trace build.json]
//   triton-aot service status|stop <build-tree>
//
// The environment is read here, once, and every error is printed here, once.

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "arch.h"
#include "artifact_cache.h"
#include "cache_key.h"
#include "compile_module.h"
#include "diagnostic.h"
#include "edge_compiler.h"
#include "environment.h"
#include "generated_names.h"
#include "interrupt.h"
#include "job_slots.h"
#include "option_values.h"
#include "report/report_command.h"
#include "service_client.h"
#include "spec.h"
#include "version.h"

namespace {

using namespace triton_aot;

void PrintError(const Diagnostic& error) { fmt::print(stderr, "{}\n", FormatDiagnostic(error)); }

// What `triton-aot compile` was given.
struct CompileCommand {
  CompileModuleOptions options;
  std::vector<std::string> archs;
  CompilerChoice choice;
  // Numbers as given: CompleteCompileOptions reads them (option_values.h).
  std::string load_timeout = "120";
  std::string service_idle_timeout = "900";
  std::string cache_size = "2G";
  bool no_cache = false;
  bool no_service = false;
  std::string edge_jobs;  // as given; else TRITON_AOT_EDGE_JOBS
  bool edge_jobs_given = false;
};

CLI::App* AddCompileCommand(CLI::App& app, CompileCommand* c) {
  CompileModuleOptions& o = c->options;
  CLI::App* compile = app.add_subcommand("compile", "compile one kernel module into fatbins, metadata and C++");
  // Files are checked by the edge itself (edge_paths.h), numbers by
  // CompleteCompileOptions; expected(0, 1) lets "--option=" through to it.
  compile->add_option("module", o.module_path, "the kernel module (.py)")->required();
  compile->add_option("--output-dir", o.output_dir, "folder for the artifacts")->required();
  compile->add_option("--namespace", o.cpp_namespace, "C++ namespace of the generated API")->required();
  // One value per --arch, each kept as given (even "--arch="): ParseArchList reads them.
  compile
      ->add_option_function<std::string>(
          "--arch", [c](const std::string& arch) { c->archs.push_back(arch); },
          "target architecture (80, 90, 90a, 100, ...); repeat for several")
      ->required()
      ->expected(0, 1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->trigger_on_parse();
  compile->add_option("--frontend", c->choice.frontend, "the Python frontend script")->required();
  compile->add_option("--fatbinary", o.fatbinary, "CUDA's fatbinary")->required();
  compile->add_option("--python", c->choice.python, "Python interpreter that has Triton");
  compile->add_option("--depfile", o.depfile, "write a Makefile-syntax depfile here");
  compile->add_option("--timing-log", o.timing_log, "append one JSON line per compiled variant here");
  compile->add_option("--source-root", o.source_root,
                      "the project's folder: an error in a module points at its innermost line under it");
  compile->add_option("--ptxas", o.ptxas.explicit_path, "use this ptxas (an error if it cannot be used)");
  compile->add_option("--toolkit-ptxas", o.ptxas.toolkit_path,
                      "the CUDA toolkit's ptxas, tried after --ptxas and TRITON_PTXAS_PATH");
  compile->add_option("--load-timeout", c->load_timeout,
                      "seconds that starting Python and importing the module may take (default 120)")
      ->expected(0, 1);
  compile->add_option("--build-tree", o.build_tree,
                      "the build tree of this edge: its edges share one warm compile service");
  compile->add_flag("--no-service", c->no_service,
                    "compile in a Python of this edge's own, not in the compile service");
  compile->add_option("--service-idle-timeout", c->service_idle_timeout,
                      "seconds a compile service started by this edge waits for work before it exits (default 900)")
      ->expected(0, 1);
  compile->add_option("--cache-dir", o.cache_dir,
                      "the artifact cache (default: $TRITON_AOT_CACHE_DIR, else $XDG_CACHE_HOME/triton-aot, else "
                      "~/.cache/triton-aot)");
  compile->add_option("--cache-size", c->cache_size,
                      "largest size of the artifact cache, e.g. 512M or 2G (default 2G)")
      ->expected(0, 1);
  compile->add_flag("--no-cache", c->no_cache, "neither read nor write the artifact cache");
  compile->add_option_function<std::string>(
              "--edge-jobs", [c](const std::string& jobs) { c->edge_jobs = jobs, c->edge_jobs_given = true; },
              "most compiles of this module at once, each taking a free slot of the build tree's pool "
              "(default: $TRITON_AOT_EDGE_JOBS, else one per core)")
      ->expected(0, 1);
  compile->add_flag("-v,--verbose", o.verbose,
                    "say which ptxas candidates were skipped, why the compile service is not used, and the times");
  return compile;
}

// The numbers of `triton-aot compile`, each in the range it accepts.
bool ReadCompileNumbers(CompileCommand* c, Diagnostic* error) {
  struct Number {
    const char* option;
    const char* cmake;
    const std::string& text;
    NumberRange range;
  };
  const Number numbers[] = {
      {"--load-timeout", "TRITON_AOT_LOAD_TIMEOUT", c->load_timeout, {"a number of seconds", 0.1, 86400, false}},
      {"--service-idle-timeout", "TRITON_AOT_SERVICE_IDLE_TIMEOUT", c->service_idle_timeout,
       {"a whole number of seconds", 1, 7 * 24 * 3600, true}},
  };
  double values[std::size(numbers)] = {};
  for (size_t i = 0; i < std::size(numbers); ++i) {
    std::string err;
    if (!ParseNumber(numbers[i].text, numbers[i].range, &values[i], &err)) {
      *error = Diagnostic::Plain(fmt::format("{}: {} (CMake: {})", numbers[i].option, err, numbers[i].cmake));
      return false;
    }
  }
  c->choice.load_timeout_s = values[0];
  c->choice.service_idle_timeout_s = static_cast<int>(values[1]);
  return true;
}

// How many compiles of the module may run at once, and the build tree's
// pool of slots they take (job_slots.h). Without a pool (no build tree, or
// no folder of the user's own for it) or a make jobserver, an edge compiles
// one at a time unless told otherwise: only they keep parallel edges within
// the cores.
bool ReadEdgeJobs(CompileCommand* c, const Environment& environment, Diagnostic* error) {
  CompileModuleOptions& o = c->options;
  const std::string jobs = c->edge_jobs_given ? c->edge_jobs : environment.Get("TRITON_AOT_EDGE_JOBS");
  std::string err;
  if (!ParseEdgeJobs(jobs, OnlineCores(), &o.edge_jobs, &err)) {
    *error = Diagnostic::Plain(fmt::format("{}: {} (CMake: TRITON_AOT_EDGE_JOBS)",
                                           c->edge_jobs_given ? "--edge-jobs" : "TRITON_AOT_EDGE_JOBS", err));
    return false;
  }
  o.makeflags = environment.Get("MAKEFLAGS");
  ServicePaths paths;
  std::string why_not;
  if (!o.build_tree.empty() && ServicePathsFor(c->choice.service_folder, o.build_tree, &paths, &why_not)) {
    o.slot_prefix = paths.slots;
    o.slot_pool = std::min(OnlineCores(), kMaxEdgeJobs);
  } else if (jobs.empty() && !Jobserver::FromMakeflags(o.makeflags)) {
    o.edge_jobs = 1;
  }
  return true;
}

// The options CLI11 cannot check, and what comes from the environment.
bool CompleteCompileOptions(CompileCommand* c, const Environment& environment, Diagnostic* error) {
  CompileModuleOptions& o = c->options;
  std::string err;
  if (!ReadCompileNumbers(c, error)) return false;
  if (!ParseArchList(c->archs, &o.archs, &err)) return (*error = Diagnostic::Plain("--arch: " + err), false);
  if (const std::string problem = NamespaceProblem(o.cpp_namespace); !problem.empty()) {
    *error = Diagnostic::Plain(fmt::format(
        "--namespace: '{}' cannot name the generated code's namespace: {}; choose another (e.g. kernels or "
        "my::kernels)",
        o.cpp_namespace, problem));
    return false;
  }
  if (o.source_root.empty()) o.source_root = std::filesystem::absolute(o.module_path).parent_path().string();
  if (c->no_cache) {
    o.cache_dir.clear();
  } else {
    o.cache_dir_origin = o.cache_dir.empty() ? "the default artifact cache" : "--cache-dir";
    if (o.cache_dir.empty()) o.cache_dir = DefaultCacheDir(environment);
    if (!ParseByteSize(c->cache_size, &o.cache_max_bytes, &err)) {
      *error = Diagnostic::Plain(fmt::format("--cache-size: {} (CMake: TRITON_AOT_CACHE_SIZE)", err));
      return false;
    }
  }
  const PtxasSources given = o.ptxas;
  o.ptxas = PtxasSources::FromEnvironment(environment);
  o.ptxas.explicit_path = given.explicit_path;
  o.ptxas.toolkit_path = given.toolkit_path;
  o.triton_settings = TritonSettings(environment);
  o.frontend_script = c->choice.frontend;
  o.frontend_identity =
      ServiceIdentity(c->choice.python, c->choice.frontend, o.ptxas.explicit_path, o.ptxas.toolkit_path,
                      environment);
  c->choice.use_service = !c->no_service;
  c->choice.service_folder = DefaultServiceFolder(environment);
  c->choice.environment = environment;
  return ReadEdgeJobs(c, environment, error);
}

int RunCompile(CompileCommand command, const Environment& environment) {
  Diagnostic error;
  if (!CompleteCompileOptions(&command, environment, &error)) {
    PrintError(error);
    return 2;
  }
  PtxasProber prober;
  InstallInterruptHandlers();
  Diagnostics errors;
  const bool compiled =
      CompileModule(command.options, MakeCompilerFactory(command.options, command.choice), prober, &errors);
  // Interrupted: everything is cleaned up by now; end as the signal would
  // have, so that Ninja reports an interruption rather than a failure.
  if (const int signal = PendingInterrupt()) DieOfSignal(signal);
  for (const Diagnostic& error : errors) PrintError(error);
  return compiled ? 0 : 1;
}

int RunService(const std::string& action, const std::string& build_tree, const Environment& environment) {
  const std::string folder = DefaultServiceFolder(environment);
  std::string what, err;
  if (action == "status") {
    pid_t pid = -1;
    switch (ServiceRunning(folder, build_tree, &pid, &err)) {
      case ServiceState::kRunning: fmt::print("a compile service (pid {}) serves {}\n", pid, build_tree); return 0;
      case ServiceState::kNotRunning: fmt::print("no compile service runs for {}\n", build_tree); return 3;
      case ServiceState::kUnknown: PrintError(Diagnostic::Plain("service status: " + err)); return 1;
    }
  }
  if (!StopService(folder, build_tree, &what, &err)) {
    PrintError(Diagnostic::Plain("service stop: " + err));
    return 1;
  }
  fmt::print("{}\n", what);
  return 0;
}

CLI::App* AddReportCommand(CLI::App& app, ReportOptions* options, std::string* top) {
  CLI::App* report = app.add_subcommand("report", "summarise a timing log: total, slowest kernels, failures");
  report->add_option("log", options->timing_log, "the timing log")->required();
  report->add_option("--top", *top, "how many of the slowest kernels to list (default 10)")->expected(0, 1);
  CLI::Option* trace = report->add_option(
      "--trace", options->trace, "also write the latest build as a Chrome trace (JSON) here, for https://ui.perfetto.dev");
  report->add_option("--ninja-log", options->ninja_log,
                     "Ninja's log of the build (default: .ninja_log beside the timing log)")
      ->needs(trace);
  return report;
}

int RunReport(ReportOptions options, const std::string& top) {
  ReportOutput output;
  Diagnostic error;
  double count = 0;
  std::string err;
  if (!ParseNumber(top, {"a count", 0, 1'000'000, true}, &count, &err)) {
    PrintError(Diagnostic::Plain("--top: " + err));
    return 2;
  }
  options.top = static_cast<size_t>(count);
  const bool made = MakeReport(options, &output, &error);
  fmt::print("{}", output.text);
  for (const std::string& note : output.notes) fmt::print(stderr, "{}\n", note);
  if (made) return 0;
  PrintError(error);
  return 1;
}

int Main(int argc, char** argv) {
  CLI::App app{"triton-aot: compiles Triton kernel modules ahead of time, one build edge per module"};
  app.set_version_flag("--version", std::string("triton-aot ") + triton_aot::kVersion);
  app.require_subcommand(1);
  CompileCommand compile_command;
  CLI::App* compile = AddCompileCommand(app, &compile_command);
  std::string service_action, service_tree;
  CLI::App* service = app.add_subcommand("service", "the warm compile service of a build tree");
  service->add_option("action", service_action, "status or stop")->required()->check(CLI::IsMember({"status", "stop"}));
  service->add_option("build-tree", service_tree, "the build tree it serves")->required();
  ReportOptions report_options;
  std::string report_top = "10";
  AddReportCommand(app, &report_options, &report_top);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    PrintError(Diagnostic::Plain(fmt::format("{}; see 'triton-aot --help' and 'triton-aot <command> --help'", e.what())));
    return 2;
  }
  const triton_aot::Environment environment = triton_aot::Environment::OfThisProcess();
  if (*compile) return RunCompile(std::move(compile_command), environment);
  if (*service) return RunService(service_action, service_tree, environment);
  return RunReport(report_options, report_top);
}

}  // namespace

// An exception that escapes a command (a bug: errors are returned, not
// thrown) is one message, after the stack has unwound: the scratch folder's
// owner removes it and child processes are stopped, which an abort would
// leave behind.
int main(int argc, char** argv) {
  int exit_code = 0;
  triton_aot::Diagnostic error;
  if (triton_aot::RunCatchingExceptions([&] { return Main(argc, argv); }, &exit_code, &error)) return exit_code;
  PrintError(error);
  return 70;  // EX_SOFTWARE
}

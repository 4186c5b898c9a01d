#include "edge_compiler.h"

#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "frontend.h"
#include "interrupt.h"
#include "service_client.h"
#include "utf8.h"

namespace triton_aot {
namespace {

FrontendOptions FrontendFor(const CompilerChoice& choice, const std::string& scratch) {
  FrontendOptions frontend;
  frontend.python = choice.python;
  frontend.script = choice.frontend;
  frontend.stderr_path = scratch + "/frontend.log";
  frontend.triton_cache_dir = scratch + "/triton-cache";
  frontend.temp_dir = scratch + "/tmp";
  std::error_code ec;
  std::filesystem::create_directory(frontend.temp_dir, ec);  // without it, Python uses /tmp
  frontend.load_timeout_ms = static_cast<int>(choice.load_timeout_s * 1000);
  return frontend;
}

ServiceOptions ServiceFor(const CompileModuleOptions& options, const CompilerChoice& choice) {
  ServiceOptions service;
  service.build_tree = options.build_tree;
  service.folder = choice.service_folder;
  service.python = choice.python;
  service.frontend_script = choice.frontend;
  service.identity = options.frontend_identity;
  for (const Arch& arch : options.archs) service.warm_up_archs.push_back(arch.capability);
  service.warm_up_ptxas =
      !options.ptxas.explicit_path.empty() ? options.ptxas.explicit_path : options.ptxas.toolkit_path;
  service.idle_timeout_s = choice.service_idle_timeout_s;
  service.environment = choice.environment;
  return service;
}

}  // namespace

CompilerFactory MakeCompilerFactory(const CompileModuleOptions& options, const CompilerChoice& choice) {
  return [options, choice](const std::string& scratch) -> std::unique_ptr<KernelCompiler> {
    const FrontendOptions frontend = FrontendFor(choice, scratch);
    std::string why_not = "it is off (--no-service)";
    if (choice.use_service && options.build_tree.empty()) why_not = "no --build-tree was given";
    if (choice.use_service && !options.build_tree.empty()) {
      if (auto link = ConnectToService(ServiceFor(options, choice), frontend, &why_not)) {
        return std::make_unique<Frontend>(frontend, std::move(link));
      }
    }
    if (options.verbose && PendingInterrupt() == 0) {
      fmt::print(stderr, "triton-aot: {}: compiling in a Python of this edge's own; the compile service is not "
                         "used: {}\n",
                 options.module_path, EscapeInvalidUtf8(why_not));
    }
    return std::make_unique<Frontend>(frontend, MakeProcessLink(frontend));
  };
}

}  // namespace triton_aot

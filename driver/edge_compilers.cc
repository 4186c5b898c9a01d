#include "edge_compilers.h"

#include <filesystem>

#include <fmt/format.h>

namespace triton_aot {
namespace fs = std::filesystem;

EdgeCompilers::EdgeCompilers(const CompilerFactory& factory, std::string scratch, std::string module_path,
                             std::string source_root, const std::vector<Arch>& archs)
    : factory_(factory),
      scratch_(std::move(scratch)),
      module_path_(std::move(module_path)),
      source_root_(std::move(source_root)),
      archs_(archs) {
  compilers_.push_back(std::make_unique<LazyCompiler>(factory_, scratch_, module_path_, source_root_,
                                                      archs_.empty() ? 0 : archs_.front().capability));
}

LazyCompiler* EdgeCompilers::Add(const LoadAnswer& loaded, int arch, const std::string& folder) {
  // A folder of its own: each compiler's process keeps its files there.
  const std::string scratch = (fs::path(scratch_) / folder).string();
  std::error_code ec;
  fs::create_directories(scratch, ec);
  compilers_.push_back(std::make_unique<LazyCompiler>(factory_, scratch, module_path_, source_root_, arch));
  compilers_.back()->ExpectSources(loaded);
  compilers_.back()->ExpectSameKernelsAs(loaded);
  return compilers_.back().get();
}

bool EdgeCompilers::ReuseOrCompileAll(const ReuseOptions& options, const ModuleBuild& build,
                                      const LoadAnswer& loaded, JobTable* table, Diagnostic* error) {
  const auto more_for = [&](int arch) {
    return [this, &loaded, arch](size_t index) {
      return Add(loaded, arch, fmt::format("sm_{}.worker{}", arch, index));
    };
  };
  const int first_arch = archs_.empty() ? 0 : archs_.front().capability;
  if (!loaded.target_asked || archs_.size() < 2) {
    return ReuseOrCompile(options, build, First(), table, error, 0, more_for(first_arch), &workers_);
  }
  for (size_t i = 0; i < archs_.size(); ++i) {
    const int arch = archs_[i].capability;
    LazyCompiler* compiler = i == 0 ? &First() : Add(loaded, arch, "sm_" + std::to_string(arch));
    if (!ReuseOrCompile(options, build, *compiler, table, error, arch, more_for(arch), &workers_)) return false;
  }
  return true;
}

std::string EdgeCompilers::ChangedSource() const {
  for (const auto& compiler : compilers_) {
    if (!compiler->ChangedSource().empty()) return compiler->ChangedSource();
  }
  return "";
}

std::string EdgeCompilers::Kind() const {
  for (const auto& compiler : compilers_) {
    if (compiler->Kind() != "none") return compiler->Kind();
  }
  return "none";
}

}  // namespace triton_aot

// One Triton release (TRITON_AOT_COMPAT_VERSION, in the virtual environment
// of TRITON_AOT_COMPAT_PYTHON) builds the three examples and the sample
// modules, as a user's project would, with the artifact cache off: every
// module's metadata names that version and the ptxas of each arch, every
// fatbin holds a cubin per arch and the PTX of the newest, and a second build
// tree gives the same bytes. What it made is kept for CompatAcrossVersions.
#include <gtest/gtest.h>

#include <filesystem>
#include <iterator>
#include <regex>
#include <string>
#include <vector>

#include "compat_outputs.h"
#include "kernel_project.h"
#include "sample_modules.h"
#include "test_support.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

const std::vector<std::string> kArchs = {"sm_80", "sm_90a", "sm_100a"};
// What cuobjdump names their cubins (with the "a" from a ptxas of CUDA 12,
// without from CUDA 13), and the PTX of the newest.
const std::vector<std::string> kCubins = {R"(\.sm_80\.cubin)", R"(\.sm_90a?\.cubin)", R"(\.sm_100a?\.cubin)"};
const char* kPtx = "sm_100a.ptx";

int CountMatches(const std::string& text, const std::string& pattern) {
  const std::regex regex(pattern);
  return static_cast<int>(std::distance(std::sregex_iterator(text.begin(), text.end(), regex), std::sregex_iterator()));
}

// The first compute capability Triton compiles with its second bundled
// ptxas, `ptxas-blackwell` (backends/nvidia/compiler.py of each release);
// 0 when it bundles one. 3.5: one; 3.6 to 3.8: from sm_100; 3.9: from sm_90.
int BlackwellPtxasFrom(const std::string& version) {
  if (version.rfind("3.5.", 0) == 0) return 0;
  if (version.rfind("3.9.", 0) == 0) return 90;
  return 100;
}

std::string CompatCMakeLists() {
  return "cmake_minimum_required(VERSION 3.25)\n"
         "project(compat LANGUAGES CXX)\n"
         "find_package(TritonAOT REQUIRED CONFIG)\n"
         "set(examples [==[" TRITON_AOT_SOURCE_DIR "/examples]==])\n"
         "foreach(example vector_add softmax matmul)\n"
         "  add_subdirectory(\"${examples}/${example}\" ${example})\n"
         "endforeach()\n"
         "add_triton_kernels(samples MODULES kernels/a.py kernels/b.py NAMESPACE samples)\n";
}

class CompatBuild : public ::testing::Test {
 protected:
  void SetUp() override {
    version_ = CompatSetting("TRITON_AOT_COMPAT_VERSION");
    python_ = CompatSetting("TRITON_AOT_COMPAT_PYTHON");
    if (version_.empty() || python_.empty() || CompatSetting("TRITON_AOT_COMPAT_RESULTS").empty()) {
      GTEST_SKIP() << "run through CTest (ctest -L compat), which names the Triton version and its Python";
    }
    WriteSampleModules(dir_.path() / "src");
    WriteText(dir_.path() / "src" / "CMakeLists.txt", CompatCMakeLists());
  }

  // A build tree of the project; `targets` built in it.
  KernelProject Build(const std::string& name, const std::vector<std::string>& targets,
                      const std::string& toolkit_ptxas = "ON") {
    KernelProject project(dir_.path() / "src", dir_.path() / name);
    std::vector<std::string> entries = {"-DTRITON_AOT_CACHE=OFF", "-DTRITON_AOT_USE_TOOLKIT_PTXAS=" + toolkit_ptxas};
    const std::string toolkit = CMakeCacheValue(TRITON_AOT_BUILD_DIR, "CUDAToolkit_ROOT");
    if (!toolkit.empty()) entries.push_back("-DCUDAToolkit_ROOT=" + toolkit);
    const ProcessResult configured = project.Configure(python_, entries);
    EXPECT_TRUE(configured.Succeeded()) << configured.output;
    const ProcessResult built = project.Build(targets);
    EXPECT_TRUE(built.Succeeded()) << built.output;
    return project;
  }

  static fs::path GeneratedDir(const KernelProject& project, const std::string& target) {
    const std::string example = target.substr(0, target.find("_kernels"));
    const fs::path folder = target == "samples" ? project.build_dir() : project.build_dir() / example;
    return folder / "triton_aot" / target;
  }

  // `toolkit`: the CUDA toolkit's ptxas compiled every arch, else Triton's own.
  void ExpectMetadataOfThisVersion(const fs::path& json_file, bool toolkit);
  void ExpectEveryModuleOfThisVersion(const KernelProject& project, const std::vector<std::string>& targets,
                                      bool toolkit);
  void ExpectCubinPerArchAndPtx(const fs::path& fatbin);
  void Keep(const KernelProject& project);

  std::string version_, python_;
  TempDir dir_;
};

void CompatBuild::ExpectMetadataOfThisVersion(const fs::path& json_file, bool toolkit) {
  SCOPED_TRACE(json_file.string());
  const ordered_json metadata = ordered_json::parse(ReadText(json_file));
  EXPECT_EQ(metadata["triton_version"], version_);
  EXPECT_EQ(metadata["archs"], ordered_json(kArchs));
  ASSERT_EQ(metadata["ptxas"].size(), kArchs.size()) << metadata["ptxas"].dump();
  for (const ordered_json& ptxas : metadata["ptxas"]) {
    const int capability = std::stoi(ptxas["arch"].get<std::string>().substr(3));
    const bool blackwell = !toolkit && BlackwellPtxasFrom(version_) && capability >= BlackwellPtxasFrom(version_);
    EXPECT_EQ(ptxas["origin"], toolkit ? "CUDA toolkit" : "Triton's bundled ptxas") << ptxas.dump();
    EXPECT_EQ(fs::path(ptxas["path"].get<std::string>()).filename(), blackwell ? "ptxas-blackwell" : "ptxas")
        << ptxas.dump();
    EXPECT_FALSE(ptxas["version"].get<std::string>().empty()) << ptxas.dump();
  }
  ASSERT_FALSE(metadata["kernels"].empty());
  for (const ordered_json& kernel : metadata["kernels"]) {
    std::vector<std::string> names;
    for (const ordered_json& argument : kernel["arguments"]) names.push_back(argument["name"]);
    for (const ordered_json& variant : kernel["variants"]) {
      std::vector<std::string> signed_names;
      for (const auto& [name, type] : variant["signature"].items()) signed_names.push_back(name);
      EXPECT_EQ(signed_names, names) << "every argument has a type in " << variant["name"];
      std::vector<std::string> archs;
      for (const ordered_json& arch : variant["archs"]) archs.push_back(arch["arch"]);
      EXPECT_EQ(archs, kArchs) << variant["name"];
      ExpectCubinPerArchAndPtx(json_file.parent_path() / variant["fatbin"].get<std::string>());
    }
  }
}

void CompatBuild::ExpectCubinPerArchAndPtx(const fs::path& fatbin) {
  const ProcessResult listed = testing::Run({Cuobjdump(), "--list-elf", "--list-ptx", fatbin.string()});
  ASSERT_TRUE(listed.Succeeded()) << listed.output;
  EXPECT_EQ(Count(listed.output, "ELF file"), 3) << fatbin << ":\n" << listed.output;
  for (const std::string& cubin : kCubins) EXPECT_EQ(CountMatches(listed.output, cubin), 1) << cubin << listed.output;
  EXPECT_EQ(Count(listed.output, "PTX file"), 1) << listed.output;
  EXPECT_EQ(Count(listed.output, kPtx), 1) << listed.output;
}

void CompatBuild::Keep(const KernelProject& project) {
  const fs::path results = CompatResultsDir(version_);
  for (const std::string& target : kCompatTargets) {
    const fs::path generated = GeneratedDir(project, target);
    fs::create_directories(results / "generated");
    fs::copy(generated, results / "generated" / target, fs::copy_options::recursive);
    for (const fs::directory_entry& entry : fs::directory_iterator(generated)) {
      const fs::path api = results / "api" / target / entry.path().filename();
      if (entry.path().extension() == ".h") {
        WriteText(api, ReadText(entry.path()));
      } else if (entry.path().extension() == ".json") {
        WriteText(api, ApiOfMetadata(ordered_json::parse(ReadText(entry.path()))).dump(2) + "\n");
      }
    }
  }
}

// The whole tree minus depfiles, which name the build folder by design.
std::map<std::string, std::string> TreeWithoutDepfiles(const fs::path& root) {
  std::map<std::string, std::string> tree = ReadTree(root);
  std::erase_if(tree, [](const auto& file) { return fs::path(file.first).extension() == ".d"; });
  return tree;
}

void CompatBuild::ExpectEveryModuleOfThisVersion(const KernelProject& project,
                                                 const std::vector<std::string>& targets, bool toolkit) {
  for (const std::string& target : targets) {
    for (const fs::directory_entry& entry : fs::directory_iterator(GeneratedDir(project, target))) {
      if (entry.path().extension() == ".json") ExpectMetadataOfThisVersion(entry.path(), toolkit);
    }
  }
}

TEST_F(CompatBuild, ExamplesAndSampleModulesBuildCheckedAndTheSameTwice) {
  fs::remove_all(CompatResultsDir(version_));
  ASSERT_FALSE(Cuobjdump().empty()) << "no cuobjdump in the CUDA toolkit";
  const KernelProject first = Build("build", kCompatTargets);
  if (HasFailure()) return;
  ExpectEveryModuleOfThisVersion(first, kCompatTargets, /*toolkit=*/!ToolkitPtxas().empty());
  int modules = 0;
  for (const std::string& target : kCompatTargets) {
    for (const std::string& name : ListFiles(GeneratedDir(first, target))) modules += name.ends_with(".json");
  }
  EXPECT_EQ(modules, 5) << "vector_add, softmax, matmul, a and b";

  const KernelProject second = Build("build-again", {"samples", "vector_add_kernels"});
  for (const std::string& target : {"samples", "vector_add_kernels"}) {
    EXPECT_EQ(TreeDifference(TreeWithoutDepfiles(GeneratedDir(second, target)),
                             TreeWithoutDepfiles(GeneratedDir(first, target))),
              "")
        << target << " built twice with Triton " << version_;
  }
  if (!HasFailure()) Keep(first);
}

// Without the toolkit's, each arch gets the ptxas this release's JIT would
// use: the version layer's split between ptxas and ptxas-blackwell.
TEST_F(CompatBuild, TritonsOwnPtxasIsChosenPerArchAsThisReleaseDoes) {
  const KernelProject bundled = Build("build-bundled", {"samples"}, "OFF");
  if (!HasFailure()) ExpectEveryModuleOfThisVersion(bundled, {"samples"}, /*toolkit=*/false);
}

}  // namespace
}  // namespace triton_aot::testing

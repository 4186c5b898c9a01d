// The generated C++ API does not depend on the Triton version: after each
// tested release built the same project (compat_build_test.cc), its headers
// are byte-identical, and so is the part of the metadata that describes the
// kernels, their variants and signatures (ApiOfMetadata).
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "compat_outputs.h"
#include "kernel_project.h"
#include "test_support.h"

namespace triton_aot::testing {
namespace {

std::vector<std::string> TestedVersions() {
  std::vector<std::string> versions;
  std::istringstream list(CompatSetting("TRITON_AOT_COMPAT_VERSIONS"));
  for (std::string version; std::getline(list, version, ',');) versions.push_back(version);
  return versions;
}

TEST(CompatAcrossVersions, EveryVersionGeneratesTheSameApi) {
  const std::vector<std::string> versions = TestedVersions();
  if (versions.empty()) GTEST_SKIP() << "run through CTest (ctest -L compat), which names the tested versions";
  ASSERT_GE(versions.size(), 2u);
  for (const std::string& version : versions) {
    ASSERT_TRUE(std::filesystem::is_directory(CompatResultsDir(version) / "api"))
        << "Triton " << version << " left no results: its compat.build test failed or did not run";
  }
  const std::map<std::string, std::string> first = ReadTree(CompatResultsDir(versions.front()) / "api");
  EXPECT_EQ(first.size(), 10u) << "a header and the API of the metadata of each of the 5 modules";
  for (size_t i = 1; i < versions.size(); ++i) {
    EXPECT_EQ(TreeDifference(ReadTree(CompatResultsDir(versions[i]) / "api"), first), "")
        << "Triton " << versions[i] << " against " << versions.front();
  }
}

}  // namespace
}  // namespace triton_aot::testing

// A compile service started with other Python files than the edge's is
// replaced: every file of the frontend and the service is in the identity
// the edge greets it with, and so are the frontend's files in the cache keys.
#include "service_identity.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <set>

#include "frontend.h"
#include "test_support.h"

namespace triton_aot {
namespace {

namespace fs = std::filesystem;

class ServiceIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const fs::directory_entry& file : fs::directory_iterator(fs::path(TRITON_AOT_FRONTEND).parent_path())) {
      if (file.path().extension() == ".py") fs::copy_file(file.path(), dir_.path() / file.path().filename());
    }
  }
  std::string Script() const { return (dir_.path() / "triton_aot_frontend.py").string(); }
  std::string Identity() const { return ServiceIdentity("python3", Script(), "", "", Environment::OfThisProcess()); }

  testing::TempDir dir_;
};

TEST_F(ServiceIdentityTest, EveryPythonFileBesideTheFrontendIsAFileOfTheFrontendOrTheService) {
  std::set<std::string> named;
  for (const std::string& file : FrontendFiles(Script())) named.insert(fs::path(file).filename().string());
  for (const std::string& file : ServiceFiles(Script())) named.insert(fs::path(file).filename().string());
  for (const fs::directory_entry& file : fs::directory_iterator(dir_.path())) {
    EXPECT_EQ(named.count(file.path().filename().string()), 1u) << file.path() << " is in no key or identity";
  }
}

TEST_F(ServiceIdentityTest, ChangingAnyOfThemChangesTheIdentity) {
  std::vector<std::string> files = FrontendFiles(Script());
  for (const std::string& file : ServiceFiles(Script())) files.push_back(file);
  for (const std::string& file : files) {
    const std::string before = Identity();
    fs::last_write_time(file, fs::last_write_time(file) + std::chrono::seconds(5));
    EXPECT_NE(Identity(), before) << file;
  }
}

TEST_F(ServiceIdentityTest, TheFrontendsDigestCoversItsSharedModules) {
  for (const std::string& file : FrontendFiles(Script())) {
    std::string before, after, err;
    ASSERT_TRUE(FrontendDigest(Script(), &before, &err)) << err;
    testing::WriteText(file, testing::ReadText(file) + "\n# edited\n");
    ASSERT_TRUE(FrontendDigest(Script(), &after, &err)) << err;
    EXPECT_NE(after, before) << file;
  }
}

TEST_F(ServiceIdentityTest, AMissingSharedModuleIsAnError) {
  fs::remove(dir_.path() / "triton_aot_protocol.py");
  std::string digest, err;
  EXPECT_FALSE(FrontendDigest(Script(), &digest, &err));
  EXPECT_NE(err.find("triton_aot_protocol.py"), std::string::npos) << err;
}

}  // namespace
}  // namespace triton_aot

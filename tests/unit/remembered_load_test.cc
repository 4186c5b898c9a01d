// A remembered load answer is used only while the files it was made of are
// as they were: the project's imports by content, Triton's files by size and
// modification time.
#include "remembered_load.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "artifact_cache.h"
#include "content_hash.h"
#include "test_support.h"

namespace triton_aot {
namespace {

namespace fs = std::filesystem;
using testing::ReadText;
using testing::TempDir;
using testing::WriteText;

class RememberedLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteText(dir_.path() / "src" / "helper.py", "SCALE = 2\n");
    WriteText(dir_.path() / "triton" / "__init__.py", "__version__ = '3.6.0'\n");
    answer_.imports = {{(dir_.path() / "src" / "helper.py").string(), Sha256Hex("SCALE = 2\n")}};
    answer_.triton_files = {(dir_.path() / "triton" / "__init__.py").string()};
    RememberLoad(cache_, "0a0a", answer_);
  }
  bool Recalled() {
    LoadAnswer loaded;
    return RecallLoad(cache_, "0a0a", &loaded) && loaded.ToJson() == answer_.ToJson();
  }

  TempDir dir_;
  ArtifactCache cache_{(dir_.path() / "cache").string(), 1 << 20};
  LoadAnswer answer_;
};

TEST_F(RememberedLoadTest, RecalledWhileNothingChanged) {
  EXPECT_TRUE(Recalled());
  EXPECT_TRUE(Recalled());
  LoadAnswer loaded;
  EXPECT_FALSE(RecallLoad(cache_, "0b0b", &loaded));
}

TEST_F(RememberedLoadTest, AnImportWithOtherBytesIsLoadedAgain) {
  WriteText(dir_.path() / "src" / "helper.py", "SCALE = 3\n");
  EXPECT_FALSE(Recalled());
}

TEST_F(RememberedLoadTest, AnImportTouchedButUnchangedIsStillRecalled) {
  const fs::path helper = dir_.path() / "src" / "helper.py";
  fs::last_write_time(helper, fs::last_write_time(helper) + std::chrono::seconds(5));
  EXPECT_TRUE(Recalled());
}

TEST_F(RememberedLoadTest, ATritonFileWithAnotherStampIsLoadedAgain) {
  const fs::path init = dir_.path() / "triton" / "__init__.py";
  fs::last_write_time(init, fs::last_write_time(init) + std::chrono::seconds(5));
  EXPECT_FALSE(Recalled());
}

TEST_F(RememberedLoadTest, AFileThatIsGoneIsLoadedAgain) {
  fs::remove(dir_.path() / "src" / "helper.py");
  EXPECT_FALSE(Recalled());
}

TEST_F(RememberedLoadTest, AnAnswerWhoseFilesCannotBeReadIsNotRemembered) {
  LoadAnswer unreadable = answer_;
  unreadable.distributions.push_back({"numpy", "2.0", (dir_.path() / "site" / "METADATA").string()});
  RememberLoad(cache_, "0c0c", unreadable);
  LoadAnswer loaded;
  EXPECT_FALSE(RecallLoad(cache_, "0c0c", &loaded));
}

}  // namespace
}  // namespace triton_aot

// Every test runs with the places that tools write to by default inside a
// folder of its own: the artifact cache, the compile service's folder,
// Triton's cache and home, and temporary files. No test reads or writes the
// user's, and no test sees another's.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace triton_aot::testing {

// The variables a test gets, each a folder under its own:
//   XDG_CACHE_HOME, TRITON_AOT_CACHE_DIR   (the artifact cache)
//   XDG_RUNTIME_DIR                        (the compile service's sockets)
//   TRITON_HOME, TRITON_CACHE_DIR          (Triton's own files)
//   TMPDIR                                 (everything else)
class HermeticEnvironment : public ::testing::EmptyTestEventListener {
 public:
  void OnTestStart(const ::testing::TestInfo& test) override;
  void OnTestEnd(const ::testing::TestInfo& test) override;

  // The folder of the running test; empty between tests.
  static const std::filesystem::path& Folder();

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

// Removes `root` and everything under it, first giving back to their owner
// the folders a test made read-only. With TRITON_AOT_KEEP_TEST_DIRS=1 it keeps
// them, for debugging a failure, and says where.
void RemoveTestFolder(const std::filesystem::path& root);

// Sets (or, with nullopt, unsets) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace triton_aot::testing

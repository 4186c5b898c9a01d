#include "hermetic_environment.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <cstdio>
#include <stdexcept>

namespace triton_aot::testing {
namespace fs = std::filesystem;

namespace {

fs::path& CurrentFolder() {
  static fs::path folder;
  return folder;
}

std::optional<std::string> Getenv(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::optional<std::string>(value) : std::nullopt;
}

void Setenv(const std::string& name, const std::optional<std::string>& value) {
  if (value) {
    ::setenv(name.c_str(), value->c_str(), 1);
  } else {
    ::unsetenv(name.c_str());
  }
}

}  // namespace

const fs::path& HermeticEnvironment::Folder() { return CurrentFolder(); }

void HermeticEnvironment::OnTestStart(const ::testing::TestInfo&) {
  const std::optional<std::string> tmp = Getenv("TMPDIR");
  // Short names: a socket path in it must stay under 108 bytes.
  std::string templ = (tmp && !tmp->empty() ? *tmp : std::string("/tmp")) + "/tat-XXXXXX";
  if (!::mkdtemp(templ.data())) throw std::runtime_error("cannot create a test's folder in " + templ);
  const fs::path folder = templ;
  // Others may pass through (tests that act as another user need to), but
  // the cache and the service folder are the user's alone.
  fs::permissions(folder, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  const std::map<std::string, std::string> folders = {
      {"XDG_CACHE_HOME", "cache"}, {"TRITON_AOT_CACHE_DIR", "cache/triton-aot"}, {"XDG_RUNTIME_DIR", "run"},
      {"TRITON_HOME", "triton"},   {"TRITON_CACHE_DIR", "triton/cache"},        {"TMPDIR", "tmp"}};
  for (const auto& [name, sub] : folders) {
    fs::create_directories(folder / sub);
    saved_.emplace(name, Getenv(name.c_str()));
    Setenv(name, (folder / sub).string());
  }
  for (const char* private_folder : {"cache", "run"}) {
    fs::permissions(folder / private_folder, fs::perms::owner_all, fs::perm_options::replace);
  }
  fs::permissions(folder / "tmp", fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  CurrentFolder() = folder;
}

void HermeticEnvironment::OnTestEnd(const ::testing::TestInfo&) {
  for (const auto& [name, value] : saved_) Setenv(name, value);
  saved_.clear();
  RemoveTestFolder(CurrentFolder());
  CurrentFolder().clear();
}

void RemoveTestFolder(const fs::path& root) {
  if (std::getenv("TRITON_AOT_KEEP_TEST_DIRS")) {
    std::fprintf(stderr, "kept %s\n", root.c_str());
    return;
  }
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory(ec)) fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
  }
  fs::remove_all(root, ec);
}

ScopedEnv::ScopedEnv(const char* name, std::optional<std::string> value) : name_(name), old_(Getenv(name)) {
  Setenv(name, value);
}

ScopedEnv::~ScopedEnv() { Setenv(name_, old_); }

}  // namespace triton_aot::testing

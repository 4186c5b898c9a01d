#include "kernel_project.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "cpp_escape.h"
#include "service_client.h"
#include "test_support.h"

namespace triton_aot::testing {
namespace fs = std::filesystem;

KernelProject::KernelProject(fs::path source_dir, fs::path build_dir)
    : source_dir_(std::move(source_dir)), build_dir_(std::move(build_dir)) {}

KernelProject::~KernelProject() {
  // A test's compile service has nothing more to serve.
  std::string what, err;
  if (!build_dir_.empty()) StopService(DefaultServiceFolder(Environment::OfThisProcess()), build_dir_.string(), &what, &err);
}

void KernelProject::WriteCMakeLists(const std::string& arguments, bool with_app) const {
  std::string text =
      "cmake_minimum_required(VERSION 3.25)\n"
      "project(itest LANGUAGES CXX)\n"
      "find_package(TritonAOT REQUIRED CONFIG)\n"
      "add_triton_kernels(kern " +
      arguments + ")\n";
  if (with_app) text += "add_executable(app main.cc)\ntarget_link_libraries(app PRIVATE kern)\n";
  WriteText(source_dir_ / "CMakeLists.txt", text);
}

ProcessResult KernelProject::Configure(const std::string& python, const std::vector<std::string>& cache_entries) const {
  std::vector<std::string> argv = {TRITON_AOT_TEST_CMAKE,
                                   "-S",
                                   source_dir_.string(),
                                   "-B",
                                   build_dir_.string(),
                                   "-G",
                                   "Ninja",
                                   "-DCMAKE_MAKE_PROGRAM=" TRITON_AOT_TEST_NINJA,
                                   "-DTritonAOT_DIR=" TRITON_AOT_BUILD_DIR,
                                   "-DTRITON_AOT_PYTHON=" + python,
                                   // A test starts from an empty cache of its own, and its service does not linger.
                                   "-DTRITON_AOT_CACHE_DIR=" + artifact_cache_dir().string(),
                                   "-DTRITON_AOT_SERVICE_IDLE_TIMEOUT=60"};
  argv.insert(argv.end(), cache_entries.begin(), cache_entries.end());
  return Run(argv);
}

std::vector<std::string> KernelProject::BuildCommand(const std::vector<std::string>& extra) const {
  std::vector<std::string> argv = {TRITON_AOT_TEST_NINJA, "-C", build_dir_.string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

ProcessResult KernelProject::Build(const std::vector<std::string>& extra, const ProcessOptions& options) const {
  return Run(BuildCommand(extra), "", options);
}

void Touch(const fs::path& path) {
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const struct timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
  if (::utimensat(AT_FDCWD, path.c_str(), now, 0) != 0) throw std::runtime_error("cannot touch " + path.string());
}

std::map<std::string, std::string> ReadTree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const std::string& name : ListFiles(root)) files[name] = ReadText(root / name);
  return files;
}

namespace {

std::string FirstDifference(const std::string& actual, const std::string& expected) {
  size_t at = 0;
  while (at < actual.size() && at < expected.size() && actual[at] == expected[at]) ++at;
  const size_t from = at < 40 ? 0 : at - 40;
  return "differs from byte " + std::to_string(at) + " (sizes " + std::to_string(actual.size()) + " and " +
         std::to_string(expected.size()) + "):\n    actual:   ..." + CppStringLiteral(actual.substr(from, 120)) +
         "\n    expected: ..." + CppStringLiteral(expected.substr(from, 120)) + "\n";
}

}  // namespace

std::string TreeDifference(const std::map<std::string, std::string>& actual,
                           const std::map<std::string, std::string>& expected) {
  std::string difference;
  for (const auto& [name, bytes] : expected) {
    auto it = actual.find(name);
    if (it == actual.end()) {
      difference += "  " + name + ": missing\n";
    } else if (it->second != bytes) {
      difference += "  " + name + ": " + FirstDifference(it->second, bytes);
    }
  }
  for (const auto& [name, bytes] : actual) {
    if (!expected.contains(name)) difference += "  " + name + ": not expected\n";
  }
  return difference;
}

std::string CMakeCacheValue(const fs::path& build_dir, const std::string& name) {
  std::istringstream cache(ReadText(build_dir / "CMakeCache.txt"));
  for (std::string line; std::getline(cache, line);) {
    const size_t colon = line.find(':');
    const size_t equals = line.find('=');
    if (colon != std::string::npos && equals != std::string::npos && colon < equals && line.substr(0, colon) == name) {
      return line.substr(equals + 1);
    }
  }
  return "";
}

std::vector<std::string> TemporaryFiles(const fs::path& root) {
  std::vector<std::string> found;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator(); ++it) {
    const std::string name = it->path().filename().string();
    if (name.find(".scratch.") != std::string::npos || name.find(".tmp.") != std::string::npos) {
      found.push_back(fs::relative(it->path(), root).string());
    }
  }
  return found;
}

int Count(const std::string& text, const std::string& needle) {
  int count = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++count;
  return count;
}

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

}  // namespace triton_aot::testing

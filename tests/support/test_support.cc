#include "test_support.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "hermetic_environment.h"

namespace triton_aot::testing {
namespace fs = std::filesystem;

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  // Short: a test's Unix socket paths under it must stay below 108 bytes.
  std::string templ = std::string(base && *base ? base : "/tmp") + "/test.XXXXXX";
  if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

TempDir::~TempDir() { RemoveTestFolder(path_); }

void WriteText(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void MakeExecutable(const fs::path& path) {
  fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec, fs::perm_options::add);
}

fs::file_time_type MTime(const fs::path& path) { return fs::last_write_time(path); }

ProcessResult Run(const std::vector<std::string>& argv, const std::string& cwd, const ProcessOptions& base) {
  ProcessOptions options = base;
  options.cwd = cwd;
  ProcessResult result;
  std::string err;
  if (!RunProcess(argv, options, &result, &err)) {
    result.exit_code = 127;
    result.output = err;
  }
  return result;
}

std::vector<std::string> ListFiles(const fs::path& root) {
  std::vector<std::string> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_regular_file()) files.push_back(fs::relative(it->path(), root).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> DriverCompileCommand(const fs::path& module, const std::map<std::string, std::string>& options) {
  std::vector<std::string> argv = {TRITON_AOT_DRIVER, "compile", module.string()};
  for (const auto& [option, value] : options) argv.push_back(value.empty() ? option : option + "=" + value);
  return argv;
}

std::map<std::string, std::string> PlainCompileOptions(const fs::path& output_dir) {
  return {{"--output-dir", output_dir.string()}, {"--namespace", "k"},          {"--arch", "90"},
          {"--frontend", TRITON_AOT_FRONTEND},   {"--fatbinary", Fatbinary()}, {"--python", TestPython()},
          {"--toolkit-ptxas", ToolkitPtxas()},   {"--no-service", ""},          {"--no-cache", ""}};
}

std::string TestPython() { return TRITON_AOT_TEST_PYTHON; }
std::string Fatbinary() { return TRITON_AOT_TEST_FATBINARY; }
std::string ToolkitPtxas() { return TRITON_AOT_TEST_TOOLKIT_PTXAS; }

std::string TritonBinDir() {
  if (TestPython().empty()) return "";
  ProcessResult r = Run({TestPython(), "-c",
                         "import os, triton; print(os.path.join(os.path.dirname(triton.__file__), 'backends', "
                         "'nvidia', 'bin'))"});
  if (!r.Succeeded()) return "";
  std::string dir = r.output.substr(0, r.output.find('\n'));
  return dir;
}

std::string Cuobjdump() {
  const std::string toolkit = ToolkitPtxas();
  if (!toolkit.empty()) {
    std::string candidate = fs::path(toolkit).parent_path() / "cuobjdump";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  std::string bin = TritonBinDir();
  if (!bin.empty() && ::access((bin + "/cuobjdump").c_str(), X_OK) == 0) return bin + "/cuobjdump";
  return "";
}

ForkedResult RunForked(const std::function<int(int out_fd)>& body) {
  ForkedResult result;
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) throw std::runtime_error("cannot create a pipe");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("cannot fork");
  if (pid == 0) {
    ::close(pipe_fds[0]);
    ::_exit(body(pipe_fds[1]));
  }
  ::close(pipe_fds[1]);
  char buffer[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) result.output.append(buffer, n);
  ::close(pipe_fds[0]);
  while (::waitpid(pid, &result.status, 0) < 0 && errno == EINTR) {
  }
  return result;
}

int CountMessages(const std::string& output) {
  static const std::regex kMessage(R"((^|\n)\S[^\n]*?: error: )");
  return static_cast<int>(std::distance(std::sregex_iterator(output.begin(), output.end(), kMessage),
                                        std::sregex_iterator()));
}

std::string RegexEscape(const std::string& text) {
  return std::regex_replace(text, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)");
}

}  // namespace triton_aot::testing

// Helpers shared by the tests: temporary folders, files, processes, and the
// tools this build was configured with.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "subprocess.h"

namespace triton_aot::testing {

// A fresh folder under $TMPDIR (or /tmp), removed at the end of the test.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

void WriteText(const std::filesystem::path& path, const std::string& text);
std::string ReadText(const std::filesystem::path& path);
void MakeExecutable(const std::filesystem::path& path);
std::filesystem::file_time_type MTime(const std::filesystem::path& path);

// Runs argv and returns its result (output is stdout and stderr together).
ProcessResult Run(const std::vector<std::string>& argv, const std::string& cwd = "",
                  const ProcessOptions& base = {});

// Runs `body` in a forked child, for what must not outlive it (a resource
// limit, another user id): the child gets the write end of a pipe and ends
// with _exit(body's result). Gives the child's wait status and what it wrote.
struct ForkedResult {
  int status = 0;
  std::string output;
};
ForkedResult RunForked(const std::function<int(int out_fd)>& body);

// Every regular file under `root`, relative paths, sorted.
std::vector<std::string> ListFiles(const std::filesystem::path& root);

// `triton-aot compile <module>` with `options`: "--name" -> "value" becomes
// "--name=value", and an empty value a flag of its own ("--no-cache").
std::vector<std::string> DriverCompileCommand(const std::filesystem::path& module,
                                              const std::map<std::string, std::string>& options);

// The options of a `triton-aot compile` run straight from a test: outputs in
// `output_dir`, namespace k, arch 90, this build's frontend and the tools it
// was configured with, no compile service and no artifact cache. A test
// changes, adds or erases what it needs.
std::map<std::string, std::string> PlainCompileOptions(const std::filesystem::path& output_dir);

// The driver's messages in `output`: lines that begin "<where>: error: ".
// Python stacks and quoted tool output are indented under the one message.
int CountMessages(const std::string& output);

// `text` with every character a std::regex treats specially escaped.
std::string RegexEscape(const std::string& text);

// Tools found when this build was configured; empty when missing.
std::string TestPython();      // a Python that imports triton
std::string Fatbinary();
std::string ToolkitPtxas();
// cuobjdump: the CUDA toolkit's if it has one, else the one in Triton's wheel.
std::string Cuobjdump();
// <site-packages>/triton/backends/nvidia/bin, from TestPython().
std::string TritonBinDir();

}  // namespace triton_aot::testing

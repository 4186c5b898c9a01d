// The examples' generated code, as users compile it: each header on its own
// with strict warnings in C++17 and C++20, each source with warnings as errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "test_support.h"

namespace triton_aot {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::WriteText;

// Every generated file with this extension under <build>/examples/*/triton_aot/*_kernels/.
std::vector<fs::path> ExampleFiles(const std::string& extension) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(TRITON_AOT_EXAMPLES_BUILD_DIR, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& path = it->path();
    const std::string folder = path.parent_path().filename().string();
    if (it->is_regular_file() && path.extension() == extension && path.parent_path().parent_path().filename() ==
        "triton_aot" && folder.size() > 8 && folder.substr(folder.size() - 8) == "_kernels") {
      files.push_back(path);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> StrictCompile(const std::string& standard) {
  return {"c++", "-std=" + standard, "-Wall", "-Wextra", "-Werror", "-pedantic",
          "-I" TRITON_AOT_RUNTIME_INCLUDE_DIR, "-I" TRITON_AOT_CUDA_INCLUDE_DIR};
}

// A program that includes `header` and calls each launch function it declares
// (both overloads, default-constructed arguments) and each <kernel>_kernel(),
// in a branch never taken: the declarations must be usable, not merely parse.
// Empty when the header declares no launch function.
std::string UseEveryLaunchFunction(const fs::path& header) {
  // A declaration too long for one line has a parameter a line: join them.
  std::string text = testing::ReadText(header);
  const std::pair<std::string, std::string> joins[] = {{"(\n    ", "("}, {",\n    ", ", "}};
  for (const auto& [broken, joined] : joins) {
    for (size_t pos = text.find(broken); pos != std::string::npos; pos = text.find(broken, pos + joined.size())) {
      text.replace(pos, broken.size(), joined);
    }
  }
  const size_t ns_start = text.find("\nnamespace ") + 11;
  const std::string ns = text.substr(ns_start, text.find(' ', ns_start) - ns_start);
  const std::string head = "\ntriton_aot::Status ", stream = "(CUstream stream";
  std::string calls;
  for (size_t pos = text.find(head); pos != std::string::npos; pos = text.find(head, pos + 1)) {
    const size_t name_start = pos + head.size(), open = text.find('(', name_start);
    if (text.compare(open, stream.size(), stream) != 0) continue;  // the grid overload
    const std::string name = ns + "::" + text.substr(name_start, open - name_start);
    const size_t end = text.find(", const triton_aot::LaunchOptions&", open);
    std::string values;  // one "{}" per kernel argument: each parameter follows a ", "
    for (size_t p = text.find(", ", open); p < end; p = text.find(", ", p + 2)) values += ", {}";
    calls += "    ok = ok && " + name + "(nullptr" + values + ").ok();\n";
    calls += "    ok = ok && " + name + "(triton_aot::Grid{}, nullptr" + values + ", {}).ok();\n";
    calls += "    ok = ok && " + name + "_kernel().Unload().ok();\n";
  }
  if (calls.empty()) return "";
  return "#include \"" + header.string() + "\"\n\nint main(int argc, char**) {\n  bool ok = true;\n" +
         "  if (argc > 99) {\n" + calls + "  }\n  return ok ? 0 : 1;\n}\n";
}

TEST(GeneratedExampleCodeTest, EachHeaderCompilesAloneWithStrictWarnings) {
  const std::vector<fs::path> headers = ExampleFiles(".h");
  if (headers.empty()) GTEST_SKIP() << "the examples were not built under " << TRITON_AOT_EXAMPLES_BUILD_DIR;
  EXPECT_EQ(headers.size(), 3u) << "vector_add, softmax and matmul each generate one header";
  for (const fs::path& header : headers) {
    const std::string program = UseEveryLaunchFunction(header);
    ASSERT_FALSE(program.empty()) << header << " declares no launch function";
    TempDir dir;
    WriteText(dir / "use.cc", program);
    for (const char* standard : {"c++17", "c++20"}) {
      std::vector<std::string> argv = StrictCompile(standard);
      argv.insert(argv.end(), {"-fsyntax-only", dir / "use.cc"});
      ProcessResult cc = testing::Run(argv);
      EXPECT_TRUE(cc.Succeeded()) << header << " (" << standard << "):\n" << cc.output << "\n--- use.cc ---\n"
                                  << program;
    }
  }
}

TEST(GeneratedExampleCodeTest, EachSourceCompilesWithWarningsAsErrors) {
  const std::vector<fs::path> sources = ExampleFiles(".cpp");
  if (sources.empty()) GTEST_SKIP() << "the examples were not built under " << TRITON_AOT_EXAMPLES_BUILD_DIR;
  for (const fs::path& source : sources) {
    std::vector<std::string> argv = StrictCompile("c++17");
    argv.insert(argv.end(), {"-Wa,-I" + source.parent_path().string(), "-c", source.string(), "-o", "/dev/null"});
    ProcessResult cc = testing::Run(argv);
    EXPECT_TRUE(cc.Succeeded()) << source << ":\n" << cc.output;
  }
}

}  // namespace
}  // namespace triton_aot

// The examples' generated code, as users compile it: each header on its own
// with strict warnings in C++17 and C++20, each source with warnings as errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
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

TEST(GeneratedExampleCodeTest, EveryLineFitsIn100Columns) {
  std::vector<fs::path> files = ExampleFiles(".h");
  for (const fs::path& source : ExampleFiles(".cpp")) files.push_back(source);
  if (files.empty()) GTEST_SKIP() << "the examples were not built under " << TRITON_AOT_EXAMPLES_BUILD_DIR;
  for (const fs::path& file : files) {
    const std::string text = testing::ReadText(file);
    size_t number = 1;
    for (size_t start = 0; start < text.size(); ++number) {
      const size_t end = std::min(text.find('\n', start), text.size());
      EXPECT_LE(end - start, 100u) << file << ":" << number << ": " << text.substr(start, end - start);
      start = end + 1;
    }
  }
}

// What a variant's signature in the module's metadata promises, as the
// header is to say it: "x_ptr 16-byte aligned; n % 16 == 0; s == 1".
std::string PromisesOf(const nlohmann::json& kernel, const nlohmann::json& variant) {
  std::string aligned, others;
  for (const nlohmann::json& arg : kernel["arguments"]) {
    const std::string name = arg["name"], type = variant["signature"][name];
    const bool pointer = type[0] == '*';
    const std::string hint = type.find(':') == std::string::npos ? "" : type.substr(type.find(':') + 1);
    if (hint == "16" && pointer) aligned += (aligned.empty() ? "" : ", ") + name;
    if (hint == "16" && !pointer) others += "; " + name + " % 16 == 0";
    if (hint == "1") others += "; " + name + " == 1";
  }
  if (!aligned.empty()) return aligned + " 16-byte aligned" + others;
  return others.empty() ? "no promises" : others.substr(2);
}

TEST(GeneratedExampleCodeTest, EachVariantsPromisesInTheHeaderAreItsHints) {
  const std::vector<fs::path> headers = ExampleFiles(".h");
  if (headers.empty()) GTEST_SKIP() << "the examples were not built under " << TRITON_AOT_EXAMPLES_BUILD_DIR;
  size_t variants = 0;
  for (const fs::path& header : headers) {
    const std::string text = testing::ReadText(header);
    fs::path json_path = header;
    const nlohmann::json metadata = nlohmann::json::parse(testing::ReadText(json_path.replace_extension(".json")));
    const std::string module = metadata["module"];
    for (const nlohmann::json& kernel : metadata["kernels"]) {
      for (const nlohmann::json& variant : kernel["variants"]) {
        const std::string name = variant["name"];
        const std::string start = "\n//   " + name + " (" + module + ".py:";
        const size_t pos = text.find(start);
        ASSERT_NE(pos, std::string::npos) << header << ": no line for " << name;
        // The promises run to the line that says what the variant is compiled
        // "with", over as many comment lines as they take.
        const size_t promises = text.find("): ", pos) + 3;
        std::string said = text.substr(promises, text.find("\n//       with ", promises) - promises);
        for (size_t at = said.find("\n//"); at != std::string::npos; at = said.find("\n//", at)) {
          said.replace(at, said.find_first_not_of(' ', at + 3) - at, " ");
        }
        EXPECT_EQ(said, PromisesOf(kernel, variant)) << header << ": " << name;
        ++variants;
      }
    }
  }
  EXPECT_GE(variants, 12u) << "vector_add has 2 variants, softmax 2, matmul 8";
}

}  // namespace
}  // namespace triton_aot

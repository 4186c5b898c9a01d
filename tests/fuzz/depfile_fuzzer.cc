// The depfile writer (driver/depfile.h) against a model of Ninja's reader
// (ninja_depfile_reader.h). The input is the target and its dependencies,
// separated by NUL bytes (which no path can hold). Every path Ninja can read
// back from some depfile must read back exactly from the one written, and no
// path, however odd, may break the file's one-line-per-path layout.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "depfile.h"
#include "ninja_depfile_reader.h"

namespace {

using triton_aot::testing::IsNinjaPlain;
using triton_aot::testing::NinjaDepfile;
using triton_aot::testing::ReadNinjaDepfile;

void Require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "depfile_fuzzer: invariant violated: %s\n", what);
    std::abort();
  }
}

// Whether Ninja 1.11 can read `path` back from a depfile FormatDepfile writes (see
// driver/depfile.h): not empty; no NUL, CR or LF; every other character
// either one Ninja takes as it is, one the writer escapes (space, '#', '$',
// and '\' itself), or one right after a backslash, which Ninja keeps as it
// is; no ':' at the end (Ninja takes it for the end of a target); and not an
// odd number of backslashes at the end (with the space after the path, Ninja
// reads an escaped space).
bool NinjaCanRead(const std::string& path) {
  if (path.empty() || path.back() == ':') return false;
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '\0' || c == '\r' || c == '\n') return false;
    const bool after_backslash = i > 0 && path[i - 1] == '\\';
    if (!after_backslash && !IsNinjaPlain(c) && c != ' ' && c != '#' && c != '$' && c != '\\') return false;
  }
  const size_t last = path.find_last_not_of('\\');
  const size_t trailing = path.size() - (last == std::string::npos ? 0 : last + 1);
  return trailing % 2 == 0;
}

// Known readings by Ninja 1.11.1 and 1.13 of text after "out.txt: ", so that
// the model above cannot drift from the reader it stands for.
void CheckTheModel() {
  struct Case {
    std::string_view body;
    std::vector<std::string> inputs;
  };
  const Case cases[] = {
      {"a\\ b c", {"a b", "c"}},
      {"x\\\\\\ y", {"x\\ y"}},          // 2N+1 backslashes, space: N backslashes and a space
      {"x\\\\ y", {"x\\\\", "y"}},       // 2N backslashes, space: the 2N, then the next path
      {"h\\#1 h\\\\#2", {"h#1", "h\\#2"}},  // one backslash escapes the '#', the others stay
      {"c\\:d e\\\\:f", {"c:d", "e\\:f"}},  // the same for ':' inside a path
      {"d$$1 \\$x", {"d$1", "\\$x"}},       // '$$' is '$', but a backslash keeps the '$' after it
      {"l1 \\\n  l2", {"l1", "l2"}},
      {"t\\\tu", {"t\\\tu"}},
      {"p\\\\", {"p\\\\"}},
  };
  for (const Case& c : cases) {
    NinjaDepfile depfile;
    std::string err;
    const std::string content = "out.txt: " + std::string(c.body) + "\n";
    Require(ReadNinjaDepfile(content, &depfile, &err), "the Ninja model reads a known depfile");
    Require(depfile.outputs == std::vector<std::string>{"out.txt"}, "the Ninja model reads the known target");
    Require(depfile.inputs == c.inputs, "the Ninja model reads the known inputs as Ninja does");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  CheckTheModel();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> paths;
  for (size_t start = 0;;) {
    const size_t end = input.find('\0', start);
    paths.emplace_back(input.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  const std::string target = paths.front();
  const std::vector<std::string> deps(paths.begin() + 1, paths.end());
  const std::string text = triton_aot::FormatDepfile(target, deps);

  // One line for the target, one per dependency, whatever the paths hold.
  Require(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) == deps.size() + 1,
          "a depfile has one line per path");
  Require(!text.empty() && text.back() == '\n', "a depfile ends with a newline");

  // A path with nothing to escape is written as it is.
  for (const std::string& path : paths) {
    if (std::all_of(path.begin(), path.end(), IsNinjaPlain)) {
      Require(triton_aot::EscapeDepfilePath(path) == path, "a plain path is written unchanged");
    }
  }

  if (!std::all_of(paths.begin(), paths.end(), NinjaCanRead)) return 0;
  NinjaDepfile depfile;
  std::string err;
  Require(ReadNinjaDepfile(text, &depfile, &err), "Ninja reads the depfile");
  Require(depfile.outputs == std::vector<std::string>{target}, "Ninja reads the target back exactly");
  std::vector<std::string> unique_deps;
  for (const std::string& dep : deps) {
    if (std::find(unique_deps.begin(), unique_deps.end(), dep) == unique_deps.end()) unique_deps.push_back(dep);
  }
  Require(depfile.inputs == unique_deps, "Ninja reads every dependency back exactly");
  return 0;
}

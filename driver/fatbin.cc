#include "fatbin.h"

#include <unistd.h>

#include <regex>

#include <fmt/format.h>

#include "atomic_file.h"
#include "subprocess.h"

namespace triton_aot {

std::string PtxTarget(const std::string& ptx) {
  static const std::regex kTarget(R"(\.target\s+(sm_\w+))");
  std::smatch match;
  return std::regex_search(ptx, match, kTarget) ? match[1].str() : "";
}

bool PackFatbin(const std::string& fatbinary, const std::string& work_dir, const std::string& output,
                const std::vector<FatbinImage>& images, std::string* bytes, std::string* err) {
  std::vector<std::string> argv = {fatbinary, "-64", "--create=" + output};
  for (const FatbinImage& image : images) {
    const std::string sm = image.sm.substr(0, 3) == "sm_" ? image.sm.substr(3) : image.sm;
    argv.push_back(fmt::format("--image3=kind={},sm={},file={}", image.is_ptx ? "ptx" : "elf", sm, image.file));
  }
  ProcessOptions options;
  options.cwd = work_dir;
  ProcessResult result;
  const std::string what_to_do =
      "; check the CUDA toolkit's installation, or pass another fatbinary with --fatbinary (CMake: "
      "TRITON_AOT_FATBINARY)";
  if (!RunProcess(argv, options, &result, err)) {
    *err += what_to_do;
    return false;
  }
  const std::string output_path = work_dir + "/" + output;
  if (!result.Succeeded()) {
    ::unlink(output_path.c_str());
    std::string output = result.output;
    while (!output.empty() && output.back() == '\n') output.pop_back();
    *err = fmt::format("fatbinary failed ({}): {}{}", result.Describe(), output, what_to_do);
    return false;
  }
  const bool read = ReadFile(output_path, bytes, err);
  ::unlink(output_path.c_str());
  return read;
}

}  // namespace triton_aot

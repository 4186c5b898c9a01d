// The fixture of the compile edge's tests with a fake compiler: a module
// with one kernel of two variants, archs 80 and 90, and a Triton of files.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compile_module.h"
#include "fake_compiler.h"
#include "load_answer.h"
#include "test_support.h"
#include "timing_log.h"

namespace triton_aot {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::FakeCompilerFactory;
using testing::FakeCompilerScript;
using testing::ListFiles;
using testing::ReadText;
using testing::TempDir;
using testing::WriteText;

// add_kernel with two variants, as the frontend would answer for it.
inline json AddKernelSpec() {
  const json aligned = {{"name", "aligned"},
                        {"signature", {{"x_ptr", "*fp32:16"}, {"y_ptr", "*fp32:16"}, {"out_ptr", "*fp32:16"}}}};
  return json::array({{{"kernel", "add_kernel"},
                       {"signature", {{"x_ptr", "*fp32"}, {"y_ptr", "*fp32"}, {"out_ptr", "*fp32"}, {"n", "i32"}}},
                       {"constexprs", {{"BLOCK", 1024}}},
                       {"grid", json::array({"cdiv(n, BLOCK)"})},
                       {"variants", json::array({aligned, {{"name", "generic"}}})}}});
}

class CompileModuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteText(dir_.path() / "src/adds.py", "# the kernel module\n");
    WriteText(dir_.path() / "src/helper.py", "# imported by it\n");
    WriteText(dir_.path() / "triton/__init__.py", "__version__ = '3.6.0'\n");
    WriteText(dir_.path() / "triton/compiler.py", "# a Triton source\n");
    script_.load_answer = testing::LoadAnswer(AddKernelSpec());
    script_.load_answer["imports"] = json::array({dir_ / "src/helper.py"});
    script_.load_answer["triton_file"] = dir_ / "triton/__init__.py";
    script_.load_answer["triton_files"] = json::array({dir_ / "triton/__init__.py", dir_ / "triton/compiler.py"});
    script_.load_answer["triton_key"] = "key-of-this-triton";
    options_.module_path = dir_ / "src/adds.py";
    options_.output_dir = dir_ / "out";
    options_.depfile = dir_ / "adds.d";
    options_.cpp_namespace = "k";
    options_.archs = Archs({"80", "90"});
    options_.source_root = dir_ / "src";
    options_.fatbinary = testing::Fatbinary();
    options_.timing_log = dir_ / "timing.jsonl";
    options_.ptxas.toolkit_path = testing::ToolkitPtxas();
    options_.cache_dir = dir_ / "cache";
    options_.cache_max_bytes = uint64_t{1} << 30;
  }

  static std::vector<Arch> Archs(const std::vector<std::string>& texts) {
    std::vector<Arch> archs;
    std::string err;
    EXPECT_TRUE(ParseArchList(texts, &archs, &err)) << err;
    return archs;
  }

  // What the edge would print.
  bool Compile(std::string* err) {
    PtxasProber prober;
    Diagnostics errors;
    const bool ok = CompileModule(options_, FakeCompilerFactory(&script_), prober, &errors);
    *err = FormatDiagnostics(errors);
    return ok;
  }

  void CompileOk() {
    std::string err;
    ASSERT_TRUE(Compile(&err)) << err;
  }

  // Every file of the output folder and the depfile, with its bytes.
  std::map<std::string, std::string> Outputs() const {
    std::map<std::string, std::string> files;
    for (const std::string& file : ListFiles(dir_.path() / "out")) files[file] = ReadText(dir_.path() / "out" / file);
    if (fs::exists(dir_ / "adds.d")) files["../adds.d"] = ReadText(dir_ / "adds.d");
    return files;
  }

  std::vector<TimingRecord> TimingRecords() const {
    std::vector<TimingRecord> records;
    int bad = 0;
    std::string err;
    EXPECT_TRUE(ReadTimingLog(dir_ / "timing.jsonl", &records, &bad, &err)) << err;
    EXPECT_EQ(bad, 0);
    return records;
  }

  TempDir dir_;
  FakeCompilerScript script_;
  CompileModuleOptions options_;
};

}  // namespace triton_aot

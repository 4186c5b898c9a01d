#include "edge_paths.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "test_support.h"

namespace triton_aot {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::WriteText;

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(InputFileProblemTest, OnlyARegularFileIsRead) {
  TempDir dir;
  WriteText(dir / "k.py", "");
  fs::create_directory(dir / "folder.py");
  ASSERT_EQ(::mkfifo((dir / "fifo.py").c_str(), 0644), 0);
  EXPECT_EQ(InputFileProblem("the kernel module", dir / "k.py"), "");
  EXPECT_TRUE(Contains(InputFileProblem("the kernel module", dir / "folder.py"), "is a folder, not a file"));
  const std::string fifo = InputFileProblem("the kernel module", dir / "fifo.py");
  EXPECT_TRUE(Contains(fifo, "the kernel module: '" + dir / "fifo.py" + "' is a FIFO (named pipe)")) << fifo;
  EXPECT_TRUE(Contains(fifo, "would wait for a writer")) << fifo;
  EXPECT_TRUE(Contains(InputFileProblem("--frontend", dir / "missing.py"), "--frontend: ")) << "names the option";
  EXPECT_TRUE(Contains(InputFileProblem("--frontend", dir / "missing.py"), "does not exist"));
}

TEST(OutputFileProblemTest, AFileOrNothingMayBeWhereAnOutputGoes) {
  TempDir dir;
  WriteText(dir / "old.d", "");
  fs::create_directory(dir / "folder.d");
  ASSERT_EQ(::mkfifo((dir / "fifo.log").c_str(), 0644), 0);
  EXPECT_EQ(OutputFileProblem("--depfile", dir / "old.d"), "");
  EXPECT_EQ(OutputFileProblem("--depfile", dir / "new.d"), "");
  EXPECT_TRUE(Contains(OutputFileProblem("--depfile", dir / "folder.d"), "is a folder, and a file cannot replace it"));
  EXPECT_TRUE(Contains(OutputFileProblem("--timing-log", dir / "fifo.log", true), "would wait for a reader"));
  // A device only where the caller allows one: /dev/null as the timing log.
  EXPECT_EQ(OutputFileProblem("--timing-log", "/dev/null", /*device_ok=*/true), "");
  EXPECT_TRUE(Contains(OutputFileProblem("--depfile", "/dev/null"), "is a device"));
}

TEST(OutputNamesProblemTest, NamesWhatStandsWhereAnOutputGoes) {
  TempDir dir;
  EXPECT_EQ(OutputNamesProblem(dir.path(), "k"), "");
  fs::create_directories(dir / "k.cpp");
  EXPECT_TRUE(Contains(OutputNamesProblem(dir.path(), "k"), "--output-dir: '" + dir / "k.cpp" + "' is a folder"));
  fs::remove(dir / "k.cpp");
  WriteText(dir / "k", "a file where the fatbins' folder goes");
  EXPECT_TRUE(Contains(OutputNamesProblem(dir.path(), "k"), "'" + dir / "k" + "' is a file, where the edge keeps"));
}

TEST(EdgePathsProblemTest, PathsPythonGetsAsTextMustBeUtf8) {
  TempDir dir;
  WriteText(dir / "k.py", "");
  CompileModuleOptions options;
  options.output_dir = dir / "out";
  options.source_root = dir.path();
  EXPECT_EQ(EdgePathsProblem(options, dir / "k.py"), "");
  options.output_dir = dir / "caf\xe9";
  EXPECT_TRUE(Contains(EdgePathsProblem(options, dir / "k.py"), "--output-dir: the path '")) << "names the option";
  options.output_dir = dir / "out";
  // Only an arch that uses it makes TRITON_PTXAS_BLACKWELL_PATH matter.
  options.ptxas.env_blackwell = "/caf\xe9/ptxas";
  options.archs = {Arch{80}};
  EXPECT_EQ(EdgePathsProblem(options, dir / "k.py"), "");
  options.archs = {Arch{80}, Arch{90}};  // Triton 3.9 reads it from sm_90 on
  EXPECT_TRUE(Contains(EdgePathsProblem(options, dir / "k.py"), "TRITON_PTXAS_BLACKWELL_PATH: the path"));
}

}  // namespace
}  // namespace triton_aot

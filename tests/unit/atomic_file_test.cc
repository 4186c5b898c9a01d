#include "atomic_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "test_support.h"

namespace triton_aot {
namespace {

namespace fs = std::filesystem;
using testing::ForkedResult;
using testing::ListFiles;
using testing::MTime;
using testing::ReadText;
using testing::RunForked;
using testing::TempDir;
using testing::WriteText;

// Puts the file's mtime far in the past, so that any rewrite shows, whatever
// the file system's timestamp granularity.
fs::file_time_type MakeOld(const fs::path& path) {
  fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::hours(24 * 30));
  return MTime(path);
}

TEST(WriteFileAtomicallyTest, CreatesAFile) {
  TempDir dir;
  std::string err;
  ASSERT_TRUE(WriteFileAtomically(dir / "out.h", "int x;\n", &err)) << err;
  EXPECT_EQ(ReadText(dir / "out.h"), "int x;\n");
  // No temporary file is left beside it.
  EXPECT_EQ(ListFiles(dir.path()), std::vector<std::string>{"out.h"});
}

TEST(WriteFileAtomicallyTest, ReplacesAFileAndKeepsBinaryBytes) {
  TempDir dir;
  WriteText(dir / "out.bin", "a much longer old content that must be gone entirely");
  const std::string bytes("\x50\xED\x55\xBA\0\x01\xff", 7);
  std::string err;
  ASSERT_TRUE(WriteFileAtomically(dir / "out.bin", bytes, &err)) << err;
  EXPECT_EQ(ReadText(dir / "out.bin"), bytes);
  EXPECT_EQ(ListFiles(dir.path()), std::vector<std::string>{"out.bin"});
}

TEST(WriteFileAtomicallyTest, ReplacesThroughANewInode) {
  // A reader that opened the old file keeps seeing the whole old contents.
  TempDir dir;
  WriteText(dir / "out.txt", "old");
  struct stat before {};
  ASSERT_EQ(::stat((dir / "out.txt").c_str(), &before), 0);
  std::string err;
  ASSERT_TRUE(WriteFileAtomically(dir / "out.txt", "new", &err)) << err;
  struct stat after {};
  ASSERT_EQ(::stat((dir / "out.txt").c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);
}

// Ninja, a compiler or a debugger may open an output at any moment, also
// while the next build replaces it: it finds the old bytes or the new, whole,
// and never no file at all.
TEST(WriteFileAtomicallyTest, AReaderAlwaysFindsTheOldOrTheNewFileWhole) {
  TempDir dir;
  const std::string path = dir / "out.h";
  const std::string a(4096, 'a'), b(8192, 'b');
  std::string err;
  ASSERT_TRUE(WriteFileAtomically(path, a, &err)) << err;
  const pid_t writer = ::fork();
  ASSERT_GE(writer, 0);
  if (writer == 0) {
    std::string write_err;
    for (int i = 0; i < 5000; ++i) {
      if (!WriteFileAtomically(path, i % 2 ? a : b, &write_err)) ::_exit(1);
    }
    ::_exit(0);
  }
  int status = 0, reads = 0, missing = 0, torn = 0;
  while (::waitpid(writer, &status, WNOHANG) == 0) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) {
      ++missing;
      continue;
    }
    std::string bytes;
    char buffer[16384];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) bytes.append(buffer, n);
    ::close(fd);
    ++reads;
    torn += bytes != a && bytes != b;
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the writer failed";
  EXPECT_GT(reads, 0);
  EXPECT_EQ(missing, 0) << "of " << reads + missing << " opens, " << missing << " found no file";
  EXPECT_EQ(torn, 0) << "of " << reads << " reads, " << torn << " found neither version whole";
}

TEST(WriteFileAtomicallyTest, ModeFollowsTheUmask) {
  TempDir dir;
  const mode_t old_mask = ::umask(022);
  std::string err;
  const bool ok = WriteFileAtomically(dir / "out.h", "x", &err);
  ::umask(old_mask);
  ASSERT_TRUE(ok) << err;
  struct stat st {};
  ASSERT_EQ(::stat((dir / "out.h").c_str(), &st), 0);
  // Not mkstemp's 0600: other users (and install steps) must be able to read it.
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST(WriteFileAtomicallyTest, FailureInAnUnwritableFolderKeepsTheOldFile) {
  TempDir dir;
  const fs::path folder = dir.path() / "out";
  WriteText(folder / "k.h", "old contents");
  const fs::perms r_x = fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read | fs::perms::group_exec |
                        fs::perms::others_read | fs::perms::others_exec;
  fs::permissions(dir.path(), r_x, fs::perm_options::add);
  fs::permissions(folder, r_x);
  // Root writes into a 0555 folder anyway, so the write runs in a child that,
  // when root, becomes nobody first.
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(77);
    if (::access(folder.c_str(), W_OK) == 0) ::_exit(77);
    std::string err;
    if (WriteFileAtomically((folder / "k.h").string(), "new contents", &err)) ::_exit(1);
    ::_exit(err.find((folder / "k.h").string()) == std::string::npos ? 2 : 0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  fs::permissions(folder, fs::perms::owner_all, fs::perm_options::add);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  if (WEXITSTATUS(status) == 77) GTEST_SKIP() << "cannot get a user who is refused writing a 0555 folder";
  EXPECT_NE(WEXITSTATUS(status), 1) << "the write succeeded";
  EXPECT_NE(WEXITSTATUS(status), 2) << "the message does not name the file";
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(ReadText(folder / "k.h"), "old contents");
  EXPECT_EQ(ListFiles(dir.path()), std::vector<std::string>{"out/k.h"});
}

TEST(WriteFileAtomicallyTest, AFileSizeLimitFailsTheWriteWithAdviceAndKeepsTheOldFile) {
  // A full disk, in miniature: RLIMIT_FSIZE makes write() fail with EFBIG
  // once the driver ignores SIGXFSZ, as it does. In a child, so the limit
  // does not outlive this test.
  TempDir dir;
  WriteText(dir / "k.fatbin", "old contents");
  const ForkedResult child = RunForked([&](int out) {
    ::signal(SIGXFSZ, SIG_IGN);
    const struct rlimit limit = {4096, 4096};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    std::string err;
    const bool written = WriteFileAtomically(dir / "k.fatbin", std::string(100000, 'x'), &err);
    if (::write(out, err.data(), err.size()) < 0) return 3;
    return written ? 1 : 0;
  });
  const std::string& message = child.output;
  ASSERT_TRUE(WIFEXITED(child.status)) << "killed by signal " << WTERMSIG(child.status);
  EXPECT_EQ(WEXITSTATUS(child.status), 0) << "the write succeeded";
  EXPECT_NE(message.find("cannot write '" + (dir / "k.fatbin") + "': File too large"), std::string::npos) << message;
  EXPECT_NE(message.find("ulimit -f"), std::string::npos) << message;
  EXPECT_EQ(ReadText(dir / "k.fatbin"), "old contents");
  EXPECT_EQ(ListFiles(dir.path()), std::vector<std::string>{"k.fatbin"});
}

TEST(AdviceForWriteErrorTest, SaysWhatToDoForTheErrorsUsersCanFix) {
  EXPECT_NE(AdviceForWriteError(ENOSPC).find("free some space"), std::string::npos);
  EXPECT_NE(AdviceForWriteError(EFBIG).find("ulimit -f"), std::string::npos);
  EXPECT_NE(AdviceForWriteError(EACCES).find("permissions"), std::string::npos);
  EXPECT_NE(AdviceForWriteError(EROFS).find("read-only"), std::string::npos);
  EXPECT_EQ(AdviceForWriteError(EINVAL), "");
}

// A pid that no process has: a child's, once it has been reaped.
pid_t DeadPid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

TEST(RemoveAbandonedTemporariesTest, RemovesThoseOfDeadWritersOnlyAndOnlyTheModulesOwn) {
  TempDir dir;
  const pid_t dead = DeadPid();
  const std::string live = std::to_string(::getppid());  // the test runner's parent: alive
  const std::string gone = std::to_string(dead);
  WriteText(dir / (".k.h.tmp." + gone + ".AbCdEf"), "half a header");
  WriteText(dir / (".k.scratch." + gone + ".x1y2z3") + "/frontend.log", "log");
  WriteText(dir / (".k.cpp.tmp." + live + ".AbCdEf"), "a concurrent writer's");
  WriteText(dir / (".other.h.tmp." + gone + ".AbCdEf"), "another module's");
  WriteText(dir / ".k.h.tmp.notapid", "not ours to judge");
  WriteText(dir / "k.h", "the output");
  RemoveAbandonedTemporaries(dir.path().string(), "k.");
  EXPECT_EQ(ListFiles(dir.path()),
            (std::vector<std::string>{".k.cpp.tmp." + live + ".AbCdEf", ".k.h.tmp.notapid",
                                      ".other.h.tmp." + gone + ".AbCdEf", "k.h"}));
  EXPECT_FALSE(fs::exists(dir / (".k.scratch." + gone + ".x1y2z3")));
}

TEST(TemporaryTemplateTest, NamesTheWriter) {
  EXPECT_EQ(TemporaryTemplate("/out", "k.h", "tmp"), "/out/.k.h.tmp." + std::to_string(::getpid()) + ".XXXXXX");
}

TEST(WriteFileAtomicallyTest, FailedRenameRemovesTheTemporaryFile) {
  // Renaming a file over a non-empty folder fails even for root, after the
  // temporary file was written: it must not be left behind.
  TempDir dir;
  WriteText(dir.path() / "k.h" / "inside.txt", "keep me");
  std::string err;
  EXPECT_FALSE(WriteFileAtomically(dir / "k.h", "new contents", &err));
  EXPECT_NE(err.find("k.h"), std::string::npos) << err;
  EXPECT_EQ(ReadText(dir.path() / "k.h" / "inside.txt"), "keep me");
  EXPECT_EQ(ListFiles(dir.path()), std::vector<std::string>{"k.h/inside.txt"});
  // Hidden temporaries count too: ListFiles would show them, but be explicit.
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename().string(), "k.h") << "left behind: " << entry.path().string();
  }
}

TEST(WriteFileAtomicallyTest, FailsInAMissingFolder) {
  TempDir dir;
  std::string err;
  EXPECT_FALSE(WriteFileAtomically(dir / "no/such/folder/k.h", "x", &err));
  EXPECT_NE(err.find("no/such/folder/k.h"), std::string::npos) << err;
  EXPECT_TRUE(ListFiles(dir.path()).empty());
}

TEST(WriteFileIfChangedTest, IdenticalBytesAreNotRewritten) {
  TempDir dir;
  WriteText(dir / "k.h", "same\n");
  const fs::file_time_type old = MakeOld(dir / "k.h");
  bool changed = true;
  std::string err;
  ASSERT_TRUE(WriteFileIfChanged(dir / "k.h", "same\n", &changed, &err)) << err;
  EXPECT_FALSE(changed);
  // This is what lets Ninja's restat skip everything downstream.
  EXPECT_EQ(MTime(dir / "k.h"), old);
}

TEST(WriteFileIfChangedTest, DifferentBytesAreWritten) {
  TempDir dir;
  WriteText(dir / "k.h", "old\n");
  const fs::file_time_type old = MakeOld(dir / "k.h");
  bool changed = false;
  std::string err;
  ASSERT_TRUE(WriteFileIfChanged(dir / "k.h", "new\n", &changed, &err)) << err;
  EXPECT_TRUE(changed);
  EXPECT_EQ(ReadText(dir / "k.h"), "new\n");
  EXPECT_GT(MTime(dir / "k.h"), old);
}

TEST(WriteFileIfChangedTest, APrefixIsNotTheSameContents) {
  TempDir dir;
  WriteText(dir / "k.h", "abc");
  bool changed = false;
  std::string err;
  ASSERT_TRUE(WriteFileIfChanged(dir / "k.h", "ab", &changed, &err)) << err;
  EXPECT_TRUE(changed);
  EXPECT_EQ(ReadText(dir / "k.h"), "ab");
}

TEST(WriteFileIfChangedTest, CreatesAMissingFileAndChangedIsOptional) {
  TempDir dir;
  std::string err;
  bool changed = false;
  ASSERT_TRUE(WriteFileIfChanged(dir / "k.h", "x", &changed, &err)) << err;
  EXPECT_TRUE(changed);
  EXPECT_EQ(ReadText(dir / "k.h"), "x");
  ASSERT_TRUE(WriteFileIfChanged(dir / "k.h", "x", nullptr, &err)) << err;
  ASSERT_TRUE(WriteFileIfChanged(dir / "k.h", "", nullptr, &err)) << err;
  EXPECT_EQ(ReadText(dir / "k.h"), "");
}

// A FIFO would block a plain open() until a writer came, and a read until it
// wrote: refused at once, as is a folder.
TEST(ReadFileTest, RefusesWhatIsNotARegularFileWithoutWaiting) {
  TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0644), 0);
  std::filesystem::create_directory(dir / "folder");
  std::string contents, err;
  EXPECT_FALSE(ReadFile(dir / "fifo", &contents, &err));
  EXPECT_EQ(err, "cannot read '" + dir / "fifo" + "': it is a FIFO (named pipe), not a file");
  EXPECT_FALSE(ReadFile(dir / "folder", &contents, &err));
  EXPECT_EQ(err, "cannot read '" + dir / "folder" + "': it is a folder, not a file");
}

TEST(ReadFileTest, ReadsBytesAndReportsMissingFiles) {
  TempDir dir;
  const std::string bytes(100000, '\0');
  WriteText(dir / "big", bytes + "end");
  std::string contents, err;
  ASSERT_TRUE(ReadFile(dir / "big", &contents, &err)) << err;
  EXPECT_EQ(contents, bytes + "end");
  EXPECT_FALSE(ReadFile(dir / "missing", &contents, &err));
  EXPECT_NE(err.find("missing"), std::string::npos) << err;
}

}  // namespace
}  // namespace triton_aot

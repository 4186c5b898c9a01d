#include "diagnostic.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace triton_aot {
namespace {

TEST(DiagnosticTest, APlaceInAFileIsSaidTheWayCompilersSayIt) {
  EXPECT_EQ(FormatDiagnostic(Diagnostic::At("k.py", 12, 5, "bad")), "k.py:12:5: error: bad");
  EXPECT_EQ(FormatDiagnostic(Diagnostic::At("k.py", 12, 0, "bad")), "k.py:12: error: bad");
  EXPECT_EQ(FormatDiagnostic(Diagnostic::At("k.py", 0, 0, "bad")), "k.py: error: bad");
  // A column without a line means nothing to an editor.
  EXPECT_EQ(FormatDiagnostic(Diagnostic::At("k.py", 0, 3, "bad")), "k.py: error: bad");
}

TEST(DiagnosticTest, OneAboutNoPlaceNamesTheTool) {
  EXPECT_EQ(FormatDiagnostic(Diagnostic::Plain("--arch: 'sm_1' is not an architecture")),
            "triton-aot: error: --arch: 'sm_1' is not an architecture");
}

TEST(DiagnosticTest, BytesThatAreNotUtf8AreShownEscaped) {
  EXPECT_EQ(FormatDiagnostic(Diagnostic::At("/caf\xe9/k.py", 3, 0, "imports '/caf\xe9/h.py'")),
            "/caf\\xe9/k.py:3: error: imports '/caf\\xe9/h.py'");
  EXPECT_EQ(FormatDiagnostic(Diagnostic::Plain("k\xc3\xa9rnels \xff")), "triton-aot: error: k\xc3\xa9rnels \\xff");
}

// An owner of something to clean up (the scratch folder, a child process).
struct Cleanup {
  bool* done;
  ~Cleanup() { *done = true; }
};

TEST(RunCatchingExceptionsTest, AnExceptionIsOneMessageAfterTheStackUnwound) {
  int exit_code = -1;
  Diagnostic error;
  EXPECT_TRUE(RunCatchingExceptions([] { return 3; }, &exit_code, &error));
  EXPECT_EQ(exit_code, 3);
  bool cleaned_up = false;
  EXPECT_FALSE(RunCatchingExceptions(
      [&]() -> int {
        Cleanup cleanup{&cleaned_up};
        throw std::runtime_error("[json.exception.type_error.316] invalid UTF-8 byte");
      },
      &exit_code, &error));
  EXPECT_TRUE(cleaned_up) << "the destructors ran";
  EXPECT_EQ(FormatDiagnostic(error),
            "triton-aot: error: internal error: [json.exception.type_error.316] invalid UTF-8 byte; this is a bug in "
            "triton-aot: please report it with the command that failed");
  EXPECT_FALSE(RunCatchingExceptions([]() -> int { throw 42; }, &exit_code, &error));
}

TEST(DiagnosticTest, SeveralAreOnePerLine) {
  EXPECT_EQ(FormatDiagnostics({Diagnostic::At("a.py", 1, 0, "x"), Diagnostic::Plain("y")}),
            "a.py:1: error: x\ntriton-aot: error: y");
  EXPECT_EQ(FormatDiagnostics({}), "");
}

}  // namespace
}  // namespace triton_aot

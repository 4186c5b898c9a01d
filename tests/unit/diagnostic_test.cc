#include "diagnostic.h"

#include <gtest/gtest.h>

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

TEST(DiagnosticTest, SeveralAreOnePerLine) {
  EXPECT_EQ(FormatDiagnostics({Diagnostic::At("a.py", 1, 0, "x"), Diagnostic::Plain("y")}),
            "a.py:1: error: x\ntriton-aot: error: y");
  EXPECT_EQ(FormatDiagnostics({}), "");
}

}  // namespace
}  // namespace triton_aot

#include "ptxas.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "test_support.h"

namespace triton_aot {
namespace {

namespace fs = std::filesystem;
using testing::MakeExecutable;
using testing::TempDir;
using testing::ToolkitPtxas;
using testing::TritonBinDir;
using testing::WriteText;

// A stand-in for a ptxas of another CUDA release: a shell script that answers
// --version and --help the way ptxas does. Real toolkits of every release are
// not installed here; the logic under test only sees those two answers.
std::string StandInPtxas(const fs::path& path, const std::string& release, const std::string& gpu_names) {
  std::string script = "#!/bin/sh\ncase \"$1\" in\n";
  script += "  --version) echo 'Cuda compilation tools, release " + release + ", V" + release + ".1' ;;\n";
  script += "  --help) echo \"Allowed values for this option:  " + gpu_names + "\" ;;\n";
  script += "  *) exit 1 ;;\nesac\n";
  WriteText(path, script);
  MakeExecutable(path);
  return path.string();
}

std::string TooOldPtxas(const fs::path& path) { return StandInPtxas(path, "11.0", "'sm_75','sm_80'"); }

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

#define REQUIRE_TOOLKIT_PTXAS() \
  if (ToolkitPtxas().empty()) GTEST_SKIP() << "no CUDA toolkit ptxas found at configure time"

// --- Parsing ptxas' own output ------------------------------------------------

TEST(ParsePtxasVersionTest, FindsTheRelease) {
  EXPECT_EQ(ParsePtxasVersion("ptxas: NVIDIA (R) Ptx optimizing assembler\n"
                              "Copyright (c) 2005-2024 NVIDIA Corporation\n"
                              "Built on Tue_Feb_27_16:17:23_PST_2024\n"
                              "Cuda compilation tools, release 12.4, V12.4.99\n"
                              "Build cuda_12.4.r12.4/compiler.33961263_0\n"),
            "12.4");
  EXPECT_EQ(ParsePtxasVersion("Cuda compilation tools, release 11.0, V11.0.1"), "11.0");
  EXPECT_EQ(ParsePtxasVersion("GNU assembler (GNU Binutils) 2.40"), "");
  EXPECT_EQ(ParsePtxasVersion(""), "");
}

TEST(ParsePtxasVersionTest, RealPtxas) {
  REQUIRE_TOOLKIT_PTXAS();
  ProcessResult r = testing::Run({ToolkitPtxas(), "--version"});
  ASSERT_TRUE(r.Succeeded()) << r.output;
  const std::string version = ParsePtxasVersion(r.output);
  EXPECT_TRUE(std::regex_match(version, std::regex(R"(\d+\.\d+)"))) << version;
  // The full version, "V13.0.88", starts with the release.
  EXPECT_TRUE(Contains(r.output, ", V" + version + ".")) << version << "\n" << r.output;
}

TEST(ParsePtxasGpuNamesTest, ReadsTheQuotedSmNamesOnly) {
  const std::string help =
      "--gpu-name <gpu name>                               (-arch)\n"
      "        Specify name of NVIDIA GPU to generate code for.\n"
      "        Allowed values for this option:  'compute_50','compute_90','compute_90a',\n"
      "        'lto_90a','sm_50','sm_80','sm_86',\n"
      "        'sm_90','sm_90a','sm_100f'.\n"
      "        Default value:  'sm_52'.\n";
  std::set<std::string> names = ParsePtxasGpuNames(help);
  for (const char* sm : {"sm_50", "sm_80", "sm_86", "sm_90", "sm_90a", "sm_100f"}) {
    EXPECT_EQ(names.count(sm), 1u) << sm;
  }
  for (const std::string& name : names) EXPECT_EQ(name.rfind("sm_", 0), 0u) << name;
  EXPECT_TRUE(ParsePtxasGpuNames("usage: ptxas [options] file").empty());
}

TEST(ParsePtxasGpuNamesTest, RealPtxas) {
  REQUIRE_TOOLKIT_PTXAS();
  ProcessResult r = testing::Run({ToolkitPtxas(), "--help"});
  ASSERT_TRUE(r.Succeeded()) << r.output;
  std::set<std::string> names = ParsePtxasGpuNames(r.output);
  // Every toolkit that supports Hopper lists these; Triton needs them.
  EXPECT_EQ(names.count("sm_80"), 1u);
  EXPECT_EQ(names.count("sm_90a"), 1u);
  for (const std::string& name : names) {
    EXPECT_TRUE(std::regex_match(name, std::regex(R"(sm_\d+[a-z]?)"))) << name;
    EXPECT_TRUE(Contains(r.output, "'" + name + "'")) << name;
  }
}

// --- Choosing a ptxas -----------------------------------------------------------

TEST(ResolvePtxasTest, ExplicitOptionWinsWithTheRealPtxas) {
  REQUIRE_TOOLKIT_PTXAS();
  TempDir dir;
  PtxasSources sources;
  sources.explicit_path = ToolkitPtxas();
  // Other candidates that would work must not be looked at.
  sources.env_path = StandInPtxas(dir / "env-ptxas", "12.8", "'sm_80','sm_90a','sm_100a'");
  sources.toolkit_path = StandInPtxas(dir / "toolkit-ptxas", "12.8", "'sm_80','sm_90a','sm_100a'");
  PtxasProber prober;
  PtxasChoice choice;
  std::string notes, err;
  ASSERT_TRUE(ResolvePtxas(sources, Arch{90}, prober, &choice, &notes, &err)) << err;
  EXPECT_EQ(choice.origin, "--ptxas");
  EXPECT_EQ(choice.info.path, ToolkitPtxas());
  ProcessResult version = testing::Run({ToolkitPtxas(), "--version"});
  EXPECT_TRUE(Contains(version.output, "release " + choice.info.version + ",")) << choice.info.version;
  EXPECT_EQ(choice.info.gpu_names.count("sm_90a"), 1u);
  EXPECT_TRUE(notes.empty()) << notes;
}

TEST(ResolvePtxasTest, ExplicitPathThatDoesNotExistIsAnError) {
  TempDir dir;
  PtxasSources sources;
  sources.explicit_path = dir / "missing/ptxas";
  sources.toolkit_path = StandInPtxas(dir / "toolkit-ptxas", "12.8", "'sm_80','sm_90a'");
  PtxasProber prober;
  PtxasChoice choice;
  std::string err;
  // No silent fall-back to the toolkit's: the user asked for this one.
  EXPECT_FALSE(ResolvePtxas(sources, Arch{90}, prober, &choice, nullptr, &err));
  EXPECT_TRUE(Contains(err, sources.explicit_path)) << err;
  EXPECT_TRUE(Contains(err, "--ptxas")) << err;
  EXPECT_TRUE(Contains(err, "does not exist")) << err;
}

TEST(ResolvePtxasTest, ExplicitPathThatIsNotExecutableIsAnError) {
  TempDir dir;
  WriteText(dir / "ptxas", "#!/bin/sh\necho 'Cuda compilation tools, release 12.8, V12.8.1'\n");  // no +x
  PtxasSources sources;
  sources.explicit_path = dir / "ptxas";
  PtxasProber prober;
  PtxasChoice choice;
  std::string err;
  EXPECT_FALSE(ResolvePtxas(sources, Arch{80}, prober, &choice, nullptr, &err));
  EXPECT_TRUE(Contains(err, sources.explicit_path)) << err;
  EXPECT_TRUE(Contains(err, "is not executable")) << err;
}

TEST(ResolvePtxasTest, ExplicitPathThatIsAFolderIsAnError) {
  TempDir dir;
  PtxasSources sources;
  sources.explicit_path = dir.path().string();
  PtxasProber prober;
  PtxasChoice choice;
  std::string err;
  EXPECT_FALSE(ResolvePtxas(sources, Arch{80}, prober, &choice, nullptr, &err));
  EXPECT_TRUE(Contains(err, "is not a regular file")) << err;
}

TEST(ResolvePtxasTest, ExplicitPtxasTooOldForTheArchIsAnError) {
  TempDir dir;
  PtxasSources sources;
  sources.explicit_path = TooOldPtxas(dir / "ptxas");
  sources.toolkit_path = StandInPtxas(dir / "toolkit-ptxas", "12.8", "'sm_80','sm_90a'");
  PtxasProber prober;
  PtxasChoice choice;
  std::string err;
  EXPECT_FALSE(ResolvePtxas(sources, Arch{90}, prober, &choice, nullptr, &err));
  EXPECT_TRUE(Contains(err, "--ptxas")) << err;
  EXPECT_TRUE(Contains(err, "CUDA 11.0")) << err;
  EXPECT_TRUE(Contains(err, "cannot compile for sm_90a")) << err;
  // Yet the same ptxas is fine for an arch it knows.
  std::string err80;
  ASSERT_TRUE(ResolvePtxas(sources, Arch{80}, prober, &choice, nullptr, &err80)) << err80;
  EXPECT_EQ(choice.origin, "--ptxas");
  EXPECT_EQ(choice.info.version, "11.0");
}

TEST(ResolvePtxasTest, ExplicitPathThatIsNotPtxasIsAnError) {
  TempDir dir;
  WriteText(dir / "ptxas", "#!/bin/sh\necho 'hello'\n");
  MakeExecutable(dir / "ptxas");
  PtxasSources sources;
  sources.explicit_path = dir / "ptxas";
  PtxasProber prober;
  PtxasChoice choice;
  std::string err;
  EXPECT_FALSE(ResolvePtxas(sources, Arch{80}, prober, &choice, nullptr, &err));
  EXPECT_TRUE(Contains(err, "does not print a CUDA release")) << err;
}

TEST(ResolvePtxasTest, EnvironmentPathThatDoesNotExistIsAnErrorNotAFallBack) {
  TempDir dir;
  PtxasSources sources;
  sources.env_path = dir / "gone/ptxas";
  sources.toolkit_path = StandInPtxas(dir / "toolkit-ptxas", "12.8", "'sm_80','sm_90a'");
  PtxasProber prober;
  PtxasChoice choice;
  std::string err;
  EXPECT_FALSE(ResolvePtxas(sources, Arch{80}, prober, &choice, nullptr, &err));
  EXPECT_TRUE(Contains(err, "TRITON_PTXAS_PATH")) << err;
  EXPECT_TRUE(Contains(err, sources.env_path)) << err;
  EXPECT_TRUE(Contains(err, "does not exist")) << err;
}

TEST(ResolvePtxasTest, BlackwellVariableIsPreferredFromArch100On) {
  TempDir dir;
  PtxasSources sources;
  sources.env_path = StandInPtxas(dir / "generic/ptxas", "12.8", "'sm_80','sm_90a','sm_100a'");
  sources.env_blackwell = StandInPtxas(dir / "blackwell/ptxas", "12.9", "'sm_80','sm_90a','sm_100a'");
  PtxasProber prober;
  PtxasChoice choice;
  std::string err;
  ASSERT_TRUE(ResolvePtxas(sources, Arch{100}, prober, &choice, nullptr, &err)) << err;
  EXPECT_EQ(choice.origin, "TRITON_PTXAS_BLACKWELL_PATH");
  EXPECT_EQ(choice.info.path, sources.env_blackwell);
  EXPECT_EQ(choice.info.version, "12.9");
  // Below Blackwell that variable does not apply.
  ASSERT_TRUE(ResolvePtxas(sources, Arch{90}, prober, &choice, nullptr, &err)) << err;
  EXPECT_EQ(choice.origin, "TRITON_PTXAS_PATH");
  EXPECT_EQ(choice.info.path, sources.env_path);
}

TEST(ResolvePtxasTest, ToolkitTooOldFallsThroughToTheNextCandidate) {
  TempDir dir;
  PtxasSources sources;
  sources.toolkit_path = TooOldPtxas(dir / "cuda-11/bin/ptxas");
  const std::string on_path = StandInPtxas(dir / "bin/ptxas", "12.8", "'sm_80','sm_90','sm_90a'");
  sources.path_env = "/nonexistent:" + (dir / "bin");
  PtxasProber prober;
  PtxasChoice choice;
  std::string notes, err;
  ASSERT_TRUE(ResolvePtxas(sources, Arch{90}, prober, &choice, &notes, &err)) << err;
  EXPECT_EQ(choice.origin, "PATH");
  EXPECT_EQ(choice.info.path, on_path);
  // The notes say why the toolkit's was passed over.
  EXPECT_TRUE(Contains(notes, sources.toolkit_path)) << notes;
  EXPECT_TRUE(Contains(notes, "CUDA toolkit")) << notes;
  EXPECT_TRUE(Contains(notes, "cannot compile for sm_90a")) << notes;
}

// Triton gets ptxas's path as text and the metadata records it: a path that
// is not UTF-8 is skipped when found, and an error when asked for.
TEST(ResolvePtxasTest, APathThatIsNotUtf8IsSkippedOrAnErrorWhenAskedFor) {
  TempDir dir;
  PtxasSources sources;
  sources.toolkit_path = StandInPtxas(dir / "caf\xe9/ptxas", "12.8", "'sm_80','sm_90','sm_90a'");
  const std::string on_path = StandInPtxas(dir / "bin/ptxas", "12.8", "'sm_80','sm_90','sm_90a'");
  sources.path_env = dir / "bin";
  PtxasProber prober;
  PtxasChoice choice;
  std::string notes, err;
  ASSERT_TRUE(ResolvePtxas(sources, Arch{90}, prober, &choice, &notes, &err)) << err;
  EXPECT_EQ(choice.info.path, on_path);
  EXPECT_TRUE(Contains(notes, "ptxas (from CUDA toolkit): the path '" + dir / "caf\\xe9/ptxas" + "' is not valid UTF-8"))
      << notes;
  sources.explicit_path = sources.toolkit_path;
  EXPECT_FALSE(ResolvePtxas(sources, Arch{90}, prober, &choice, &notes, &err));
  EXPECT_TRUE(Contains(err, "ptxas (from --ptxas): the path '" + dir / "caf\\xe9/ptxas" + "' is not valid UTF-8")) << err;
}

TEST(ResolvePtxasTest, ToolkitTooOldFallsThroughToTheRealBundledPtxas) {
  const std::string bin = TritonBinDir();
  if (bin.empty()) GTEST_SKIP() << "no Python with Triton configured";
  TempDir dir;
  PtxasSources sources;
  sources.toolkit_path = TooOldPtxas(dir / "ptxas");
  sources.triton_bin_dir = bin;
  PtxasProber prober;
  PtxasChoice choice;
  std::string notes, err;
  ASSERT_TRUE(ResolvePtxas(sources, Arch{90}, prober, &choice, &notes, &err)) << err;
  EXPECT_EQ(choice.origin, "Triton's bundled ptxas");
  EXPECT_EQ(choice.info.path, bin + "/ptxas");
  EXPECT_FALSE(choice.info.version.empty());
  EXPECT_TRUE(Contains(notes, sources.toolkit_path)) << notes;
  // Blackwell uses the wheel's separate ptxas-blackwell.
  ASSERT_TRUE(ResolvePtxas(sources, Arch{100}, prober, &choice, &notes, &err)) << err;
  EXPECT_EQ(choice.info.path, bin + "/ptxas-blackwell");
}

TEST(ResolvePtxasTest, PathSearchSkipsFilesThatCannotRun) {
  TempDir dir;
  WriteText(dir / "a/ptxas", "not executable");
  const std::string good = StandInPtxas(dir / "b/ptxas", "12.8", "'sm_80'");
  PtxasSources sources;
  sources.path_env = (dir / "a") + "::" + (dir / "b");
  PtxasProber prober;
  PtxasChoice choice;
  std::string err;
  ASSERT_TRUE(ResolvePtxas(sources, Arch{80}, prober, &choice, nullptr, &err)) << err;
  EXPECT_EQ(choice.info.path, good);
  EXPECT_EQ(choice.origin, "PATH");
}

TEST(ResolvePtxasTest, PtxasThatListsNoGpuNamesIsTrusted) {
  // Some ptxas builds print no 'Allowed values' list; then nothing can be
  // ruled out, and the compile itself will tell.
  TempDir dir;
  PtxasSources sources;
  sources.toolkit_path = StandInPtxas(dir / "ptxas", "12.8", "");
  PtxasProber prober;
  PtxasChoice choice;
  std::string err;
  ASSERT_TRUE(ResolvePtxas(sources, Arch{100}, prober, &choice, nullptr, &err)) << err;
  EXPECT_EQ(choice.origin, "CUDA toolkit");
  EXPECT_TRUE(choice.info.gpu_names.empty());
}

TEST(ResolvePtxasTest, NoCandidateAtAll) {
  PtxasSources sources;  // nothing configured, empty PATH
  PtxasProber prober;
  PtxasChoice choice;
  std::string notes, err;
  EXPECT_FALSE(ResolvePtxas(sources, Arch{90}, prober, &choice, &notes, &err));
  EXPECT_TRUE(Contains(err, "no ptxas found")) << err;
  EXPECT_TRUE(Contains(err, "sm_90a")) << err;
}

TEST(ResolvePtxasTest, NoUsableCandidateListsWhatWasTried) {
  TempDir dir;
  PtxasSources sources;
  sources.toolkit_path = TooOldPtxas(dir / "ptxas");
  PtxasProber prober;
  PtxasChoice choice;
  std::string notes, err;
  EXPECT_FALSE(ResolvePtxas(sources, Arch{90}, prober, &choice, &notes, &err));
  EXPECT_TRUE(Contains(err, "no ptxas found")) << err;
  EXPECT_TRUE(Contains(err, sources.toolkit_path)) << err;
}

// Records which paths were probed; probing itself is the real one.
class RecordingProber : public PtxasProber {
 public:
  bool Probe(const std::string& path, PtxasInfo* info, std::string* err) override {
    probed.push_back(path);
    return PtxasProber::Probe(path, info, err);
  }
  std::vector<std::string> probed;
};

TEST(ResolvePtxasTest, ProbesInOrderAndStopsAtTheFirstUsable) {
  TempDir dir;
  PtxasSources sources;
  sources.toolkit_path = TooOldPtxas(dir / "old/ptxas");
  sources.triton_bin_dir = (dir / "triton-bin");
  StandInPtxas(dir / "triton-bin/ptxas", "12.8", "'sm_90a'");
  sources.path_env = dir / "path-bin";
  StandInPtxas(dir / "path-bin/ptxas", "12.8", "'sm_90a'");
  RecordingProber prober;
  PtxasChoice choice;
  std::string err;
  ASSERT_TRUE(ResolvePtxas(sources, Arch{90}, prober, &choice, nullptr, &err)) << err;
  EXPECT_EQ(choice.origin, "Triton's bundled ptxas");
  EXPECT_EQ(prober.probed, (std::vector<std::string>{sources.toolkit_path, dir / "triton-bin/ptxas"}));
}

// Which of a wheel's two ptxas Triton runs depends on its version (the load
// answer's blackwell_ptxas_from): 3.5 has one, 3.6 to 3.8 switch at sm_100,
// 3.9 at sm_90. The bundled candidate and TRITON_PTXAS_BLACKWELL_PATH follow.
TEST(ResolvePtxasTest, TheSecondBundledPtxasAndItsVariableApplyFromTheArchTheTritonVersionSwitchesAt) {
  TempDir dir;
  PtxasSources sources;
  sources.triton_bin_dir = dir / "triton-bin";
  const std::string first = StandInPtxas(dir / "triton-bin/ptxas", "12.9", "'sm_80','sm_90a','sm_100a'");
  const std::string second = StandInPtxas(dir / "triton-bin/ptxas-blackwell", "13.4", "'sm_80','sm_90a','sm_100a'");
  PtxasProber prober;
  PtxasChoice choice;
  std::string err;
  auto chosen = [&](int blackwell_from, int capability) {
    sources.blackwell_from = blackwell_from;
    EXPECT_TRUE(ResolvePtxas(sources, Arch{capability}, prober, &choice, nullptr, &err)) << err;
    return choice.info.path;
  };
  EXPECT_EQ(chosen(0, 100), first) << "Triton 3.5 runs its one ptxas everywhere";
  EXPECT_EQ(chosen(100, 90), first);
  EXPECT_EQ(chosen(100, 100), second);
  EXPECT_EQ(chosen(90, 80), first);
  EXPECT_EQ(chosen(90, 90), second) << "Triton 3.9 runs ptxas-blackwell from sm_90";
  sources.env_blackwell = StandInPtxas(dir / "blackwell/ptxas", "13.0", "'sm_80','sm_90a','sm_100a'");
  EXPECT_EQ(chosen(90, 90), sources.env_blackwell);
  EXPECT_EQ(choice.origin, "TRITON_PTXAS_BLACKWELL_PATH");
  EXPECT_EQ(chosen(100, 90), first) << "3.6 to 3.8 read the variable only from sm_100";
  EXPECT_EQ(chosen(0, 100), first) << "3.5 never reads it";
}

}  // namespace
}  // namespace triton_aot

// Hostile input: paths and strings that are not UTF-8, files replaced by
// FIFOs and folders, numbers out of range. Each attempt runs the real driver
// (and Triton, where the edge gets that far) and must end with a non-zero
// exit and one message that names the option or the file and says what to
// do; it must not hang or abort, must leave the last good outputs exactly as
// they were and no temporary file, and must start no compile service when it
// failed before it needed one. What only passes through Python as bytes (the
// environment, the working folder, the folders of the cache, the service and
// the interpreter) must simply work, through CMake, Ninja and the service.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "environment.h"
#include "kernel_project.h"
#include "sample_modules.h"
#include "service_client.h"
#include "test_support.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;

// Latin-1 "café": the byte 0xe9 cannot stand there in UTF-8.
const std::string kNotUtf8 = "caf\xe9";

// One run of the driver that must fail.
struct Attempt {
  std::string label;  // the value tried, for failure messages
  // Makes the case folder hostile; the last good outputs are in <dir>/out.
  std::function<void(const fs::path& dir)> setup = [](const fs::path&) {};
  // Options replaced or added ("{dir}" is the case folder; "-" erases one).
  std::map<std::string, std::string> options;
  std::map<std::string, std::string> env;
  std::vector<std::string> report;  // not `compile`, but `report` with these arguments
  std::string module = "src/b.py";  // relative to the case folder
  std::string message;              // a regex the one message must match from its start ({dir}: the folder)
  bool reaches_python = false;      // the edge may start the compile service
};

struct HostileCase {
  std::string name;
  std::vector<Attempt> attempts;
};

std::ostream& operator<<(std::ostream& os, const HostileCase& c) { return os << c.name; }

void MakeFifo(const fs::path& path) {
  fs::create_directories(path.parent_path());
  ASSERT_EQ(::mkfifo(path.c_str(), 0644), 0) << path;
}

bool ServiceServes(const fs::path& tree) {
  pid_t pid = -1;
  std::string err;
  return ServiceRunning(DefaultServiceFolder(Environment::OfThisProcess()), tree.string(), &pid, &err) ==
         ServiceState::kRunning;
}

class HostileInputTest : public ::testing::TestWithParam<HostileCase> {
 protected:
  void SetUp() override {
    if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
  }

  // The case folder: the module, the outputs of a last good build (any
  // bytes do: a failing edge must not write them) and the timing log.
  void Prepare(const fs::path& dir) {
    WriteText(dir / "src" / "b.py", kTwoVariantsModule);
    for (const char* name : {"b.h", "b.cpp", "b.json", "b.d", "b/copy.small.fatbin", "b/copy.large.fatbin"}) {
      WriteText(dir / "out" / name, std::string("the last good build's ") + name + "\n");
    }
    WriteText(dir / "logs" / "timing.jsonl", "{\"the last good build's\": \"timing line\"}\n");
  }

  ProcessResult Execute(const Attempt& attempt, const fs::path& dir) {
    std::vector<std::string> argv = {TRITON_AOT_DRIVER, "report"};
    if (attempt.report.empty()) {
      std::map<std::string, std::string> options = PlainCompileOptions(dir / "out");
      options.erase("--no-service");
      options.erase("--no-cache");
      options["--build-tree"] = (dir / "tree").string();
      options["--cache-dir"] = (dir / "cache").string();
      options["--depfile"] = (dir / "out" / "b.d").string();
      options["--timing-log"] = (dir / "logs" / "timing.jsonl").string();
      for (const auto& [option, value] : attempt.options) {
        if (value == "-") {
          options.erase(option);
        } else {
          options[option] = ReplaceAll(value, "{dir}", dir.string());
        }
      }
      argv = DriverCompileCommand(dir / attempt.module, options);
    } else {
      for (const std::string& argument : attempt.report) argv.push_back(ReplaceAll(argument, "{dir}", dir.string()));
    }
    ProcessOptions process;
    for (const auto& [name, value] : attempt.env) process.env[name] = ReplaceAll(value, "{dir}", dir.string());
    return triton_aot::testing::Run(argv, "", process);
  }

  void ExpectOneClearMessageAndNothingLost(const Attempt& attempt) {
    SCOPED_TRACE(attempt.label);
    TempDir case_dir;
    const fs::path& dir = case_dir.path();
    Prepare(dir);
    attempt.setup(dir);
    const std::map<std::string, std::string> outputs = ReadTree(dir / "out");
    const std::map<std::string, std::string> logs = ReadTree(dir / "logs");
    const ProcessResult result = Execute(attempt, dir);
    std::printf("%s: the driver said:\n%s", attempt.label.c_str(), result.output.c_str());
    EXPECT_EQ(result.signal, 0) << "the driver died of a signal:\n" << result.output;
    EXPECT_NE(result.exit_code, 0) << result.output;
    EXPECT_EQ(CountMessages(result.output), 1) << "one message, not several:\n" << result.output;
    const std::string message = ReplaceAll(attempt.message, "{dir}", RegexEscape(dir.string()));
    EXPECT_TRUE(std::regex_search(result.output, std::regex("(^|\n)" + message)))
        << "expected a message matching /" << message << "/:\n" << result.output;
    EXPECT_EQ(ReadTree(dir / "out"), outputs) << "the last good build's outputs changed";
    EXPECT_EQ(ReadTree(dir / "logs"), logs) << "the timing log changed";
    EXPECT_EQ(TemporaryFiles(dir), std::vector<std::string>{}) << "temporary files left behind";
    if (!attempt.reaches_python) {
      EXPECT_FALSE(ServiceServes(dir / "tree")) << "a compile service was started for an edge that failed before "
                                                   "it needed one";
    }
    std::string what, err;
    StopService(DefaultServiceFolder(Environment::OfThisProcess()), (dir / "tree").string(), &what, &err);
    EXPECT_FALSE(ServiceServes(dir / "tree"));
  }
};

TEST_P(HostileInputTest, FailsWithOneClearMessageAndLeavesNothingBehind) {
  for (const Attempt& attempt : GetParam().attempts) ExpectOneClearMessageAndNothingLost(attempt);
}

// A folder whose name is not UTF-8, with `file` (a link to `target`, or a
// copy of the good module) in it.
std::function<void(const fs::path&)> InNotUtf8Folder(const std::string& file, const std::string& target = "") {
  return [=](const fs::path& dir) {
    fs::create_directories(dir / kNotUtf8);
    if (target.empty()) {
      WriteText(dir / kNotUtf8 / file, kTwoVariantsModule);
    } else {
      fs::create_symlink(target, dir / kNotUtf8 / file);
    }
  };
}

// "'{dir}/café...' is not valid UTF-8 (byte 0xe9 at offset N)...: rename 'caf\xe9'", escaped.
std::string NotUtf8PathMessage(const std::string& option) {
  return "triton-aot: error: " + RegexEscape(option) +
         R"(: the path '{dir}/caf\\xe9[^']*' is not valid UTF-8 \(byte 0xe9 at offset [0-9]+\); )"
         R"(TritonAOT passes paths to Python and Triton as UTF-8 text: rename 'caf\\xe9')";
}

// Paths that Python gets as text, or that Triton or the metadata record.
HostileCase PathsThatAreNotUtf8() {
  return {"PathsThatAreNotUtf8",
          {{.label = "the module",
            .setup = InNotUtf8Folder("b.py"),
            .module = kNotUtf8 + "/b.py",
            .message = NotUtf8PathMessage("the kernel module")},
           {.label = "--output-dir", .options = {{"--output-dir", "{dir}/" + kNotUtf8 + "/out"}},
            .message = NotUtf8PathMessage("--output-dir")},
           {.label = "--source-root",
            .setup = InNotUtf8Folder("b.py"),
            .options = {{"--source-root", "{dir}/" + kNotUtf8}},
            .message = NotUtf8PathMessage("--source-root")},
           {.label = "--ptxas",
            .setup = InNotUtf8Folder("ptxas", ToolkitPtxas()),
            .options = {{"--ptxas", "{dir}/" + kNotUtf8 + "/ptxas"}},
            .message = NotUtf8PathMessage("--ptxas")},
           {.label = "TRITON_PTXAS_PATH",
            .setup = InNotUtf8Folder("ptxas", ToolkitPtxas()),
            .env = {{"TRITON_PTXAS_PATH", "{dir}/" + kNotUtf8 + "/ptxas"}},
            .message = NotUtf8PathMessage("TRITON_PTXAS_PATH")}}};
}

// The module, importing `import_line` from the folder `folder` (relative to
// its own) whose name is not UTF-8.
std::string ImportingFromNotUtf8Folder(const std::string& folder, const std::string& import_line) {
  return "import os, sys\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), os.fsdecode(b\"" + folder +
         "\")))\n" + import_line + "\n" + kTwoVariantsModule;
}

// Helpers the module imports from a folder whose name is not UTF-8: one of
// the project's, whose path would go into the depfile and the cache keys, is
// an error; an error in one outside the project shows the path escaped.
HostileCase HelpersInNotUtf8Folders() {
  return {"HelpersInNotUtf8Folders",
          {{.label = "the project's helper",
            .setup = [](const fs::path& dir) {
              WriteText(dir / "src" / "b.py", ImportingFromNotUtf8Folder("caf\\xe9", "from scaling import SCALE"));
              WriteText(dir / "src" / kNotUtf8 / "scaling.py", "SCALE = 2\n");
            },
            .message = R"({dir}/src/b\.py:3: error: the module imports '{dir}/src/caf\\xe9/scaling\.py', whose )"
                       R"(path is not valid UTF-8 \(byte 0xe9 at offset [0-9]+\);.*: rename the folder)",
            .reaches_python = true},
           {.label = "a syntax error in a helper outside the project",
            .setup = [](const fs::path& dir) {
              WriteText(dir / "src" / "b.py", ImportingFromNotUtf8Folder("../caf\\xe9", "import broken"));
              WriteText(dir / kNotUtf8 / "broken.py", "def broken(:\n");
            },
            .message = R"({dir}/src/\.\./caf\\xe9/broken\.py:1:[0-9]+: error: invalid syntax \(while loading )"
                       R"({dir}/src/b\.py\))",
            .reaches_python = true}}};
}

// A string in the spec that no UTF-8 can hold: a lone surrogate, as
// os.fsdecode() makes of bytes that are not UTF-8.
HostileCase SpecStringWithALoneSurrogate() {
  return {"SpecStringWithALoneSurrogate",
          {{.label = "variant name",
            .setup = [](const fs::path& dir) {
              WriteText(dir / "src" / "b.py", ReplaceAll(kTwoVariantsModule, "\"small\"", "\"sm\\udce9ll\""));
            },
            .message = R"({dir}/src/b\.py:[0-9]+: error: TRITON_AOT_KERNELS holds the string 'sm\\udce9ll', with )"
                       R"(the lone surrogate U\+DCE9, which is not a character and which UTF-8 cannot carry: write )"
                       R"(the string with real characters)",
            .reaches_python = true}}};
}

INSTANTIATE_TEST_SUITE_P(NotUtf8, HostileInputTest,
                         ::testing::Values(PathsThatAreNotUtf8(), HelpersInNotUtf8Folders(),
                                           SpecStringWithALoneSurrogate()),
                         [](const ::testing::TestParamInfo<HostileCase>& info) { return info.param.name; });

// Files replaced by FIFOs and folders: the edge must say so at once, not
// wait for a writer or a reader, and not fail half-way through its writes.
std::function<void(const fs::path&)> Fifo(const std::string& name) {
  return [=](const fs::path& dir) { MakeFifo(dir / name); };
}
std::function<void(const fs::path&)> Folder(const std::string& name, bool replace = false) {
  return [=](const fs::path& dir) {
    if (replace) fs::remove(dir / name);
    fs::create_directories(dir / name);
  };
}

const HostileCase kFilesInTheWay[] = {
    {"ModuleIsAFifoOrAFolder",
     {{.label = "FIFO",
       .setup = Fifo("src/fifo.py"),
       .module = "src/fifo.py",
       .message = R"(triton-aot: error: the kernel module: '{dir}/src/fifo\.py' is a FIFO \(named pipe\), not a )"
                  R"(file, and reading it would wait for a writer: name a regular file)"},
      {.label = "folder",
       .setup = Folder("src/folder.py"),
       .module = "src/folder.py",
       .message = R"(triton-aot: error: the kernel module: '{dir}/src/folder\.py' is a folder, not a file: name a )"
                  R"(regular file)"}}},
    {"TimingLogIsAFolderOrAFifo",
     {{.label = "folder",
       .setup = Folder("logs/timing.jsonl", /*replace=*/true),
       .message = R"(triton-aot: error: --timing-log: '{dir}/logs/timing\.jsonl' is a folder, and a file cannot )"
                  R"(replace it: remove it, or choose another path)"},
      {.label = "FIFO",
       .setup = [](const fs::path& dir) {
         fs::remove(dir / "logs" / "timing.jsonl");
         MakeFifo(dir / "logs" / "timing.jsonl");
       },
       .message = R"(triton-aot: error: --timing-log: '{dir}/logs/timing\.jsonl' is a FIFO \(named pipe\), and )"
                  R"(writing to it would wait for a reader: remove it, or choose another path)"}}},
    {"DepfileIsAFolder",
     {{.label = "folder",
       .setup = Folder("out/b.d", /*replace=*/true),
       .message = R"(triton-aot: error: --depfile: '{dir}/out/b\.d' is a folder, and a file cannot replace it: )"
                  R"(remove it, or choose another path)"}}},
    // The header is written last: before, the fatbins, the metadata and the
    // source were replaced, and then the edge failed.
    {"AnOutputsFinalNameIsAFolder",
     {{.label = "header",
       .setup = Folder("out/b.h", /*replace=*/true),
       .message = R"(triton-aot: error: --output-dir: '{dir}/out/b\.h' is a folder, and a file cannot replace it: )"
                  R"(remove it, or choose another path)"},
      {.label = "fatbin",
       .setup = Folder("out/b/copy.large.fatbin", /*replace=*/true),
       .message = R"(triton-aot: error: --output-dir: '{dir}/out/b/copy\.large\.fatbin' is a folder, and a file )"
                  R"(cannot replace it: remove it, or choose another path)",
       .reaches_python = true}}},
    {"CacheFolderIsAFile",
     {{.label = "file",
       .setup = [](const fs::path& dir) { WriteText(dir / "cache", "a file where the cache should be\n"); },
       .message = R"(triton-aot: error: --cache-dir: cannot create the kernel cache folder '{dir}/cache/v1': )"
                  R"('{dir}/cache' is a file; a file is in the way of that path: move it, or choose another folder)"}}},
};

INSTANTIATE_TEST_SUITE_P(FileInTheWay, HostileInputTest, ::testing::ValuesIn(kFilesInTheWay),
                         [](const ::testing::TestParamInfo<HostileCase>& info) { return info.param.name; });

// Every number the driver reads, out of its range: one message naming the
// option, the value and the range, before anything starts.
std::vector<Attempt> OutOfRange(const std::string& option, const std::vector<std::string>& values,
                                const std::string& range, const std::string& command = "compile") {
  std::vector<Attempt> attempts;
  for (const std::string& value : values) {
    Attempt attempt{.label = option + "=" + value,
                    .message = "triton-aot: error: " + RegexEscape(option) + ": (architecture )?'" + RegexEscape(value) +
                               "' " + range};
    if (command == "report") {
      attempt.report = {"{dir}/logs/timing.jsonl", option + "=" + value};
    } else {
      attempt.options = {{option, value}};
    }
    attempts.push_back(std::move(attempt));
  }
  return attempts;
}

const HostileCase kNumbersOutOfRange[] = {
    {"LoadTimeout",
     OutOfRange("--load-timeout", {"-1", "0", "0.05", "18446744073709551616", "ten", "", "nan", "inf"},
                R"(is not a number of seconds from 0\.1 to 86400 \(CMake: TRITON_AOT_LOAD_TIMEOUT\))")},
    {"ServiceIdleTimeout",
     OutOfRange("--service-idle-timeout", {"-1", "0", "1.5", "604801", "18446744073709551616", "ten", ""},
                R"(is not a whole number of seconds from 1 to 604800 \(CMake: TRITON_AOT_SERVICE_IDLE_TIMEOUT\))")},
    {"CacheSize",
     OutOfRange("--cache-size", {"-1", "18446744073709551616", "ten", ""},
                R"(is (not|too large) a size: write a whole number of bytes, optionally followed by K, M or G)")},
    {"Arch",
     OutOfRange("--arch", {"sm_0", "-90", "sm_99999", "18446744073709551616", "ten", ""},
                R"((is not a GPU architecture: write a compute capability from 75 to 999|is not a compute )"
                R"(capability \(none has more than three digits\): use one from 75 to 999|is older than Triton )"
                R"(supports: use 75 or newer))")},
    {"ReportTop",
     OutOfRange("--top", {"-1", "1000001", "18446744073709551616", "ten", ""}, R"(is not a count from 0 to 1000000)",
                "report")},
};

INSTANTIATE_TEST_SUITE_P(NumberOutOfRange, HostileInputTest, ::testing::ValuesIn(kNumbersOutOfRange),
                         [](const ::testing::TestParamInfo<HostileCase>& info) { return info.param.name; });

// Bytes that are not UTF-8 where they only pass through Python: the
// environment (which a worker of the compile service takes from the edge's
// greeting), the folders of the home, the temporary files, the service and
// the cache, the interpreter's path, and the edge's working folder. Python
// gets them exactly, and the build simply works.
TEST(NotUtf8PassThroughTest, EnvironmentFoldersInterpreterAndWorkingFolderThatAreNotUtf8Work) {
  if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
  TempDir dir;
  const fs::path odd = dir.path() / kNotUtf8;
  for (const char* folder : {"home", "tmp", "run", "cache", "work"}) fs::create_directories(odd / folder);
  for (const char* folder : {"run", "cache"}) fs::permissions(odd / folder, fs::perms::owner_all, fs::perm_options::replace);
  WriteText(odd / "python", "#!/bin/sh\nexec \"" + TestPython() + "\" \"$@\"\n");
  MakeExecutable(odd / "python");
  const KernelProject project(dir.path() / "src", dir.path() / "build");
  // The module fails to import unless Python got the variable's bytes.
  WriteText(project.source_dir() / "b.py",
            "import os\nif os.environb.get(b'ODD') != b'x\\xe9y':\n    raise RuntimeError('ODD is %r' % "
            "os.environb.get(b'ODD'))\n" + std::string(kTwoVariantsModule));
  project.WriteCMakeLists("MODULES b.py ARCHITECTURES 90 NAMESPACE k");
  ProcessResult configured =
      project.Configure((odd / "python").string(), {"-DTRITON_AOT_CACHE_DIR=" + (odd / "cache").string()});
  ASSERT_TRUE(configured.Succeeded()) << configured.output;
  ProcessOptions environment;
  environment.env = {{"HOME", (odd / "home").string()}, {"TMPDIR", (odd / "tmp").string()},
                     {"XDG_RUNTIME_DIR", (odd / "run").string()}, {"ODD", "x\xe9y"}};
  const std::string service_folder = (odd / "run" / "triton-aot").string();
  ProcessResult built = project.Build({}, environment);
  EXPECT_TRUE(built.Succeeded()) << built.output;
  EXPECT_EQ(ListFiles(project.generated_dir()),
            (std::vector<std::string>{"b.cpp", "b.d", "b.h", "b.json", "b/copy.large.fatbin", "b/copy.small.fatbin"}));
  EXPECT_NE(ReadText(project.build_dir() / "triton_aot_timing.jsonl").find("\"compiler\":\"service\""),
            std::string::npos)
      << "the compile service compiled";
  EXPECT_NE(ListFiles(odd / "cache"), std::vector<std::string>{}) << "the artifact cache holds the kernels";
  // The working folder: outputs relative to it, written by the service's
  // worker, which works in the edge's folder.
  std::map<std::string, std::string> options = PlainCompileOptions("out");
  options.erase("--no-service");
  options["--build-tree"] = project.build_dir().string();
  options["--python"] = (odd / "python").string();
  options["-v"] = "";
  // The build's own tools: the metadata names the path the toolkit was found by.
  for (const auto& [option, name] : {std::pair{"--toolkit-ptxas", "TRITON_AOT_TOOLKIT_PTXAS"},
                                     std::pair{"--fatbinary", "TRITON_AOT_FATBINARY"}}) {
    options.erase(option);
    if (const std::string value = CMakeCacheValue(project.build_dir(), name); !value.empty()) options[option] = value;
  }
  ProcessResult direct =
      testing::Run(DriverCompileCommand(project.source_dir() / "b.py", options), (odd / "work").string(), environment);
  EXPECT_TRUE(direct.Succeeded()) << direct.output;
  EXPECT_NE(direct.output.find("by a worker of the compile service"), std::string::npos) << direct.output;
  std::map<std::string, std::string> built_outputs = ReadTree(project.generated_dir());
  built_outputs.erase("b.d");
  EXPECT_EQ(TreeDifference(ReadTree(odd / "work" / "out"), built_outputs), "") << "the same bytes as the build's";
  std::string what, err;
  EXPECT_TRUE(StopService(service_folder, project.build_dir().string(), &what, &err)) << err;
  EXPECT_NE(what.find("stopped the compile service"), std::string::npos) << what;
}

}  // namespace
}  // namespace triton_aot::testing

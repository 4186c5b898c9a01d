// Things that run at the same time and share something: two builds of one
// source tree, and many edges appending to one timing log. Nothing one of
// them writes may be torn, mixed with another's, or lost.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "depfile.h"
#include "kernel_project.h"
#include "sample_modules.h"
#include "subprocess.h"
#include "test_support.h"
#include "timing_log.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const char* kTwoKernels = R"src(import triton
import triton.language as tl


@triton.jit
def scale(x_ptr, factor, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.store(x_ptr + offsets, tl.load(x_ptr + offsets, mask=mask) * factor, mask=mask)


@triton.jit
def negate(x_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.store(x_ptr + offsets, -tl.load(x_ptr + offsets, mask=mask), mask=mask)


TRITON_AOT_KERNELS = [
    {"kernel": "scale", "signature": {"x_ptr": "*fp32:16", "factor": "fp32", "n": "i32"},
     "constexprs": {"BLOCK": 512}, "grid": ["cdiv(n, BLOCK)"]},
    {"kernel": "negate", "signature": {"x_ptr": "*bf16", "n": "i32"},
     "constexprs": {"BLOCK": 256}, "grid": ["cdiv(n, BLOCK)"]},
]
)src";

// (module, kernel, variant, arch) of one timing-log line.
using CompileKey = std::tuple<std::string, std::string, std::string, std::string>;

// What the test modules compile for ARCHITECTURES 90, sorted.
const std::vector<CompileKey> kExpectedCompiles = {
    {"a", "double_it", "default", "sm_90a"},
    {"b", "copy", "large", "sm_90a"},
    {"b", "copy", "small", "sm_90a"},
    {"c", "negate", "default", "sm_90a"},
    {"c", "scale", "default", "sm_90a"},
};

const std::vector<std::string> kExpectedArtifacts = {
    "a.cpp", "a.d", "a.h", "a.json", "a/double_it.default.fatbin",
    "b.cpp", "b.d", "b.h", "b.json", "b/copy.large.fatbin", "b/copy.small.fatbin",
    "c.cpp", "c.d", "c.h", "c.json", "c/negate.default.fatbin", "c/scale.default.fatbin",
};

// A build started on another thread, with when it ran.
struct TimedBuild {
  ProcessResult result;
  Clock::time_point start, end;
};

std::future<TimedBuild> StartBuild(const KernelProject& project) {
  return std::async(std::launch::async, [project] {
    TimedBuild build;
    build.start = Clock::now();
    build.result = project.Build();
    build.end = Clock::now();
    return build;
  });
}

class ConcurrencyTest : public ::testing::Test {
 protected:
  // Every line of the timing log `path` must be a valid JSON record of a
  // successful compile, and together they must be exactly `expected`.
  static void ExpectTimingLog(const fs::path& path, const std::vector<CompileKey>& expected) {
    const std::string text = ReadText(path);
    ASSERT_FALSE(text.empty()) << path << " is missing or empty";
    EXPECT_EQ(text.back(), '\n') << path << " ends in the middle of a line";
    std::vector<CompileKey> compiles;
    size_t line_number = 0;
    for (size_t begin = 0; begin < text.size();) {
      const size_t end = std::min(text.find('\n', begin), text.size());
      const std::string line = text.substr(begin, end - begin);
      begin = end + 1;
      ++line_number;
      const nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
      if (record.is_discarded() || !record.is_object()) {
        ADD_FAILURE() << path << ":" << line_number << " is not a JSON object: " << line;
        continue;
      }
      EXPECT_EQ(record.value("status", ""), "ok") << path << ":" << line_number << ": " << line;
      // Each build has a cache of its own: both compiled for real.
      EXPECT_EQ(record.value("cache", ""), "miss") << path << ":" << line_number << ": " << line;
      compiles.emplace_back(record.value("module", ""), record.value("kernel", ""), record.value("variant", ""),
                            record.value("arch", ""));
    }
    std::sort(compiles.begin(), compiles.end());
    EXPECT_EQ(compiles, expected) << "the compiles logged in " << path << ":\n" << text;

    std::vector<TimingRecord> records;
    int bad_lines = -1;
    std::string err;
    ASSERT_TRUE(ReadTimingLog(path.string(), &records, &bad_lines, &err)) << err;
    EXPECT_EQ(bad_lines, 0) << text;
    EXPECT_EQ(records.size(), expected.size()) << text;
  }

  TempDir dir_;
};

TEST_F(ConcurrencyTest, TwoBuildsOfOneSourceTreeAtOnceGiveCompleteIdenticalOutputs) {
  if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
  const fs::path src = dir_.path() / "src";
  WriteSampleModules(src);
  WriteText(src / "kernels" / "c.py", kTwoKernels);
  const KernelProject first(src, dir_.path() / "build-one");
  const KernelProject second(src, dir_.path() / "build-two");
  first.WriteCMakeLists("MODULES kernels/a.py kernels/b.py kernels/c.py ARCHITECTURES 90 NAMESPACE ctest");
  for (const KernelProject* project : {&first, &second}) {
    ProcessResult configured = project->Configure(TestPython());
    ASSERT_TRUE(configured.Succeeded()) << configured.output;
  }
  // Both builds read this tree (and Python may want to cache bytecode next to
  // it); neither may change it.
  const std::map<std::string, std::string> sources = ReadTree(src);

  std::future<TimedBuild> first_build = StartBuild(first);
  std::future<TimedBuild> second_build = StartBuild(second);
  const TimedBuild one = first_build.get();
  const TimedBuild two = second_build.get();
  ASSERT_TRUE(one.result.Succeeded()) << "the first build failed:\n" << one.result.output;
  ASSERT_TRUE(two.result.Succeeded()) << "the second build failed:\n" << two.result.output;
  EXPECT_TRUE(one.start < two.end && two.start < one.end)
      << "the builds did not overlap, so this test did not test running them at the same time";

  EXPECT_EQ(ReadTree(src), sources) << "a build changed or added files in the source tree";
  for (const KernelProject* project : {&first, &second}) {
    SCOPED_TRACE(project->build_dir().string());
    EXPECT_EQ(ListFiles(project->generated_dir()), kExpectedArtifacts);
    EXPECT_EQ(TemporaryFiles(project->build_dir()), std::vector<std::string>{});
    ExpectTimingLog(project->build_dir() / "triton_aot_timing.jsonl", kExpectedCompiles);
  }

  // Same bytes out of both builds. A depfile names its own build folder's
  // output, so those are compared with that folder's path taken out.
  for (const std::string& name : kExpectedArtifacts) {
    std::string one_bytes = ReadText(first.generated_dir() / name);
    std::string two_bytes = ReadText(second.generated_dir() / name);
    if (fs::path(name).extension() == ".d") {
      one_bytes = ReplaceAll(one_bytes, EscapeDepfilePath(first.build_dir().string()), "<build>");
      two_bytes = ReplaceAll(two_bytes, EscapeDepfilePath(second.build_dir().string()), "<build>");
    }
    EXPECT_FALSE(one_bytes.empty()) << name << " is empty";
    EXPECT_EQ(one_bytes, two_bytes) << name << " differs between the two builds";
  }

  // Each depfile must name its own folder's outputs and the shared sources,
  // or the next build of one folder would see the other's files.
  for (const KernelProject* project : {&first, &second}) {
    ProcessResult again = project->Build();
    ASSERT_TRUE(again.Succeeded()) << again.output;
    EXPECT_NE(again.output.find("no work to do"), std::string::npos)
        << project->build_dir() << " is not up to date after its build:\n" << again.output;
  }
}

TEST_F(ConcurrencyTest, SixteenProcessesAppendingToOneTimingLogLoseAndTearNothing) {
  constexpr int kWriters = 16;
  constexpr int kLinesEach = 1000;
  const fs::path log = dir_.path() / "triton_aot_timing.jsonl";

  // Start every writer and let each say it is ready; then close all their
  // stdins at once, which is their signal to start appending.
  std::vector<std::unique_ptr<Child>> writers;
  for (int w = 0; w < kWriters; ++w) {
    auto child = std::make_unique<Child>();
    ProcessOptions options;
    options.stderr_path = dir_ / ("writer-" + std::to_string(w) + ".stderr");
    std::string err;
    ASSERT_TRUE(child->Start({TRITON_AOT_TIMING_LOG_APPENDER, log.string(), std::to_string(w),
                              std::to_string(kLinesEach), dir_ / ("writer-" + std::to_string(w) + ".ready")},
                             options, &err))
        << err;
    writers.push_back(std::move(child));
  }
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(60);
  for (int w = 0; w < kWriters; ++w) {
    while (!fs::exists(dir_ / ("writer-" + std::to_string(w) + ".ready")) && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  EXPECT_LT(Clock::now(), deadline) << "not every writer got ready within a minute; see their .stderr files";
  for (auto& writer : writers) writer->CloseStdin();
  for (int w = 0; w < kWriters; ++w) {
    ProcessResult result;
    writers[w]->Wait(&result);
    EXPECT_TRUE(result.Succeeded()) << "writer " << w << ": " << result.Describe() << "\n"
                                    << ReadText(dir_ / ("writer-" + std::to_string(w) + ".stderr"));
  }

  const std::string text = ReadText(log);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n') << "the log ends in the middle of a line";
  std::map<std::pair<int, int>, int> seen;  // (writer, seq) -> times
  std::vector<int> last_seq(kWriters, -1);
  int lines = 0, long_lines = 0, writer_changes = 0, previous_writer = -1, bad = 0;
  for (size_t begin = 0; begin < text.size();) {
    const size_t end = std::min(text.find('\n', begin), text.size());
    const std::string line = text.substr(begin, end - begin);
    begin = end + 1;
    ++lines;
    long_lines += line.size() > 4096 ? 1 : 0;
    // Report the first few broken lines in full; more would drown the output.
    auto broken = [&](const std::string& why) {
      if (++bad <= 5) ADD_FAILURE() << "line " << lines << ": " << why << ":\n" << line;
    };
    const nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_discarded() || !record.is_object()) {
      broken("not a JSON object");
      continue;
    }
    const std::string module = record.value("module", ""), variant = record.value("variant", "");
    int writer = -1, seq = -1;
    if (std::sscanf(module.c_str(), "writer-%d", &writer) != 1 || std::sscanf(variant.c_str(), "seq-%d", &seq) != 1 ||
        writer < 0 || writer >= kWriters || seq < 0 || seq >= kLinesEach) {
      broken("no known writer and sequence number");
      continue;
    }
    // The kernel name is copies of one piece, and its length is compile_us.
    const std::string piece = "w" + std::to_string(writer) + "s" + std::to_string(seq) + ".";
    const std::string kernel = record.value("kernel", "");
    std::string copies;
    while (copies.size() < kernel.size()) copies += piece;
    if (kernel.empty() || kernel != copies ||
        record.value("compile_us", int64_t{-1}) != static_cast<int64_t>(kernel.size())) {
      broken("its kernel name is not what writer " + std::to_string(writer) + " wrote");
    }
    const std::string ptxas = record.value("ptxas", "");
    if (ptxas.rfind("/opt/cuda-", 0) != 0 || !ptxas.ends_with("/bin/ptxas")) broken("its ptxas path is cut");
    ++seen[{writer, seq}];
    // One writer's batches land in the order it wrote them.
    if (seq <= last_seq[writer]) broken("writer " + std::to_string(writer) + "'s lines are out of order");
    last_seq[writer] = seq;
    writer_changes += writer != previous_writer ? 1 : 0;
    previous_writer = writer;
  }
  EXPECT_EQ(bad, 0) << "lines that are broken, mixed or from nowhere (the first 5 are shown above)";
  EXPECT_EQ(lines, kWriters * kLinesEach);
  int missing = 0, repeated = 0;
  for (int w = 0; w < kWriters; ++w) {
    for (int s = 0; s < kLinesEach; ++s) {
      const auto it = seen.find({w, s});
      if (it == seen.end()) {
        if (++missing <= 5) ADD_FAILURE() << "writer " << w << ", line " << s << " is missing";
      } else if (it->second != 1) {
        if (++repeated <= 5) ADD_FAILURE() << "writer " << w << ", line " << s << ": " << it->second << " copies";
      }
    }
  }
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(repeated, 0);
  // Every 50th line of each writer is longer than 4 KiB: check that they were.
  EXPECT_EQ(long_lines, kWriters * kLinesEach / 50);
  // Writers that ran one after the other would change 15 times; the point of
  // the test is that they ran at once.
  EXPECT_GT(writer_changes, kWriters) << "the writers did not overlap";
  RecordProperty("writer_changes", writer_changes);

  std::vector<TimingRecord> records;
  int bad_lines = -1;
  std::string err;
  ASSERT_TRUE(ReadTimingLog(log.string(), &records, &bad_lines, &err)) << err;
  EXPECT_EQ(bad_lines, 0);
  EXPECT_EQ(records.size(), static_cast<size_t>(kWriters * kLinesEach));
}

}  // namespace
}  // namespace triton_aot::testing

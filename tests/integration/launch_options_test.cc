// Each launch option of a variant (num_warps, num_stages, num_ctas, maxnreg)
// reaches Triton's compiler: the PTX and Triton's metadata say so. A driver
// that dropped one would still build, and its cache and clean builds would
// agree with each other; only the compiled kernel shows it.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "kernel_project.h"
#include "test_support.h"

namespace triton_aot::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A pipelined loop of loads: more stages need more shared memory.
const char* kModule = R"src(import triton
import triton.language as tl


@triton.jit
def matmul(a_ptr, b_ptr, c_ptr, K, BLOCK: tl.constexpr, BK: tl.constexpr):
    rm = tl.arange(0, BLOCK)
    rk = tl.arange(0, BK)
    acc = tl.zeros((BLOCK, BLOCK), dtype=tl.float32)
    for k in range(0, K, BK):
        a = tl.load(a_ptr + rm[:, None] * K + (k + rk)[None, :])
        b = tl.load(b_ptr + (k + rk)[:, None] * BLOCK + rm[None, :])
        acc += tl.dot(a, b)
    tl.store(c_ptr + rm[:, None] * BLOCK + rm[None, :], acc)


TRITON_AOT_KERNELS = [
    {"kernel": "matmul",
     "signature": {"a_ptr": "*fp16:16", "b_ptr": "*fp16:16", "c_ptr": "*fp32:16", "K": "i32:16"},
     "constexprs": {"BLOCK": 64, "BK": 32},
     "grid": [1],
     "variants": [
         {"name": "plain", "num_stages": 2},
         {"name": "deeper", "num_stages": 4},
         {"name": "options", "num_warps": 2, "num_stages": 2, "num_ctas": 2, "maxnreg": 128},
     ]},
]
)src";

TEST(LaunchOptionsTest, EachOptionOfAVariantReachesTriton) {
  if (TestPython().empty()) GTEST_SKIP() << "no Python with Triton was found when this build was configured";
  const std::string cuobjdump = Cuobjdump();
  if (cuobjdump.empty()) GTEST_SKIP() << "no cuobjdump in the CUDA toolkit or Triton's wheel";
  TempDir dir;
  WriteText(dir.path() / "src" / "kernels.py", kModule);
  const fs::path out = dir.path() / "out";
  const ProcessResult built = testing::Run(DriverCompileCommand(dir.path() / "src" / "kernels.py", PlainCompileOptions(out)));
  ASSERT_TRUE(built.Succeeded()) << built.output;

  // Triton's own metadata, per variant (for the one arch).
  std::map<std::string, json> compiled;
  const json metadata = json::parse(ReadText(out / "kernels.json"));
  for (const json& variant : metadata["kernels"][0]["variants"]) {
    compiled[variant["name"].get<std::string>()] = variant["archs"][0];
  }
  ASSERT_EQ(compiled.size(), 3u);
  EXPECT_EQ(compiled["plain"]["num_warps"], 4);
  EXPECT_EQ(compiled["options"]["num_warps"], 2);
  EXPECT_GT(compiled["deeper"]["shared"].get<int>(), compiled["plain"]["shared"].get<int>())
      << "num_stages 4 needs more shared memory than 2";

  const auto ptx = [&](const std::string& variant) {
    const ProcessResult dumped = testing::Run({cuobjdump, "-ptx", (out / "kernels" / ("matmul." + variant + ".fatbin")).string()});
    EXPECT_TRUE(dumped.Succeeded()) << dumped.output;
    return dumped.output;
  };
  const std::string options = ptx("options"), plain = ptx("plain");
  EXPECT_NE(options.find(".maxnreg 128"), std::string::npos) << options.substr(0, 2000);
  EXPECT_EQ(plain.find(".maxnreg"), std::string::npos) << plain.substr(0, 2000);
  EXPECT_NE(options.find(".reqntid 64"), std::string::npos) << options.substr(0, 2000);  // 2 warps
  EXPECT_NE(options.find(".reqnctapercluster 2"), std::string::npos) << options.substr(0, 2000);
  EXPECT_EQ(plain.find(".reqnctapercluster"), std::string::npos) << plain.substr(0, 2000);
}

}  // namespace
}  // namespace triton_aot::testing

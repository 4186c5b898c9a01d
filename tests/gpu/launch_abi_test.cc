// The launch ABI check on real kernels: every compiled variant of the
// examples' and the GPU tests' modules takes the parameters the runtime
// packs (as the driver reports them), and a table that says otherwise is
// refused before anything runs. Skips, saying why, where there is no GPU.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <iterator>
#include <string>
#include <vector>

#include <gpu_test_kernels/alignment.h>
#include <gpu_test_kernels/autotune_buffers.h>
#include <matmul_kernels/matmul.h>
#include <softmax_kernels/softmax.h>
#include <vector_add_kernels/vector_add.h>

#include "cuda_driver.h"
#include "launch_abi.h"
#include "require_gpus.h"

namespace {

using triton_aot::KernelImage;
namespace internal = triton_aot::internal;

struct VariantTable {
  const KernelImage* variants;
  std::size_t count;
};

// The runtime's own driver table, and a reason to skip where it cannot check.
const internal::CudaDriver* CheckingDriver(std::string* why) {
  const internal::CudaDriver* driver = internal::GetDriver(why);
  if (driver && !driver->cuFuncGetParamInfo) {
    *why = "the CUDA driver (" + std::to_string(driver->version) +
           ") has no cuFuncGetParamInfo (CUDA 12.4+), so the runtime skips the check there";
    return nullptr;
  }
  return driver;
}

TEST(GpuLaunchAbi, EveryCompiledVariantTakesWhatTheRuntimePacks) {
  REQUIRE_GPUS(1);
  std::string why;
  const internal::CudaDriver* driver = CheckingDriver(&why);
  if (!driver) GTEST_SKIP() << why;
  const VariantTable tables[] = {
      {examples::vector_add::axpy_variants, std::size(examples::vector_add::axpy_variants)},
      {examples::softmax::softmax_variants, std::size(examples::softmax::softmax_variants)},
      {examples::matmul::matmul_variants, std::size(examples::matmul::matmul_variants)},
      {gpu_test::alignment::copy_bytes_variants, std::size(gpu_test::alignment::copy_bytes_variants)},
      {gpu_test::autotune_buffers::accumulate_variants, std::size(gpu_test::autotune_buffers::accumulate_variants)},
      {gpu_test::autotune_buffers::scale_in_place_variants,
       std::size(gpu_test::autotune_buffers::scale_in_place_variants)}};
  std::size_t checked = 0;
  for (const VariantTable& table : tables) {
    for (std::size_t i = 0; i < table.count; ++i) {
      const KernelImage& image = table.variants[i];
      const std::string what = std::string(image.kernel) + " [" + image.variant + "]";
      ASSERT_NE(image.arg_bytes, nullptr) << what << ": generated code fills arg_bytes";
      CUmodule module = nullptr;
      ASSERT_EQ(driver->cuModuleLoadData(&module, image.fatbin), CUDA_SUCCESS) << what;
      CUfunction function = nullptr;
      ASSERT_EQ(driver->cuModuleGetFunction(&function, module, image.entry), CUDA_SUCCESS) << what;
      const triton_aot::Status status = internal::CheckLaunchAbi(driver, image, function);
      EXPECT_TRUE(status.ok()) << what << ": " << status.message();
      // The check compared something: the driver knows the last packed parameter.
      std::size_t offset = 0, size = 0;
      const std::size_t last = internal::PackedLayout(image).size() - 1;
      EXPECT_EQ(driver->cuFuncGetParamInfo(function, last, &offset, &size), CUDA_SUCCESS) << what;
      EXPECT_EQ(size, internal::kHiddenPointerBytes) << what << ": the profile scratch pointer";
      driver->cuModuleUnload(module);
      ++checked;
    }
  }
  // 2 axpy, 2 softmax, 8 matmul, 2 copy_bytes, and 3 configs of each of the two autotune_buffers kernels.
  EXPECT_EQ(checked, 20u);
}

// alpha declared a double, as triton.tools.compile's launchers do: the kernel
// would read it as 0 (triton-facts.md); the runtime refuses to launch it.
TEST(GpuLaunchAbi, AxpyWithAlphaPassedAsADoubleIsRefusedBeforeItRuns) {
  REQUIRE_GPUS(1);
  std::string why;
  if (!CheckingDriver(&why)) GTEST_SKIP() << why;
  const std::uint8_t double_alpha[] = {8, 8, 8, 8, 4};
  std::vector<KernelImage> variants(std::begin(examples::vector_add::axpy_variants),
                                    std::end(examples::vector_add::axpy_variants));
  for (KernelImage& image : variants) image.arg_bytes = double_alpha;
  triton_aot::Kernel kernel("test.axpy_double_alpha", variants.data(), variants.size());

  const int n = 4096;
  float* buffers[3] = {};
  for (float*& b : buffers) ASSERT_EQ(cudaMalloc(reinterpret_cast<void**>(&b), n * sizeof(float)), cudaSuccess);
  ASSERT_EQ(cudaMemset(buffers[2], 0xff, n * sizeof(float)), cudaSuccess);
  CUdeviceptr x = reinterpret_cast<CUdeviceptr>(buffers[0]), y = reinterpret_cast<CUdeviceptr>(buffers[1]),
              out = reinterpret_cast<CUdeviceptr>(buffers[2]);
  double alpha = 2.0;
  std::int32_t count = n;
  const triton_aot::ArgValue args[] = {triton_aot::ArgValue::Pointer(x), triton_aot::ArgValue::Pointer(y),
                                       triton_aot::ArgValue::Pointer(out), triton_aot::ArgValue::Other(),
                                       triton_aot::ArgValue::Integer(n)};
  void* const params[] = {&x, &y, &out, &alpha, &count};
  const triton_aot::grid::Dims grids[] = {{n / 1024, 1, 1}, {n / 1024, 1, 1}};
  const triton_aot::Status status = kernel.Launch(nullptr, args, params, nullptr, grids, nullptr, 0, {});
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_IMAGE);
  EXPECT_NE(status.message().find("test.axpy_double_alpha: variant 'aligned' on sm_"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("launch ABI mismatch at parameter 3 (alpha): expected offset 24, size 8, found "
                                  "offset 24, size 4"),
            std::string::npos)
      << status.message();
  // Nothing ran: the output is as it was.
  std::vector<unsigned> host(n);
  ASSERT_EQ(cudaMemcpy(host.data(), buffers[2], n * sizeof(float), cudaMemcpyDeviceToHost), cudaSuccess);
  EXPECT_EQ(host[0], 0xffffffffu);
  EXPECT_EQ(host[n - 1], 0xffffffffu);
  for (float* b : buffers) cudaFree(b);
  EXPECT_TRUE(kernel.Unload().ok());
}

}  // namespace

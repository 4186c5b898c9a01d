// Loading through Kernel::Launch against a fake driver: once per variant per
// context, the launch facts of the binary the driver picked, unloading, and
// what a failed load says.
#include "module_cache.h"

#include <gtest/gtest.h>

#include <string>

#include "fake_cuda_driver.h"
#include "runtime_test_kernels.h"

namespace triton_aot::testing {
namespace {

TEST(ModuleCacheTest, LoadsEachVariantOncePerContext) {
  FakeCudaDriver cuda;
  Kernel kernel("mod.k", kPlain, 2);
  LaunchOfK aligned{0x10000, 4096}, unaligned{0x10004, 4096};
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(aligned.Run(kernel).ok());
  EXPECT_EQ(cuda.loaded, (std::vector<const void*>{kAlignedFatbin}));
  ASSERT_TRUE(unaligned.Run(kernel).ok());
  ASSERT_TRUE(aligned.Run(kernel).ok());
  EXPECT_EQ(cuda.loaded, (std::vector<const void*>{kAlignedFatbin, kGenericFatbin}));
  cuda.context_id = 2;  // another device's context: its own modules
  ASSERT_TRUE(aligned.Run(kernel).ok());
  EXPECT_EQ(cuda.loaded, (std::vector<const void*>{kAlignedFatbin, kGenericFatbin, kAlignedFatbin}));
  EXPECT_EQ(cuda.Calls("cuLaunchKernel"), 6u);
}

TEST(ModuleCacheTest, LaunchesWithTheFactsOfTheCubinOrOfThePtx) {
  const struct {
    int capability;
    unsigned block;
  } cases[] = {{80, 128}, {90, 256}, {100, 256}};  // sm_100 runs the PTX, which is sm_90's
  for (const auto& c : cases) {
    FakeCudaDriver cuda;
    cuda.capability = c.capability;
    Kernel kernel("mod.k", kPlain, 2);
    ASSERT_TRUE((LaunchOfK{0x10000, 4096}.Run(kernel).ok()));
    ASSERT_EQ(cuda.launches.size(), 1u);
    EXPECT_EQ(cuda.launches[0].block, c.block) << "sm_" << c.capability;
  }
}

TEST(ModuleCacheTest, ALaunchAfterUnloadLoadsAgain) {
  FakeCudaDriver cuda;
  Kernel kernel("mod.k", kPlain, 2);
  LaunchOfK aligned{0x10000, 4096};
  ASSERT_TRUE(aligned.Run(kernel).ok());
  ASSERT_TRUE(aligned.Run(kernel).ok());  // the fast path: nothing loaded
  EXPECT_EQ(cuda.Calls("cuModuleLoadData"), 1u);
  ASSERT_TRUE(kernel.Unload().ok());
  EXPECT_EQ(cuda.Calls("cuModuleUnload"), 1u);
  EXPECT_EQ(cuda.Calls("cuCtxPushCurrent"), 1u);
  EXPECT_EQ(cuda.Calls("cuCtxPopCurrent"), 1u);
  ASSERT_TRUE(aligned.Run(kernel).ok());
  EXPECT_EQ(cuda.Calls("cuModuleLoadData"), 2u);
  EXPECT_EQ(cuda.Calls("cuLaunchKernel"), 3u);
  ASSERT_TRUE(UnloadAll().ok());
  EXPECT_EQ(cuda.Calls("cuModuleUnload"), 2u);
}

TEST(ModuleCacheTest, AFailedLoadNamesKernelVariantAndArchAndLaunchesNothing) {
  FakeCudaDriver cuda;
  cuda.capability = 75;
  cuda.load_result = CUDA_ERROR_NO_BINARY_FOR_GPU;
  Kernel kernel("mod.k", kPlain, 2);
  Status status = LaunchOfK{0x10000, 4096}.Run(kernel);
  EXPECT_EQ(status.code(), CUDA_ERROR_NO_BINARY_FOR_GPU);
  EXPECT_EQ(status.message(),
            "mod.k: cannot load variant 'aligned' on sm_75: cuModuleLoadData: CUDA_ERROR_NO_BINARY_FOR_GPU; the fatbin "
            "holds cubins for sm_80, sm_90 and the PTX of sm_90, none usable on sm_75: add 75 to the ARCHITECTURES of "
            "add_triton_kernels()");
  EXPECT_EQ(cuda.Calls("cuLaunchKernel"), 0u);
  // Nothing was kept: the next launch tries again.
  cuda.load_result = CUDA_SUCCESS;
  EXPECT_TRUE((LaunchOfK{0x10000, 4096}.Run(kernel).ok()));
  EXPECT_EQ(cuda.Calls("cuModuleLoadData"), 2u);
}

TEST(ModuleCacheTest, ADriverOlderThanThePtxasIsNamed) {
  FakeCudaDriver cuda;
  cuda.load_result = CUDA_ERROR_UNSUPPORTED_PTX_VERSION;
  const ArchLaunchInfo newer[] = {{90, false, 8, 1, 0, 0, 1, 0, 1, false, false, 13000}};
  const KernelImage images[] = {Image("aligned", kAlignedFatbin, kAligned, newer, 1)};
  Kernel kernel("mod.k", images, 1);
  Status status = LaunchOfK{0x10000, 4096}.Run(kernel);
  EXPECT_NE(status.message().find("the CUDA driver supports CUDA 12.8 but the kernels were built by ptxas 13.0"),
            std::string::npos)
      << status.message();
}

TEST(ModuleCacheTest, WithoutACurrentContextFailsAndSaysSo) {
  FakeCudaDriver cuda;
  cuda.context_current = false;
  Kernel kernel("mod.k", kPlain, 2);
  Status status = LaunchOfK{0x10000, 4096}.Run(kernel);
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_CONTEXT);
  EXPECT_EQ(status.message().rfind("mod.k: no CUDA context is current on this thread", 0), 0u) << status.message();
  EXPECT_TRUE(cuda.loaded.empty());
}

TEST(ModuleCacheTest, SharedMemoryAbove48KiBIsEnabledWhenLoaded) {
  FakeCudaDriver cuda;
  const ArchLaunchInfo big[] = {{90, false, 8, 1, 100000, 0, 1, 0, 1, false, false, 12080}};
  const KernelImage images[] = {Image("aligned", kAlignedFatbin, kAligned, big, 1)};
  Kernel kernel("mod.k", images, 1);
  ASSERT_TRUE((LaunchOfK{0x10000, 4096}.Run(kernel).ok()));
  ASSERT_EQ(cuda.function_attributes.size(), 1u);
  EXPECT_EQ(cuda.function_attributes[0].first, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES);
  EXPECT_EQ(cuda.function_attributes[0].second, 100000);
  EXPECT_EQ(cuda.launches.at(0).shared_bytes, 100000u);
  // 48 KiB and less need nothing.
  Kernel small("mod.k", kPlain, 2);
  ASSERT_TRUE((LaunchOfK{0x10000, 4096}.Run(small).ok()));
  EXPECT_EQ(cuda.function_attributes.size(), 1u);
}

}  // namespace
}  // namespace triton_aot::testing

// The launch path against a fake driver: the variant the arguments choose,
// the parameters passed, scratch memory, and the launch attributes Triton
// compiled for.
#include "launch.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fake_cuda_driver.h"
#include "runtime_test_kernels.h"

namespace triton_aot::testing {
namespace {

TEST(KernelLaunchTest, RunsTheVariantTheArgumentsChoose) {
  FakeCudaDriver cuda;
  Kernel kernel("mod.k", kPlain, 2);
  ASSERT_TRUE((LaunchOfK{0x10000, 4096}.Run(kernel).ok()));
  ASSERT_TRUE((LaunchOfK{0x10004, 4096}.Run(kernel).ok()));
  ASSERT_TRUE((LaunchOfK{0x10000, 4097}.Run(kernel).ok()));
  LaunchOfK forced{0x10000, 4096};
  forced.options.variant = "generic";
  ASSERT_TRUE(forced.Run(kernel).ok());
  ASSERT_EQ(cuda.launches.size(), 4u);
  EXPECT_EQ(cuda.launches[0].fatbin, kAlignedFatbin);
  EXPECT_EQ(cuda.launches[1].fatbin, kGenericFatbin);
  EXPECT_EQ(cuda.launches[2].fatbin, kGenericFatbin);
  EXPECT_EQ(cuda.launches[3].fatbin, kGenericFatbin);
}

TEST(KernelLaunchTest, PassesTheArgumentsThenTheScratchPointers) {
  FakeCudaDriver cuda;
  cuda.params_per_launch = 4;
  Kernel kernel("mod.k", kPlain, 2);
  LaunchOfK launch{0x10000, 4096, {3, 2, 1}};
  ASSERT_TRUE(launch.Run(kernel).ok());
  ASSERT_EQ(cuda.launches.size(), 1u);
  const FakeCudaDriver::Launch& sent = cuda.launches[0];
  EXPECT_EQ(sent.params[0], &launch.x_ptr);
  EXPECT_EQ(sent.params[1], &launch.n);
  EXPECT_EQ(sent.scratch[0], 0u);  // no scratch: null pointers
  EXPECT_EQ(sent.scratch[1], 0u);
  EXPECT_EQ(std::vector<unsigned>(sent.grid, sent.grid + 3), (std::vector<unsigned>{3, 2, 1}));
  EXPECT_TRUE(cuda.allocations.empty());
}

TEST(KernelLaunchTest, AnArgumentCompiledInAsOneIsNotPassed) {
  FakeCudaDriver cuda;
  cuda.params_per_launch = 3;
  const KernelImage images[] = {Image("n_is_1", kAlignedFatbin, kNIsOne), Image("generic", kGenericFatbin, kGeneric)};
  Kernel kernel("mod.k", images, 2);
  LaunchOfK launch{0x10000, 1};
  ASSERT_TRUE(launch.Run(kernel).ok());
  EXPECT_EQ(cuda.launches.at(0).fatbin, kAlignedFatbin);
  EXPECT_EQ(cuda.launches.at(0).params[0], &launch.x_ptr);
}

TEST(KernelLaunchTest, AllocatesScratchPerProgramAndFreesItAfterTheLaunch) {
  FakeCudaDriver cuda;
  cuda.params_per_launch = 4;
  const ArchLaunchInfo scratch[] = {{90, false, 4, 1, 0, 256, 16, 64, 8, false, false, 12080}};
  const KernelImage images[] = {Image("aligned", kAlignedFatbin, kAligned, scratch, 1)};
  Kernel kernel("mod.k", images, 1);
  ASSERT_TRUE((LaunchOfK{0x10000, 4096, {3, 2, 1}}.Run(kernel).ok()));
  EXPECT_EQ(cuda.allocations, (std::vector<std::size_t>{6 * 256, 6 * 64}));
  EXPECT_EQ(cuda.frees, 2u);
  EXPECT_EQ(cuda.launches.at(0).scratch[0], 0x100000u);  // global first, then profile
  EXPECT_EQ(cuda.launches.at(0).scratch[1], 0x200000u);
  // A failed launch frees them too, and says which variant failed.
  cuda.launch_result = CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
  Status status = LaunchOfK{0x10000, 4096}.Run(kernel);
  EXPECT_EQ(status.code(), CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES);
  EXPECT_EQ(status.message(), "mod.k: cannot launch variant 'aligned': CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES");
  EXPECT_EQ(cuda.frees, 4u);
}

// The attributes cuLaunchKernelEx got, by id, for a variant with these facts.
std::vector<CUlaunchAttributeID> AttributesFor(unsigned ctas, bool cooperative, bool pdl, FakeCudaDriver& cuda) {
  const ArchLaunchInfo arch[] = {{90, false, 4, ctas, 0, 0, 1, 0, 1, cooperative, pdl, 12080}};
  const KernelImage images[] = {Image("aligned", kAlignedFatbin, kAligned, arch, 1)};
  Kernel kernel("mod.k", images, 1);
  cuda.launches.clear();
  EXPECT_TRUE((LaunchOfK{0x10000, 4096, {5, 1, 1}}.Run(kernel).ok()));
  std::vector<CUlaunchAttributeID> ids;
  if (cuda.launches.empty() || !cuda.launches[0].extended) return ids;
  for (const CUlaunchAttribute& a : cuda.launches[0].attributes) ids.push_back(a.id);
  return ids;
}

TEST(KernelLaunchTest, ClustersCooperativeAndPdlLaunchWithTheirAttributes) {
  FakeCudaDriver cuda;
  EXPECT_TRUE(AttributesFor(1, false, false, cuda).empty());
  EXPECT_FALSE(cuda.launches.at(0).extended);
  EXPECT_EQ(AttributesFor(2, false, false, cuda), std::vector<CUlaunchAttributeID>{CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION});
  EXPECT_EQ(cuda.launches.at(0).grid[0], 10u);  // blocks: programs times the cluster
  EXPECT_EQ(cuda.launches.at(0).attributes.at(0).value.clusterDim.x, 2u);
  EXPECT_EQ(AttributesFor(1, true, false, cuda), std::vector<CUlaunchAttributeID>{CU_LAUNCH_ATTRIBUTE_COOPERATIVE});
  EXPECT_EQ(cuda.launches.at(0).grid[0], 5u);
  EXPECT_EQ(AttributesFor(1, false, true, cuda),
            std::vector<CUlaunchAttributeID>{CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION});
  EXPECT_EQ(AttributesFor(2, true, true, cuda),
            (std::vector<CUlaunchAttributeID>{CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION, CU_LAUNCH_ATTRIBUTE_COOPERATIVE,
                                              CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION}));
}

TEST(KernelLaunchTest, AnEmptyGridLaunchesNothingAndANegativeOneIsAnError) {
  FakeCudaDriver cuda;
  Kernel kernel("mod.k", kPlain, 2);
  EXPECT_TRUE((LaunchOfK{0x10000, 4096, {0, 1, 1}}.Run(kernel).ok()));
  EXPECT_EQ(cuda.launches.size(), 0u);
  const Grid negative{-1, 1, 1};
  LaunchOfK launch{0x10000, 4096};
  launch.given = &negative;
  Status status = launch.Run(kernel);
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(status.message(), "mod.k: grid dimension x (as passed) is -1, less than 0");
  EXPECT_EQ(cuda.launches.size(), 0u);
}

TEST(KernelLaunchTest, TuningBuffersAreLeftAloneWhenNothingIsTuned) {
  FakeCudaDriver cuda;
  cuda.memory[0x10000].assign(4096, 5);
  const KernelImage tuned[] = {Image("config0", kAlignedFatbin, kAligned, kArchs, 2, 0),
                               Image("config1", kConfig1Fatbin, kAligned, kArchs, 2, 1)};
  const TuningBuffer zero_x[] = {{0, 4, true, false}};
  const grid::Int elements[] = {1024};
  Kernel kernel("mod.k", tuned, 2, zero_x, 1);
  LaunchOfK launch{0x10000, 4096};
  launch.buffer_elements = elements;
  // Autotuning off: the default config runs, on the buffer as it is.
  ASSERT_TRUE(launch.Run(kernel).ok());
  // On, but a config asked for: no tuning either.
  kernel.SetAutotune(true);
  launch.options.config = 1;
  ASSERT_TRUE(launch.Run(kernel).ok());
  EXPECT_EQ(cuda.stream, (std::vector<std::string>{"launch a1", "launch a3"}));
  EXPECT_EQ(cuda.memory.at(0x10000), std::vector<unsigned char>(4096, 5));
}

}  // namespace
}  // namespace triton_aot::testing

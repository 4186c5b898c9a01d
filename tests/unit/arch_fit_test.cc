// Autotune configs not built for an arch they do not fit: which arch serves
// a device, and that no launch on such a device picks them, whether the
// launcher chooses, the autotuner times, or the caller asks by config.
#include "arch_fit.h"

#include <gtest/gtest.h>

#include <vector>

#include "fake_cuda_driver.h"
#include "runtime_test_kernels.h"

namespace triton_aot::testing {
namespace {

using internal::BuiltFor;
using internal::OrdersByArch;
using internal::ServingArch;

inline const ArchLaunchInfo kSm80Only[] = {Arch(80, 4)};
inline const ArchLaunchInfo kSm90Only[] = {Arch(90, 8)};
inline const int kSkips80[] = {80}, kSkips90[] = {90};

// A config built for `archs`, skipping `skipped`.
KernelImage Config(const char* name, const unsigned char* fatbin, int config, const ArchLaunchInfo* archs,
                   std::size_t num_archs, const int* skipped = nullptr, std::size_t num_skipped = 0) {
  KernelImage image = Image(name, fatbin, kGeneric, archs, num_archs, config);
  image.skipped_archs = skipped;
  image.num_skipped_archs = num_skipped;
  return image;
}

TEST(ServingArchTest, TheNewestCubinOfTheDevicesMajorElseThePtxOfTheNewestArch) {
  const KernelImage both = Image("both", kGenericFatbin, kGeneric);
  EXPECT_EQ(ServingArch(both, 80), 80);
  EXPECT_EQ(ServingArch(both, 86), 80);
  EXPECT_EQ(ServingArch(both, 89), 80);
  EXPECT_EQ(ServingArch(both, 90), 90);
  EXPECT_EQ(ServingArch(both, 100), 90) << "the PTX of sm_90";
  EXPECT_EQ(ServingArch(both, 75), 0) << "older than every arch";
  const ArchLaunchInfo specific[] = {Arch(80, 4), {90, true, 8, 1, 0, 0, 1, 0, 1, false, false, 12080}};
  EXPECT_EQ(ServingArch(Image("a", kGenericFatbin, kGeneric, specific, 2), 90), 90);
}

TEST(ServingArchTest, SkippedArchsServeTheDevicesTheyWouldHaveServed) {
  const KernelImage skips80 = Config("c1", kConfig1Fatbin, 1, kSm90Only, 1, kSkips80, 1);
  EXPECT_EQ(ServingArch(skips80, 86), 80);
  EXPECT_FALSE(BuiltFor(skips80, 80));
  EXPECT_FALSE(BuiltFor(skips80, 86)) << "sm_86 runs sm_80's cubin, which this config lacks";
  EXPECT_TRUE(BuiltFor(skips80, 90));
  EXPECT_TRUE(BuiltFor(skips80, 120)) << "sm_90's PTX";

  const KernelImage skips90 = Config("c1", kConfig1Fatbin, 1, kSm80Only, 1, kSkips90, 1);
  EXPECT_TRUE(BuiltFor(skips90, 86));
  EXPECT_FALSE(BuiltFor(skips90, 90)) << "no sm_80 cubin runs on sm_90";
  EXPECT_FALSE(BuiltFor(skips90, 100)) << "no PTX: it was sm_90's";
  EXPECT_TRUE(BuiltFor(Image("plain", kGenericFatbin, kGeneric), 90));
}

TEST(OrdersByArchTest, EachDeviceGetsTheOrderWithoutWhatIsNotBuiltForIt) {
  const KernelImage configs[] = {Config("c0", kGenericFatbin, 0, kArchs, 2),
                                 Config("c1", kConfig1Fatbin, 1, kSm90Only, 1, kSkips80, 1)};
  const OrdersByArch orders(configs, {1, 0});
  EXPECT_TRUE(orders.any_skipped());
  EXPECT_EQ(orders.On(80), (std::vector<std::size_t>{0}));
  EXPECT_EQ(orders.On(90), (std::vector<std::size_t>{1, 0}));
  EXPECT_EQ(&orders.On(80), &orders.On(80)) << "kept per capability";
  const OrdersByArch plain(kPlain, {0, 1});
  EXPECT_FALSE(plain.any_skipped());
  EXPECT_EQ(plain.On(80), (std::vector<std::size_t>{0, 1}));
}

// c0 fits everywhere; c1 (the faster) does not fit sm_80.
const KernelImage kTunedSkipping80[] = {Config("c0", kGenericFatbin, 0, kArchs, 2),
                                        Config("c1", kConfig1Fatbin, 1, kSm90Only, 1, kSkips80, 1)};
const std::int64_t kKey[] = {4096};

TEST(ArchFitLaunchTest, TuningOnADeviceTimesOnlyTheConfigsBuiltForIt) {
  FakeCudaDriver cuda;
  cuda.milliseconds = {{kGenericFatbin, 2.0f}, {kConfig1Fatbin, 1.0f}};
  cuda.capability = 86;
  Kernel on_86("mod.tuned", kTunedSkipping80, 2);
  on_86.SetAutotune(true);
  ASSERT_TRUE((LaunchOfK{0x10000, 4096}.Run(on_86, kKey, 1)).ok());
  for (const FakeCudaDriver::Launch& launch : cuda.launches) EXPECT_EQ(launch.fatbin, kGenericFatbin);

  cuda.capability = 90;
  cuda.context_id = 2;
  cuda.launches.clear();
  Kernel on_90("mod.tuned90", kTunedSkipping80, 2);
  on_90.SetAutotune(true);
  ASSERT_TRUE((LaunchOfK{0x10000, 4096}.Run(on_90, kKey, 1)).ok());
  ASSERT_FALSE(cuda.launches.empty());
  EXPECT_EQ(cuda.launches.back().fatbin, kConfig1Fatbin) << "there the faster config runs";
}

TEST(ArchFitLaunchTest, TheDefaultConfigGivesWayOnADeviceItIsNotBuiltFor) {
  FakeCudaDriver cuda;
  cuda.capability = 80;
  Kernel kernel("mod.tuned", kTunedSkipping80, 2);
  kernel.SetDefaultConfig(1);  // c1: not built for sm_80
  ASSERT_TRUE((LaunchOfK{0x10000, 4096}.Run(kernel)).ok());
  ASSERT_EQ(cuda.launches.size(), 1u);
  EXPECT_EQ(cuda.launches[0].fatbin, kGenericFatbin) << "c0, the first config built for sm_80";
  cuda.capability = 90;
  cuda.context_id = 2;
  ASSERT_TRUE((LaunchOfK{0x10000, 4096}.Run(kernel)).ok());
  EXPECT_EQ(cuda.launches.back().fatbin, kConfig1Fatbin) << "on sm_90 the default config runs";
}

TEST(ArchFitLaunchTest, AskingForAConfigNotBuiltForTheDeviceSaysWhy) {
  FakeCudaDriver cuda;
  cuda.capability = 80;
  Kernel kernel("mod.tuned", kTunedSkipping80, 2);
  LaunchOfK launch{0x10000, 4096};
  launch.options.config = 1;
  const Status status = launch.Run(kernel);
  EXPECT_EQ(status.code(), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(status.message(),
            "mod.tuned: variant 'c1' is not built for sm_80: its config does not fit sm_80 (see 'triton-aot "
            "report'); ask for another config, or let the launcher choose");
  EXPECT_TRUE(cuda.launches.empty());
  cuda.capability = 90;
  cuda.context_id = 2;
  ASSERT_TRUE(launch.Run(kernel).ok()) << "on sm_90 it is there";
  EXPECT_EQ(cuda.launches.back().fatbin, kConfig1Fatbin);
}

}  // namespace
}  // namespace triton_aot::testing

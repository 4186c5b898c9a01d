// Choosing among a kernel's variants (runtime/src/variant_choice.h), over
// small variant tables built by hand.
#include "variant_choice.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace triton_aot::internal {
namespace {

using Order = std::vector<std::size_t>;

constexpr ArgHint kAny = ArgHint::kNone, k16 = ArgHint::kDivisibleBy16, kOne = ArgHint::kEqualToOne;

// Every table here is of a kernel k(x_ptr, n, stride).
const char* const kNames[] = {"x_ptr", "n", "stride"};
const ArgHint kAligned[] = {k16, k16, kOne};  // 3 hints
const ArgHint kUnitStride[] = {kAny, kAny, kOne};
const ArgHint kAlignedPtr[] = {k16, kAny, kAny};
const ArgHint kGeneric[] = {kAny, kAny, kAny};

KernelImage Image(const char* variant, const ArgHint* hints, int config = -1) {
  return KernelImage{"k", variant, "k", nullptr, 0, hints, kNames, nullptr, 3, nullptr, 0, config, "", nullptr};
}

// The arguments of one launch.
struct Args {
  ArgValue values[3];
  Args(std::int64_t x_ptr, std::int64_t n, std::int64_t stride)
      : values{ArgValue::Pointer(static_cast<CUdeviceptr>(x_ptr)), ArgValue::Integer(n), ArgValue::Integer(stride)} {}
  operator const ArgValue*() const { return values; }
};
const Args kAlignedArgs(0x7f0000000000, 1024, 1);
const Args kUnalignedArgs(0x7f0000000004, 1024, 1);
const Args kStridedArgs(0x7f0000000000, 1024, 2);

// Autotuned, two configs of an aligned and a generic pattern, interleaved.
const KernelImage kTuned[] = {Image("generic_config0", kGeneric, 0), Image("rowmajor_config0", kAligned, 0),
                              Image("generic_config1", kGeneric, 1), Image("rowmajor_config1", kAligned, 1)};
const Order kTunedOrder = SpecialisationOrder(kTuned, 4);

TEST(SameHintsTest, ComparesEveryHintAndTheArgumentCount) {
  EXPECT_TRUE(SameHints(Image("a", kAligned), Image("b", kAligned, 1)));
  EXPECT_FALSE(SameHints(Image("a", kAligned), Image("b", kUnitStride)));
  KernelImage fewer = Image("c", kAligned);
  fewer.num_args = 2;
  EXPECT_FALSE(SameHints(Image("a", kAligned), fewer));
  EXPECT_FALSE(SameHints(fewer, Image("a", kAligned)));
}

// Byte offsets from a multiple of 16 that break a ':16' promise, of every
// power of two below 16 and a few more.
const std::int64_t kOffsets[] = {1, 2, 4, 8, 3, 12, 15};

TEST(PromiseHoldsTest, DivisibleBy16HoldsOnlyAtMultiplesOf16) {
  for (std::int64_t base : {std::int64_t{0}, std::int64_t{0x7f0000000000}, std::int64_t{4096}, std::int64_t{-32}}) {
    EXPECT_TRUE(PromiseHolds(k16, ArgValue::Pointer(static_cast<CUdeviceptr>(base)))) << base;
    EXPECT_TRUE(PromiseHolds(k16, ArgValue::Integer(base))) << base;
    for (std::int64_t offset : kOffsets) {
      EXPECT_FALSE(PromiseHolds(k16, ArgValue::Pointer(static_cast<CUdeviceptr>(base + offset)))) << base << "+" << offset;
      EXPECT_FALSE(PromiseHolds(k16, ArgValue::Integer(base + offset))) << base << "+" << offset;
      EXPECT_FALSE(PromiseHolds(k16, ArgValue::Integer(base - offset))) << base << "-" << offset;
    }
  }
  // A pointer in the upper half of the address space is still a multiple of 16 or not.
  EXPECT_TRUE(PromiseHolds(k16, ArgValue::Pointer(0xfffffffffffffff0ull)));
  EXPECT_FALSE(PromiseHolds(k16, ArgValue::Pointer(0xfffffffffffffff8ull)));
}

TEST(PromiseHoldsTest, EqualToOneHoldsOnlyForOneAndNoHintAlwaysHolds) {
  EXPECT_TRUE(PromiseHolds(kOne, ArgValue::Integer(1)));
  for (std::int64_t value : {0, -1, 2, 17, 1 << 20}) EXPECT_FALSE(PromiseHolds(kOne, ArgValue::Integer(value))) << value;
  for (std::int64_t value : {0, 1, 3, 8, -5}) EXPECT_TRUE(PromiseHolds(kAny, ArgValue::Integer(value))) << value;
}

// The message and the launch path's check are the same decision.
TEST(PromiseHoldsTest, BrokenPromiseAndPromisesHoldAgreeAtEveryOffset) {
  for (const ArgHint* hints : {kAligned, kUnitStride, kAlignedPtr, kGeneric}) {
    const KernelImage image = Image("v", hints);
    for (std::int64_t offset : {std::int64_t{0}, std::int64_t{1}, std::int64_t{2}, std::int64_t{4}, std::int64_t{8}}) {
      for (std::int64_t stride : {1, 2}) {
        const Args args(0x7f0000000000 + offset, 1024 + offset, stride);
        EXPECT_EQ(PromisesHold(image, args), BrokenPromise(image, args).empty()) << offset << " " << stride;
      }
    }
  }
}

TEST(BrokenPromiseTest, EmptyWhenEveryHintHolds) {
  EXPECT_EQ(BrokenPromise(Image("aligned", kAligned), kAlignedArgs), "");
  EXPECT_EQ(BrokenPromise(Image("generic", kGeneric), Args(0x7f0000000003, -5, 0)), "");
  // 0 and negative multiples of 16 are divisible by 16, as in Triton.
  EXPECT_EQ(BrokenPromise(Image("aligned", kAligned), Args(0, -32, 1)), "");
}

TEST(BrokenPromiseTest, NamesTheArgumentThePromiseAndTheValue) {
  EXPECT_EQ(BrokenPromise(Image("aligned", kAligned), kUnalignedArgs), "x_ptr divisible by 16 (it is 0x7f0000000004)");
  EXPECT_EQ(BrokenPromise(Image("aligned", kAligned), Args(0x1000, 33, 1)), "n divisible by 16 (it is 33)");
  EXPECT_EQ(BrokenPromise(Image("aligned", kAligned), kStridedArgs), "stride equal to 1 (it is 2)");
  // The first broken one, in argument order.
  EXPECT_EQ(BrokenPromise(Image("aligned", kAligned), Args(0x1008, 33, 2)), "x_ptr divisible by 16 (it is 0x1008)");
}

TEST(SpecialisationOrderTest, MostHintsFirstTableOrderAmongEquals) {
  const KernelImage table[] = {Image("generic", kGeneric), Image("aligned_ptr", kAlignedPtr),
                               Image("aligned", kAligned), Image("unit_stride", kUnitStride)};
  EXPECT_EQ(SpecialisationOrder(table, 4), (Order{2, 1, 3, 0}));
  EXPECT_EQ(kTunedOrder, (Order{1, 3, 0, 2}));
  EXPECT_TRUE(SpecialisationOrder(table, 0).empty());
}

TEST(CandidatesTest, TheMostSpecialisedVariantWhosePromisesHold) {
  const KernelImage table[] = {Image("generic", kGeneric), Image("unit_stride", kUnitStride),
                               Image("aligned", kAligned)};
  const Order order = SpecialisationOrder(table, 3);
  std::string why;
  EXPECT_EQ(Candidates(table, std::size(table), order, kAlignedArgs, nullptr, &why), (Order{2}));
  EXPECT_EQ(Candidates(table, std::size(table), order, kUnalignedArgs, nullptr, &why), (Order{1}));
  EXPECT_EQ(Candidates(table, std::size(table), order, kStridedArgs, nullptr, &why), (Order{0}));
  EXPECT_EQ(why, "");
}

TEST(CandidatesTest, EqualHintCountsAreTriedInTableOrder) {
  const KernelImage table[] = {Image("aligned_ptr", kAlignedPtr), Image("unit_stride", kUnitStride)};
  const Order order = SpecialisationOrder(table, 2);
  std::string why;
  EXPECT_EQ(Candidates(table, std::size(table), order, kAlignedArgs, nullptr, &why), (Order{0}));
  EXPECT_EQ(Candidates(table, std::size(table), order, kUnalignedArgs, nullptr, &why), (Order{1}));
}

TEST(CandidatesTest, AutotunedKernelsGetEveryConfigOfThePatternThatHolds) {
  std::string why;
  EXPECT_EQ(Candidates(kTuned, std::size(kTuned), kTunedOrder, kAlignedArgs, nullptr, &why), (Order{1, 3}));
  EXPECT_EQ(Candidates(kTuned, std::size(kTuned), kTunedOrder, kUnalignedArgs, nullptr, &why), (Order{0, 2}));
  EXPECT_EQ(Candidates(kTuned, std::size(kTuned), kTunedOrder, kStridedArgs, nullptr, &why), (Order{0, 2}));
}

TEST(CandidatesTest, NoneAcceptsSaysWhichVariantNeedsWhatAndWhatToDo) {
  const KernelImage table[] = {Image("aligned", kAligned), Image("unit_stride", kUnitStride)};
  std::string why;
  EXPECT_TRUE(Candidates(table, 2, SpecialisationOrder(table, 2), kStridedArgs, nullptr, &why).empty());
  // The least specialised variant is the one that came closest.
  EXPECT_NE(why.find("no variant accepts these arguments"), std::string::npos) << why;
  EXPECT_NE(why.find("variant 'unit_stride' needs stride equal to 1 (it is 2)"), std::string::npos) << why;
  EXPECT_NE(why.find("add a variant without that hint"), std::string::npos) << why;
}

TEST(FindRequestedTest, ByName) {
  const KernelImage table[] = {Image("generic", kGeneric), Image("aligned", kAligned)};
  std::size_t index = 99;
  std::string why;
  const Order order = SpecialisationOrder(table, 2);
  ASSERT_TRUE(FindRequested(table, order, kAlignedArgs, nullptr, "generic", -1, &index, &why)) << why;
  EXPECT_EQ(index, 0u);
  ASSERT_TRUE(FindRequested(table, order, kAlignedArgs, nullptr, "aligned", -1, &index, &why)) << why;
  EXPECT_EQ(index, 1u);
}

TEST(FindRequestedTest, ByConfigTheMostSpecialisedVariantThatHolds) {
  std::size_t index = 99;
  std::string why;
  ASSERT_TRUE(FindRequested(kTuned, kTunedOrder, kAlignedArgs, nullptr, nullptr, 1, &index, &why)) << why;
  EXPECT_EQ(index, 3u);  // rowmajor_config1
  ASSERT_TRUE(FindRequested(kTuned, kTunedOrder, kUnalignedArgs, nullptr, nullptr, 1, &index, &why)) << why;
  EXPECT_EQ(index, 2u);  // generic_config1
  ASSERT_TRUE(FindRequested(kTuned, kTunedOrder, kAlignedArgs, nullptr, nullptr, 0, &index, &why)) << why;
  EXPECT_EQ(index, 1u);  // rowmajor_config0
}

TEST(FindRequestedTest, ANameWhosePromiseIsBrokenSaysWhy) {
  std::size_t index = 99;
  std::string why;
  EXPECT_FALSE(FindRequested(kTuned, kTunedOrder, kUnalignedArgs, nullptr, "rowmajor_config0", -1, &index, &why));
  EXPECT_EQ(why, "variant 'rowmajor_config0' needs x_ptr divisible by 16 (it is 0x7f0000000004)");
  EXPECT_EQ(index, 99u);
}

TEST(FindRequestedTest, AConfigNoVariantOfWhichHoldsSaysWhy) {
  const KernelImage table[] = {Image("rowmajor_config0", kAligned, 0), Image("rowmajor_config1", kAligned, 1)};
  std::size_t index = 99;
  std::string why;
  EXPECT_FALSE(FindRequested(table, SpecialisationOrder(table, 2), kStridedArgs, nullptr, nullptr, 1, &index, &why));
  EXPECT_EQ(why, "config 1 needs stride equal to 1 (it is 2)");
}

TEST(FindRequestedTest, UnknownNamesAndConfigsListTheVariants) {
  std::size_t index = 99;
  std::string why;
  EXPECT_FALSE(FindRequested(kTuned, kTunedOrder, kAlignedArgs, nullptr, "config7", -1, &index, &why));
  EXPECT_EQ(why, "there is no variant 'config7'; the variants are: rowmajor_config0, rowmajor_config1, "
                 "generic_config0, generic_config1");
  EXPECT_FALSE(FindRequested(kTuned, kTunedOrder, kAlignedArgs, nullptr, nullptr, 7, &index, &why));
  EXPECT_EQ(why.rfind("there is no config 7; the variants are: rowmajor_config0", 0), 0u) << why;
  EXPECT_EQ(index, 99u);
}

TEST(PackParametersTest, DropsArgumentsCompiledInAsOneAndAppendsTheScratchPointers) {
  int x = 0, n = 0, stride = 0, global = 0, profile = 0;
  void* const params[] = {&x, &n, &stride};
  void* packed[3 + 2] = {};
  // kAligned: stride is ":1", so the kernel has no parameter for it.
  EXPECT_EQ(PackParameters(Image("aligned", kAligned), params, &global, &profile, packed), 4u);
  EXPECT_EQ(packed[0], &x);
  EXPECT_EQ(packed[1], &n);
  EXPECT_EQ(packed[2], &global);
  EXPECT_EQ(packed[3], &profile);
  EXPECT_EQ(PackParameters(Image("generic", kGeneric), params, &global, &profile, packed), 5u);
  EXPECT_EQ(packed[2], &stride);
  EXPECT_EQ(packed[4], &profile);
}

TEST(FirstAcceptingTest, MostSpecialisedThatHoldsThenTheDefaultConfigOfItsGroup) {
  EXPECT_EQ(FirstAccepting(kTuned, 4, kTunedOrder, kAlignedArgs, nullptr, 0), 1u);    // rowmajor_config0
  EXPECT_EQ(FirstAccepting(kTuned, 4, kTunedOrder, kAlignedArgs, nullptr, 1), 3u);    // rowmajor_config1
  EXPECT_EQ(FirstAccepting(kTuned, 4, kTunedOrder, kUnalignedArgs, nullptr, 1), 2u);  // generic_config1
  const KernelImage only_aligned[] = {Image("aligned", kAligned)};
  EXPECT_EQ(FirstAccepting(only_aligned, 1, {0}, kUnalignedArgs, nullptr, -1), 1u);  // none: the count
}

}  // namespace
}  // namespace triton_aot::internal

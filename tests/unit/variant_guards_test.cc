// Variant guards in the runtime's choice (runtime/src/variant_choice.h): the
// conditions generated code evaluates on each launch, over small tables
// built by hand. Every table is of a kernel k(x_ptr, n).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "variant_choice.h"

namespace triton_aot::internal {
namespace {

using Order = std::vector<std::size_t>;
using grid::Int;

const char* const kNames[] = {"x_ptr", "n"};
const ArgHint kAligned[] = {ArgHint::kDivisibleBy16, ArgHint::kNone};
const ArgHint kGeneric[] = {ArgHint::kNone, ArgHint::kNone};

KernelImage Image(const char* variant, const ArgHint* hints, const char* guard, int config = -1) {
  return KernelImage{"k", variant, "k", nullptr, 0, hints, kNames, nullptr, 2, nullptr, 0, config, "", nullptr, guard};
}

const ArgValue kArgs[] = {ArgValue::Pointer(0x7f0000000000), ArgValue::Integer(3000)};
const ArgValue kUnaligned[] = {ArgValue::Pointer(0x7f0000000004), ArgValue::Integer(3000)};

// A family of blocks, each guarded by `n <= BLOCK`, and a fall-back without a guard.
const KernelImage kFamily[] = {Image("fallback", kGeneric, nullptr), Image("block_1024", kGeneric, "n <= BLOCK"),
                               Image("block_4096", kGeneric, "n <= BLOCK")};

TEST(VariantGuardsTest, GuardedVariantsComeBeforeUnguardedOnesWithTheSameHints) {
  EXPECT_EQ(SpecialisationOrder(kFamily, 3), (Order{1, 2, 0}));
  // Hints still come first: an aligned variant without a guard before a generic guarded one.
  const KernelImage table[] = {Image("small", kGeneric, "n < 64"), Image("aligned", kAligned, nullptr)};
  EXPECT_EQ(SpecialisationOrder(table, 2), (Order{1, 0}));
}

TEST(VariantGuardsTest, TheFirstVariantWhoseGuardHoldsIsChosen) {
  const Order order = SpecialisationOrder(kFamily, 3);
  const Int small[] = {1, 1, 1}, medium[] = {1, 0, 1}, large[] = {1, 0, 0};
  EXPECT_EQ(FirstAccepting(kFamily, 3, order, kArgs, small, -1), 1u);
  EXPECT_EQ(FirstAccepting(kFamily, 3, order, kArgs, medium, -1), 2u);
  EXPECT_EQ(FirstAccepting(kFamily, 3, order, kArgs, large, -1), 0u);
  // Without the fall-back, nothing accepts: the message names the guard and what to do.
  const Int none[] = {0, 0};
  const Order guarded_only = {0, 1};
  EXPECT_EQ(FirstAccepting(kFamily + 1, 2, guarded_only, kArgs, none, -1), 2u);
  const std::string why = NoneAccepts(kFamily + 1, guarded_only, kArgs, none);
  EXPECT_EQ(why, "no variant accepts these arguments: variant 'block_4096' needs its guard 'n <= BLOCK'; add a "
                 "variant without that guard to the kernel's spec, or pass arguments that keep the condition");
}

TEST(VariantGuardsTest, AGuardIsCheckedOnlyWhereTheHintsHold) {
  const KernelImage table[] = {Image("aligned_small", kAligned, "n < 64"), Image("generic", kGeneric, nullptr)};
  const Int holds[] = {1, 1};
  EXPECT_EQ(FirstAccepting(table, 2, {0, 1}, kArgs, holds, -1), 0u);
  EXPECT_EQ(FirstAccepting(table, 2, {0, 1}, kUnaligned, holds, -1), 1u);
}

TEST(VariantGuardsTest, AGuardThatCannotBeEvaluatedIsAnErrorWhereItIsReached) {
  const Order order = SpecialisationOrder(kFamily, 3);
  const Int faulted_first[] = {1, Int::Failed(grid::Fault::kDivisionByZero), 1};
  EXPECT_EQ(FirstAccepting(kFamily, 3, order, kArgs, faulted_first, -1), 1u);
  EXPECT_EQ(GuardFault(kFamily[1], faulted_first[1]),
            "variant 'block_1024': its guard 'n <= BLOCK' cannot be evaluated for these arguments: it divides by zero");
  // A fault after the chosen variant is never reached, as Python's `or` would not reach it.
  const Int faulted_later[] = {1, 1, Int::Failed(grid::Fault::kOverflow)};
  EXPECT_EQ(FirstAccepting(kFamily, 3, order, kArgs, faulted_later, -1), 1u);
}

TEST(VariantGuardsTest, ARequestedVariantMustKeepItsGuard) {
  const Order order = SpecialisationOrder(kFamily, 3);
  const Int medium[] = {1, 0, 1};
  std::size_t index = 99;
  std::string why;
  ASSERT_TRUE(FindRequested(kFamily, order, kArgs, medium, "block_4096", -1, &index, &why)) << why;
  EXPECT_EQ(index, 2u);
  EXPECT_FALSE(FindRequested(kFamily, order, kArgs, medium, "block_1024", -1, &index, &why));
  EXPECT_EQ(why, "variant 'block_1024' needs its guard 'n <= BLOCK' to hold");
}

// @triton.heuristics' EVEN_K under @triton.autotune, written as guards: each
// config once, as its "even" variant where K % BLOCK_K == 0 holds for that
// config's BLOCK_K, else as its "ragged" one.
TEST(VariantGuardsTest, AutotuneCandidatesTakeEachConfigAsItsFirstVariantThatAccepts) {
  const KernelImage table[] = {Image("even_config0", kGeneric, "K % BLOCK_K == 0", 0),
                               Image("even_config1", kGeneric, "K % BLOCK_K == 0", 1),
                               Image("ragged_config0", kGeneric, nullptr, 0),
                               Image("ragged_config1", kGeneric, nullptr, 1)};
  const Order order = SpecialisationOrder(table, 4);
  std::string why;
  const Int both_even[] = {1, 1, 1, 1}, first_even[] = {1, 0, 1, 1}, none_even[] = {0, 0, 1, 1};
  EXPECT_EQ(Candidates(table, 4, order, kArgs, both_even, &why), (Order{0, 1}));
  EXPECT_EQ(Candidates(table, 4, order, kArgs, first_even, &why), (Order{0, 3}));
  EXPECT_EQ(Candidates(table, 4, order, kArgs, none_even, &why), (Order{2, 3}));
  EXPECT_EQ(why, "");
  // The default config too.
  EXPECT_EQ(FirstAccepting(table, 4, order, kArgs, first_even, 1), 3u);
  EXPECT_EQ(FirstAccepting(table, 4, order, kArgs, first_even, 0), 0u);
}

}  // namespace
}  // namespace triton_aot::internal

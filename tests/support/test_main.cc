// The main() of every test program: GoogleTest's, with each test in a
// hermetic environment of its own (hermetic_environment.h).
#include <gtest/gtest.h>

#include "hermetic_environment.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::UnitTest::GetInstance()->listeners().Append(new triton_aot::testing::HermeticEnvironment);
  return RUN_ALL_TESTS();
}

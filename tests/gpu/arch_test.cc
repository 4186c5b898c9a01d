// Which binary a device gets: a fatbin built only for an older architecture
// runs through the driver's JIT of its PTX; one built only for an
// arch-specific newer target fails to load with a message that says what to
// add. Skips without a GPU, or on GPUs where the premise does not hold.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <axpy_sm100/vector_add.h>
#include <axpy_sm80/vector_add.h>

#include "require_gpus.h"

namespace {

// Device 0's compute capability (after REQUIRE_GPUS).
int Capability() {
  int major = 0, minor = 0;
  cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, 0);
  cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, 0);
  return major * 10 + minor;
}

TEST(GpuArch, PtxOfAnOlderArchIsCompiledForTheDevice) {
  REQUIRE_GPUS(1);
  const int capability = Capability();
  if (capability / 10 == 8) GTEST_SKIP() << "on sm_8x the sm_80 cubin itself runs; the test needs a newer GPU";
  const int n = 4096;
  std::vector<float> x(n, 1.5f), y(n, 0.25f), out(n, 0.0f);
  float *dx, *dy, *dout;
  cudaMalloc(reinterpret_cast<void**>(&dx), n * 4);
  cudaMalloc(reinterpret_cast<void**>(&dy), n * 4);
  cudaMalloc(reinterpret_cast<void**>(&dout), n * 4);
  cudaMemcpy(dx, x.data(), n * 4, cudaMemcpyHostToDevice);
  cudaMemcpy(dy, y.data(), n * 4, cudaMemcpyHostToDevice);
  triton_aot::Status status = sm80::vector_add::axpy(nullptr, dx, dy, dout, 2.0f, n);
  ASSERT_TRUE(status.ok()) << status.message();
  cudaMemcpy(out.data(), dout, n * 4, cudaMemcpyDeviceToHost);
  for (float v : out) ASSERT_EQ(v, 3.25f);
  cudaFree(dx);
  cudaFree(dy);
  cudaFree(dout);
}

TEST(GpuArch, NoBinaryForTheDeviceSaysWhichArchToAdd) {
  REQUIRE_GPUS(1);
  const int capability = Capability();
  if (capability == 100) GTEST_SKIP() << "this GPU is sm_100, which the fatbin has";
  float* buffer;
  cudaMalloc(reinterpret_cast<void**>(&buffer), 4096 * 4);
  triton_aot::Status status = sm100::vector_add::axpy(nullptr, buffer, buffer, buffer, 1.0f, 4096);
  cudaFree(buffer);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("vector_add.axpy"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("sm_100a"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("add " + std::to_string(capability) + " to the ARCHITECTURES"), std::string::npos)
      << status.message();
}

}  // namespace

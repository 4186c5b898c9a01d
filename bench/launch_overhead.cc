// Launch overhead on the host: the generated axpy launcher against a raw
// cuLaunchKernel of the very same cubin, on small problems. Times only the
// enqueue loop (a batch small enough not to fill the launch queue), so the
// number is CPU time per launch, not kernel time. Prints one line per size:
//   n  raw_us  ours_us  ours/raw (median of per-pair ratios)
#include <cuda.h>
#include <cuda_runtime_api.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <vector_add_kernels/vector_add.h>

namespace {

#define CHECK_CU(call)                                                  \
  do {                                                                  \
    CUresult rc_ = (call);                                              \
    if (rc_ != CUDA_SUCCESS) {                                          \
      std::printf("FAIL: %s: error %d\n", #call, int(rc_));            \
      return 1;                                                         \
    }                                                                   \
  } while (0)

constexpr int kBatch = 256;    // launches per timed batch: well under the queue depth
constexpr int kBatches = 600;  // pairs of batches, raw and ours

// Host microseconds per launch over one batch; the GPU is drained after it.
template <typename Launch>
double BatchMicroseconds(Launch launch) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kBatch; ++i) launch();
  const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  cudaDeviceSynchronize();
  return us / kBatch;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main() {
  std::string why;
  switch (triton_aot::CheckGpu(&why)) {
    case triton_aot::GpuAvailability::kReady: break;
    case triton_aot::GpuAvailability::kBroken: std::printf("FAIL: %s\n", why.c_str()); return 1;
    default: std::printf("SKIP: no GPU to run on: %s\n", why.c_str()); return 0;
  }
  cudaSetDevice(0);
  cudaFree(nullptr);  // make the primary context current
  const triton_aot::KernelImage& image = examples::vector_add::axpy_variants[0];  // "aligned"
  CUmodule module;
  CUfunction function;
  CHECK_CU(cuModuleLoadData(&module, image.fatbin));
  CHECK_CU(cuModuleGetFunction(&function, module, image.entry));
  std::printf("%10s %10s %10s %10s\n", "n", "raw_us", "ours_us", "ours/raw");
  for (int n : {1024, 16384, 262144}) {
    float *x, *y, *out;
    cudaMalloc(reinterpret_cast<void**>(&x), n * sizeof(float));
    cudaMalloc(reinterpret_cast<void**>(&y), n * sizeof(float));
    cudaMalloc(reinterpret_cast<void**>(&out), n * sizeof(float));
    cudaMemset(x, 0, n * sizeof(float));
    cudaMemset(y, 0, n * sizeof(float));
    float alpha = 2.0f;
    CUdeviceptr dx = CUdeviceptr(x), dy = CUdeviceptr(y), dout = CUdeviceptr(out), scratch = 0;
    void* params[] = {&dx, &dy, &dout, &alpha, &n, &scratch, &scratch};
    const unsigned grid = unsigned((n + 1023) / 1024);
    const unsigned block = image.archs[0].num_warps * 32;
    bool failed = false;
    auto raw = [&] {
      failed |= cuLaunchKernel(function, grid, 1, 1, block, 1, 1, 0, nullptr, params, nullptr) != CUDA_SUCCESS;
    };
    auto ours = [&] { failed |= !examples::vector_add::axpy(nullptr, x, y, out, alpha, n).ok(); };
    // Alternate batch by batch, so that clock and cache drift hit both alike;
    // the ratio is the median of the per-pair ratios.
    std::vector<double> raw_times, ours_times, ratios;
    for (int b = 0; b < kBatches + 5; ++b) {
      const double r = BatchMicroseconds(raw), o = BatchMicroseconds(ours);
      if (b < 5) continue;  // warm-up
      raw_times.push_back(r);
      ours_times.push_back(o);
      ratios.push_back(o / r);
    }
    const double raw_us = Median(raw_times), ours_us = Median(ours_times), ratio = Median(ratios);
    if (failed) {
      std::printf("FAIL: a launch failed\n");
      return 1;
    }
    std::printf("%10d %10.3f %10.3f %10.3f\n", n, raw_us, ours_us, ratio);
    cudaFree(x);
    cudaFree(y);
    cudaFree(out);
  }
  cuModuleUnload(module);
  return 0;
}

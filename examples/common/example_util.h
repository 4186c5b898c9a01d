// What the examples share: CUDA runtime checks, fresh random data, timing of
// launches with CUDA events, and the PASS/FAIL/SKIP lines the tests read.
#pragma once

#include <cuda_runtime_api.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <triton_aot/gpu.h>
#include <triton_aot/status.h>

namespace example {

#define EXAMPLE_CHECK_CUDA(call)                                                                           \
  do {                                                                                                     \
    cudaError_t error_ = (call);                                                                           \
    if (error_ != cudaSuccess) {                                                                           \
      std::printf("FAIL: %s: %s\n", #call, cudaGetErrorString(error_));                                   \
      std::exit(1);                                                                                        \
    }                                                                                                      \
  } while (0)

#define EXAMPLE_CHECK(status_expr)                                                                         \
  do {                                                                                                     \
    triton_aot::Status status_ = (status_expr);                                                            \
    if (!status_.ok()) {                                                                                   \
      std::printf("FAIL: %s\n", status_.message().c_str());                                                \
      std::exit(1);                                                                                        \
    }                                                                                                      \
  } while (0)

// Exits with "SKIP: <reason>" (status 0) when there is no GPU to run on (no
// CUDA driver, or no device), and with "FAIL: <reason>" when there is one but
// its driver fails.
inline void RequireGpu() {
  std::string why;
  switch (triton_aot::CheckGpu(&why)) {
    case triton_aot::GpuAvailability::kNoDriver:
    case triton_aot::GpuAvailability::kNoDevice:
      std::printf("SKIP: no GPU to run on: %s\n", why.c_str());
      std::exit(0);
    case triton_aot::GpuAvailability::kBroken:
      std::printf("FAIL: %s\n", why.c_str());
      std::exit(1);
    case triton_aot::GpuAvailability::kReady:
      break;
  }
  EXAMPLE_CHECK_CUDA(cudaSetDevice(0));
}

inline std::vector<float> RandomFloats(std::size_t n, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// A device buffer filled from (or read into) a host vector.
template <typename T>
struct DeviceBuffer {
  T* data = nullptr;
  std::size_t size = 0;
  explicit DeviceBuffer(std::size_t n) : size(n) { EXAMPLE_CHECK_CUDA(cudaMalloc(reinterpret_cast<void**>(&data), n * sizeof(T))); }
  explicit DeviceBuffer(const std::vector<T>& host) : DeviceBuffer(host.size()) { Upload(host); }
  ~DeviceBuffer() { cudaFree(data); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  void Upload(const std::vector<T>& host) {
    EXAMPLE_CHECK_CUDA(cudaMemcpy(data, host.data(), size * sizeof(T), cudaMemcpyHostToDevice));
  }
  // NaN-like poison, so that an element the kernel never writes is noticed.
  void Poison() { EXAMPLE_CHECK_CUDA(cudaMemset(data, 0xff, size * sizeof(T))); }
  std::vector<T> Download() const {
    std::vector<T> host(size);
    EXAMPLE_CHECK_CUDA(cudaMemcpy(host.data(), data, size * sizeof(T), cudaMemcpyDeviceToHost));
    return host;
  }
};

// Median time of one launch in microseconds, after a warm-up.
template <typename Launch>
double MicrosecondsPerLaunch(Launch launch, int repeats = 50) {
  cudaEvent_t start, stop;
  EXAMPLE_CHECK_CUDA(cudaEventCreate(&start));
  EXAMPLE_CHECK_CUDA(cudaEventCreate(&stop));
  for (int i = 0; i < 5; ++i) EXAMPLE_CHECK(launch());
  std::vector<float> times;
  for (int i = 0; i < repeats; ++i) {
    EXAMPLE_CHECK_CUDA(cudaEventRecord(start));
    EXAMPLE_CHECK(launch());
    EXAMPLE_CHECK_CUDA(cudaEventRecord(stop));
    EXAMPLE_CHECK_CUDA(cudaEventSynchronize(stop));
    float ms = 0;
    EXAMPLE_CHECK_CUDA(cudaEventElapsedTime(&ms, start, stop));
    times.push_back(ms);
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  std::sort(times.begin(), times.end());
  return times[times.size() / 2] * 1000.0;
}

// ||out - ref|| / ||ref||, infinite when any output is NaN.
inline double RelativeError(const std::vector<float>& out, const std::vector<double>& ref) {
  double diff = 0, norm = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (std::isnan(out[i])) return INFINITY;
    diff += (out[i] - ref[i]) * (out[i] - ref[i]);
    norm += ref[i] * ref[i];
  }
  return std::sqrt(diff / std::max(norm, 1e-30));
}

}  // namespace example

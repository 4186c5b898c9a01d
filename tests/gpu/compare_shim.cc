// A C entry point per example kernel, so that compare_with_triton.py can run
// our generated launchers on the same device buffers (torch tensors) that it
// hands to Triton's own Python launch. Each returns the CUresult; the message
// of a failure goes to stderr.
#include <cstdint>
#include <cstdio>
#include <string>

#include <gpu_test_kernels/autotune_fit.h>
#include <gpu_test_kernels/attention.h>
#include <gpu_test_kernels/autotune_prune.h>
#include <gpu_test_kernels/kernel_styles.h>
#include <matmul_kernels/matmul.h>
#include <softmax_kernels/softmax.h>
#include <vector_add_kernels/vector_add.h>

namespace {

int Report(const triton_aot::Status& status) {
  if (!status.ok()) std::fprintf(stderr, "%s\n", status.message().c_str());
  return static_cast<int>(status.code());
}

}  // namespace

extern "C" {

// triton_aot::CheckGpu: 0 ready, 1 no driver, 2 no device, 3 broken; `why`
// gets what it found.
int aot_check_gpu(char* why, std::size_t size) {
  std::string found;
  const int availability = static_cast<int>(triton_aot::CheckGpu(&found));
  std::snprintf(why, size, "%s", found.c_str());
  return availability;
}

int aot_axpy(std::uint64_t x, std::uint64_t y, std::uint64_t out, float alpha, std::int32_t n) {
  return Report(examples::vector_add::axpy(nullptr, x, y, out, alpha, n));
}

int aot_softmax(std::uint64_t out, std::uint64_t in, std::int32_t in_stride, std::int32_t out_stride,
                std::int32_t rows, std::int32_t cols) {
  return Report(examples::softmax::softmax(nullptr, out, in, in_stride, out_stride, rows, cols));
}

int aot_matmul(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::int32_t m, std::int32_t n, std::int32_t k,
               int config) {
  triton_aot::LaunchOptions options;
  options.config = config;
  return Report(examples::matmul::matmul(nullptr, a, b, c, m, n, k, k, 1, n, 1, n, 1, options));
}

// The tutorial-style softmax of tests/gpu/kernel_styles.py: a family of
// blocks, the launch choosing the smallest that covers a row.
int aot_styles_softmax(std::uint64_t out, std::uint64_t in, std::int32_t in_stride, std::int32_t out_stride,
                       std::int32_t cols, std::int32_t rows) {
  return Report(gpu_test::kernel_styles::softmax(nullptr, out, in, in_stride, out_stride, cols, rows));
}

// The matmul of tests/gpu/autotune_fit.py with config `config` (-1: the
// launcher's choice, autotuned).
int aot_fit_matmul(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::int32_t m, std::int32_t n, std::int32_t k,
                   std::int32_t stride_am, std::int32_t stride_bk, std::int32_t stride_cm, int config) {
  triton_aot::LaunchOptions options;
  options.config = config;
  return Report(gpu_test::autotune_fit::matmul(nullptr, a, b, c, m, n, k, stride_am, stride_bk, stride_cm, options));
}

// The matmul of tests/gpu/autotune_prune.py, the same way.
int aot_prune_matmul(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::int32_t m, std::int32_t n,
                     std::int32_t k, std::int32_t stride_am, std::int32_t stride_bk, std::int32_t stride_cm,
                     int config) {
  triton_aot::LaunchOptions options;
  options.config = config;
  return Report(
      gpu_test::autotune_prune::matmul(nullptr, a, b, c, m, n, k, stride_am, stride_bk, stride_cm, options));
}

// The attention of tests/gpu/attention.py over `heads` heads, with config
// `config` (-1: the launcher's choice, autotuned).
int aot_attention(std::uint64_t q, std::uint64_t k, std::uint64_t v, std::uint64_t out, float sm_scale,
                  std::int32_t stride, std::int32_t heads, int config) {
  triton_aot::LaunchOptions options;
  options.config = config;
  return Report(gpu_test::attention::attention(nullptr, q, k, v, out, sm_scale, stride, stride, stride, stride,
                                               heads, options));
}

}  // extern "C"

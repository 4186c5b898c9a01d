// Row-wise softmax with the ahead-of-time compiled Triton kernel, checked
// against the CPU on fresh random data, for aligned rows (the specialised
// variant) and odd-length rows (the generic one).
#include <cmath>
#include <cstdio>
#include <random>

#include <softmax_kernels/softmax.h>

#include "example_util.h"

namespace {

int Run(int rows, int cols, std::mt19937& rng) {
  const std::vector<float> in = example::RandomFloats(std::size_t(rows) * cols, rng, -8.0f, 8.0f);
  example::DeviceBuffer<float> din(in), dout(in.size());
  dout.Poison();
  auto launch = [&] { return examples::softmax::softmax(nullptr, dout.data, din.data, cols, cols, rows, cols); };
  EXAMPLE_CHECK(launch());
  const std::vector<float> out = dout.Download();
  std::vector<double> ref(in.size());
  for (int r = 0; r < rows; ++r) {
    const float* x = &in[std::size_t(r) * cols];
    double max = x[0], sum = 0;
    for (int c = 0; c < cols; ++c) max = std::max(max, double(x[c]));
    for (int c = 0; c < cols; ++c) sum += std::exp(x[c] - max);
    for (int c = 0; c < cols; ++c) ref[std::size_t(r) * cols + c] = std::exp(x[c] - max) / sum;
  }
  const double error = example::RelativeError(out, ref);
  const double us = example::MicrosecondsPerLaunch(launch);
  const bool pass = error < 1e-5;
  std::printf("%s: softmax %dx%d relative error %.2e, %.2f us per launch\n", pass ? "PASS" : "FAIL", rows, cols,
              error, us);
  return pass ? 0 : 1;
}

}  // namespace

int main() {
  example::RequireGpu();
  std::mt19937 rng(std::random_device{}());
  int failures = Run(1823, 4096, rng);  // rows of 16-multiple length: "aligned"
  failures += Run(517, 3001, rng);      // odd length, several blocks per row: "generic"
  return failures == 0 ? 0 : 1;
}

// out = alpha * x + y with the ahead-of-time compiled Triton kernel, checked
// against the CPU on fresh random data, for an aligned size (the specialised
// variant runs) and an odd one (the generic variant runs).
#include <cstdio>
#include <random>

#include <vector_add_kernels/vector_add.h>

#include "example_util.h"

namespace {

int Run(int n, std::mt19937& rng) {
  std::vector<float> x = example::RandomFloats(n, rng), y = example::RandomFloats(n, rng);
  const float alpha = example::RandomFloats(1, rng, 0.5f, 2.0f)[0];
  example::DeviceBuffer<float> dx(x), dy(y), dout(n);
  dout.Poison();
  auto launch = [&] { return examples::vector_add::axpy(nullptr, dx.data, dy.data, dout.data, alpha, n); };
  EXAMPLE_CHECK(launch());
  std::vector<float> out = dout.Download();
  std::vector<double> ref(n);
  for (int i = 0; i < n; ++i) ref[i] = double(alpha) * x[i] + y[i];
  const double error = example::RelativeError(out, ref);

  std::size_t variant = 0;
  const triton_aot::ArgValue args[] = {triton_aot::ArgValue::Pointer(reinterpret_cast<CUdeviceptr>(dx.data)),
                                       triton_aot::ArgValue::Pointer(reinterpret_cast<CUdeviceptr>(dy.data)),
                                       triton_aot::ArgValue::Pointer(reinterpret_cast<CUdeviceptr>(dout.data)),
                                       triton_aot::ArgValue::Other(), triton_aot::ArgValue::Integer(n)};
  EXAMPLE_CHECK(examples::vector_add::axpy_kernel().Choose(args, {}, &variant));
  const double us = example::MicrosecondsPerLaunch(launch);
  const bool pass = error < 1e-6;
  std::printf("%s: vector_add axpy[%s] n=%d relative error %.2e, %.2f us per launch\n", pass ? "PASS" : "FAIL",
              examples::vector_add::axpy_variants[variant].variant, n, error, us);
  return pass ? 0 : 1;
}

}  // namespace

int main() {
  example::RequireGpu();
  std::mt19937 rng(std::random_device{}());
  int failures = Run((1 << 20) + 16 * 7, rng);  // multiple of 16: "aligned"
  failures += Run((1 << 20) + 13, rng);         // odd: "generic"
  return failures == 0 ? 0 : 1;
}

// C = A @ B (fp16 in, fp32 out) with the ahead-of-time compiled, autotuned
// Triton kernel, checked against the CPU on fresh random data: the default
// config, every config by index, then the on-first-call autotuner.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>

#include <matmul_kernels/matmul.h>

#include "example_util.h"

namespace {

// fp32 -> fp16 bits, round to nearest even (normal and subnormal range).
std::uint16_t ToHalf(float f) {
  std::uint32_t x;
  std::memcpy(&x, &f, 4);
  const std::uint32_t sign = (x >> 16) & 0x8000;
  const int exponent = int((x >> 23) & 0xff) - 127 + 15;
  std::uint32_t mantissa = x & 0x7fffff;
  if (exponent >= 31) return std::uint16_t(sign | 0x7c00);
  if (exponent <= 0) {
    if (exponent < -10) return std::uint16_t(sign);
    mantissa |= 0x800000;
    const int shift = 14 - exponent;
    std::uint32_t half = mantissa >> shift;
    const std::uint32_t rest = mantissa & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (half & 1))) ++half;
    return std::uint16_t(sign | half);
  }
  std::uint32_t half = (std::uint32_t(exponent) << 10) | (mantissa >> 13);
  const std::uint32_t rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1))) ++half;
  return std::uint16_t(sign | half);
}

float FromHalf(std::uint16_t h) {
  const std::uint32_t sign = std::uint32_t(h & 0x8000) << 16;
  const int exponent = (h >> 10) & 0x1f;
  std::uint32_t mantissa = h & 0x3ff;
  std::uint32_t x;
  if (exponent == 0) {
    const float value = std::ldexp(float(mantissa), -24);
    return sign ? -value : value;
  }
  x = sign | (std::uint32_t(exponent == 31 ? 255 : exponent - 15 + 127) << 23) | (mantissa << 13);
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

struct Problem {
  int m, n, k;
  std::vector<std::uint16_t> a, b;
  std::vector<double> ref;
};

Problem MakeProblem(int m, int n, int k, std::mt19937& rng) {
  Problem p{m, n, k, {}, {}, {}};
  for (float v : example::RandomFloats(std::size_t(m) * k, rng)) p.a.push_back(ToHalf(v));
  for (float v : example::RandomFloats(std::size_t(k) * n, rng)) p.b.push_back(ToHalf(v));
  p.ref.assign(std::size_t(m) * n, 0.0);
  for (int i = 0; i < m; ++i) {
    for (int kk = 0; kk < k; ++kk) {
      const double a = FromHalf(p.a[std::size_t(i) * k + kk]);
      for (int j = 0; j < n; ++j) p.ref[std::size_t(i) * n + j] += a * FromHalf(p.b[std::size_t(kk) * n + j]);
    }
  }
  return p;
}

int Check(const char* what, const Problem& p, const triton_aot::LaunchOptions& options) {
  example::DeviceBuffer<std::uint16_t> da(p.a), db(p.b);
  example::DeviceBuffer<float> dc(std::size_t(p.m) * p.n);
  dc.Poison();
  auto launch = [&] {
    return examples::matmul::matmul(nullptr, triton_aot::DevicePtr<triton_aot::float16>(da.data),
                                    triton_aot::DevicePtr<triton_aot::float16>(db.data), dc.data, p.m, p.n, p.k, p.k,
                                    1, p.n, 1, p.n, 1, options);
  };
  EXAMPLE_CHECK(launch());
  const double error = example::RelativeError(dc.Download(), p.ref);
  const double us = example::MicrosecondsPerLaunch(launch, 20);
  const bool pass = error < 1e-3;
  std::printf("%s: matmul %dx%dx%d %s relative error %.2e, %.2f us per launch\n", pass ? "PASS" : "FAIL", p.m,
              p.n, p.k, what, error, us);
  return pass ? 0 : 1;
}

}  // namespace

int main() {
  example::RequireGpu();
  std::mt19937 rng(std::random_device{}());
  const Problem p = MakeProblem(509, 384, 320, rng);
  int failures = Check("default config", p, {});
  for (int config = 0; config < 4; ++config) {
    triton_aot::LaunchOptions options;
    options.config = config;
    char what[32];
    std::snprintf(what, sizeof what, "config %d", config);
    failures += Check(what, p, options);
  }
  examples::matmul::matmul_kernel().SetAutotune(true);
  failures += Check("autotuned", p, {});
  return failures == 0 ? 0 : 1;
}

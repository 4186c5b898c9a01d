// Runs the ahead-of-time compiled axpy kernel (out = alpha * x + y) on the
// GPU and checks it against the CPU. The CUDA driver is loaded at run time, so
// the program also starts on machines without one and says why it skips.
#include <cuda.h>
#include <dlfcn.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string_view>
#include <vector>

#include <vector_add_kernels/vector_add.h>

namespace {

// The few driver entry points this example needs, looked up in libcuda.so.1.
struct Driver {
  decltype(&cuInit) Init;
  decltype(&cuDeviceGetCount) DeviceGetCount;
  decltype(&cuDeviceGet) DeviceGet;
  decltype(&cuDeviceGetAttribute) DeviceGetAttribute;
  decltype(&cuDevicePrimaryCtxRetain) PrimaryCtxRetain;
  decltype(&cuCtxSetCurrent) CtxSetCurrent;
  decltype(&cuModuleLoadData) ModuleLoadData;
  decltype(&cuModuleGetFunction) ModuleGetFunction;
  decltype(&cuModuleUnload) ModuleUnload;
  decltype(&cuMemAlloc) MemAlloc;
  decltype(&cuMemFree) MemFree;
  decltype(&cuMemcpyHtoD) MemcpyHtoD;
  decltype(&cuMemcpyDtoH) MemcpyDtoH;
  decltype(&cuLaunchKernel) LaunchKernel;
  decltype(&cuCtxSynchronize) CtxSynchronize;
  decltype(&cuGetErrorString) GetErrorString;

  bool Load(const char** why) {
    void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      *why = "no CUDA driver (libcuda.so.1 not found)";
      return false;
    }
    bool ok = true;
    auto get = [&](auto* fn, const char* name) {
      *fn = reinterpret_cast<std::remove_pointer_t<decltype(fn)>>(dlsym(lib, name));
      ok = ok && *fn != nullptr;
    };
    get(&Init, "cuInit");
    get(&DeviceGetCount, "cuDeviceGetCount");
    get(&DeviceGet, "cuDeviceGet");
    get(&DeviceGetAttribute, "cuDeviceGetAttribute");
    get(&PrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
    get(&CtxSetCurrent, "cuCtxSetCurrent");
    get(&ModuleLoadData, "cuModuleLoadData");
    get(&ModuleGetFunction, "cuModuleGetFunction");
    get(&ModuleUnload, "cuModuleUnload");
    get(&MemAlloc, "cuMemAlloc_v2");
    get(&MemFree, "cuMemFree_v2");
    get(&MemcpyHtoD, "cuMemcpyHtoD_v2");
    get(&MemcpyDtoH, "cuMemcpyDtoH_v2");
    get(&LaunchKernel, "cuLaunchKernel");
    get(&CtxSynchronize, "cuCtxSynchronize");
    get(&GetErrorString, "cuGetErrorString");
    if (!ok) *why = "libcuda.so.1 lacks a needed entry point";
    return ok;
  }
};

Driver cu;

#define CHECK(call)                                                            \
  do {                                                                         \
    CUresult status_ = (call);                                                 \
    if (status_ != CUDA_SUCCESS) {                                             \
      const char* text_ = "unknown";                                           \
      cu.GetErrorString(status_, &text_);                                      \
      std::fprintf(stderr, "FAIL: %s: %s (%d)\n", #call, text_, int(status_)); \
      return 1;                                                                \
    }                                                                          \
  } while (0)

// The launch facts of the binary the CUDA driver will pick for this device:
// the cubin of the same major arch with the highest minor not above the
// device's (arch-specific 'a' cubins only on their exact arch), else the PTX,
// which is the newest arch's.
const triton_aot::ArchLaunchInfo& PickArch(const triton_aot::KernelImage& image, int capability) {
  const triton_aot::ArchLaunchInfo* best = nullptr;
  for (size_t i = 0; i < image.num_archs; ++i) {
    const auto& a = image.archs[i];
    const bool exact_only = a.capability >= 90;
    const bool fits = exact_only ? a.capability == capability
                                 : a.capability / 10 == capability / 10 && a.capability <= capability;
    if (fits && (!best || a.capability > best->capability)) best = &a;
  }
  return best ? *best : image.archs[image.num_archs - 1];
}

int RunVariant(const triton_aot::KernelImage& image, int capability, int n, std::mt19937& rng) {
  const triton_aot::ArchLaunchInfo& arch = PickArch(image, capability);
  CUmodule module;
  CUfunction function;
  CHECK(cu.ModuleLoadData(&module, image.fatbin));
  CHECK(cu.ModuleGetFunction(&function, module, image.entry));

  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> x(n), y(n), out(n, std::nanf(""));
  for (int i = 0; i < n; ++i) {
    x[i] = dist(rng);
    y[i] = dist(rng);
  }
  const float alpha = dist(rng);
  const size_t bytes = sizeof(float) * n;
  CUdeviceptr dx, dy, dout;
  CHECK(cu.MemAlloc(&dx, bytes));
  CHECK(cu.MemAlloc(&dy, bytes));
  CHECK(cu.MemAlloc(&dout, bytes));
  CHECK(cu.MemcpyHtoD(dx, x.data(), bytes));
  CHECK(cu.MemcpyHtoD(dy, y.data(), bytes));
  CHECK(cu.MemcpyHtoD(dout, out.data(), bytes));  // NaN poison: every element must be written

  // Kernel parameters: the launch arguments, then Triton's two scratch
  // pointers (null: this kernel needs no scratch).
  CUdeviceptr global_scratch = 0, profile_scratch = 0;
  void* params[] = {&dx, &dy, &dout, const_cast<float*>(&alpha), &n, &global_scratch, &profile_scratch};
  const unsigned block = 1024;  // the BLOCK constexpr of every variant
  const unsigned grid = (n + block - 1) / block;
  auto launch = [&] {
    return cu.LaunchKernel(function, grid, 1, 1, arch.num_warps * 32, 1, 1, arch.shared_bytes, nullptr, params,
                           nullptr);
  };
  CHECK(launch());
  CHECK(cu.CtxSynchronize());
  CHECK(cu.MemcpyDtoH(out.data(), dout, bytes));
  double max_error = 0;
  for (int i = 0; i < n; ++i) {
    const double expected = double(alpha) * x[i] + y[i];
    const double error = std::fabs(out[i] - expected);
    max_error = std::isnan(out[i]) ? INFINITY : std::max(max_error, error);
  }

  const int iterations = 200;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) CHECK(launch());
  CHECK(cu.CtxSynchronize());
  const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() /
                    iterations;

  CHECK(cu.MemFree(dx));
  CHECK(cu.MemFree(dy));
  CHECK(cu.MemFree(dout));
  CHECK(cu.ModuleUnload(module));
  const bool pass = max_error < 1e-5;
  std::printf("%s: axpy[%s] n=%d sm_%d binary, max error %.3g, %.2f us per launch\n", pass ? "PASS" : "FAIL",
              image.variant, n, arch.capability, max_error, us);
  return pass ? 0 : 1;
}

}  // namespace

int main() {
  const char* why = nullptr;
  if (!cu.Load(&why)) {
    std::printf("SKIP: %s\n", why);
    return 0;
  }
  int count = 0;
  if (cu.Init(0) != CUDA_SUCCESS || cu.DeviceGetCount(&count) != CUDA_SUCCESS || count == 0) {
    std::printf("SKIP: no CUDA device\n");
    return 0;
  }
  CUdevice device;
  CUcontext context;
  int major = 0, minor = 0;
  CHECK(cu.DeviceGet(&device, 0));
  CHECK(cu.DeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device));
  CHECK(cu.DeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device));
  CHECK(cu.PrimaryCtxRetain(&context, device));
  CHECK(cu.CtxSetCurrent(context));

  std::mt19937 rng(std::random_device{}());
  int failures = 0;
  for (const triton_aot::KernelImage& image : examples::vector_add::axpy_variants) {
    // n is a multiple of 16 for the aligned variant; an odd tail for the generic one.
    const bool aligned = std::string_view(image.variant) == "aligned";
    failures += RunVariant(image, major * 10 + minor, aligned ? (1 << 20) + 16 * 7 : (1 << 20) + 13, rng);
  }
  return failures == 0 ? 0 : 1;
}

// Prints what triton_aot::CheckGpu finds on this machine, for runtime_test.cc
// to run it with another libcuda.so.1 (the driver is opened once a process).
#include <cstdio>
#include <string>

#include "triton_aot/gpu.h"

int main() {
  std::string why;
  const triton_aot::GpuAvailability found = triton_aot::CheckGpu(&why);
  const char* names[] = {"ready", "no driver", "no device", "broken"};
  std::printf("%s: %s\n", names[static_cast<int>(found)], why.c_str());
  return 0;
}

// A CUDA driver in memory for the runtime's tests: it hands out handles,
// records the calls it gets and answers as a test sets it up, so that
// loading, launching and autotuning are tested without a GPU. While one is
// alive the runtime uses it instead of libcuda (SetCudaDriverForTesting).
#pragma once

#include <cuda.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "cuda_driver.h"

namespace triton_aot::testing {

class FakeCudaDriver {
 public:
  FakeCudaDriver();
  ~FakeCudaDriver();
  FakeCudaDriver(const FakeCudaDriver&) = delete;
  FakeCudaDriver& operator=(const FakeCudaDriver&) = delete;

  // The device and the context current on the calling thread.
  int capability = 90;
  unsigned long long context_id = 1;
  bool context_current = true;
  // What cuFuncGetAttribute(CU_FUNC_ATTRIBUTE_BINARY_VERSION) says; 0: the
  // device's capability, as for a matching cubin or JIT-compiled PTX.
  int binary_version = 0;
  CUresult load_result = CUDA_SUCCESS;    // cuModuleLoadData's answer
  CUresult launch_result = CUDA_SUCCESS;  // cuLaunchKernel's and cuLaunchKernelEx's
  // cuFuncGetParamInfo reports these (offset, size) pairs, then
  // CUDA_ERROR_INVALID_VALUE; without SetParamInfo the driver lacks it.
  void SetParamInfo(std::vector<std::pair<std::size_t, std::size_t>> params);
  // The time cuEventElapsedTime reports for a launch of the variant with
  // this fatbin (the last launch before the stop event).
  std::map<const void*, float> milliseconds;

  struct Launch {
    const void* fatbin;  // of the launched variant
    bool extended;       // through cuLaunchKernelEx
    unsigned grid[3];
    unsigned block;
    unsigned shared_bytes;
    std::vector<CUlaunchAttribute> attributes;
    void* params[8];                  // the parameter array's first entries
    CUdeviceptr scratch[2];           // what its last two entries point at
  };
  // How many parameters a launch passes, so that it can record them.
  std::size_t params_per_launch = 0;

  // Device memory: each allocation's bytes by its address. A test adds the
  // caller's buffers; cuMemAllocAsync adds, cuMemFreeAsync removes, and
  // cuMemGetAddressRange, cuMemsetD8Async and cuMemcpyDtoDAsync work on them
  // (out of range: CUDA_ERROR_INVALID_VALUE).
  std::map<CUdeviceptr, std::vector<unsigned char>> memory;
  CUresult memset_result = CUDA_SUCCESS;  // cuMemsetD8Async's answer
  CUresult memcpy_result = CUDA_SUCCESS;  // cuMemcpyDtoDAsync's answer
  // What each launch does to memory: the kernel, for tests of what it leaves.
  std::function<void(const void* fatbin)> on_launch;
  // The stream-ordered work in order: "zero <address> <bytes>", "copy <to> <from> <bytes>",
  // "record <event>" (events count from 1), "launch <variant's fatbin byte>", "alloc <address> <bytes>",
  // "free <address>", all numbers in hex.
  std::vector<std::string> stream;

  std::vector<std::string> calls;        // entry points, in the order called
  std::vector<const void*> loaded;       // the image of each cuModuleLoadData
  std::vector<Launch> launches;
  std::vector<std::size_t> allocations;  // bytes of each cuMemAllocAsync
  std::size_t frees = 0;                 // cuMemFreeAsync calls
  std::vector<std::pair<CUfunction_attribute, int>> function_attributes;  // cuFuncSetAttribute

  std::size_t Calls(const std::string& name) const;

  // For the trampolines in the .cc: the one alive.
  static FakeCudaDriver* current;
  const void* FatbinOf(CUfunction function) const;
  void RecordLaunch(Launch launch, void** params);
  const void* last_launched = nullptr;
  // The allocation holding [address, address + bytes), or null.
  std::vector<unsigned char>* Bytes(CUdeviceptr address, std::size_t bytes, std::size_t* offset);
  void Trace(const std::string& what, std::initializer_list<std::uint64_t> numbers);
  unsigned events_created = 0;

 private:
  internal::CudaDriver table_;
  std::vector<std::pair<std::size_t, std::size_t>> param_info_;
  friend struct FakeEntryPoints;
};

}  // namespace triton_aot::testing

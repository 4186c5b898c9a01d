#include "fake_cuda_driver.h"

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace triton_aot::testing {
namespace {

// Handles are small numbers dressed as pointers: module and function i are
// both i + 1, an index into `loaded`.
template <typename Handle>
Handle MakeHandle(std::size_t index) {
  return reinterpret_cast<Handle>(static_cast<std::uintptr_t>(index + 1));
}

std::size_t IndexOf(const void* handle) { return reinterpret_cast<std::uintptr_t>(handle) - 1; }

FakeCudaDriver& Fake() { return *FakeCudaDriver::current; }

void Called(const char* name) { Fake().calls.push_back(name); }

const char* ErrorName(CUresult code) {
  switch (code) {
    case CUDA_ERROR_INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
    case CUDA_ERROR_OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
    case CUDA_ERROR_INVALID_IMAGE: return "CUDA_ERROR_INVALID_IMAGE";
    case CUDA_ERROR_NO_BINARY_FOR_GPU: return "CUDA_ERROR_NO_BINARY_FOR_GPU";
    case CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES: return "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
    case CUDA_ERROR_NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
    default: return nullptr;
  }
}

}  // namespace

FakeCudaDriver* FakeCudaDriver::current = nullptr;

// The entry points of the context, the device and the module.
struct FakeEntryPoints {
  static void Contexts(internal::CudaDriver& t) {
    t.cuCtxGetCurrent = [](CUcontext* context) {
      *context = Fake().context_current ? MakeHandle<CUcontext>(0xc000 + Fake().context_id) : nullptr;
      return CUDA_SUCCESS;
    };
    t.cuCtxGetId = [](CUcontext, unsigned long long* id) {
      *id = Fake().context_id;
      return CUDA_SUCCESS;
    };
    t.cuCtxGetDevice = [](CUdevice* device) {
      *device = 0;
      return CUDA_SUCCESS;
    };
    t.cuCtxPushCurrent = [](CUcontext) { return Called("cuCtxPushCurrent"), CUDA_SUCCESS; };
    t.cuCtxPopCurrent = [](CUcontext* context) { return *context = nullptr, Called("cuCtxPopCurrent"), CUDA_SUCCESS; };
    t.cuDeviceGetAttribute = [](int* value, CUdevice_attribute attribute, CUdevice) {
      if (attribute == CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR) *value = Fake().capability / 10;
      if (attribute == CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR) *value = Fake().capability % 10;
      return CUDA_SUCCESS;
    };
    t.cuDeviceGetCount = [](int* count) { return *count = 1, CUDA_SUCCESS; };
    t.cuDriverGetVersion = [](int* version) { return *version = 12080, CUDA_SUCCESS; };
    t.cuGetErrorName = [](CUresult code, const char** name) {
      *name = ErrorName(code);
      return *name ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    };
    t.cuGetErrorString = [](CUresult, const char** text) { return *text = nullptr, CUDA_ERROR_INVALID_VALUE; };
  }

  static void Modules(internal::CudaDriver& t) {
    t.cuModuleLoadData = [](CUmodule* module, const void* image) {
      Called("cuModuleLoadData");
      if (Fake().load_result != CUDA_SUCCESS) return Fake().load_result;
      Fake().loaded.push_back(image);
      *module = MakeHandle<CUmodule>(Fake().loaded.size() - 1);
      return CUDA_SUCCESS;
    };
    t.cuModuleGetFunction = [](CUfunction* function, CUmodule module, const char*) {
      Called("cuModuleGetFunction");
      *function = MakeHandle<CUfunction>(IndexOf(module));
      return CUDA_SUCCESS;
    };
    t.cuModuleUnload = [](CUmodule) { return Called("cuModuleUnload"), CUDA_SUCCESS; };
    t.cuFuncGetAttribute = [](int* value, CUfunction_attribute attribute, CUfunction) {
      if (attribute == CU_FUNC_ATTRIBUTE_BINARY_VERSION) {
        *value = Fake().binary_version ? Fake().binary_version : Fake().capability;
      }
      return CUDA_SUCCESS;
    };
    t.cuFuncSetAttribute = [](CUfunction, CUfunction_attribute attribute, int value) {
      Called("cuFuncSetAttribute");
      Fake().function_attributes.push_back({attribute, value});
      return CUDA_SUCCESS;
    };
  }

  // The entry points of launching, memory and events.
  static void Launches(internal::CudaDriver& t) {
    t.cuLaunchKernel = [](CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned, unsigned,
                          unsigned shared, CUstream, void** params, void**) {
      Called("cuLaunchKernel");
      Fake().RecordLaunch({Fake().FatbinOf(f), false, {gx, gy, gz}, bx, shared, {}, {}, {}}, params);
      return Fake().launch_result;
    };
    t.cuLaunchKernelEx = [](const CUlaunchConfig* c, CUfunction f, void** params, void**) {
      Called("cuLaunchKernelEx");
      Fake().RecordLaunch({Fake().FatbinOf(f), true, {c->gridDimX, c->gridDimY, c->gridDimZ}, c->blockDimX,
                           c->sharedMemBytes, std::vector<CUlaunchAttribute>(c->attrs, c->attrs + c->numAttrs), {}, {}},
                          params);
      return Fake().launch_result;
    };
    t.cuEventCreate = [](CUevent* event, unsigned) {
      *event = MakeHandle<CUevent>(Fake().events_created++);
      return CUDA_SUCCESS;
    };
    t.cuEventDestroy = [](CUevent) { return Called("cuEventDestroy"), CUDA_SUCCESS; };
    t.cuEventRecord = [](CUevent event, CUstream) {
      Fake().Trace("record", {IndexOf(event) + 1});
      return CUDA_SUCCESS;
    };
    t.cuEventSynchronize = [](CUevent) { return CUDA_SUCCESS; };
    t.cuEventElapsedTime = [](float* ms, CUevent, CUevent) {
      auto it = Fake().milliseconds.find(Fake().last_launched);
      *ms = it == Fake().milliseconds.end() ? 1.0f : it->second;
      return CUDA_SUCCESS;
    };
  }

  // Device memory, as FakeCudaDriver::memory holds it.
  static void Memory(internal::CudaDriver& t) {
    t.cuMemAllocAsync = [](CUdeviceptr* pointer, std::size_t bytes, CUstream) {
      Fake().allocations.push_back(bytes);
      *pointer = 0x100000 * Fake().allocations.size();
      Fake().memory[*pointer].assign(bytes, 0xee);  // not zeroed, as cuMemAlloc's
      Fake().Trace("alloc", {*pointer, bytes});
      return CUDA_SUCCESS;
    };
    t.cuMemFreeAsync = [](CUdeviceptr pointer, CUstream) {
      Fake().memory.erase(pointer);
      Fake().Trace("free", {pointer});
      return ++Fake().frees, CUDA_SUCCESS;
    };
    t.cuMemGetAddressRange = [](CUdeviceptr* base, std::size_t* size, CUdeviceptr pointer) {
      Called("cuMemGetAddressRange");
      auto it = Fake().memory.upper_bound(pointer);
      if (it == Fake().memory.begin()) return CUDA_ERROR_NOT_FOUND;
      --it;
      if (pointer >= it->first + it->second.size()) return CUDA_ERROR_NOT_FOUND;
      *base = it->first;
      *size = it->second.size();
      return CUDA_SUCCESS;
    };
    t.cuMemsetD8Async = [](CUdeviceptr pointer, unsigned char value, std::size_t bytes, CUstream) {
      Fake().Trace("zero", {pointer, bytes});
      std::size_t at = 0;
      std::vector<unsigned char>* memory = Fake().Bytes(pointer, bytes, &at);
      if (Fake().memset_result != CUDA_SUCCESS || !memory) {
        return memory ? Fake().memset_result : CUDA_ERROR_INVALID_VALUE;
      }
      std::fill_n(memory->begin() + at, bytes, value);
      return CUDA_SUCCESS;
    };
    t.cuMemcpyDtoDAsync = [](CUdeviceptr to, CUdeviceptr from, std::size_t bytes, CUstream) {
      Fake().Trace("copy", {to, from, bytes});
      std::size_t to_at = 0, from_at = 0;
      std::vector<unsigned char>* target = Fake().Bytes(to, bytes, &to_at);
      std::vector<unsigned char>* source = Fake().Bytes(from, bytes, &from_at);
      if (Fake().memcpy_result != CUDA_SUCCESS || !target || !source) {
        return target && source ? Fake().memcpy_result : CUDA_ERROR_INVALID_VALUE;
      }
      std::copy_n(source->begin() + from_at, bytes, target->begin() + to_at);
      return CUDA_SUCCESS;
    };
  }

  static CUresult ParamInfo(CUfunction, std::size_t index, std::size_t* offset, std::size_t* size) {
    Called("cuFuncGetParamInfo");
    const auto& params = Fake().param_info_;
    if (index >= params.size()) return CUDA_ERROR_INVALID_VALUE;
    *offset = params[index].first;
    *size = params[index].second;
    return CUDA_SUCCESS;
  }
};

FakeCudaDriver::FakeCudaDriver() {
  FakeEntryPoints::Contexts(table_);
  FakeEntryPoints::Modules(table_);
  FakeEntryPoints::Launches(table_);
  FakeEntryPoints::Memory(table_);
  table_.version = 12080;
  current = this;
  internal::SetCudaDriverForTesting(&table_);
}

FakeCudaDriver::~FakeCudaDriver() {
  internal::SetCudaDriverForTesting(nullptr);
  current = nullptr;
}

void FakeCudaDriver::SetParamInfo(std::vector<std::pair<std::size_t, std::size_t>> params) {
  param_info_ = std::move(params);
  table_.cuFuncGetParamInfo = &FakeEntryPoints::ParamInfo;
}

std::size_t FakeCudaDriver::Calls(const std::string& name) const {
  return static_cast<std::size_t>(std::count(calls.begin(), calls.end(), name));
}

const void* FakeCudaDriver::FatbinOf(CUfunction function) const { return loaded.at(IndexOf(function)); }

void FakeCudaDriver::RecordLaunch(Launch launch, void** params) {
  const std::size_t n = std::min(params_per_launch, std::size(launch.params));
  std::copy(params, params + n, launch.params);
  // The two hidden parameters point at the scratch addresses.
  if (n >= 2) {
    std::memcpy(&launch.scratch[0], params[n - 2], sizeof(CUdeviceptr));
    std::memcpy(&launch.scratch[1], params[n - 1], sizeof(CUdeviceptr));
  }
  last_launched = launch.fatbin;
  Trace("launch", {*static_cast<const unsigned char*>(launch.fatbin)});
  if (on_launch) on_launch(launch.fatbin);
  launches.push_back(std::move(launch));
}

std::vector<unsigned char>* FakeCudaDriver::Bytes(CUdeviceptr address, std::size_t bytes, std::size_t* offset) {
  auto it = memory.upper_bound(address);
  if (it == memory.begin()) return nullptr;
  --it;
  if (address - it->first + bytes > it->second.size()) return nullptr;
  *offset = address - it->first;
  return &it->second;
}

void FakeCudaDriver::Trace(const std::string& what, std::initializer_list<std::uint64_t> numbers) {
  std::string line = what;
  char hex[24];
  for (std::uint64_t n : numbers) {
    std::snprintf(hex, sizeof hex, " %" PRIx64, n);
    line += hex;
  }
  stream.push_back(line);
}

}  // namespace triton_aot::testing

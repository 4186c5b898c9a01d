// The C++ types of kernel arguments in generated launch functions.
#pragma once

#include <cuda.h>

#include <cstddef>
#include <cstdint>

namespace triton_aot {

// 16-bit floats passed by their bits (Triton's fp16 and bf16 scalars).
struct float16 {
  std::uint16_t bits;
};
struct bfloat16 {
  std::uint16_t bits;
};
// 8-bit floats, as pointer element types.
struct float8e4nv {
  std::uint8_t bits;
};
struct float8e5 {
  std::uint8_t bits;
};
struct float8e4b15 {
  std::uint8_t bits;
};

// A device pointer to T: from a CUdeviceptr, or from a T* that came from the
// CUDA runtime API (cudaMalloc). Other pointers need an explicit conversion.
template <typename T>
struct DevicePtr {
  CUdeviceptr address = 0;

  DevicePtr() = default;
  DevicePtr(CUdeviceptr a) : address(a) {}  // NOLINT: implicit on purpose
  DevicePtr(T* p) : address(reinterpret_cast<CUdeviceptr>(p)) {}  // NOLINT
  DevicePtr(const T* p) : address(reinterpret_cast<CUdeviceptr>(p)) {}  // NOLINT
  explicit DevicePtr(const void* p) : address(reinterpret_cast<CUdeviceptr>(p)) {}
  DevicePtr(std::nullptr_t) {}  // NOLINT
};

// What a launcher knows of one argument's value, to check a variant's hints
// and to say what it was. A u64 keeps its bits in `value` (kUnsigned).
struct ArgValue {
  enum Kind : std::uint8_t { kPointer, kInteger, kUnsigned, kOther };
  Kind kind = kOther;
  std::int64_t value = 0;

  static ArgValue Pointer(CUdeviceptr p) { return {kPointer, static_cast<std::int64_t>(p)}; }
  static ArgValue Integer(std::int64_t v) { return {kInteger, v}; }
  static ArgValue Unsigned(std::uint64_t v) { return {kUnsigned, static_cast<std::int64_t>(v)}; }
  static ArgValue Other() { return {kOther, 0}; }
};

}  // namespace triton_aot

#include "trial_buffers.h"

#include <cstdint>
#include <sstream>

#include "kernel_error.h"

namespace triton_aot::internal {
namespace {

std::string Hex(CUdeviceptr address) {
  std::ostringstream out;
  out << "0x" << std::hex << static_cast<std::uint64_t>(address);
  return out.str();
}

const char* Role(const TuningBuffer& entry) {
  if (entry.reset_to_zero && entry.restore_value) return "reset_to_zero and restore_value";
  return entry.reset_to_zero ? "reset_to_zero" : "restore_value";
}

}  // namespace

TrialBuffers::~TrialBuffers() { Free(); }

Status TrialBuffers::Resolve(const TuningBuffer& entry, grid::Int size, const KernelImage& image,
                             const ArgValue* args, Buffer* buffer) const {
  if (entry.arg >= image.num_args || args[entry.arg].kind != ArgValue::kPointer || entry.element_bytes == 0) {
    return KernelError(kernel_, CUDA_ERROR_INVALID_VALUE,
                       "autotuning: the kernel's table of tuning buffers names argument " + std::to_string(entry.arg) +
                           ", which is not a pointer: the generated code and the runtime disagree; rebuild them");
  }
  buffer->name = image.arg_names ? image.arg_names[entry.arg] : "argument " + std::to_string(entry.arg);
  buffer->role = Role(entry);
  buffer->address = static_cast<CUdeviceptr>(args[entry.arg].value);
  buffer->zero = entry.reset_to_zero;
  if (!size.ok()) {
    return KernelError(kernel_, CUDA_ERROR_INVALID_VALUE,
                       std::string("autotuning: the size buffer_sizes gives ") + buffer->role + " buffer '" +
                           buffer->name + "' " +
                           (size.fault() == grid::Fault::kOverflow ? "overflows 64 bits" : "divides by zero") +
                           " for these arguments; check its expression in buffer_sizes against the arguments");
  }
  const std::int64_t elements = size.value();
  const std::string what = std::string("autotuning: buffer_sizes gives ") + buffer->role + " buffer '" + buffer->name +
                           "' " + std::to_string(elements) + " elements";
  if (elements < 0) {
    return KernelError(kernel_, CUDA_ERROR_INVALID_VALUE,
                       what + " for these arguments: a size must not be negative; check its expression in "
                              "buffer_sizes against the arguments");
  }
  if (static_cast<std::uint64_t>(elements) > SIZE_MAX / entry.element_bytes) {
    return KernelError(kernel_, CUDA_ERROR_INVALID_VALUE,
                       what + " of " + std::to_string(entry.element_bytes) +
                           " bytes, more than memory can hold; check its expression in buffer_sizes");
  }
  buffer->elements = elements;
  buffer->bytes = static_cast<std::size_t>(elements) * entry.element_bytes;
  return {};
}

Status TrialBuffers::CheckAllocation(const Buffer& buffer) const {
  CUdeviceptr base = 0;
  std::size_t size = 0;
  const CUresult rc = driver_->cuMemGetAddressRange(&base, &size, buffer.address);
  if (rc != CUDA_SUCCESS) {
    return KernelError(kernel_, rc,
                       std::string("autotuning: cannot find the allocation of ") + buffer.role + " buffer '" +
                           buffer.name + "' at " + Hex(buffer.address) +
                           ": cuMemGetAddressRange: " + ErrorText(driver_, rc) +
                           "; tuning zeroes or restores it, so it must be device memory the CUDA driver allocated");
  }
  const std::size_t available = buffer.address >= base ? base + size - buffer.address : 0;
  if (buffer.bytes > available) {
    return KernelError(kernel_, CUDA_ERROR_INVALID_VALUE,
                       std::string("autotuning: buffer_sizes gives ") + buffer.role + " buffer '" + buffer.name +
                           "' " + std::to_string(buffer.bytes) + " bytes (" + std::to_string(buffer.elements) +
                           " elements), but its allocation holds only " + std::to_string(available) +
                           " bytes from " + Hex(buffer.address) +
                           ": correct its size in buffer_sizes, or pass a buffer that large");
  }
  return {};
}

Status TrialBuffers::Save(const TuningBuffers& buffers, const KernelImage& image, const ArgValue* args) {
  if (buffers.count > 0 && !buffers.elements) {
    return KernelError(kernel_, CUDA_ERROR_INVALID_VALUE,
                       "autotuning: the launch passed no sizes for the kernel's tuning buffers: the generated code "
                       "and the runtime disagree; rebuild them");
  }
  for (std::size_t i = 0; i < buffers.count; ++i) {
    Buffer buffer;
    if (Status status = Resolve(buffers.table[i], buffers.elements[i], image, args, &buffer); !status.ok()) {
      return status;
    }
    if (buffer.bytes == 0 || buffer.address == 0) continue;  // nothing to keep (Triton skips a None)
    if (Status status = CheckAllocation(buffer); !status.ok()) return status;
    if (buffers.table[i].restore_value) {
      const std::string what = "autotuning: cannot save restore_value buffer '" + buffer.name + "' (" +
                               std::to_string(buffer.bytes) + " bytes)";
      CUresult rc = driver_->cuMemAllocAsync(&buffer.saved, buffer.bytes, stream_);
      if (rc != CUDA_SUCCESS) return DriverError(driver_, kernel_, rc, what);
      buffers_.push_back(buffer);  // freed with the others from here on
      rc = driver_->cuMemcpyDtoDAsync(buffer.saved, buffer.address, buffer.bytes, stream_);
      if (rc != CUDA_SUCCESS) return DriverError(driver_, kernel_, rc, what);
      continue;
    }
    buffers_.push_back(buffer);
  }
  return {};
}

Status TrialBuffers::Zero() const {
  for (const Buffer& buffer : buffers_) {
    if (!buffer.zero) continue;
    const CUresult rc = driver_->cuMemsetD8Async(buffer.address, 0, buffer.bytes, stream_);
    if (rc != CUDA_SUCCESS) {
      return DriverError(driver_, kernel_, rc, "autotuning: cannot zero reset_to_zero buffer '" + buffer.name + "'");
    }
  }
  return {};
}

Status TrialBuffers::BeforeTrial() const { return Zero(); }

Status TrialBuffers::AfterTrial() const {
  for (const Buffer& buffer : buffers_) {
    if (!buffer.saved) continue;
    const CUresult rc = driver_->cuMemcpyDtoDAsync(buffer.address, buffer.saved, buffer.bytes, stream_);
    if (rc != CUDA_SUCCESS) {
      return DriverError(driver_, kernel_, rc,
                         "autotuning: cannot restore restore_value buffer '" + buffer.name +
                             "' after a trial, so it holds what the trial left");
    }
  }
  return {};
}

Status TrialBuffers::Finish(bool zero) {
  Status status = zero ? Zero() : Status();
  Free();
  return status;
}

void TrialBuffers::Free() {
  for (Buffer& buffer : buffers_) {
    if (buffer.saved) driver_->cuMemFreeAsync(buffer.saved, stream_);
    buffer.saved = 0;
  }
}

}  // namespace triton_aot::internal

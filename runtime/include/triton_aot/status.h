// The result of every runtime call: a CUresult plus a message that says what
// failed and what to do. Never thrown; nothing in the runtime exits or aborts.
#pragma once

#include <cuda.h>

#include <string>
#include <utility>

namespace triton_aot {

class [[nodiscard]] Status {
 public:
  Status() = default;  // success
  Status(CUresult code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == CUDA_SUCCESS; }
  explicit operator bool() const { return ok(); }
  CUresult code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  CUresult code_ = CUDA_SUCCESS;
  std::string message_;
};

}  // namespace triton_aot

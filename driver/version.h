#pragma once

namespace triton_aot {

inline constexpr const char* kVersion = "0.1.0";

}  // namespace triton_aot

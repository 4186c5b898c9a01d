// Small kernel modules that several tests build: a helper, a module that
// imports it, and a module with two variants of one kernel.
#pragma once

#include <filesystem>

#include "test_support.h"

namespace triton_aot::testing {

// helper.py: a @triton.jit function other modules import.
inline constexpr const char* kHelperModule = R"src(import triton


@triton.jit
def twice(x):
    return x * 2
)src";

// a.py: imports the helper (as helper.py in its folder): editing the helper must
// rebuild this module.
inline constexpr const char* kImportsHelperModule = R"src(import triton
import triton.language as tl
from helper import twice


@triton.jit
def double_it(x_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.store(x_ptr + offsets, twice(tl.load(x_ptr + offsets, mask=mask)), mask=mask)


TRITON_AOT_KERNELS = [
    {"kernel": "double_it", "signature": {"x_ptr": "*fp32:16", "n": "i32"},
     "constexprs": {"BLOCK": 256}, "grid": ["cdiv(n, BLOCK)"]},
]
)src";

// b.py: one kernel, two variants.
inline constexpr const char* kTwoVariantsModule = R"src(import triton
import triton.language as tl


@triton.jit
def copy(src_ptr, dst_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.store(dst_ptr + offsets, tl.load(src_ptr + offsets, mask=mask), mask=mask)


TRITON_AOT_KERNELS = [
    {"kernel": "copy", "signature": {"src_ptr": "*fp16:16", "dst_ptr": "*fp16:16", "n": "i32"},
     "grid": ["cdiv(n, BLOCK)"],
     "variants": [{"name": "small", "constexprs": {"BLOCK": 128}},
                  {"name": "large", "constexprs": {"BLOCK": 1024}, "num_warps": 8}]},
]
)src";

// Writes helper.py, a.py (which imports it) and b.py into <source_dir>/kernels.
inline void WriteSampleModules(const std::filesystem::path& source_dir) {
  WriteText(source_dir / "kernels" / "helper.py", kHelperModule);
  WriteText(source_dir / "kernels" / "a.py", kImportsHelperModule);
  WriteText(source_dir / "kernels" / "b.py", kTwoVariantsModule);
}

}  // namespace triton_aot::testing

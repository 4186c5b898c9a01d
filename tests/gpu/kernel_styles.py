# Kernels in the styles of kernel libraries, launched on a GPU by
# kernel_styles_test.cc: a row-wise kernel over rows that are no argument
# (launch_params), one with the caller's grid only, and one that reads the SM
# count and the target at import (the build-time target's answers).
import triton
import triton.language as tl
from triton.runtime import driver

NUM_SMS = tl.constexpr(driver.active.utils.get_device_properties(0)["multiprocessor_count"])
ARCH = tl.constexpr(driver.active.get_current_target().arch)


@triton.jit
def row_sum(x_ptr, out_ptr, stride, n_cols, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    x = tl.load(x_ptr + row * stride + cols, mask=cols < n_cols, other=0.0)
    tl.store(out_ptr + row, tl.sum(x, axis=0))


@triton.jit
def build_target(out_ptr):
    tl.store(out_ptr, NUM_SMS)
    tl.store(out_ptr + 1, ARCH)


_ROW_SUM = {"x_ptr": "*fp32", "out_ptr": "*fp32", "stride": "i32", "n_cols": "i32"}

TRITON_AOT_KERNELS = [
    {"kernel": "row_sum", "signature": _ROW_SUM, "constexprs": {"BLOCK": 1024},
     "launch_params": ["n_rows: i32"], "grid": ["n_rows"]},
    {"kernel": "row_sum", "name": "row_sum_given_grid", "signature": _ROW_SUM, "constexprs": {"BLOCK": 1024}},
    {"kernel": "build_target", "signature": {"out_ptr": "*i32"}, "grid": ["1"]},
]

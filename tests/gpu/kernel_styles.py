# Kernels in the styles of kernel libraries, launched on a GPU by
# kernel_styles_test.cc: a row-wise kernel over rows that are no argument
# (launch_params), one with the caller's grid only, one that reads the SM
# count and the target at import (the build-time target's answers), and a
# softmax written as Triton's tutorial launches it (BLOCK_SIZE =
# next_power_of_2(n_cols), more warps for wider rows) built as a family of
# guarded variants; compare_with_triton.py runs it against Triton's JIT.
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


@triton.jit
def softmax_kernel(out_ptr, in_ptr, in_stride, out_stride, n_cols, BLOCK_SIZE: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK_SIZE)
    mask = cols < n_cols
    x = tl.load(in_ptr + row * in_stride + cols, mask=mask, other=-float("inf"))
    x = x - tl.max(x, axis=0)
    numerator = tl.exp(x)
    tl.store(out_ptr + row * out_stride + cols, numerator / tl.sum(numerator, axis=0), mask=mask)


def softmax_warps(block_size):
    """The launcher's choice of warps per row width, as the tutorial's Python does it."""
    return 16 if block_size >= 8192 else 8 if block_size >= 2048 else 4


SOFTMAX_BLOCKS = [2**p for p in range(4, 15)]  # 16 ... 16384

_ROW_SUM = {"x_ptr": "*fp32", "out_ptr": "*fp32", "stride": "i32", "n_cols": "i32"}

TRITON_AOT_KERNELS = [
    {"kernel": "row_sum", "signature": _ROW_SUM, "constexprs": {"BLOCK": 1024},
     "launch_params": ["n_rows: i32"], "grid": ["n_rows"]},
    {"kernel": "row_sum", "name": "row_sum_given_grid", "signature": _ROW_SUM, "constexprs": {"BLOCK": 1024}},
    {"kernel": "build_target", "signature": {"out_ptr": "*i32"}, "grid": ["1"]},
    {"kernel": "softmax_kernel", "name": "softmax",
     "signature": {"out_ptr": "*fp32", "in_ptr": "*fp32", "in_stride": "i32", "out_stride": "i32", "n_cols": "i32"},
     "launch_params": ["n_rows: i32"], "grid": ["n_rows"],
     "variants": [{"name": "block", "guard": "n_cols <= BLOCK_SIZE",
                   "for_each": [{"BLOCK_SIZE": b, "num_warps": softmax_warps(b)} for b in SOFTMAX_BLOCKS]}]},
]

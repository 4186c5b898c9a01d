"""Autotuned kernels that read what they write, so that tuning them on the caller's buffers needs
@triton.autotune's reset_to_zero and restore_value: the GPU tests check that a tuned launch leaves the buffers
as one run would."""
import triton
import triton.language as tl

CONFIGS = [triton.Config({"BLOCK": 128}, num_warps=4),
           triton.Config({"BLOCK": 256}, num_warps=4),
           triton.Config({"BLOCK": 512}, num_warps=8)]


# Integer sums, so that the order of the atomic adds changes nothing.
@triton.autotune(configs=CONFIGS, key=["n"], reset_to_zero=["sums_ptr"])
@triton.jit
def accumulate(x_ptr, sums_ptr, n, BINS: tl.constexpr, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.atomic_add(sums_ptr + offsets % BINS, tl.load(x_ptr + offsets, mask=mask), mask=mask)


@triton.autotune(configs=CONFIGS, key=["n"], restore_value=["x_ptr"])
@triton.jit
def scale_in_place(x_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    x = tl.load(x_ptr + offsets, mask=mask)
    tl.store(x_ptr + offsets, x * 2.0 + 1.0, mask=mask)


TRITON_AOT_KERNELS = [
    {"kernel": "accumulate",
     "signature": {"x_ptr": "*i32", "sums_ptr": "*i32", "n": "i32"},
     "constexprs": {"BINS": 64},
     "grid": ["cdiv(n, BLOCK)"],
     "buffer_sizes": {"sums_ptr": "BINS"}},
    {"kernel": "scale_in_place",
     "signature": {"x_ptr": "*fp32", "n": "i32"},
     "grid": ["cdiv(n, BLOCK)"],
     "buffer_sizes": {"x_ptr": "n"}},
]

"""out = alpha * x + y over fp32 vectors, built ahead of time by TritonAOT."""
import triton
import triton.language as tl


@triton.jit
def axpy(x_ptr, y_ptr, out_ptr, alpha, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    x = tl.load(x_ptr + offsets, mask=mask)
    y = tl.load(y_ptr + offsets, mask=mask)
    tl.store(out_ptr + offsets, alpha * x + y, mask=mask)


TRITON_AOT_KERNELS = [
    {
        "kernel": "axpy",
        "signature": {"x_ptr": "*fp32", "y_ptr": "*fp32", "out_ptr": "*fp32", "alpha": "fp32", "n": "i32"},
        "constexprs": {"BLOCK": 1024},
        "grid": ["cdiv(n, BLOCK)"],
        "num_warps": 4,
        "variants": [
            # Pointers aligned to 16 bytes and n a multiple of 16: vectorised loads.
            {"name": "aligned",
             "signature": {"x_ptr": "*fp32:16", "y_ptr": "*fp32:16", "out_ptr": "*fp32:16", "n": "i32:16"}},
            {"name": "generic"},
        ],
    },
]

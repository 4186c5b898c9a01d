"""Row-wise softmax over an fp32 matrix, any row length, built ahead of time by TritonAOT."""
import triton
import triton.language as tl


@triton.jit
def softmax(out_ptr, in_ptr, in_row_stride, out_row_stride, n_rows, n_cols, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    in_row = in_ptr + row.to(tl.int64) * in_row_stride
    out_row = out_ptr + row.to(tl.int64) * out_row_stride
    # Online softmax: one pass for the running maximum and sum, one to write.
    # Masked lanes read a large negative number rather than -inf, so that no
    # (-inf) - (-inf) turns into NaN; exp of it is 0 against any real value.
    running_max = tl.full([BLOCK], -1e30, tl.float32)
    running_sum = tl.zeros([BLOCK], tl.float32)
    for start in range(0, n_cols, BLOCK):
        cols = start + tl.arange(0, BLOCK)
        x = tl.load(in_row + cols, mask=cols < n_cols, other=-1e30)
        new_max = tl.maximum(running_max, x)
        running_sum = running_sum * tl.exp(running_max - new_max) + tl.exp(x - new_max)
        running_max = new_max
    row_max = tl.max(running_max, 0)
    row_sum = tl.sum(running_sum * tl.exp(running_max - row_max), 0)
    for start in range(0, n_cols, BLOCK):
        cols = start + tl.arange(0, BLOCK)
        x = tl.load(in_row + cols, mask=cols < n_cols, other=-1e30)
        tl.store(out_row + cols, tl.exp(x - row_max) / row_sum, mask=cols < n_cols)


TRITON_AOT_KERNELS = [
    {
        "kernel": "softmax",
        "signature": {"out_ptr": "*fp32", "in_ptr": "*fp32", "in_row_stride": "i32", "out_row_stride": "i32",
                      "n_rows": "i32", "n_cols": "i32"},
        "constexprs": {"BLOCK": 1024},
        "grid": ["n_rows"],
        "num_warps": 4,
        "variants": [
            {"name": "aligned", "signature": {"out_ptr": "*fp32:16", "in_ptr": "*fp32:16", "in_row_stride": "i32:16",
                                              "out_row_stride": "i32:16", "n_cols": "i32:16"}},
            {"name": "generic"},
        ],
    },
]

"""A byte copy with a variant for 16-byte aligned pointers and sizes, and one
for any: the GPU tests launch it at every alignment."""
import triton
import triton.language as tl


@triton.jit
def copy_bytes(src_ptr, dst_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.store(dst_ptr + offsets, tl.load(src_ptr + offsets, mask=mask), mask=mask)


TRITON_AOT_KERNELS = [
    {"kernel": "copy_bytes",
     "signature": {"src_ptr": "*u8", "dst_ptr": "*u8", "n": "i32"},
     "constexprs": {"BLOCK": 1024},
     "grid": ["cdiv(n, BLOCK)"],
     "variants": [
         {"name": "aligned", "signature": {"src_ptr": "*u8:16", "dst_ptr": "*u8:16", "n": "i32:16"}},
         {"name": "generic"},
     ]},
]

# Attention forward in the style of Triton's fused-attention tutorial: an
# online softmax over key blocks, autotuned, with a pruner that reads the
# sequence length from the call's keyword constexprs (kwargs["N_CTX"]) as the
# tutorial's does, and drops small 8-warp tiles on Hopper as the tutorial's
# config filter does (here in the pruner, which the build runs per arch; a
# filter at import that depends on the device makes each arch's module define
# other configs, which a build refuses). compare_with_triton.py runs it
# against Triton's own launch.
import triton
import triton.language as tl
from triton.runtime import driver


def _prune(configs, named_args, **kwargs):
    hopper = driver.active.get_current_target().arch == 90
    kept = []
    for c in configs:
        small = c.kwargs["BLOCK_M"] * c.kwargs["BLOCK_N"] < 128 * 128
        if hopper and small and c.num_warps == 8:
            continue
        if c.kwargs["BLOCK_M"] <= kwargs["N_CTX"] and c.kwargs["BLOCK_N"] <= kwargs["N_CTX"]:
            kept.append(c)
    return kept


CONFIGS = [triton.Config({"BLOCK_M": m, "BLOCK_N": n}, num_stages=s, num_warps=w)
           for m, n, s, w in [(64, 32, 2, 4), (64, 64, 3, 8), (128, 64, 3, 4), (256, 64, 2, 8)]]


@triton.autotune(configs=CONFIGS, key=["N_CTX", "HEAD_DIM"], prune_configs_by={"early_config_prune": _prune})
@triton.jit
def attention_fwd(q_ptr, k_ptr, v_ptr, out_ptr, sm_scale, stride_q, stride_k, stride_v, stride_o,
                  N_CTX: tl.constexpr, HEAD_DIM: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    head = tl.program_id(1)
    q_ptr += head * N_CTX * stride_q
    k_ptr += head * N_CTX * stride_k
    v_ptr += head * N_CTX * stride_v
    out_ptr += head * N_CTX * stride_o
    rows = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.arange(0, BLOCK_N)
    dims = tl.arange(0, HEAD_DIM)
    q = tl.load(q_ptr + rows[:, None] * stride_q + dims[None, :], mask=rows[:, None] < N_CTX, other=0.0)
    row_max = tl.full([BLOCK_M], float("-inf"), tl.float32)
    row_sum = tl.zeros([BLOCK_M], tl.float32)
    acc = tl.zeros([BLOCK_M, HEAD_DIM], tl.float32)
    for start in range(0, N_CTX, BLOCK_N):
        keys = start + cols
        k = tl.load(k_ptr + keys[None, :] * stride_k + dims[:, None], mask=keys[None, :] < N_CTX, other=0.0)
        scores = tl.dot(q, k) * sm_scale
        scores = tl.where(keys[None, :] < N_CTX, scores, float("-inf"))
        new_max = tl.maximum(row_max, tl.max(scores, 1))
        p = tl.exp(scores - new_max[:, None])
        scale = tl.exp(row_max - new_max)
        row_sum = row_sum * scale + tl.sum(p, 1)
        v = tl.load(v_ptr + keys[:, None] * stride_v + dims[None, :], mask=keys[:, None] < N_CTX, other=0.0)
        acc = tl.dot(p.to(v.dtype), v, acc * scale[:, None])
        row_max = new_max
    out = acc / row_sum[:, None]
    tl.store(out_ptr + rows[:, None] * stride_o + dims[None, :], out.to(out_ptr.dtype.element_ty),
             mask=rows[:, None] < N_CTX)


TRITON_AOT_KERNELS = [
    {"kernel": "attention_fwd", "name": "attention",
     "signature": {"q_ptr": "*fp16:16", "k_ptr": "*fp16:16", "v_ptr": "*fp16:16", "out_ptr": "*fp16:16",
                   "sm_scale": "fp32", "stride_q": "i32:16", "stride_k": "i32:16", "stride_v": "i32:16",
                   "stride_o": "i32:16"},
     "constexprs": {"N_CTX": 128, "HEAD_DIM": 64},
     "launch_params": ["heads: i32"],
     "grid": ["cdiv(N_CTX, BLOCK_M)", "heads"]},
]

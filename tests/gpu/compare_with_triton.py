"""Runs each example kernel twice on the same torch tensors: through Triton's
own Python launch (JIT) and through our generated C++ launchers (the shared
library given as argv[1]), and checks that the outputs agree. Prints
"SKIP: <reason>" and exits 0 where torch or a GPU is missing; a GPU that torch
or the driver cannot use fails it."""
import ctypes
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, "..", "..", "examples")


def load(name, path=None):
    path = path or os.path.join(EXAMPLES, name, name + ".py")
    spec = importlib.util.spec_from_file_location("example_" + name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    aot = ctypes.CDLL(sys.argv[1])
    why = ctypes.create_string_buffer(512)
    availability = aot.aot_check_gpu(why, len(why))
    if availability in (1, 2):  # no driver, no device
        print("SKIP: no GPU to run on:", why.value.decode())
        return 0
    if availability != 0:
        print("FAIL: a GPU is there, but", why.value.decode())
        return 1
    try:
        import torch
    except ImportError:
        print("SKIP: torch is not installed for", sys.executable)
        return 0
    if not torch.cuda.is_available():
        print("FAIL: the CUDA driver sees a GPU, but torch cannot use it:", why.value.decode())
        return 1
    import triton

    u64, i32, f32 = ctypes.c_uint64, ctypes.c_int32, ctypes.c_float
    aot.aot_axpy.argtypes = [u64, u64, u64, f32, i32]
    aot.aot_softmax.argtypes = [u64, u64, i32, i32, i32, i32]
    aot.aot_matmul.argtypes = [u64, u64, u64, i32, i32, i32, ctypes.c_int]
    aot.aot_styles_softmax.argtypes = [u64, u64, i32, i32, i32, i32]
    torch.manual_seed(int.from_bytes(os.urandom(4), "little"))
    failures = 0

    def check(what, ours, theirs, tolerance):
        nonlocal failures
        error = ((ours.double() - theirs.double()).norm() / theirs.double().norm()).item()
        ok = error <= tolerance and not torch.isnan(ours).any().item()
        failures += not ok
        print(f"{'PASS' if ok else 'FAIL'}: {what}: relative difference to Triton's launch {error:.2e}")

    # vector_add, both variants (aligned size and an odd one).
    vector_add = load("vector_add")
    for n in (1 << 20, (1 << 20) + 13):
        x, y = torch.randn(n, device="cuda"), torch.randn(n, device="cuda")
        alpha = float(torch.rand(1).item() + 0.5)
        theirs, ours = torch.full_like(x, float("nan")), torch.full_like(x, float("nan"))
        vector_add.axpy[(triton.cdiv(n, 1024), )](x, y, theirs, alpha, n, BLOCK=1024)
        assert aot.aot_axpy(x.data_ptr(), y.data_ptr(), ours.data_ptr(), alpha, n) == 0
        torch.cuda.synchronize()
        check(f"vector_add n={n}", ours, theirs, 1e-7)

    softmax = load("softmax")
    for rows, cols in ((300, 4096), (77, 3001)):
        inp = torch.randn(rows, cols, device="cuda") * 4
        theirs, ours = torch.full_like(inp, float("nan")), torch.full_like(inp, float("nan"))
        softmax.softmax[(rows, )](theirs, inp, cols, cols, rows, cols, BLOCK=1024)
        assert aot.aot_softmax(ours.data_ptr(), inp.data_ptr(), cols, cols, rows, cols) == 0
        torch.cuda.synchronize()
        check(f"softmax {rows}x{cols}", ours, theirs, 1e-6)

    # matmul: Triton's autotuner picks its config; ours runs each config. The
    # sums are the same up to fp32 rounding order.
    matmul = load("matmul")
    m, n, k = 509, 384, 320
    a = torch.randn(m, k, device="cuda", dtype=torch.float16)
    b = torch.randn(k, n, device="cuda", dtype=torch.float16)
    theirs = torch.empty(m, n, device="cuda", dtype=torch.float32)
    grid = lambda meta: (triton.cdiv(m, meta["BLOCK_M"]), triton.cdiv(n, meta["BLOCK_N"]))
    matmul.matmul[grid](a, b, theirs, m, n, k, k, 1, n, 1, n, 1)
    for config in range(4):
        ours = torch.full_like(theirs, float("nan"))
        assert aot.aot_matmul(a.data_ptr(), b.data_ptr(), ours.data_ptr(), m, n, k, config) == 0
        torch.cuda.synchronize()
        check(f"matmul {m}x{n}x{k} config {config}", ours, theirs, 1e-5)
    failures += compare_styles(aot, torch, triton)
    failures += compare_autotuned(aot, torch, triton, "autotune_fit", aot.aot_fit_matmul)
    failures += compare_autotuned(aot, torch, triton, "autotune_prune", aot.aot_prune_matmul)
    failures += compare_attention(aot, torch, triton)
    return 1 if failures else 0


def compare_styles(aot, torch, triton):
    """The kernels of tests/gpu/kernel_styles.py, launched as their Python would launch them: the same
    config, so the same bits."""
    styles = load("kernel_styles", os.path.join(HERE, "kernel_styles.py"))
    # Our variants promise nothing about alignment or divisibility; Triton's launch specialises on both unless
    # told not to, which compiles other code (vectorised loads, another reduction order).
    jit = triton.jit(styles.softmax_kernel.fn, do_not_specialize=["in_stride", "out_stride", "n_cols"],
                     do_not_specialize_on_alignment=["out_ptr", "in_ptr"])
    failures = 0
    for rows, cols in ((64, 5), (33, 16), (128, 100), (300, 1024), (300, 1025), (77, 3001), (20, 8192), (9, 16384)):
        inp = torch.randn(rows, cols + 3, device="cuda")[:, :cols] * 4  # rows strided past their ends
        theirs = torch.full((rows, cols), float("nan"), device="cuda")
        ours = torch.full_like(theirs, float("nan"))
        block = triton.next_power_of_2(cols)
        jit[(rows, )](theirs, inp, inp.stride(0), theirs.stride(0), cols, BLOCK_SIZE=block,
                                        num_warps=styles.softmax_warps(block))
        assert aot.aot_styles_softmax(ours.data_ptr(), inp.data_ptr(), inp.stride(0), ours.stride(0), cols, rows) == 0
        torch.cuda.synchronize()
        same = torch.equal(ours, theirs)
        failures += not same
        print(f"{'PASS' if same else 'FAIL'}: kernel_styles softmax {rows}x{cols} (BLOCK_SIZE={block}): "
              f"{'bit-identical to' if same else 'differs from'} Triton's launch")
    return failures


def compare_autotuned(aot, torch, triton, name, shim):
    """The autotuned matmul of tests/gpu/<name>.py through our `shim`: tests/gpu/autotune_fit.py's config list has
    configs too large for some GPUs, which Triton's autotuner skips on the device it runs on, as the build did per
    arch; tests/gpu/autotune_prune.py's pruner narrows its list per device, as the build ran it per arch. Each
    config ours has is bit-identical to Triton's launch of it; those Triton leaves out on this device (too large,
    or pruned) ours refuses; and both autotuned launches agree up to the rounding of their (possibly different)
    configs."""
    tuned = load(name, os.path.join(HERE, name + ".py")).matmul_kernel
    shim.argtypes = [ctypes.c_uint64] * 3 + [ctypes.c_int32] * 6 + [ctypes.c_int]
    m, n, k = 509, 383, 320  # M and N not multiples of 16, as neither launch promises; K and the strides are
    a = torch.randn(m, k, device="cuda", dtype=torch.float16)
    b = torch.randn(k, 384, device="cuda", dtype=torch.float16)[:, :n]
    grid = lambda meta: (triton.cdiv(m, meta["BLOCK_M"]), triton.cdiv(n, meta["BLOCK_N"]))
    output = lambda: torch.full((m, 384), float("nan"), device="cuda")[:, :n]
    args = lambda out: (a, b, out, m, n, k, a.stride(0), b.stride(0), out.stride(0))
    failures = 0

    def launch_ours(config):
        out = output()
        rc = shim(a.data_ptr(), b.data_ptr(), out.data_ptr(), m, n, k, a.stride(0), b.stride(0), out.stride(0),
                  config)
        torch.cuda.synchronize()
        return rc, out

    kept = range(len(tuned.configs))
    if getattr(tuned, "early_config_prune", None) is not None:  # as Triton's autotuner runs it, on this GPU
        chosen = tuned.early_config_prune(tuned.configs, dict(zip(tuned.arg_names, args(output()))))
        kept = [i for i, config in enumerate(tuned.configs) if any(config is c for c in chosen)]
    for index, config in enumerate(tuned.configs):
        theirs = output() if index in kept else None
        try:
            if theirs is not None:
                tuned.fn[grid](*args(theirs), num_warps=config.num_warps, num_stages=config.num_stages,
                               **config.kwargs)
                torch.cuda.synchronize()
        except triton.runtime.errors.OutOfResources:
            theirs = None
        rc, ours = launch_ours(index)
        if theirs is None:
            ok = rc != 0
            why = "Triton's pruner leaves it out" if index not in kept else "Triton's launch raised OutOfResources"
            print(f"{'PASS' if ok else 'FAIL'}: {name} config {index}: not for this device ({why}); ours "
                  f"{'refused it' if ok else 'launched it'}")
        else:
            ok = rc == 0 and torch.equal(ours, theirs)
            print(f"{'PASS' if ok else 'FAIL'}: {name} config {index}: "
                  f"{'bit-identical to' if ok else 'differs from'} Triton's launch")
        failures += not ok

    theirs = output()
    tuned[grid](*args(theirs))
    torch.cuda.synchronize()
    rc, ours = launch_ours(-1)
    error = ((ours.double() - theirs.double()).norm() / theirs.double().norm()).item() if rc == 0 else float("inf")
    ok = error <= 1e-5 and not torch.isnan(ours).any().item()
    failures += not ok
    print(f"{'PASS' if ok else 'FAIL'}: {name} autotuned (Triton chose {tuned.best_config}): relative "
          f"difference to Triton's launch {error:.2e}")
    return failures


def compare_attention(aot, torch, triton):
    """The attention of tests/gpu/attention.py, whose pruner reads N_CTX from its keyword constexprs and drops
    some configs on Hopper: ours has exactly the configs Triton's pruner keeps on this GPU, each bit-identical to
    Triton's launch of it, and both autotuned launches agree with torch's attention."""
    tuned = load("attention", os.path.join(HERE, "attention.py")).attention_fwd
    aot.aot_attention.argtypes = [ctypes.c_uint64] * 4 + [ctypes.c_float] + [ctypes.c_int32] * 2 + [ctypes.c_int]
    heads, n_ctx, head_dim = 2, 128, 64
    q, k, v = (torch.randn(heads, n_ctx, head_dim, device="cuda", dtype=torch.float16) for _ in range(3))
    sm_scale = head_dim ** -0.5
    expected = torch.softmax((q.float() @ k.float().transpose(1, 2)) * sm_scale, dim=-1) @ v.float()
    grid = lambda meta: (triton.cdiv(n_ctx, meta["BLOCK_M"]), heads)
    constexprs = {"N_CTX": n_ctx, "HEAD_DIM": head_dim}
    args = lambda out: (q, k, v, out, sm_scale, head_dim, head_dim, head_dim, head_dim)
    failures = 0

    def launch_ours(config):
        out = torch.full_like(q, float("nan"))
        rc = aot.aot_attention(q.data_ptr(), k.data_ptr(), v.data_ptr(), out.data_ptr(), sm_scale, head_dim, heads,
                               config)
        torch.cuda.synchronize()
        return rc, out

    chosen = tuned.early_config_prune(tuned.configs, dict(zip(tuned.arg_names, args(q))), **constexprs)
    for index, config in enumerate(tuned.configs):
        rc, ours = launch_ours(index)
        if not any(config is c for c in chosen):
            ok = rc != 0
            print(f"{'PASS' if ok else 'FAIL'}: attention config {index}: Triton's pruner leaves it out on this GPU; "
                  f"ours {'refused it' if ok else 'launched it'}")
        else:
            theirs = torch.full_like(q, float("nan"))
            tuned.fn[grid](*args(theirs), **constexprs, num_warps=config.num_warps, num_stages=config.num_stages,
                           **config.kwargs)
            torch.cuda.synchronize()
            ok = rc == 0 and torch.equal(ours, theirs)
            print(f"{'PASS' if ok else 'FAIL'}: attention config {index}: "
                  f"{'bit-identical to' if ok else 'differs from'} Triton's launch")
        failures += not ok
    theirs = torch.full_like(q, float("nan"))
    tuned[grid](*args(theirs), **constexprs)
    rc, ours = launch_ours(-1)
    for who, out in (("ours", ours), ("Triton's", theirs)):
        error = ((out.double() - expected.double()).norm() / expected.double().norm()).item()
        ok = (who != "ours" or rc == 0) and error <= 1e-2
        failures += not ok
        print(f"{'PASS' if ok else 'FAIL'}: attention autotuned, {who}: relative difference to torch's {error:.2e}")
    return failures


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The floor: one warmed Python process compiling every variant of the suite serially with triton.compile.

    floor.py SUITE_DIR/suite.json RESULT.json

Startup = `import triton` + one warm-up compile of a tiny kernel (loads the backend, LLVM, ptxas once).
Then every job of suite.json (each variant of each kernel for each arch, the same signature, constexprs,
hints and options our driver and triton.tools.compile use) is compiled with triton.compile, in order, in this
one process. Writes {"startup_s", "import_s", "warmup_s", "compile_s", "jobs", "per_module_s": {...}}.
Run it with CUDA_VISIBLE_DEVICES="" and a fresh TRITON_CACHE_DIR (run.sh does), so nothing comes from a cache.
"""
import importlib.util
import json
import sys
import time

t0 = time.perf_counter()
import triton  # noqa: E402
import triton.language as tl  # noqa: E402
from triton.backends.compiler import GPUTarget  # noqa: E402
from triton.compiler import ASTSource  # noqa: E402

t_import = time.perf_counter() - t0


@triton.jit
def _warmup(x_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    tl.store(x_ptr + offsets, tl.load(x_ptr + offsets, mask=offsets < n) + 1.0, mask=offsets < n)


def load(path, cache={}):
    if path not in cache:
        spec = importlib.util.spec_from_file_location(f"suite_{len(cache)}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cache[path] = module
    return cache[path]


def main():
    manifest = json.load(open(sys.argv[1]))
    jobs = manifest["jobs"]
    t = time.perf_counter()
    src = ASTSource(fn=_warmup, signature={"x_ptr": "*fp32", "n": "i32", "BLOCK": "constexpr"},
                    constexprs={"BLOCK": 128}, attrs={})
    triton.compile(src, target=GPUTarget("cuda", manifest["archs"][0], 32), options={"num_warps": 4})
    t_warmup = time.perf_counter() - t

    per_module = {}
    start = time.perf_counter()
    for job in jobs:
        t = time.perf_counter()
        kernel = getattr(load(job["path"]), job["kernel"])
        c = job["compile"]
        attrs = {(i, ): [["tt.divisibility", 16]] for i in c["divisible_by_16"]}
        src = ASTSource(fn=kernel, signature=c["signature"], constexprs=c["constexprs"], attrs=attrs)
        compiled = triton.compile(src, target=GPUTarget("cuda", job["arch"], 32), options=c["options"])
        assert compiled.asm["cubin"], job
        per_module[job["module"]] = per_module.get(job["module"], 0.0) + time.perf_counter() - t
    compile_s = time.perf_counter() - start
    result = {"import_s": t_import, "warmup_s": t_warmup, "startup_s": t_import + t_warmup,
              "compile_s": compile_s, "jobs": len(jobs), "per_module_s": per_module}
    json.dump(result, open(sys.argv[2], "w"), indent=1)
    print(f"floor: import {t_import:.2f} s, warm-up {t_warmup:.2f} s, {len(jobs)} compiles {compile_s:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Generates the reference suite of Triton kernel modules for the compile-throughput benchmark.

    make_suite.py OUTDIR [--small] [--archs 80,90]

Writes, under OUTDIR (which it empties first):
  kernels/<module>.py      one kernel per module, with its TRITON_AOT_KERNELS spec (explicit variants)
  ours/CMakeLists.txt      add_triton_kernels(suite_kernels MODULES <every module>)
  tools/CMakeLists.txt     per variant per arch an add_custom_command running triton.tools.compile, per
                           kernel per arch one running triton.tools.link, and a static library of the C
  suite.json               every compile job (module, kernel, variant, arch, triton.compile arguments,
                           triton.tools.compile arguments): read by floor.py
Full suite: 48 modules (16 elementwise, 16 reductions, 16 matmuls with 4 configs each), archs 80 and 90.
--small: 3 modules (one elementwise, softmax, one matmul with 2 configs), arch 80.

Every module is valid for both tools: only int constexprs (triton.tools.compile takes constexprs as
numbers in the signature string), constexpr parameters last (triton.tools.link matches its suffixes to the
C arguments by position), hints only :16 and :1, launch options only num_warps and num_stages, and grids
that use only arguments without a :1 hint (those are not arguments of the generated C function).
"""
import argparse
import hashlib
import json
import pprint
import shutil
import sys
from pathlib import Path

HEADER = "import triton\nimport triton.language as tl\n\n\n"

# ---------------------------------------------------------------- elementwise
# (op, extra scalar args, expression over x [, y])
ELEMENTWISE = [
    ("add", ["y"], [], "x + y"),
    ("mul", ["y"], [], "x * y"),
    ("axpy", ["y"], ["alpha"], "alpha * x + y"),
    ("relu", [], [], "tl.maximum(x, 0.0)"),
    ("silu", [], [], "x * tl.sigmoid(x)"),
    ("gelu", [], [], "x * tl.sigmoid(1.702 * x)"),
    ("exp", [], [], "tl.exp(x)"),
    ("clamp", [], ["lo", "hi"], "tl.minimum(tl.maximum(x, lo), hi)"),
]
DTYPES = {"fp32": "tl.float32", "fp16": "tl.float16", "bf16": "tl.bfloat16"}


def elementwise_module(op, tensors, scalars, expr, dtype):
    ptrs = ["x_ptr"] + [f"{t}_ptr" for t in tensors] + ["out_ptr"]
    params = ptrs + scalars + ["n", "BLOCK: tl.constexpr"]
    loads = "".join(f"    {t} = tl.load({t}_ptr + offsets, mask=mask).to(tl.float32)\n" for t in ["x"] + tensors)
    src = (f"@triton.jit\ndef {op}({', '.join(params)}):\n"
           f"    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)\n"
           f"    mask = offsets < n\n{loads}"
           f"    tl.store(out_ptr + offsets, ({expr}).to(out_ptr.dtype.element_ty), mask=mask)\n")
    args = [(p, f"*{dtype}") for p in ptrs] + [(s, "fp32") for s in scalars] + [("n", "i32")]
    aligned = {p: 16 for p in ptrs}
    aligned["n"] = 16
    block = 1024 if dtype == "fp32" else 2048
    variants = [
        {"name": "aligned", "hints": aligned, "constexprs": {"BLOCK": block}, "num_warps": 4, "num_stages": 3},
        {"name": "generic", "hints": {}, "constexprs": {"BLOCK": block}, "num_warps": 4, "num_stages": 3},
    ]
    return {"name": f"ew_{op}_{dtype}", "kind": "elementwise", "source": src, "kernel": op, "args": args,
            "constexpr_names": ["BLOCK"], "grid": [("cdiv", "n", "BLOCK")], "variants": variants}


# ---------------------------------------------------------------- reductions
SOFTMAX = """@triton.jit
def softmax(out_ptr, in_ptr, in_row_stride, out_row_stride, n_rows, n_cols, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    in_row = in_ptr + row.to(tl.int64) * in_row_stride
    out_row = out_ptr + row.to(tl.int64) * out_row_stride
    running_max = tl.full([BLOCK], -1e30, tl.float32)
    running_sum = tl.zeros([BLOCK], tl.float32)
    for start in range(0, n_cols, BLOCK):
        cols = start + tl.arange(0, BLOCK)
        x = tl.load(in_row + cols, mask=cols < n_cols, other=-1e30).to(tl.float32)
        new_max = tl.maximum(running_max, x)
        running_sum = running_sum * tl.exp(running_max - new_max) + tl.exp(x - new_max)
        running_max = new_max
    row_max = tl.max(running_max, 0)
    row_sum = tl.sum(running_sum * tl.exp(running_max - row_max), 0)
    for start in range(0, n_cols, BLOCK):
        cols = start + tl.arange(0, BLOCK)
        x = tl.load(in_row + cols, mask=cols < n_cols, other=-1e30).to(tl.float32)
        y = tl.exp(x - row_max) / row_sum
        tl.store(out_row + cols, y.to(out_ptr.dtype.element_ty), mask=cols < n_cols)
"""

LAYERNORM = """@triton.jit
def layernorm(out_ptr, in_ptr, w_ptr, b_ptr, in_row_stride, out_row_stride, n_rows, n_cols, eps,
              BLOCK: tl.constexpr):
    row = tl.program_id(0)
    in_row = in_ptr + row.to(tl.int64) * in_row_stride
    out_row = out_ptr + row.to(tl.int64) * out_row_stride
    acc = tl.zeros([BLOCK], tl.float32)
    acc2 = tl.zeros([BLOCK], tl.float32)
    for start in range(0, n_cols, BLOCK):
        cols = start + tl.arange(0, BLOCK)
        x = tl.load(in_row + cols, mask=cols < n_cols, other=0.0).to(tl.float32)
        acc += x
        acc2 += x * x
    mean = tl.sum(acc, 0) / n_cols
    var = tl.sum(acc2, 0) / n_cols - mean * mean
    rstd = 1.0 / tl.sqrt(var + eps)
    for start in range(0, n_cols, BLOCK):
        cols = start + tl.arange(0, BLOCK)
        mask = cols < n_cols
        x = tl.load(in_row + cols, mask=mask, other=0.0).to(tl.float32)
        w = tl.load(w_ptr + cols, mask=mask, other=1.0).to(tl.float32)
        b = tl.load(b_ptr + cols, mask=mask, other=0.0).to(tl.float32)
        y = (x - mean) * rstd * w + b
        tl.store(out_row + cols, y.to(out_ptr.dtype.element_ty), mask=mask)
"""

RMSNORM = """@triton.jit
def rmsnorm(out_ptr, in_ptr, w_ptr, in_row_stride, out_row_stride, n_rows, n_cols, eps, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    in_row = in_ptr + row.to(tl.int64) * in_row_stride
    out_row = out_ptr + row.to(tl.int64) * out_row_stride
    acc = tl.zeros([BLOCK], tl.float32)
    for start in range(0, n_cols, BLOCK):
        cols = start + tl.arange(0, BLOCK)
        x = tl.load(in_row + cols, mask=cols < n_cols, other=0.0).to(tl.float32)
        acc += x * x
    rstd = 1.0 / tl.sqrt(tl.sum(acc, 0) / n_cols + eps)
    for start in range(0, n_cols, BLOCK):
        cols = start + tl.arange(0, BLOCK)
        mask = cols < n_cols
        x = tl.load(in_row + cols, mask=mask, other=0.0).to(tl.float32)
        w = tl.load(w_ptr + cols, mask=mask, other=1.0).to(tl.float32)
        tl.store(out_row + cols, (x * rstd * w).to(out_ptr.dtype.element_ty), mask=mask)
"""

ROWSUM = """@triton.jit
def rowsum(out_ptr, in_ptr, in_row_stride, n_rows, n_cols, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    in_row = in_ptr + row.to(tl.int64) * in_row_stride
    acc = tl.zeros([BLOCK], tl.float32)
    for start in range(0, n_cols, BLOCK):
        cols = start + tl.arange(0, BLOCK)
        acc += tl.load(in_row + cols, mask=cols < n_cols, other=0.0).to(tl.float32)
    tl.store(out_ptr + row, tl.sum(acc, 0).to(out_ptr.dtype.element_ty))
"""

# name -> (source, args with "T" for the element type, args hinted :16 in the aligned variant)
REDUCTIONS = {
    "softmax": (SOFTMAX, [("out_ptr", "*T"), ("in_ptr", "*T"), ("in_row_stride", "i32"), ("out_row_stride", "i32"),
                          ("n_rows", "i32"), ("n_cols", "i32")],
                ["out_ptr", "in_ptr", "in_row_stride", "out_row_stride", "n_cols"]),
    "layernorm": (LAYERNORM, [("out_ptr", "*T"), ("in_ptr", "*T"), ("w_ptr", "*T"), ("b_ptr", "*T"),
                              ("in_row_stride", "i32"), ("out_row_stride", "i32"), ("n_rows", "i32"),
                              ("n_cols", "i32"), ("eps", "fp32")],
                  ["out_ptr", "in_ptr", "w_ptr", "b_ptr", "in_row_stride", "out_row_stride", "n_cols"]),
    "rmsnorm": (RMSNORM, [("out_ptr", "*T"), ("in_ptr", "*T"), ("w_ptr", "*T"), ("in_row_stride", "i32"),
                          ("out_row_stride", "i32"), ("n_rows", "i32"), ("n_cols", "i32"), ("eps", "fp32")],
                ["out_ptr", "in_ptr", "w_ptr", "in_row_stride", "out_row_stride", "n_cols"]),
    "rowsum": (ROWSUM, [("out_ptr", "*T"), ("in_ptr", "*T"), ("in_row_stride", "i32"), ("n_rows", "i32"),
                        ("n_cols", "i32")],
               ["out_ptr", "in_ptr", "in_row_stride", "n_cols"]),
}


def reduction_module(kind, dtype, block, num_warps):
    source, args, hinted = REDUCTIONS[kind]
    args = [(a, t.replace("T", dtype)) for a, t in args]
    opts = {"constexprs": {"BLOCK": block}, "num_warps": num_warps, "num_stages": 3}
    variants = [{"name": "aligned", "hints": {a: 16 for a in hinted}, **opts},
                {"name": "generic", "hints": {}, **opts}]
    return {"name": f"{kind}_{dtype}_b{block}", "kind": "reduction", "source": source, "kernel": kind,
            "args": args, "constexpr_names": ["BLOCK"], "grid": [("arg", "n_rows")], "variants": variants}


# ---------------------------------------------------------------- matmuls
MATMUL = """@triton.jit
def matmul(a_ptr, b_ptr, c_ptr, {extra}M, N, K, stride_am, stride_ak, stride_bk, stride_bn, stride_cm, stride_cn,
           BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr):
    pid_m = tl.program_id(0)
    pid_n = tl.program_id(1)
    offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_n = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    offs_k = tl.arange(0, BLOCK_K)
    a_ptrs = a_ptr + offs_m[:, None] * stride_am + offs_k[None, :] * stride_ak
    b_ptrs = b_ptr + offs_k[:, None] * stride_bk + offs_n[None, :] * stride_bn
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k in range(0, tl.cdiv(K, BLOCK_K)):
        k_left = K - k * BLOCK_K
        a = tl.load(a_ptrs, mask=(offs_m[:, None] < M) & (offs_k[None, :] < k_left), other=0.0)
        b = tl.load(b_ptrs, mask=(offs_k[:, None] < k_left) & (offs_n[None, :] < N), other=0.0)
        acc = tl.dot(a, b, acc)
        a_ptrs += BLOCK_K * stride_ak
        b_ptrs += BLOCK_K * stride_bk
{epilogue}    c_ptrs = c_ptr + offs_m[:, None] * stride_cm + offs_n[None, :] * stride_cn
    tl.store(c_ptrs, acc.to(c_ptr.dtype.element_ty), mask=(offs_m[:, None] < M) & (offs_n[None, :] < N))
"""
EPILOGUES = {
    "plain": ([], ""),
    "relu": ([], "    acc = tl.maximum(acc, 0.0)\n"),
    "bias": ([("bias_ptr", "*fp32")],
             "    acc += tl.load(bias_ptr + offs_n, mask=offs_n < N, other=0.0)[None, :]\n"),
    "scale": ([("alpha", "fp32")], "    acc = acc * alpha\n"),
}
# Autotune-style configs as explicit variants: (BLOCK_M, BLOCK_N, BLOCK_K, num_warps, num_stages)
MATMUL_CONFIGS = [(128, 128, 64, 8, 3), (128, 64, 32, 4, 4), (64, 64, 32, 4, 4), (32, 32, 32, 2, 2)]


def matmul_module(dtype, epilogue, out_dtype, configs):
    extra_args, epilogue_src = EPILOGUES[epilogue]
    extra = "".join(f"{a}, " for a, _ in extra_args)
    args = ([("a_ptr", f"*{dtype}"), ("b_ptr", f"*{dtype}"), ("c_ptr", f"*{out_dtype}")] + extra_args +
            [(a, "i32") for a in ["M", "N", "K", "stride_am", "stride_ak", "stride_bk", "stride_bn", "stride_cm",
                                  "stride_cn"]])
    # Row-major, 16-aligned rows, unit inner strides compiled in (as the example's "rowmajor").
    hints = {"a_ptr": 16, "b_ptr": 16, "c_ptr": 16, "stride_am": 16, "stride_ak": 1, "stride_bk": 16,
             "stride_bn": 1, "stride_cm": 16, "stride_cn": 1}
    if epilogue == "bias":
        hints["bias_ptr"] = 16
    variants = [{"name": f"m{bm}n{bn}k{bk}w{w}s{s}", "hints": hints,
                 "constexprs": {"BLOCK_M": bm, "BLOCK_N": bn, "BLOCK_K": bk}, "num_warps": w, "num_stages": s}
                for bm, bn, bk, w, s in configs]
    return {"name": f"mm_{dtype}_{epilogue}_{out_dtype}", "kind": "matmul",
            "source": MATMUL.format(extra=extra, epilogue=epilogue_src), "kernel": "matmul", "args": args,
            "constexpr_names": ["BLOCK_M", "BLOCK_N", "BLOCK_K"],
            "grid": [("cdiv", "M", "BLOCK_M"), ("cdiv", "N", "BLOCK_N")], "variants": variants}


def suite(small):
    if small:
        return [elementwise_module("add", ["y"], [], "x + y", "fp32"),
                reduction_module("softmax", "fp32", 1024, 4),
                matmul_module("fp16", "plain", "fp32", MATMUL_CONFIGS[2:])]
    modules = [elementwise_module(op, t, s, e, dtype) for dtype in ("fp32", "fp16") for op, t, s, e in ELEMENTWISE]
    modules += [reduction_module(kind, dtype, block, warps) for kind in REDUCTIONS for dtype in ("fp32", "fp16")
                for block, warps in ((1024, 4), (4096, 8))]
    modules += [matmul_module(dtype, epi, out, MATMUL_CONFIGS) for dtype in ("fp16", "bf16") for epi in EPILOGUES
                for out in ("fp32", dtype)]
    return modules


# ---------------------------------------------------------------- writers
def spec_grid(grid):
    return [f"cdiv({g[1]}, {g[2]})" if g[0] == "cdiv" else g[1] for g in grid]


def c_grid(grid, constexprs):
    """The grid as triton.tools.compile wants it: 3 C expressions, commas only between them."""
    dims = []
    for g in grid:
        if g[0] == "cdiv":
            b = constexprs[g[2]]
            dims.append(f"({g[1]} + {b - 1}) / {b}")
        else:
            dims.append(g[1])
    return ", ".join(dims + ["1"] * (3 - len(dims)))


def spec_entry(m):
    """The module's TRITON_AOT_KERNELS entry: base types without hints; each variant adds its hints."""
    entry = {"kernel": m["kernel"], "signature": {a: t for a, t in m["args"]}, "grid": spec_grid(m["grid"]),
             "variants": []}
    for v in m["variants"]:
        variant = {"name": v["name"]}
        if v["hints"]:
            variant["signature"] = {a: f"{t}:{v['hints'][a]}" for a, t in m["args"] if a in v["hints"]}
        variant.update(constexprs=v["constexprs"], num_warps=v["num_warps"], num_stages=v["num_stages"])
        entry["variants"].append(variant)
    return entry


def jobs(m, archs, kernels_dir):
    """Every (variant, arch) of a module, with the arguments of both triton.compile and triton.tools.compile."""
    out = []
    names = [a for a, _ in m["args"]] + m["constexpr_names"]
    for v in m["variants"]:
        tokens = [f"{t}:{v['hints'][a]}" if a in v["hints"] else t for a, t in m["args"]]
        tokens += [str(v["constexprs"][c]) for c in m["constexpr_names"]]
        # What triton.tools.compile does with that string (and what our driver does with the spec):
        # constexprs and :1 arguments become constants, :16 becomes tt.divisibility.
        signature, constexprs, div16 = {}, {}, []
        for i, (a, t) in enumerate(m["args"]):
            hint = v["hints"].get(a)
            if hint == 1:
                signature[a], constexprs[a] = "constexpr", 1
            else:
                signature[a] = t
                if hint == 16:
                    div16.append(i)
        for c in m["constexpr_names"]:
            signature[c], constexprs[c] = "constexpr", v["constexprs"][c]
        meta = f"warps{v['num_warps']}xstages{v['num_stages']}"
        sig_hash = hashlib.sha256(" ".join(tokens + [meta]).encode()).hexdigest()[:8]
        suffix = "".join(f"{i}" + {1: "c", 16: "d"}.get(v["hints"].get(n), "") for i, n in enumerate(names))
        for arch in archs:
            stem = f"{m['kernel']}_{v['name']}"
            out.append({
                "module": m["name"], "kind": m["kind"], "path": str(kernels_dir / f"{m['name']}.py"),
                "kernel": m["kernel"], "variant": v["name"], "arch": arch,
                "compile": {"signature": signature, "constexprs": constexprs, "divisible_by_16": div16,
                            "options": {"num_warps": v["num_warps"], "num_stages": v["num_stages"]}},
                "tools": {"signature": ", ".join(tokens), "grid": c_grid(m["grid"], v["constexprs"]),
                          "num_warps": v["num_warps"], "num_stages": v["num_stages"], "target": f"cuda:{arch}:32",
                          "dir": f"gen/{m['name']}/sm{arch}", "stem": stem,
                          "out_name": f"{m['name']}_{m['kernel']}_sm{arch}",
                          "files": [f"{stem}.{sig_hash}_{suffix}.c", f"{stem}.{sig_hash}_{suffix}.h"]},
            })
    return out


def cmake_quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


OURS_CMAKE = """cmake_minimum_required(VERSION 3.25...4.4)
project(compile_throughput_ours LANGUAGES CXX)
# Generated by bench/compile_throughput/make_suite.py: every suite module, one Ninja edge each.
find_package(TritonAOT REQUIRED)
add_triton_kernels(suite_kernels
  MODULES
{modules}
  ARCHITECTURES {archs}
  NAMESPACE suite
  SOURCE_ROOT "${{CMAKE_CURRENT_SOURCE_DIR}}/..")
"""

TOOLS_CMAKE_HEAD = """cmake_minimum_required(VERSION 3.25...4.4)
project(compile_throughput_tools LANGUAGES C)
# Generated by bench/compile_throughput/make_suite.py: the usual way to build Triton kernels ahead of time
# with Triton's own tools, one add_custom_command per variant per arch running triton.tools.compile, one
# per kernel per arch running triton.tools.link over its variants, and a static library of the C.
# SUITE_PYTHON: the Python with Triton. SUITE_COMPILE / SUITE_LINK: the command lines of the two tools
# (default: <python> -m triton.tools.compile / link; run.sh passes tools_shim.py for compile, see there).
find_package(CUDAToolkit REQUIRED)
if(NOT SUITE_PYTHON)
  message(FATAL_ERROR "set SUITE_PYTHON to the Python that has Triton")
endif()
if(NOT SUITE_COMPILE)
  set(SUITE_COMPILE "${SUITE_PYTHON}" -m triton.tools.compile)
endif()
if(NOT SUITE_LINK)
  set(SUITE_LINK "${SUITE_PYTHON}" -m triton.tools.link)
endif()
set(gen "${CMAKE_CURRENT_BINARY_DIR}")
set(sources)
"""


def write(out, small, archs):
    modules = suite(small)
    if out.exists():
        shutil.rmtree(out)
    kernels_dir = (out / "kernels").resolve()
    kernels_dir.mkdir(parents=True)
    all_jobs = []
    for m in modules:
        spec = pprint.pformat([spec_entry(m)], indent=1, width=116, sort_dicts=False)
        text = (f'"""Compile-throughput suite ({m["kind"]}): {m["name"]}. Generated by make_suite.py."""\n' +
                HEADER + m["source"] + f"\n\nTRITON_AOT_KERNELS = {spec}\n")
        (kernels_dir / f"{m['name']}.py").write_text(text)
        all_jobs += jobs(m, archs, kernels_dir)

    (out / "ours").mkdir()
    (out / "ours" / "CMakeLists.txt").write_text(OURS_CMAKE.format(
        modules="\n".join(f"    {cmake_quote(str(kernels_dir / (m['name'] + '.py')))}" for m in modules),
        archs=" ".join(str(a) for a in archs)))

    lines = [TOOLS_CMAKE_HEAD]
    by_link = {}
    for j in all_jobs:
        t = j["tools"]
        by_link.setdefault((j["module"], j["kernel"], j["arch"]), []).append(j)
        outs = " ".join(f"${{gen}}/{t['dir']}/{f}" for f in t["files"])
        lines.append(
            f"file(MAKE_DIRECTORY ${{gen}}/{t['dir']})\n"
            f"add_custom_command(OUTPUT {outs}\n"
            f"  COMMAND ${{SUITE_COMPILE}} {cmake_quote(j['path'])} -n {j['kernel']}\n"
            f"          --signature {cmake_quote(t['signature'])} --grid {cmake_quote(t['grid'])}\n"
            f"          -w {t['num_warps']} -ns {t['num_stages']} --target {t['target']}\n"
            f"          -o ${{gen}}/{t['dir']}/{t['stem']} -on {t['out_name']}\n"
            f"  DEPENDS {cmake_quote(j['path'])}\n"
            f"  COMMENT \"triton.tools.compile {j['module']}.{j['kernel']} {j['variant']} sm{j['arch']}\"\n"
            f"  VERBATIM)\n"
            f"list(APPEND sources ${{gen}}/{t['dir']}/{t['files'][0]})\n")
    for (module, kernel, arch), js in by_link.items():
        t0 = js[0]["tools"]
        headers = " ".join(f"${{gen}}/{j['tools']['dir']}/{j['tools']['files'][1]}" for j in js)
        linked = f"${{gen}}/{t0['dir']}/{t0['out_name']}"
        lines.append(
            f"add_custom_command(OUTPUT {linked}.c {linked}.h\n"
            f"  COMMAND ${{SUITE_LINK}} {headers} -o {linked}\n"
            f"  DEPENDS {headers}\n"
            f"  COMMENT \"triton.tools.link {module}.{kernel} sm{arch}\"\n"
            f"  VERBATIM)\n"
            f"list(APPEND sources {linked}.c)\n")
    lines.append("add_library(suite_tools STATIC ${sources})\n"
                 "target_include_directories(suite_tools PRIVATE ${CUDAToolkit_INCLUDE_DIRS})\n")
    (out / "tools").mkdir()
    (out / "tools" / "CMakeLists.txt").write_text("".join(lines))

    manifest = {"small": small, "archs": archs, "modules": [m["name"] for m in modules],
                "kinds": {m["name"]: m["kind"] for m in modules}, "jobs": all_jobs}
    (out / "suite.json").write_text(json.dumps(manifest, indent=1))
    counts = {}
    for m in modules:
        counts[m["kind"]] = counts.get(m["kind"], 0) + 1
    print(f"make_suite: {len(modules)} modules ({', '.join(f'{n} {k}' for k, n in counts.items())}), "
          f"{len(all_jobs)} compiles (variants x archs {','.join(map(str, archs))}) in {out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--small", action="store_true", help="3 modules, 1 arch: a smoke test")
    parser.add_argument("--archs", help="comma-separated compute capabilities (default 80,90; --small: 80)")
    args = parser.parse_args()
    archs = [int(a) for a in args.archs.split(",")] if args.archs else ([80] if args.small else [80, 90])
    write(args.outdir.resolve(), args.small, archs)
    return 0


if __name__ == "__main__":
    sys.exit(main())

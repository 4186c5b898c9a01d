#!/usr/bin/env python3
"""Row (h): one kernel module whose @triton.autotune list has many configs, built for two archs, with its
compiles one after another (TRITON_AOT_EDGE_JOBS=1) and spread over the cores (the default), against the
floor: the serial build's time divided by the cores. Goal: parallel <= 1.3 x floor. Each round measures its
own serial build, so the floor and the ratio come from the same run; there are two rounds.

    python3 bench/compile_throughput/edge_jobs.py --tritonaot-dir BUILD [--configs 64] [--archs 80,90]
                                                  [--cores N] [--python PY] [--out DIR] [--small]

--small is 8 configs for arch 80 (a smoke run, ctest's bench.edge_jobs.smoke). The parallel build hands the
compiles out longest first by what the previous build's took (the timing log); each round also builds once
without the log, as a first build does (table order). Every round checks that the parallel builds generated
the same bytes as the serial one and ran a compiler per core (else it fails). The module is edited (a comment)
before every build, so every build compiles every config; the artifact cache is off and the compile service
warm (a first build, not counted, starts it). Needs CMake, Ninja, the CUDA toolkit and a Python with Triton.
"""
import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# The autotuned matmul of the GPU tests, with this bench's config list instead of its own.
KERNEL_SOURCE = os.path.join(HERE, "..", "..", "tests", "gpu", "autotune_fit.py")


def module_text(chosen, edit):
    with open(KERNEL_SOURCE) as f:
        text = f.read()
    start = text.index("    configs=[\n")
    end = text.index("    ],\n", start) + len("    ],\n")
    configs = ("CONFIGS = [triton.Config({\"BLOCK_M\": m, \"BLOCK_N\": n, \"BLOCK_K\": k}, num_stages=s, num_warps=w)\n"
               f"           for (m, n, k, s, w) in {chosen!r}]\n")
    text = text[:start] + "    configs=CONFIGS,\n" + text[end:]
    return text.replace("\n\n@triton.autotune", "\n" + configs + "\n\n@triton.autotune", 1) + f"# edit {edit}\n"


def configs(count):
    """`count` tile configs, smallest first, all of which fit sm_80's shared memory."""
    tiles = itertools.product((32, 64, 128), (32, 64, 128), (32, 64), (2, 3, 4), (4, 8))
    fitting = [t for t in tiles if (t[0] + t[1]) * t[2] * 2 * t[3] <= 160 * 1024]
    fitting.sort(key=lambda t: (t[0] * t[1] * t[2], t[3], t[4]))
    count = min(count, len(fitting))
    return [fitting[i * len(fitting) // count] for i in range(count)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tritonaot-dir", required=True)
    parser.add_argument("--configs", type=int, default=64)
    parser.add_argument("--archs", default="80,90")
    parser.add_argument("--cores", type=int, default=os.cpu_count())
    parser.add_argument("--python", default="")
    parser.add_argument("--out", default="")
    parser.add_argument("--small", action="store_true")
    args = parser.parse_args()
    if args.small:
        args.configs, args.archs = 8, "80"
    tritonaot = os.path.abspath(args.tritonaot_dir)
    python = args.python or cache_value(tritonaot, "TRITON_AOT_PYTHON") or sys.executable
    if subprocess.run([python, "-c", "import triton"], capture_output=True).returncode != 0:
        print(f"SKIP: {python} cannot import triton")
        return 77
    out = os.path.abspath(args.out or os.path.join(tritonaot, "edge_jobs_bench"))
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.join(out, "src"))
    chosen = configs(args.configs)
    archs = args.archs.replace(",", " ")
    with open(os.path.join(out, "src", "CMakeLists.txt"), "w") as f:
        f.write("cmake_minimum_required(VERSION 3.25)\nproject(edge_jobs LANGUAGES CXX)\n"
                "find_package(TritonAOT REQUIRED)\n"
                f"add_triton_kernels(tuned MODULES tuned.py ARCHITECTURES {archs} NAMESPACE bench)\n")
    build = os.path.join(out, "build")
    edits = itertools.count()

    def write_module():
        with open(os.path.join(out, "src", "tuned.py"), "w") as f:
            f.write(module_text(chosen, next(edits)))

    write_module()
    run(["cmake", "-S", os.path.join(out, "src"), "-B", build, "-G", "Ninja", f"-DTritonAOT_DIR={tritonaot}",
         f"-DTRITON_AOT_PYTHON={python}", "-DTRITON_AOT_CACHE=OFF"])
    driver = os.path.join(tritonaot, "driver", "triton-aot")
    # A compile service, slots and temporary files of its own, under `out`.
    isolated = dict(os.environ, CUDA_VISIBLE_DEVICES="", XDG_RUNTIME_DIR=os.path.join(out, "run"),
                    TMPDIR=os.path.join(out, "tmp"))
    for folder in ("run", "tmp"):
        os.makedirs(os.path.join(out, folder), mode=0o700, exist_ok=True)

    def timed_build(edge_jobs, forget_times=False):
        write_module()
        if forget_times:  # as a first build: no past compile times to hand the compiles out by
            os.remove(os.path.join(build, "triton_aot_timing.jsonl"))
        env = dict(isolated)
        env.pop("TRITON_AOT_EDGE_JOBS", None)
        if edge_jobs:
            env["TRITON_AOT_EDGE_JOBS"] = str(edge_jobs)
        start = time.perf_counter()
        run(["ninja", "-C", build], env=env)
        return time.perf_counter() - start, last_edge(build), generated(build)

    try:
        timed_build(None)  # starts the compile service; not counted
        compiles = len(chosen) * len(archs.split())
        print(f"row (h): one module, {len(chosen)} autotune configs x archs {args.archs} = {compiles} compiles, "
              f"{args.cores} cores")
        met = True
        for round_number in (1, 2):
            serial, serial_edge, serial_files = timed_build(1)
            first, first_edge, first_files = timed_build(None, forget_times=True)
            parallel, parallel_edge, parallel_files = timed_build(None)
            workers = parallel_edge["workers"]
            if parallel_files != serial_files or first_files != serial_files:
                sys.exit("edge_jobs: FAIL: the parallel build's generated files differ from the serial build's")
            if workers < min(args.cores, compiles):
                sys.exit(f"edge_jobs: FAIL: the parallel build ran {workers} workers for {compiles} compiles on "
                         f"{args.cores} cores")
            floor = serial / args.cores
            ratio = parallel / floor
            met &= ratio <= 1.3
            print(f"round {round_number}: serial {serial:7.2f} s | parallel {parallel:7.2f} s ({workers} workers) | "
                  f"floor (serial / {args.cores}) {floor:7.2f} s | parallel / floor {ratio:5.2f} | "
                  f"speed-up {serial / parallel:5.2f}x | goal <= 1.30 {'met' if ratio <= 1.3 else 'MISSED'}")
            print(f"  without past compile times (table order, as a first build): parallel {first:.2f} s, "
                  f"{first / floor:.2f} x the floor; its compiles ended {first_edge['span']:.2f} s after the first "
                  f"began ({first_edge['compiles'] / workers:.2f} s if the workers had ended together)")
            print(f"  where the parallel edge's {parallel_edge['wall']:.2f} s went: its last worker's first compile "
                  f"began {parallel_edge['all_started']:.2f} s in; the compiles took "
                  f"{parallel_edge['compiles'] / serial_edge['compiles']:.2f} x their serial time "
                  f"({parallel_edge['compiles']:.1f} s of compiler time, serial {serial_edge['compiles']:.1f} s); "
                  f"{parallel_edge['before']:.2f} s before the first compile, {parallel_edge['span']:.2f} s from it "
                  f"to the last compile's end ({parallel_edge['compiles'] / workers:.2f} s if the workers had "
                  f"ended together), {parallel_edge['after']:.2f} s after it (serial: {serial_edge['before']:.2f} s "
                  f"before, {serial_edge['after']:.2f} s after)")
        print(f"row (h) goal: {'met' if met else 'missed'} in both rounds" if met else
              "row (h) goal: missed in a round (see above)")
    finally:
        subprocess.run([driver, "service", "stop", build], capture_output=True, env=isolated)
    return 0


def cache_value(build, name):
    try:
        with open(os.path.join(build, "CMakeCache.txt")) as f:
            for line in f:
                if line.startswith(name + ":"):
                    return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return ""


def generated(build):
    """Every generated file's bytes, by path."""
    files = {}
    root = os.path.join(build, "triton_aot")
    for folder, _, names in os.walk(root):
        for name in names:
            if not name.endswith(".d"):
                with open(os.path.join(folder, name), "rb") as f:
                    files[os.path.relpath(os.path.join(folder, name), root)] = f.read()
    return files


def last_edge(build):
    """The last edge's workers, wall time, compiler time (the compiles' own times, summed), when the last of its
    workers began its first compile (the workers-th compile start), and its time before the first compile, from
    it to the last compile's end, and after that, from the timing log (seconds)."""
    with open(os.path.join(build, "triton_aot_timing.jsonl")) as f:
        records = [json.loads(line) for line in f if line.strip()]
    edge = records[-1]["edge"]
    compiles = [r for r in records if r["edge"]["start_us"] == edge["start_us"]]
    workers = edge.get("workers", 0)
    starts = sorted(r["start_us"] for r in compiles)
    last_end = max(r["start_us"] + r["compile_us"] for r in compiles)
    return {"workers": workers, "wall": (edge["end_us"] - edge["start_us"]) / 1e6,
            "compiles": sum(r["compile_us"] for r in compiles) / 1e6,
            "before": (starts[0] - edge["start_us"]) / 1e6, "span": (last_end - starts[0]) / 1e6,
            "after": (edge["end_us"] - last_end) / 1e6,
            "all_started": (starts[min(max(workers, 1), len(starts)) - 1] - edge["start_us"]) / 1e6}


def run(command, env=None):
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"edge_jobs: {' '.join(command)} failed:\n{done.stdout}{done.stderr}")


if __name__ == "__main__":
    sys.exit(main())

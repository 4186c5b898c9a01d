"""Host time per launch of the same axpy kernel through Triton's own Python
launch (JIT, warmed up), timed the way bench/launch_overhead.cc times ours:
batches of 256 enqueues, median per launch. Prints: n triton_us"""
import importlib.util
import os
import statistics
import sys
import time

try:
    import torch
    import triton
except ImportError as e:
    print(f"SKIP: {e}")
    sys.exit(0)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "vector_add", "vector_add.py")
spec = importlib.util.spec_from_file_location("vector_add", path)
vector_add = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vector_add)

print(f"{'n':>10} {'triton_us':>10}")
for n in (1024, 16384, 262144):
    x, y, out = (torch.zeros(n, device="cuda") for _ in range(3))
    grid = (triton.cdiv(n, 1024), )
    kernel = vector_add.axpy
    per_launch = []
    for batch in range(205):
        start = time.perf_counter()
        for _ in range(256):
            kernel[grid](x, y, out, 2.0, n, BLOCK=1024)
        elapsed = time.perf_counter() - start
        torch.cuda.synchronize()
        if batch >= 5:
            per_launch.append(elapsed / 256 * 1e6)
    print(f"{n:>10} {statistics.median(per_launch):>10.3f}")

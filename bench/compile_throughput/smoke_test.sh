#!/usr/bin/env bash
# The CI smoke test of the compile-throughput benchmark (ctest: bench.compile_throughput.smoke, label bench).
#
#   bench/compile_throughput/smoke_test.sh PYTHON TRITONAOT_DIR OUT
#
# Runs `run.sh --small --jobs 2` and checks what does not depend on the machine's speed: it exits 0, its
# table has every row (a) to (g) and (d2), (a) (the cold build) compiled every variant for every arch of the
# suite, (b) (a rebuild from a warm cache) ran no Triton compile (checked once the timing log says cache hit
# or miss), and the generated files of (a) and (b) are byte-identical. No time is asserted. Everything it
# writes, the compile services' folder and temporary files included, stays under OUT. Exits 77 (ctest's SKIP_RETURN_CODE), saying why, without a Python that has Triton
# or without a CUDA toolkit.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
skip() { printf 'SKIP: %s\n' "$*"; exit 77; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

(($# == 3)) || fail "usage: smoke_test.sh PYTHON TRITONAOT_DIR OUT"
python=$1 tritonaot_dir=$2 out=$3

[[ -n "$python" ]] || skip "no Python with Triton (configure TritonAOT with -DTRITON_AOT_PYTHON=<python with triton>)"
"$python" -c 'import triton' 2>/dev/null || skip "$python cannot import triton"
cuda=${CUDAToolkit_ROOT:-/usr/local/cuda}
[[ -f "$cuda/include/cuda.h" ]] || skip "no CUDA toolkit at $cuda (row (f) compiles C against cuda.h; set CUDAToolkit_ROOT)"

# The test's own folders, not the user's.
rm -rf "$out"
mkdir -p "$out/env/run" "$out/env/tmp"
chmod 700 "$out/env/run"
export XDG_RUNTIME_DIR="$out/env/run" TMPDIR="$out/env/tmp" TRITON_HOME="$out/env/triton"

rc=0
bash "$here/run.sh" --small --jobs 2 --python "$python" --tritonaot-dir "$tritonaot_dir" --out "$out" || rc=$?
((rc == 0)) || fail "run.sh exited $rc"

for row in a b c d d2 e f g; do
  grep -q "^($row) " "$out/table.txt" || fail "row ($row) is missing from $out/table.txt"
done

"$python" - "$out/results.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
failures = []
a, expected = r["rows"]["a"]["compiles"], r["suite"]["compiles"]
if a is not None and a != expected:
    failures.append(f"(a), the cold build, ran {a} Triton compiles; the suite has {expected}")
b = r["rows"]["b"]["compiles"]
if b is None:
    print("NOTE: the timing log has no cache field (a driver without the artifact cache): (b)'s compiles not checked")
elif b != 0:
    failures.append(f"(b), a rebuild with a warm cache, ran {b} Triton compiles; expected 0")
ab = r["ab_outputs"]
if not ab["files"]:
    failures.append("(a) generated no files to compare")
elif ab["differ"]:
    failures.append(f"(a) and (b) outputs differ: {', '.join(ab['differ'][:10])}")
for f in failures:
    print("FAIL: " + f, file=sys.stderr)
if not failures:
    print(f"OK: rows (a)..(g) present; (a) ran {a} of {expected} compiles; (b) ran {b if b is not None else 'n/a'} compiles; "
          f"(a) and (b): {ab['files']} generated files byte-identical")
sys.exit(1 if failures else 0)
EOF

#!/usr/bin/env bash
# Launch overhead, in one run on one GPU: raw cuLaunchKernel, the generated
# launcher, and Triton's Python launch of the same kernel; prints the table,
# its ratios and whether the goal is met.
#
#   bench/run_launch_overhead.sh <build folder with the examples> [python] [--write-doc FILE]
#
# --write-doc replaces the part of FILE between "<!-- launch-overhead:begin -->"
# and "<!-- launch-overhead:end -->" (docs/performance.md) with this run: the
# machine, the command, the table and the goal. TRITON_AOT_BENCH_COMMIT names
# the commit where the checkout has no history.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build="" python=python3 doc=""
positional=()
while (($#)); do
  case "$1" in
    --write-doc) doc=${2:?--write-doc needs a file}; shift ;;
    *) positional+=("$1") ;;
  esac
  shift
done
build=${positional[0]:?usage: run_launch_overhead.sh <build folder> [python] [--write-doc FILE]}
python=${positional[1]:-python3}
# The goal: the generated launcher costs at most this much more than raw cuLaunchKernel.
goal_percent=5

card=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -n 1 || true)
echo "${card:-no nvidia-smi}"
ours=$("$build/bench/launch_overhead")
theirs=$("$python" "$here/launch_overhead_triton.py")
echo "$ours"
echo "$theirs"
for output in "$ours" "$theirs"; do
  if [[ "$output" == *FAIL:* ]]; then exit 1; fi
  if [[ "$output" == SKIP:* ]]; then echo "launch overhead: not measured: $output"; exit 0; fi
done
table=$(paste <(echo "$ours" | tail -n +2) <(echo "$theirs" | tail -n +2))
echo "$table" | awk '
  BEGIN { printf "%10s %10s %10s %10s %10s %12s\n", "n", "raw_us", "ours_us", "triton_us", "ours/raw", "triton/ours" }
  { printf "%10d %10.3f %10.3f %10.3f %10.3f %12.2f\n", $1, $2, $3, $6, $4, $6 / $3 }'
goal=$(echo "$table" | awk -v goal="$goal_percent" '
  { pct = ($4 - 1) * 100; us = $3 - $2; fast = $6 / $3
    if (NR == 1 || pct < lo) lo = pct; if (NR == 1 || pct > hi) hi = pct
    if (NR == 1 || us < ulo) ulo = us; if (NR == 1 || us > uhi) uhi = us
    if (NR == 1 || fast < flo) flo = fast; if (NR == 1 || fast > fhi) fhi = fast }
  END { # The ratios come rounded to 3 decimals: 1.050 is 5.0%, not 5.0000001%.
        printf "Goal: within %d%% of raw `cuLaunchKernel`: %s: %.1f to %.1f%% above raw in this run ", goal,
               hi <= goal + 1e-6 ? "met" : "**not met**", lo, hi
        printf "(%.2f to %.2f µs a launch). The generated launcher is %.1f to %.1f times faster than ", ulo, uhi, flo, fhi
        printf "Triton'"'"'s Python launch.\n" }')
echo "$goal"

[[ -n "$doc" ]] || exit 0
commit=${TRITON_AOT_BENCH_COMMIT:-$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo "unknown")}
triton=$("$python" -c 'import triton; print(triton.__version__)')
cuda=$(sed -n 's/.*release \([0-9.]*\).*/\1/p' <<<"$(ptxas --version 2>/dev/null)" | head -n 1)
compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
section=$(
  echo "This run: $(date +%Y-%m-%d), ${card:-an unknown GPU} (name, driver), Triton $triton, CUDA ${cuda:-?},"
  echo "$("$compiler" --version | head -n 1), TritonAOT $commit: \`bench/run_launch_overhead.sh <build> python3\`."
  echo
  echo "| n | raw µs | ours µs | triton µs | ours/raw | triton/ours |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
  echo "$table" | awk '{ printf "| %d | %.3f | %.3f | %.3f | %.3f | %.2f |\n", $1, $2, $3, $6, $4, $6 / $3 }'
  echo
  echo "$goal"
)
SECTION="$section" "$python" - "$doc" <<'PY'
import os, re, sys
path = sys.argv[1]
text = open(path).read()
begin, end = "<!-- launch-overhead:begin -->", "<!-- launch-overhead:end -->"
if text.count(begin) != 1 or text.count(end) != 1:
    sys.exit(f"run_launch_overhead.sh: {path} has no {begin} ... {end} section to replace")
head, rest = text.split(begin)
_, tail = rest.split(end)
open(path, "w").write(f"{head}{begin}\n{os.environ['SECTION']}\n{end}{tail}")
PY
echo "wrote the launch-overhead section of $doc"

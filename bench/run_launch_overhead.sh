#!/usr/bin/env bash
# Launch overhead, in one run on one GPU: raw cuLaunchKernel, the generated
# launcher, and Triton's Python launch of the same kernel; prints the ratios.
#   bench/run_launch_overhead.sh <build folder with TRITON_AOT_BUILD_EXAMPLES=ON> [python]
set -euo pipefail
build=${1:?usage: run_launch_overhead.sh <build folder> [python]}
python=${2:-python3}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || true
ours=$("$build/bench/launch_overhead")
theirs=$("$python" "$here/launch_overhead_triton.py")
echo "$ours"
echo "$theirs"
paste <(echo "$ours" | tail -n +2) <(echo "$theirs" | tail -n +2) | awk '
  BEGIN { printf "%10s %10s %10s %10s %10s %12s\n", "n", "raw_us", "ours_us", "triton_us", "ours/raw", "triton/ours" }
  { printf "%10d %10.3f %10.3f %10.3f %10.3f %12.2f\n", $1, $2, $3, $6, $4, $6 / $3 }'

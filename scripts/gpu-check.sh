#!/usr/bin/env bash
# On a machine with a GPU: build TritonAOT from this tree into a fresh folder,
# run the test suite (unit, integration, gpu, then reliability on its
# own so that it has its own summary), the examples and the launch-overhead
# benchmark (TRITON_AOT_BENCH=0 skips it), and keep the logs in $OUT (or
# ./gpu-check-logs). Fails if a test skipped that must run on this machine.
# Prints the summary lines last.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${OUT:-$root/gpu-check-logs}
build=${TRITON_AOT_BUILD_DIR:-/tmp/triton-aot-gpu-check}
python=${TRITON_AOT_PYTHON:-$(command -v python3)}
mkdir -p "$out"
rm -rf "$build"

{
  nvidia-smi --query-gpu=name,driver_version,compute_cap --format=csv,noheader || true
  "$python" -c "import triton; print('triton', triton.__version__)"
  cmake --version | head -1
  ninja --version
} 2>&1 | tee "$out/machine.txt"

status=0
# Kernels other Triton releases generated (scripts/compat-prebuilt.sh), when carried here.
prebuilt=()
[[ -d "$root/prebuilt-kernels" ]] && prebuilt=("-DTRITON_AOT_PREBUILT_KERNELS=$root/prebuilt-kernels")
cmake -S "$root" -B "$build" -G Ninja -DTRITON_AOT_PYTHON="$python" "${prebuilt[@]}" >"$out/configure.log" 2>&1 || status=1
[[ $status == 0 ]] && { cmake --build "$build" >"$out/build.log" 2>&1 || status=1; }
if [[ $status == 0 ]]; then
  ninja -C "$build" >"$out/noop.log" 2>&1
  grep -q "no work to do" "$out/noop.log" || status=1
  cat "$out/noop.log"
  # Label compat needs PyPI for its Triton releases: the GPU machine has no
  # network, and runs their artifacts as label gpu.prebuilt instead.
  ctest --test-dir "$build" --output-on-failure -j4 -LE 'reliability|compat' >"$out/ctest.log" 2>&1 || status=1
  ctest --test-dir "$build" --output-on-failure -j4 -L reliability >"$out/ctest-reliability.log" 2>&1 || status=1
  : >"$out/examples.log"
  for example in vector_add/vector_add softmax/softmax_example matmul/matmul_example; do
    "$build/examples/$example" 2>&1 | tee -a "$out/examples.log" || status=1
  done
  if [[ "${TRITON_AOT_BENCH:-1}" == 1 ]]; then
    cp "$root/docs/performance.md" "$out/performance.md"
    "$root/bench/run_launch_overhead.sh" "$build" "$python" --write-doc "$out/performance.md" >"$out/bench.log" 2>&1 \
      || status=1
  fi
  "$build/driver/triton-aot" service stop "$build" || true
fi

# On a GPU machine every test runs, but those whose premise this machine
# lacks; any other skip (a GPU test that skipped on a driver error, the Triton
# comparison without torch, a reliability test without its tool) fails the
# check.
if [[ $status == 0 ]]; then
  gpu=$("$build/tests/triton_aot_check_gpu")
  echo "$gpu" | tee -a "$out/machine.txt"
  [[ "$gpu" == ready:* ]] || { echo "gpu-check: the GPU cannot be used: $gpu"; status=1; }
  gpus=$(sed -n 's/.* sees \([0-9]*\) GPU.*/\1/p' <<<"$gpu")
  capability=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -n 1)
  expected=(KernelLaunchTest.WithoutTheCudaDriverFailsAndSaysWhy CheckGpuTest.WithoutTheDriverSaysThereIsNone)
  (( ${gpus:-0} >= 2 )) || expected+=(GpuLaunch.TwoDevicesFromTwoThreads)
  [[ "$capability" != 8.* ]] || expected+=(GpuArch.PtxOfAnOlderArchIsCompiledForTheDevice)
  [[ "$capability" != 10.0 ]] || expected+=(GpuArch.NoBinaryForTheDeviceSaysWhichArchToAdd)
  unexpected=$(sed -n 's/^[[:space:]]*[0-9]* - \(.*\) (Skipped)$/\1/p' "$out/ctest.log" "$out/ctest-reliability.log" \
               | grep -vxF -f <(printf '%s\n' "${expected[@]}") || true)
  if [[ -n "$unexpected" ]]; then
    printf 'gpu-check: these tests skipped, but must run on this machine:\n%s\n' "$unexpected" | tee "$out/unexpected-skips.txt"
    status=1
  fi
fi

echo "== summary"
tail -n 3 "$out/configure.log"
for log in ctest ctest-reliability; do
  grep -E "tests passed|tests failed|Total Test time|sec\*proc|\*\*\*|^\s+[0-9]+ - " "$out/$log.log" \
    || tail -n 20 "$out/build.log"
done
cat "$out/examples.log" 2>/dev/null
tail -n 6 "$out/bench.log" 2>/dev/null
echo "gpu-check: $([[ $status == 0 ]] && echo PASSED || echo FAILED)"
exit $status

#!/usr/bin/env bash
# Compile throughput, in one run with one `ninja -j J`: how long building a reference suite of Triton
# kernel modules takes with TritonAOT (cold, rebuilt after rm -rf, no-op, one module touched), with the
# usual alternative (triton.tools.compile + triton.tools.link, one process per variant per arch), and
# the floor (one warmed Python compiling everything serially, divided by J). Prints one table with each
# time and its ratio to the floor, the throughput goals, and writes OUT/table.md.
#
#   bench/compile_throughput/run.sh [--small] [--jobs J] [--python PY] [--out DIR]
#                                   [--tritonaot-dir DIR] [--ptxas PTXAS] [--archs 80,90]
#
#   --small           4 modules, 1 arch: a smoke test (about a minute on 2 cores, no GPU needed)
#   --jobs J          ninja -j J, and the divisor of the floor (default: nproc)
#   --python PY       the Python with Triton 3.6.0 (default: TRITON_AOT_PYTHON of the TritonAOT build, else python3)
#   --out DIR         suite, build folders, logs, table.md (default: <repo>/build/compile_throughput)
#   --tritonaot-dir   the folder holding TritonAOTConfig.cmake (default: $TRITON_AOT_BUILD_DIR, else <repo>/build)
#   --ptxas PTXAS     the ptxas every row uses (default: $CUDAToolkit_ROOT or /usr/local/cuda's, else Triton's)
#   --archs LIST      compute capabilities (default: 80,90; with --small: 80)
# See README.md next to this script for what each row measures.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

say() { printf 'compile_throughput: %s\n' "$*"; }
die() { printf 'compile_throughput: error: %s\n' "$*" >&2; exit 1; }

small=0
jobs=$(nproc)
python=""
out="$root/build/compile_throughput"
tritonaot_dir=""
ptxas=""
archs=""
while (($#)); do
  case "$1" in
    --small) small=1 ;;
    --jobs) jobs=${2:?--jobs needs a number}; shift ;;
    --python) python=${2:?--python needs a path}; shift ;;
    --out) out=${2:?--out needs a folder}; shift ;;
    --tritonaot-dir) tritonaot_dir=${2:?--tritonaot-dir needs a folder}; shift ;;
    --ptxas) ptxas=${2:?--ptxas needs a path}; shift ;;
    --archs) archs=${2:?--archs needs a list like 80,90}; shift ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "--jobs: '$jobs' is not a positive number"

# --- tools --------------------------------------------------------------------------------------------
if [[ -z "$tritonaot_dir" ]]; then
  for candidate in "${TRITON_AOT_BUILD_DIR:-}" "$root/build"; do
    if [[ -n "$candidate" && -f "$candidate/TritonAOTConfig.cmake" ]]; then tritonaot_dir=$candidate; break; fi
  done
  [[ -n "$tritonaot_dir" ]] || die "no TritonAOT build tree found (looked at \$TRITON_AOT_BUILD_DIR and $root/build): build one with scripts/setup.sh, or pass --tritonaot-dir <folder with TritonAOTConfig.cmake>"
fi
tritonaot_dir=$(cd "$tritonaot_dir" && pwd)
[[ -f "$tritonaot_dir/TritonAOTConfig.cmake" ]] || die "$tritonaot_dir has no TritonAOTConfig.cmake"

if [[ -z "$python" ]]; then
  python=$(sed -n 's/^TRITON_AOT_PYTHON:[A-Z]*=//p' "$tritonaot_dir/CMakeCache.txt" 2>/dev/null || true)
  [[ -n "$python" ]] || python=$(command -v python3 || true)
fi
[[ -n "$python" && -x "$python" ]] || die "no Python: pass --python <python with triton 3.6.0>"
triton_version=$("$python" -c 'import triton; print(triton.__version__)' 2>/dev/null) \
  || die "$python cannot import triton: pass --python <python with triton 3.6.0>"
[[ "$triton_version" == 3.6.0 ]] || say "warning: Triton $triton_version, not 3.6.0 (triton.tools.compile's arguments may differ)"

command -v cmake >/dev/null || die "no cmake on PATH (need 3.25 or newer)"
command -v ninja >/dev/null || die "no ninja on PATH"
cmake_version=$(cmake --version | sed -n '1s/^cmake version //p')
[[ "$(printf '%s\n' 3.25 "$cmake_version" | sort -V | head -1)" == 3.25 ]] || die "cmake $cmake_version is older than 3.25"
ninja_version=$(ninja --version)

if [[ -z "$ptxas" ]]; then
  cuda=${CUDAToolkit_ROOT:-/usr/local/cuda}
  if [[ -x "$cuda/bin/ptxas" ]]; then
    ptxas="$cuda/bin/ptxas"
  else
    ptxas=$("$python" -c 'import os, triton.backends.nvidia as n; print(os.path.join(os.path.dirname(n.__file__), "bin", "ptxas"))')
  fi
fi
[[ -x "$ptxas" ]] || die "ptxas '$ptxas' is not executable (pass --ptxas)"

# No GPU is used anywhere; every row compiles with the same ptxas.
export CUDA_VISIBLE_DEVICES=""
export TRITON_PTXAS_PATH="$ptxas" TRITON_PTXAS_BLACKWELL_PATH="$ptxas"

mkdir -p "$out"
out=$(cd "$out" && pwd)
logs="$out/logs"
rm -rf "$logs" "$out/build-ours" "$out/build-tools" "$out/cache-tools" "$out/cache-floor"
mkdir -p "$logs"

say "jobs $jobs on $(nproc) cores; $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 || echo 'no GPU')"
say "python $python (triton $triton_version); cmake $cmake_version; ninja $ninja_version"
say "ptxas $ptxas ($("$ptxas" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p'))"
say "TritonAOT $tritonaot_dir; logs in $logs"

# timed NAME LOG CMD...: runs CMD with its output appended to LOG; its wall time (monotonic clock,
# measured around the child alone) goes into secs[NAME].
declare -A secs
timed() {
  local name=$1 log=$2
  shift 2
  local t
  t=$("$python" -c '
import subprocess, sys, time
with open(sys.argv[1], "a") as log:
    log.write("$ " + " ".join(sys.argv[2:]) + "\n"); log.flush()
    start = time.perf_counter()
    rc = subprocess.call(sys.argv[2:], stdout=log, stderr=subprocess.STDOUT)
    elapsed = time.perf_counter() - start
print(f"{elapsed:.4f}")
sys.exit(rc)' "$log" "$@") || die "$name failed; see $log"
  secs[$name]=$t
}

# --- the suite ----------------------------------------------------------------------------------------
suite="$out/suite"
gen_args=("$suite")
((small)) && gen_args+=(--small)
[[ -n "$archs" ]] && gen_args+=(--archs "$archs")
"$python" "$here/make_suite.py" "${gen_args[@]}" | tee "$logs/make_suite.log"
read -r n_modules n_variants n_compiles touched < <("$python" -c '
import json, sys
m = json.load(open(sys.argv[1]))
variants = {(j["module"], j["kernel"], j["variant"]) for j in m["jobs"]}
touched = next(n for n in m["modules"] if m["kinds"][n] == "elementwise")
print(len(m["modules"]), len(variants), len(m["jobs"]), touched)' "$suite/suite.json")
[[ -n "${touched:-}" ]] || die "cannot read $suite/suite.json"

# Load Triton once so that the first timed row does not pay for a cold page cache.
"$python" -c 'import triton, triton.language' >/dev/null

# --- ours ---------------------------------------------------------------------------------------------
build="$out/build-ours"
configure_ours() {  # configure_ours NAME
  timed "configure_$1" "$logs/$1.log" cmake -S "$suite/ours" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    "-DTritonAOT_DIR=$tritonaot_dir" "-DTRITON_AOT_PYTHON=$python" "-DTRITON_AOT_PTXAS=$ptxas"
}
build_ours() {  # build_ours NAME
  timed "$1" "$logs/$1.log" ninja -C "$build" -j "$jobs" suite_kernels
}
count_fatbins() { find "$build" -name '*.fatbin' | wc -l; }

say "(a) cold build: $n_modules modules, $n_variants variants, $n_compiles compiles"
configure_ours a
build_ours a
[[ $(count_fatbins) == "$n_variants" ]] || die "(a) built $(count_fatbins) fatbins, expected $n_variants; see $logs/a.log"

say "(c) no-op build"
build_ours c
grep -q 'no work to do' "$logs/c.log" || die "(c) the second ninja did work; see $logs/c.log"

say "(d) touch $touched.py, rebuild"
touch "$suite/kernels/$touched.py"
build_ours d
d_edges=$(grep -c '^\[[0-9]*/[0-9]*\]' "$logs/d.log" || true)

say "(b) rm -rf the build folder, configure, rebuild"
rm -rf "$build"
configure_ours b
build_ours b

say "(e) driver, a process per edge (today's build, measured again from a fresh build folder)"
rm -rf "$build"
configure_ours e
build_ours e

# --- the alternative: triton.tools.compile + triton.tools.link ----------------------------------------
say "(f) triton.tools.compile per variant per arch + triton.tools.link per kernel, fresh build folder"
tools_build="$out/build-tools"
timed configure_f "$logs/f.log" cmake -S "$suite/tools" -B "$tools_build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  "-DSUITE_PYTHON=$python" "-DSUITE_COMPILE=$python;$here/tools_shim.py;compile" \
  "-DCUDAToolkit_ROOT=${CUDAToolkit_ROOT:-/usr/local/cuda}"
mkdir -p "$out/cache-tools"
timed f "$logs/f.log" env "TRITON_CACHE_DIR=$out/cache-tools" ninja -C "$tools_build" -j "$jobs"
f_cubins=$(find "$tools_build/gen" -name '*.*.h' | wc -l)  # per-variant headers: <stem>.<hash>_<suffix>.h
[[ "$f_cubins" == "$n_compiles" ]] || die "(f) produced $f_cubins kernels, expected $n_compiles; see $logs/f.log"

# --- the floor ----------------------------------------------------------------------------------------
say "(g) the floor: one warmed Python, every compile serially"
mkdir -p "$out/cache-floor"
timed g_total "$logs/g.log" env "TRITON_CACHE_DIR=$out/cache-floor" "$python" "$here/floor.py" "$suite/suite.json" "$out/floor.json"
read -r floor startup compile_serial touched_s < <("$python" -c '
import json, sys
r = json.load(open(sys.argv[1]))
jobs = int(sys.argv[2])
values = [r["compile_s"] / jobs + r["startup_s"], r["startup_s"], r["compile_s"], r["per_module_s"][sys.argv[3]]]
print(" ".join(f"{v:.4f}" for v in values))' \
  "$out/floor.json" "$jobs" "$touched")
[[ -n "${touched_s:-}" ]] || die "cannot read $out/floor.json; see $logs/g.log"
secs[g]=$floor

# --- the table ----------------------------------------------------------------------------------------
rows=(
  "a|(a) cold build (ours), ninja -j $jobs suite_kernels"
  "b|(b) rebuild after rm -rf build (ours; no cache today)"
  "c|(c) no-op build (ours)"
  "d|(d) touch $touched.py, rebuild (ours; edges run: $d_edges)"
  "e|(e) driver, a process per edge (ours, cold)"
  "f|(f) triton.tools.compile + link, a process per variant"
  "g|(g) floor: 1 warm process, serial / $jobs + startup"
)
{
  printf '%-60s %10s %10s\n' "row" "seconds" "x floor"
  printf '%-60s %10s %10s\n' "$(printf '%.0s-' {1..60})" "----------" "----------"
  for row in "${rows[@]}"; do
    key=${row%%|*}
    awk -v label="${row#*|}" -v t="${secs[$key]}" -v f="$floor" 'BEGIN { printf "%-60s %10.3f %10.2f\n", label, t, t / f }'
  done
} > "$out/table.txt"

# The throughput goals, against today's numbers.
goal() {  # goal TEXT AWK-CONDITION
  if awk -v a="${secs[a]}" -v b="${secs[b]}" -v c="${secs[c]}" -v d="${secs[d]}" -v f="${secs[f]}" \
         -v g="$floor" -v m="$touched_s" "BEGIN { exit !($2) }"; then
    printf '%s|met\n' "$1"
  else
    printf '%s|NOT met\n' "$1"
  fi
}
{
  goal "$(awk -v a="${secs[a]}" -v g="$floor" 'BEGIN { printf "(a) <= 1.3x floor          (today %.2fx)", a / g }')" "a <= 1.3 * g"
  goal "$(awk -v a="${secs[a]}" -v f="${secs[f]}" 'BEGIN { printf "(a) >= 3x faster than (f)  (today %.2fx)", f / a }')" "f >= 3 * a"
  goal "$(awk -v a="${secs[a]}" -v b="${secs[b]}" 'BEGIN { printf "(b) <= 10%% of (a)          (today %.0f%%)", 100 * b / a }')" "b <= 0.1 * a"
  goal "$(awk -v c="${secs[c]}" 'BEGIN { printf "(c) <= 50 ms               (today %.0f ms)", 1000 * c }')" "c <= 0.050"
  goal "$(awk -v d="${secs[d]}" -v m="$touched_s" 'BEGIN { printf "(d) <= module compile %.2f s + 0.3 s (today %.2f s)", m, d }')" "d <= m + 0.3"
} > "$out/goals.txt"

notes="floor = $compile_serial s serial compile of $n_compiles compiles / $jobs + $startup s startup (import triton + warm-up compile). Configure (not timed in the rows): a $(printf %.2f "${secs[configure_a]}") s, f $(printf %.2f "${secs[configure_f]}") s."

echo
cat "$out/table.txt"
echo
awk -F'|' '{ printf "%-60s %21s\n", $1, $2 }' "$out/goals.txt"
echo
echo "$notes"

{
  echo "# Compile throughput ($n_modules modules, $n_variants variants, $n_compiles compiles, archs $("$python" -c 'import json,sys; print(",".join(map(str, json.load(open(sys.argv[1]))["archs"])))' "$suite/suite.json"), ninja -j $jobs)"
  echo
  echo "Triton $triton_version, cmake $cmake_version, ninja $ninja_version, $(nproc) cores, ptxas $ptxas."
  echo
  echo "| row | seconds | x floor |"
  echo "| --- | ---: | ---: |"
  for row in "${rows[@]}"; do
    key=${row%%|*}
    awk -v label="${row#*|}" -v t="${secs[$key]}" -v f="$floor" 'BEGIN { printf "| %s | %.3f | %.2f |\n", label, t, t / f }'
  done
  echo
  echo "| goal | today |"
  echo "| --- | --- |"
  awk -F'|' '{ gsub(/  +/, " ", $1); printf "| %s | %s |\n", $1, $2 }' "$out/goals.txt"
  echo
  echo "$notes"
} > "$out/table.md"
say "wrote $out/table.md"

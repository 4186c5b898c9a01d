#!/usr/bin/env bash
# Compile throughput, in one run with one `ninja -j J`: how long building a reference suite of Triton
# kernel modules takes with TritonAOT (cold with an empty artifact cache, rebuilt after rm -rf with a warm
# cache, no-op, one module touched, one module edited, and with the service and the cache off), with the
# usual alternative (triton.tools.compile + triton.tools.link, one process per variant per arch), and the
# floor (one warmed Python compiling everything serially, divided by J). Prints one table with each time,
# its ratio to the floor and the Triton compiles each row ran, then the throughput goals; writes
# OUT/table.txt, goals.txt, table.md and results.json.
#
#   bench/compile_throughput/run.sh [--small] [--jobs J] [--python PY] [--out DIR]
#                                   [--tritonaot-dir DIR] [--ptxas PTXAS] [--archs 80,90]
#                                   [--write-doc FILE]
#
#   --small           3 modules, 1 arch: a smoke test (about a minute on 2 cores, no GPU needed)
#   --jobs J          ninja -j J, and the divisor of the floor (default: nproc)
#   --python PY       the Python with Triton 3.6.0 (default: TRITON_AOT_PYTHON of the TritonAOT build, else python3)
#   --out DIR         suite, build folders, logs, tables (default: <repo>/build/compile_throughput)
#   --tritonaot-dir   the folder holding TritonAOTConfig.cmake (default: $TRITON_AOT_BUILD_DIR, else <repo>/build)
#   --ptxas PTXAS     the ptxas every row uses (default: $CUDAToolkit_ROOT or /usr/local/cuda's, else Triton's)
#   --archs LIST      compute capabilities (default: 80,90; with --small: 80)
#   --write-doc FILE  rewrite the "## Compile throughput" section of FILE (e.g. docs/performance.md) with
#                     this run's machine, versions, command line, table and goals
# See README.md next to this script for what each row measures.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
command_line="bash $(printf '%q' "$0")$( (($#)) && printf ' %q' "$@")"

say() { printf 'compile_throughput: %s\n' "$*"; }
die() { printf 'compile_throughput: error: %s\n' "$*" >&2; exit 1; }

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

small=0
jobs=$(nproc)
python=""
out="$root/build/compile_throughput"
tritonaot_dir=""
ptxas=""
archs=""
write_doc=""
while (($#)); do
  case "$1" in
    --small) small=1 ;;
    --jobs) jobs=${2:?--jobs needs a number}; shift ;;
    --python) python=${2:?--python needs a path}; shift ;;
    --out) out=${2:?--out needs a folder}; shift ;;
    --tritonaot-dir) tritonaot_dir=${2:?--tritonaot-dir needs a folder}; shift ;;
    --ptxas) ptxas=${2:?--ptxas needs a path}; shift ;;
    --archs) archs=${2:?--archs needs a list like 80,90}; shift ;;
    --write-doc) write_doc=${2:?--write-doc needs a file}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "--jobs: '$jobs' is not a positive number"
if [[ -n "$write_doc" ]]; then
  [[ -f "$write_doc" ]] || die "--write-doc: $write_doc is not a file"
  write_doc=$(cd "$(dirname "$write_doc")" && pwd)/$(basename "$write_doc")
fi

# --- tools --------------------------------------------------------------------------------------------
if [[ -z "$tritonaot_dir" ]]; then
  for candidate in "${TRITON_AOT_BUILD_DIR:-}" "$root/build"; do
    if [[ -n "$candidate" && -f "$candidate/TritonAOTConfig.cmake" ]]; then tritonaot_dir=$candidate; break; fi
  done
  [[ -n "$tritonaot_dir" ]] || die "no TritonAOT build tree found (looked at \$TRITON_AOT_BUILD_DIR and $root/build): build one with scripts/setup.sh, or pass --tritonaot-dir <folder with TritonAOTConfig.cmake>"
fi
[[ -d "$tritonaot_dir" ]] || die "--tritonaot-dir: $tritonaot_dir is not a folder"
tritonaot_dir=$(cd "$tritonaot_dir" && pwd)
[[ -f "$tritonaot_dir/TritonAOTConfig.cmake" ]] || die "$tritonaot_dir has no TritonAOTConfig.cmake (pass the TritonAOT build tree, or <prefix>/lib/cmake/TritonAOT)"

# The driver, for `triton-aot service stop <build tree>`: in a build tree, or an installed prefix.
driver=""
for candidate in "$tritonaot_dir/driver/triton-aot" "$tritonaot_dir/../../../bin/triton-aot"; do
  if [[ -x "$candidate" ]]; then driver=$candidate; break; fi
done
[[ -n "$driver" ]] || die "no triton-aot driver next to $tritonaot_dir (looked in driver/ and ../../../bin/): build TritonAOT first"

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

cuda=${CUDAToolkit_ROOT:-/usr/local/cuda}
if [[ -z "$ptxas" ]]; then
  if [[ -x "$cuda/bin/ptxas" ]]; then
    ptxas="$cuda/bin/ptxas"
  else
    ptxas=$("$python" -c 'import os, triton.backends.nvidia as n; print(os.path.join(os.path.dirname(n.__file__), "bin", "ptxas"))')
  fi
fi
[[ -x "$ptxas" ]] || die "ptxas '$ptxas' is not executable (pass --ptxas)"
ptxas_version=$("$ptxas" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p')

# No GPU is used anywhere; every row compiles with the same ptxas.
export CUDA_VISIBLE_DEVICES=""
export TRITON_PTXAS_PATH="$ptxas" TRITON_PTXAS_BLACKWELL_PATH="$ptxas"

card=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || true)
if [[ -n "$card" ]]; then
  n_cards=$(wc -l <<<"$card")
  card=$(head -1 <<<"$card" | awk -F', *' '{ printf "%s (driver %s)", $1, $2 }')
  ((n_cards == 1)) || card="$n_cards x $card"
else
  card="no GPU"
fi
cores=$(nproc)

# Which TritonAOT: its source folder (from its TritonAOTConfig.cmake) and, in a git checkout, the commit.
tritonaot_src=$(sed -n 's|^include("\(.*\)/cmake/modules/TritonAOT.cmake")$|\1|p' "$tritonaot_dir/TritonAOTConfig.cmake" | head -1)
tritonaot_desc="built in $tritonaot_dir"
if [[ -n "$tritonaot_src" && "$(git -C "$tritonaot_src" rev-parse --show-toplevel 2>/dev/null)" -ef "$tritonaot_src" ]] \
   && commit=$(git -C "$tritonaot_src" rev-parse --short HEAD 2>/dev/null); then
  tritonaot_desc="$commit"
  git --no-optional-locks -C "$tritonaot_src" diff --quiet HEAD 2>/dev/null || tritonaot_desc+=" with local changes"
fi
# A copy of a checkout without its history (a remote machine's) can say which commit it is.
[[ -n "${TRITON_AOT_BENCH_COMMIT:-}" ]] && tritonaot_desc="$TRITON_AOT_BENCH_COMMIT"
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)

# --- folders ------------------------------------------------------------------------------------------
mkdir -p "$out"
out=$(cd "$out" && pwd)
logs="$out/logs"
build="$out/build-ours"        # rows (a) to (d2), then (b)
build_off="$out/build-ours-off" # row (e): the service and the cache off
cache_dir="$out/cache-ours"    # TRITON_AOT_CACHE_DIR of (a) to (d2) and (b)

# stop_service TREE: no TritonAOT compile service of that build tree runs afterwards. `service stop`
# exits 0 also when none runs (drivers without a service fail, which is as good) and says "(pid N)" when it
# stopped one; that process may take a moment to exit after its socket is gone: wait for it, 10 s at most.
stop_service() {
  local said pid i
  said=$("$driver" service stop "$1" 2>&1) || true
  printf '%s: %s\n' "$1" "$said" >>"$logs/service.log"
  pid=$(sed -n 's/.*(pid \([0-9][0-9]*\)).*/\1/p' <<<"$said" | head -1)
  [[ -n "$pid" ]] || return 0
  for ((i = 0; i < 100; i++)); do
    process_alive "$pid" || return 0
    sleep 0.1
  done
  say "warning: the compile service of $1 (pid $pid) still runs 10 s after 'triton-aot service stop'"
}
process_alive() {  # process_alive PID: it exists and is not a zombie
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ "$state" != Z* ]]
}

# Nothing of an earlier run may linger or be reused: its services, build folders, caches, results.
rm -rf "$logs"
mkdir -p "$logs"
stop_service "$build"
stop_service "$build_off"
rm -rf "$build" "$build_off" "$cache_dir" "$out/build-tools" "$out/cache-tools" "$out/cache-floor" "$out/timing" \
  "$out/trace-inputs" "$out/generated-a" "$out/measurements.tsv" "$out/floor.json" "$out/table.txt" \
  "$out/goals.txt" "$out/table.md" "$out/results.json"
mkdir -p "$out/timing" "$out/trace-inputs" "$cache_dir"
# Also in the environment, in case a driver reads it rather than the CMake variable: never the user's cache.
export TRITON_AOT_CACHE_DIR="$cache_dir"

# The edited module (row d2) is put back, and every service this script started is stopped, however the
# script ends.
edited=""
edited_backup=""
cleanup() {
  local rc=$?
  if [[ -n "$edited_backup" && -f "$edited_backup" ]]; then
    cp "$edited_backup" "$edited" && rm -f "$edited_backup"
  fi
  stop_service "$build"
  stop_service "$build_off"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# measure KEY VALUE: one fact for report.py.
measure() { printf '%s\t%s\n' "$1" "$2" >>"$out/measurements.tsv"; }

measure command "$command_line"
measure date "$(date -u +%Y-%m-%d)"
measure card "$card"
measure cores "$cores"
measure cpu "${cpu_model:-unknown CPU}"
measure jobs "$jobs"
measure python "$python"
measure triton "$triton_version"
measure cmake "$cmake_version"
measure ninja "$ninja_version"
measure ptxas "$ptxas"
measure ptxas_version "${ptxas_version:-unknown}"
measure tritonaot_dir "$tritonaot_dir"
measure tritonaot "$tritonaot_desc"

say "jobs $jobs on $cores cores; $card"
say "python $python (triton $triton_version); cmake $cmake_version; ninja $ninja_version"
say "ptxas $ptxas (${ptxas_version:-unknown version})"
say "TritonAOT $tritonaot_dir ($tritonaot_desc); logs in $logs"

# timed NAME LOG CMD...: runs CMD with its output appended to LOG; its wall time (monotonic clock,
# measured around the child alone) is measured as seconds.NAME.
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
  measure "seconds.$name" "$t"
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
touched_py="$suite/kernels/$touched.py"
measure touched "$touched"

# Load Triton once so that the first timed row does not pay for a cold page cache.
"$python" -c 'import triton, triton.language' >/dev/null

# --- ours ---------------------------------------------------------------------------------------------
timing_log() { printf '%s/triton_aot_timing.jsonl' "$1"; }
log_lines() { if [[ -f "$1" ]]; then wc -l <"$1"; else echo 0; fi; }

# configure_ours ROW TREE [-D...]: configures the suite into TREE (untimed, measured as seconds.configure_ROW).
configure_ours() {
  local row=$1 tree=$2
  shift 2
  timed "configure_$row" "$logs/$row.log" cmake -S "$suite/ours" -B "$tree" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    "-DTritonAOT_DIR=$tritonaot_dir" "-DTRITON_AOT_PYTHON=$python" "-DTRITON_AOT_PTXAS=$ptxas" \
    -DTRITON_AOT_SERVICE_IDLE_TIMEOUT=120 "$@"
}
with_cache=(-DTRITON_AOT_SERVICE=ON -DTRITON_AOT_CACHE=ON "-DTRITON_AOT_CACHE_DIR=$cache_dir")

# build_ours ROW TREE: the timed `ninja -j J suite_kernels`; the timing log's records of this build go to
# OUT/timing/ROW.jsonl.
build_ours() {
  local row=$1 tree=$2 first
  first=$(log_lines "$(timing_log "$tree")")
  timed "$row" "$logs/$row.log" ninja -C "$tree" -j "$jobs" suite_kernels
  if [[ -f "$(timing_log "$tree")" ]]; then
    tail -n "+$((first + 1))" "$(timing_log "$tree")" >"$out/timing/$row.jsonl"
  else
    : >"$out/timing/$row.jsonl"
  fi
}
count_fatbins() { find "$1" -name '*.fatbin' | wc -l; }

say "(a) cold build: $n_modules modules, $n_variants variants, $n_compiles compiles; empty cache, no service"
configure_ours a "$build" "${with_cache[@]}"
stop_service "$build"
build_ours a "$build"
[[ $(count_fatbins "$build") == "$n_variants" ]] || die "(a) built $(count_fatbins "$build") fatbins, expected $n_variants; see $logs/a.log"
# Its outputs, to compare with (b)'s; its timing log and ninja log, for a trace of the build.
cp -a "$build/triton_aot" "$out/generated-a"
cp "$(timing_log "$build")" "$out/trace-inputs/" 2>/dev/null || say "warning: (a) wrote no timing log"
cp "$build/.ninja_log" "$out/trace-inputs/"

say "(c) no-op build"
build_ours c "$build"
grep -q 'no work to do' "$logs/c.log" || die "(c) the second ninja did work; see $logs/c.log"

say "(d) touch $touched.py (content unchanged), rebuild"
touch "$touched_py"
build_ours d "$build"
measure d_edges "$(grep -c '^\[[0-9]*/[0-9]*\]' "$logs/d.log" || true)"

say "(d2) append a comment line to $touched.py (every variant of it recompiles), rebuild, put it back"
edited=$touched_py
edited_backup="$out/$touched.py.orig"
cp "$edited" "$edited_backup"
printf '# edited by run.sh, row (d2)\n' >>"$edited"
build_ours d2 "$build"
measure d2_edges "$(grep -c '^\[[0-9]*/[0-9]*\]' "$logs/d2.log" || true)"
cp "$edited_backup" "$edited"
rm -f "$edited_backup"
edited_backup=""

say "(b) rm -rf the build folder, configure (untimed), rebuild with the warm cache"
rm -rf "$build"
configure_ours b "$build" "${with_cache[@]}"
build_ours b "$build"
[[ $(count_fatbins "$build") == "$n_variants" ]] || die "(b) built $(count_fatbins "$build") fatbins, expected $n_variants; see $logs/b.log"

say "(e) ours with the service and the cache off, cold, fresh build folder"
configure_ours e "$build_off" -DTRITON_AOT_SERVICE=OFF -DTRITON_AOT_CACHE=OFF
build_ours e "$build_off"
[[ $(count_fatbins "$build_off") == "$n_variants" ]] || die "(e) built $(count_fatbins "$build_off") fatbins, expected $n_variants; see $logs/e.log"

# --- the alternative: triton.tools.compile + triton.tools.link ----------------------------------------
say "(f) triton.tools.compile per variant per arch + triton.tools.link per kernel, fresh build folder"
tools_build="$out/build-tools"
timed configure_f "$logs/f.log" cmake -S "$suite/tools" -B "$tools_build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  "-DSUITE_PYTHON=$python" "-DSUITE_COMPILE=$python;$here/tools_shim.py;compile" "-DCUDAToolkit_ROOT=$cuda"
mkdir -p "$out/cache-tools"
timed f "$logs/f.log" env "TRITON_CACHE_DIR=$out/cache-tools" ninja -C "$tools_build" -j "$jobs"
f_kernels=$(find "$tools_build/gen" -name '*.*.h' | wc -l)  # per-variant headers: <stem>.<hash>_<suffix>.h
[[ "$f_kernels" == "$n_compiles" ]] || die "(f) produced $f_kernels kernels, expected $n_compiles; see $logs/f.log"

# --- the floor ----------------------------------------------------------------------------------------
say "(g) the floor: one warmed Python, every compile serially"
mkdir -p "$out/cache-floor"
timed g_total "$logs/g.log" env "TRITON_CACHE_DIR=$out/cache-floor" "$python" "$here/floor.py" "$suite/suite.json" "$out/floor.json"

# --- the table, the goals, the doc --------------------------------------------------------------------
report_args=("$out")
[[ -n "$write_doc" ]] && report_args+=(--write-doc "$write_doc")
"$python" "$here/report.py" "${report_args[@]}" || die "report.py failed"
say "wrote $out/table.txt, goals.txt, table.md, results.json; (a)'s logs for a trace in $out/trace-inputs"
[[ -z "$write_doc" ]] || say "rewrote the \"## Compile throughput\" section of $write_doc"

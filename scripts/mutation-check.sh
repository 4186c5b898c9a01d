#!/usr/bin/env bash
# Breaks the code on purpose, one small bug at a time, and checks that the
# test suite notices each one. The bugs are listed in scripts/mutations.txt.
#
#   scripts/mutation-check.sh [NAME-REGEX]     only the mutations whose name matches
#
# It copies this tree (tracked and untracked files, not ignored ones) to a
# scratch folder ($TRITON_AOT_MUTATION_DIR, default /tmp/triton-aot-mutation),
# builds it once and runs the whole suite there, which must pass. Then, for
# each mutation: it changes the one line, rebuilds incrementally, runs the
# tests the mutation names first and, if none fails, the rest of the suite,
# stopping at the first failure; then it puts the line back. It prints each
# mutation with the test that caught it, or SURVIVED, and exits 1 if any
# survived, 2 if the list is out of date (a line not found exactly once, or a
# mutation that does not build). Python with Triton: $TRITON_AOT_PYTHON, else
# the one build/ was configured with. See docs/testing.md.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scratch=${TRITON_AOT_MUTATION_DIR:-/tmp/triton-aot-mutation}
filter=${1:-}
jobs=$(nproc)
python=${TRITON_AOT_PYTHON:-$(sed -n 's/^TRITON_AOT_PYTHON:[A-Z]*=//p' "$root/build/CMakeCache.txt" 2>/dev/null)}

say() { printf 'mutation-check: %s\n' "$*"; }
die() { printf 'mutation-check: error: %s\n' "$*" >&2; exit 2; }

[[ -n "$python" ]] || die "no Python with Triton: set TRITON_AOT_PYTHON, or run scripts/setup.sh first"
src="$scratch/src" build="$scratch/build" logs="$scratch/logs"
rm -rf "$src" "$logs"
mkdir -p "$src" "$logs"
(cd "$root" && git ls-files -z -co --exclude-standard | tar --null -T - -cf -) | tar -xf - -C "$src" \
  || die "cannot copy the tree to $src"

say "building $src in $build"
cmake -S "$src" -B "$build" -G Ninja -DTRITON_AOT_PYTHON="$python" >"$logs/configure.log" 2>&1 \
  || die "configuring failed: $logs/configure.log"
ninja -C "$build" >"$logs/build.log" 2>&1 || die "the unchanged tree does not build: $logs/build.log"
say "running the whole suite on the unchanged tree"
ctest --test-dir "$build" -j "$jobs" >"$logs/unchanged.log" 2>&1 \
  || die "the suite fails without any mutation: $logs/unchanged.log"

# Runs ctest with `selection` (-R/-E and a regex), stopping at the first
# failure; prints the failed test's name and returns 1, or returns 0.
first_failure() {
  local log=$1
  shift
  ctest --test-dir "$build" -j "$jobs" --stop-on-failure "$@" >>"$log" 2>&1 && return 0
  local failed="$build/Testing/Temporary/LastTestsFailed.log"
  if [[ -s "$failed" ]]; then sed -n '1{s/^[0-9]*://;s/  # GetParam() = .*//;p}' "$failed"; else echo "ctest (see $log)"; fi
  return 1
}

# Applies mutation `$1` (name), in file `$2`, `$3` -> `$4`; tries `$5` first.
check() {
  local name=$1 file=$2 from=$3 to=$4 first=$5
  [[ -z "$filter" || "$name" =~ $filter ]] || return 0
  local path="$src/$file" log="$logs/$(tr -c 'a-zA-Z0-9' '_' <<<"$name").log" start=$SECONDS
  [[ -f "$path" ]] || die "$name: no file $file"
  cp "$path" "$scratch/original"
  FROM=$from TO=$to "$python" - "$path" <<'EOF' || die "$name: the line to change is not in $file exactly once"
import os, sys
path, old, new = sys.argv[1], os.environ["FROM"], os.environ["TO"]
text = open(path).read()
if text.count(old) != 1:
    sys.exit(1)
open(path, "w").write(text.replace(old, new))
EOF
  local caught=""
  if ! ninja -C "$build" >"$log" 2>&1; then
    cp "$scratch/original" "$path"
    die "$name: the mutated tree does not build (see $log): make it a bug the compiler lets through"
  fi
  if [[ -n "$first" ]]; then caught=$(first_failure "$log" -R "$first"); fi
  if [[ -z "$caught" ]]; then
    if [[ -n "$first" ]]; then caught=$(first_failure "$log" -E "$first"); else caught=$(first_failure "$log"); fi
  fi
  cp "$scratch/original" "$path"
  total=$((total + 1))
  if [[ -n "$caught" ]]; then
    printf '  caught    %-68s by %s (%d s)\n' "$name" "$caught" $((SECONDS - start))
  else
    printf '  SURVIVED  %-68s (%d s; log: %s)\n' "$name" $((SECONDS - start)) "$log"
    survivors=$((survivors + 1))
  fi
}

total=0 survivors=0
say "mutations from scripts/mutations.txt, each with the test that caught it:"
name="" file="" from="" to="" first=""
while IFS= read -r line || [[ -n "$line" ]]; do
  case "$line" in
    "name: "*) name=${line#name: } ;;
    "file: "*) file=${line#file: } ;;
    "from: "*) from=${line#from: } ;;
    "to:"*) to=${line#to:}; to=${to# } ;;
    "first: "*) first=${line#first: } ;;
    "")
      [[ -z "$name" ]] || check "$name" "$file" "$from" "$to" "$first"
      name="" file="" from="" to="" first="" ;;
    "#"*) ;;
    *) die "scripts/mutations.txt: cannot read this line: $line" ;;
  esac
done <"$root/scripts/mutations.txt"
[[ -z "$name" ]] || check "$name" "$file" "$from" "$to" "$first"
# The build in the scratch folder is left with every line put back.
ninja -C "$build" >"$logs/rebuild.log" 2>&1

say "$total mutations: $((total - survivors)) caught, $survivors survived"
((survivors == 0))

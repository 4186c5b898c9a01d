#!/usr/bin/env bash
# Builds the unit tests and the fuzzers with AddressSanitizer and
# UndefinedBehaviorSanitizer (Clang), then runs them: the unit tests, and each
# fuzzer for a short bounded time over its corpus. Any sanitizer report fails
# the run. See docs/fuzzing.md.
#
#   build folder   build-sanitize, or $TRITON_AOT_SANITIZE_BUILD_DIR
#   fuzz time      seconds per fuzzer, $TRITON_AOT_FUZZ_SECONDS (default 12)
#   Triton         $TRITON_AOT_PYTHON, if set, for the unit tests that use it
#                  (they skip, saying so, without one)
#
# Needs clang++ and Clang's sanitizer and libFuzzer runtimes
# (scripts/setup.sh installs them), CMake and Ninja.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${TRITON_AOT_SANITIZE_BUILD_DIR:-$root/build-sanitize}
fuzz_seconds=${TRITON_AOT_FUZZ_SECONDS:-12}
jobs=$(nproc)
targets=(triton_aot_unit_tests triton_aot_runtime_tests
         triton_aot_spec_fuzzer triton_aot_signature_fuzzer triton_aot_grid_fuzzer triton_aot_depfile_fuzzer)

say() { printf 'sanitize: %s\n' "$*"; }
die() { printf 'sanitize: error: %s\n' "$*" >&2; exit 1; }

for tool in clang++ cmake ninja; do
  command -v "$tool" >/dev/null || die "$tool not found: run scripts/setup.sh, or install it"
done
cuda=${CUDAToolkit_ROOT:-/usr/local/cuda}

# Every report stops the program with a non-zero status, so that no test
# passes over one. Options already in the environment come last and win.
asan=halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_string_checks=1
export ASAN_OPTIONS="$asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

# Debug: -O0 builds fastest, and keeps the library's own assertions on.
configure=(-G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++
           -DTRITON_AOT_SANITIZE=ON -DTRITON_AOT_FUZZ=ON -DTRITON_AOT_FUZZ_SECONDS="$fuzz_seconds"
           -DTRITON_AOT_BUILD_EXAMPLES=OFF -DTRITON_AOT_INSTALL=OFF "-DCUDAToolkit_ROOT=$cuda")
[[ -z "${TRITON_AOT_PYTHON:-}" ]] || configure+=("-DTRITON_AOT_PYTHON=$TRITON_AOT_PYTHON")

start=$SECONDS
say "configuring $build"
mkdir -p "$build"
cmake -S "$root" -B "$build" "${configure[@]}" >"$build/configure.log" 2>&1 \
  || { cat "$build/configure.log" >&2; die "configuring failed"; }
say "building ${targets[*]}"
cmake --build "$build" --parallel "$jobs" --target "${targets[@]}" || die "the build failed"

# LeakSanitizer needs to stop the process's threads, which some sandboxes
# forbid; there it cannot run at all, so leaks go unchecked rather than every
# test failing.
probe=$(ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=1" "$build/tests/triton_aot_runtime_tests" --gtest_list_tests 2>&1 || true)
if [[ "$probe" == *"LeakSanitizer has encountered a fatal error"* ]]; then
  say "LeakSanitizer does not work on this machine: leaks are not checked"
  export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0"
fi

say "running the unit tests and the fuzzers (${fuzz_seconds} s each)"
ctest --test-dir "$build" -L 'unit|fuzz' --output-on-failure --parallel "$jobs" \
  || die "a test failed or a sanitizer reported an error (above); crash inputs are in $build/tests/fuzz/artifacts"
say "done in $((SECONDS - start)) s: no sanitizer report"

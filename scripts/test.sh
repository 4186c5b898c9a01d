#!/usr/bin/env bash
# Runs every test, after scripts/setup.sh has built build/ (or $TRITON_AOT_BUILD_DIR):
#   1. the suite there: labels unit, integration, reliability, and gpu (each gpu
#      test skips, saying why, without a GPU);
#   2. scripts/sanitize.sh: the unit tests under AddressSanitizer and
#      UndefinedBehaviorSanitizer, and a short run of each fuzzer (label fuzz).
#      TRITON_AOT_SANITIZE=0 leaves this part out.
# Exits non-zero if anything failed; runs both parts either way.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${TRITON_AOT_BUILD_DIR:-$root/build}
[[ -f "$build/CMakeCache.txt" ]] || { echo "test: error: no build in $build: run scripts/setup.sh first" >&2; exit 1; }

status=0
ctest --test-dir "$build" --output-on-failure || status=1
if [[ "${TRITON_AOT_SANITIZE:-1}" == 1 ]]; then
  # The same Python as the main build, for the unit tests that use Triton.
  python=$(sed -n 's/^TRITON_AOT_PYTHON:[A-Z]*=//p' "$build/CMakeCache.txt")
  TRITON_AOT_PYTHON=$python "$root/scripts/sanitize.sh" || status=1
fi
echo "test: $([[ $status == 0 ]] && echo PASSED || echo FAILED)"
exit $status

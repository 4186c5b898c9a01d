#!/usr/bin/env bash
# Runs every test, after scripts/setup.sh has built build/ (or $TRITON_AOT_BUILD_DIR):
#   1. the suite there: labels unit, integration, bench, reliability, compat
#      (each tested Triton release from PyPI, in build/compat/), and gpu
#      (each gpu test skips, saying why, without a GPU). It runs with a fresh,
#      empty HOME, TMPDIR and XDG_RUNTIME_DIR, which must still be empty
#      afterwards: every test writes only into folders of its own.
#   2. scripts/sanitize.sh: the unit tests under AddressSanitizer and
#      UndefinedBehaviorSanitizer, and a short run of each fuzzer (label fuzz).
#      TRITON_AOT_SANITIZE=0 leaves this part out.
# Exits non-zero if anything failed; runs both parts either way.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${TRITON_AOT_BUILD_DIR:-$root/build}
[[ -f "$build/CMakeCache.txt" ]] || { echo "test: error: no build in $build: run scripts/setup.sh first" >&2; exit 1; }
python=$(sed -n 's/^TRITON_AOT_PYTHON:[A-Z]*=//p' "$build/CMakeCache.txt")

status=0
# Short names: Unix socket paths under it must stay below 108 bytes. Others
# may pass through, as through /tmp: some tests act as another user.
sandbox=$(mktemp -d "${TMPDIR:-/tmp}/tas.XXXXXX")
mkdir -p "$sandbox/home" "$sandbox/tmp" "$sandbox/run"
chmod 755 "$sandbox" "$sandbox/home" "$sandbox/tmp"
chmod 700 "$sandbox/run"
isolated=(env -u XDG_CACHE_HOME -u TRITON_AOT_CACHE_DIR -u TRITON_CACHE_DIR -u TRITON_HOME
          "TMPDIR=$sandbox/tmp" "XDG_RUNTIME_DIR=$sandbox/run")
# A Python whose Triton lives under the user's home (pip install --user) needs
# the real HOME; then the home is not part of the check.
if [[ -z "$python" ]] || HOME="$sandbox/home" "$python" -c "import triton" 2>/dev/null; then
  isolated+=("HOME=$sandbox/home")
else
  echo "test: note: $python finds Triton only with your HOME, so the tests run with it"
fi
"${isolated[@]}" ctest --test-dir "$build" --output-on-failure || status=1
leftovers=$(cd "$sandbox" && find home tmp run -mindepth 1 | head -n 20)
if [[ -n "$leftovers" ]]; then
  printf 'test: FAILED: tests wrote outside their own folders, into the HOME, TMPDIR or XDG_RUNTIME_DIR they were given:\n%s\n' \
    "$leftovers" >&2
  status=1
fi
rm -rf "$sandbox"

if [[ "${TRITON_AOT_SANITIZE:-1}" == 1 ]]; then
  # The same Python as the main build, for the unit tests that use Triton.
  TRITON_AOT_PYTHON=$python "$root/scripts/sanitize.sh" || status=1
fi
echo "test: $([[ $status == 0 ]] && echo PASSED || echo FAILED)"
exit $status

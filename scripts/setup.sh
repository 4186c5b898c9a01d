#!/usr/bin/env bash
# Installs what TritonAOT needs, then builds it into build/ (or $TRITON_AOT_BUILD_DIR)
# together with its tests and, when Triton is there, its examples, which it runs.
#
#   Debian packages  with apt-get, only those missing (skip: TRITON_AOT_NO_APT=1)
#   Triton 3.6.0     the python3 that has it, else a virtual environment in .venv
#                    (choose another interpreter with TRITON_AOT_PYTHON=/path/to/python)
#   CUDA toolkit     must be installed already (fatbinary, ptxas, cuda.h);
#                    looked for in /usr/local/cuda or $CUDAToolkit_ROOT
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${TRITON_AOT_BUILD_DIR:-$root/build}
triton_version=3.6.0
# clang and libclang-rt-dev (its sanitizer and libFuzzer runtimes): for scripts/sanitize.sh.
packages=(cmake ninja-build g++ libfmt-dev nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev python3-venv
          libssl-dev clang libclang-rt-dev)

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

if [[ "${TRITON_AOT_NO_APT:-0}" != 1 ]] && command -v dpkg >/dev/null; then
  missing=()
  for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    sudo=""
    [[ $(id -u) == 0 ]] || sudo=sudo
    $sudo apt-get update -qq || die "apt-get update failed; install ${missing[*]} by hand, then rerun with TRITON_AOT_NO_APT=1"
    # Releases before Debian 12 and Ubuntu 24.04 have no libclang-rt-dev: their
    # clang brings the runtimes in libclang-common-*-dev.
    if ! apt-cache show libclang-rt-dev >/dev/null 2>&1; then
      known=()
      for package in "${missing[@]}"; do
        [[ "$package" == libclang-rt-dev ]] || known+=("$package")
      done
      missing=("${known[@]}")
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null \
      || die "apt-get install ${missing[*]} failed"
  fi
fi

cuda=${CUDAToolkit_ROOT:-/usr/local/cuda}
[[ -x "$cuda/bin/fatbinary" ]] || die "no CUDA toolkit at $cuda (need bin/fatbinary, bin/ptxas, include/cuda.h): install NVIDIA's CUDA toolkit, or set CUDAToolkit_ROOT"

has_triton() { "$1" -c "import triton, sys; sys.exit(triton.__version__ != '$triton_version')" 2>/dev/null; }
python=${TRITON_AOT_PYTHON:-}
if [[ -z "$python" ]]; then
  if command -v python3 >/dev/null && has_triton python3; then
    python=$(command -v python3)
  else
    venv="$root/.venv"
    if [[ ! -x "$venv/bin/python" ]] || ! has_triton "$venv/bin/python"; then
      say "installing triton==$triton_version into $venv"
      python3 -m venv "$venv" || die "python3 -m venv failed: install python3-venv"
      "$venv/bin/python" -m pip install -q --disable-pip-version-check "triton==$triton_version" \
        || die "pip install triton==$triton_version failed"
    fi
    python="$venv/bin/python"
  fi
fi
has_triton "$python" || die "$python does not have triton $triton_version"
say "Python with Triton: $python"

cmake -S "$root" -B "$build" -G Ninja -DTRITON_AOT_PYTHON="$python" "-DCUDAToolkit_ROOT=$cuda"
cmake --build "$build"
# The build's compile service would otherwise wait TRITON_AOT_SERVICE_IDLE_TIMEOUT for more work.
"$build/driver/triton-aot" service stop "$build" >/dev/null || true

if [[ -x "$build/examples/vector_add/vector_add" ]]; then
  say "running the examples (each says SKIP and why where there is no GPU)"
  for example in vector_add/vector_add softmax/softmax_example matmul/matmul_example; do
    "$build/examples/$example"
  done
fi
say "done; run the tests with: scripts/test.sh"

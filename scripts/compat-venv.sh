#!/usr/bin/env bash
# Makes (or reuses) a virtual environment with one Triton release, for the
# `compat` tests:  compat-venv.sh <folder> <triton version> <base python>
#
# The environment is built beside <folder> and renamed into place only once
# its Python imports that exact Triton, so an interrupted run never leaves a
# half-made one to reuse. pip keeps no cache, and runs with a HOME and TMPDIR
# of its own beside <folder>, removed after: nothing goes to the caller's (pip
# runs `rustc --version` for its user agent, and rustup writes to HOME). pip's
# variables and /etc/pip.conf apply, so offline machines can point it at a
# folder of wheels:
#   PIP_NO_INDEX=1 PIP_FIND_LINKS=/path/to/wheels
set -euo pipefail

[[ $# == 3 ]] || { echo "usage: compat-venv.sh <folder> <triton version> <base python>" >&2; exit 2; }
folder=$1 version=$2 base=$3

has_version() {
  "$1/bin/python" -c "import sys, triton; sys.exit(triton.__version__ != '$version')" 2>/dev/null
}

if [[ -x "$folder/bin/python" ]] && has_version "$folder"; then
  echo "compat-venv: reusing $folder (Triton $version)"
  exit 0
fi

partial="$folder.partial"
scratch="$folder.tmp"
rm -rf "$partial" "$scratch"
mkdir -p "$scratch/home"
trap 'rm -rf "$partial" "$scratch"' EXIT
# venv runs pip too (ensurepip).
export HOME="$scratch/home" TMPDIR="$scratch"

"$base" -m venv "$partial" || { echo "compat-venv: error: $base -m venv failed: install python3-venv" >&2; exit 1; }
echo "compat-venv: installing triton==$version into $folder"
if ! "$partial/bin/python" -m pip install -q --no-cache-dir --disable-pip-version-check \
    "triton==$version"; then
  echo "compat-venv: error: pip install triton==$version failed (no network? set PIP_NO_INDEX=1 and" \
       "PIP_FIND_LINKS=<folder of wheels>, or leave these tests out with ctest -LE compat)" >&2
  exit 1
fi
has_version "$partial" || { echo "compat-venv: error: the new environment does not import Triton $version" >&2; exit 1; }
rm -rf "$folder"
mv "$partial" "$folder"
echo "compat-venv: made $folder"

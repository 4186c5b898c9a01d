#!/usr/bin/env bash
# Collects the examples' kernels that each tested Triton release generated in
# the compat tests (ctest -L compat) into one folder, to be built and run on
# a GPU machine that has another Triton:
#   compat-prebuilt.sh [<build folder> [<destination>]]
# defaults: build/ and prebuilt-kernels/ (ignored by git). Then, there:
#   cmake ... -DTRITON_AOT_PREBUILT_KERNELS=<destination>   (scripts/gpu-check.sh does it)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
dest=${2:-$root/prebuilt-kernels}
results="$build/compat/results"
shopt -s nullglob
versions=("$results"/*/generated)
((${#versions[@]})) || { echo "compat-prebuilt: error: no results in $results: run ctest --test-dir $build -L compat" >&2; exit 1; }

rm -rf "$dest.partial"
names=()
for generated in "${versions[@]}"; do
  version=$(basename "$(dirname "$generated")")
  names+=("$version")
  mkdir -p "$dest.partial/$version"
  for example in vector_add softmax matmul; do
    cp -r "$generated/${example}_kernels" "$dest.partial/$version/"
  done
done
rm -rf "$dest"
mv "$dest.partial" "$dest"
echo "compat-prebuilt: $(du -sh "$dest" | cut -f1) in $dest: Triton ${names[*]}"

#!/usr/bin/env bash
# Runs each whole-process program on Lua 5.4, LuaJIT and both Cairn engines in one hyperfine
# run per program and prints hyperfine's table (relative times); with JSON_DIR set, hyperfine
# also writes JSON_DIR/NAME.json (medians included). Usage:
#   benches/programs/compare.sh [empty fib30 loop50m vec1m map200k_sparse map200k_dense pipeline1m text100k
#   binarytrees fannkuch spectralnorm nbody sieve queens towers permute bounce list storage
#   mandelbrot richards json deltablue havlak cd]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cairn="${CAIRN:-$root/target/release/cairn}"
programs=("$@")
if [ ${#programs[@]} -eq 0 ]; then
  programs=(empty fib30 loop50m vec1m map200k_sparse map200k_dense pipeline1m text100k
    binarytrees fannkuch spectralnorm nbody sieve queens towers permute bounce list storage
    mandelbrot richards json deltablue havlak cd)
fi
for name in "${programs[@]}"; do
  echo "## $name"
  export_json=()
  if [ -n "${JSON_DIR:-}" ]; then export_json=(--export-json "$JSON_DIR/$name.json"); fi
  hyperfine -N -w 1 -r "${RUNS:-5}" --style basic "${export_json[@]}" \
    -n lua5.4 "lua5.4 $here/$name.lua" \
    -n luajit "luajit $here/$name.lua" \
    -n interp "$cairn run --engine interp $here/$name.cairn" \
    -n jit "$cairn run --engine jit $here/$name.cairn" 2>&1 |
    grep -E '^(Benchmark|  Time|  Range|Summary|    )' || true
done

#!/usr/bin/env python3
"""Writes a Cairn module of N small functions (default 145,540, about 10 MB) to stdout:
`main` calls only a few of them. Used to measure how compile time scales with module size
on both engines (issue 9: the JIT compiled every function up front).

    python3 benches/scripts/many_functions.py [N] [chain] > /tmp/many.cairn
    cairn run --engine jit /tmp/many.cairn
"""
import sys

count = int(sys.argv[1]) if len(sys.argv) > 1 else 145_540
# `chain`: each function calls the previous one (a call chain as deep as the module);
# otherwise each calls f0 (the value-kind analysis is quadratic on long chains: see the
# engines' report for issue 9).
chain = len(sys.argv) > 2 and sys.argv[2] == "chain"
out = sys.stdout
for i in range(count):
    callee = (f"f{i - 1}(b, a - 1)" if chain else "f0(b, a - 1)") if i > 0 else "0"
    out.write(f"fn f{i}(a, b) = if a > b then [a, b, a * 2] else [len({callee}), b]\n")
out.write("fn main() = len(f3(5, 4)) + len(f10(1, 2)) + len(f%d(3, 1))\n" % (count - 1))

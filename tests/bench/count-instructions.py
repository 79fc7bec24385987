#!/usr/bin/env python3
# count-instructions.py: instruction counts of bench-count's cases under callgrind (repeatable where
# seconds are not on a shared machine), optionally against a second build of the same cases.
"""Usage: count-instructions.py BENCH_COUNT [--against OTHER_BENCH_COUNT] [CASE...]

Runs each case under `valgrind --tool=callgrind --instr-atstart=no`; bench-count switches
instrumentation on (for all threads) around the counted work only (one re-render, or one
pattern). Prints its instructions (Ir) and the output's hash. With --against, the other binary (the same bench-count.c built
against another checkout of the engine) runs each case in turn and the ratio is printed.
Exit 77 (skip) without valgrind."""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile


def count(exe, case):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        r = subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no",
                            f"--callgrind-out-file={out}", exe, case],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.stderr.write(r.stderr)
            raise SystemExit(f"{exe} {case} failed ({r.returncode})")
        ir = None
        with open(out) as f:
            for line in f:
                if line.startswith("totals:") or line.startswith("summary:"):
                    ir = int(line.split()[1])
        return ir, r.stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exe")
    ap.add_argument("--against")
    ap.add_argument("cases", nargs="*")
    a = ap.parse_args()
    if not shutil.which("valgrind"):
        print("valgrind not found: no instruction counts")
        return 77
    cases = a.cases or subprocess.run([a.exe, "list"], capture_output=True, text=True,
                                      check=True).stdout.split()
    with open("/proc/loadavg") as f:
        print(f"instructions under callgrind (load {f.read().split()[0]}; counts do not depend on it)",
              flush=True)
    for case in cases:
        ir, what = count(a.exe, case)
        line = f"instructions  {case:<15} {ir / 1e6:10.1f} M"
        if a.against:
            ir0, what0 = count(a.against, case)
            line += f"   against {ir0 / 1e6:10.1f} M: {ir / ir0:.3f}x"
            same = what.split("(")[0].split() == what0.split("(")[0].split()
            line += "   output identical" if same else f"   output differs: {what0.split('(')[0].strip()}"
        print(line, flush=True)
        print(f"              {what}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

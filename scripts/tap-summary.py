#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count the TAP files of a check run and print the closing line.

  tap-summary.py --dir build/logs --expect scripts --expect host

Prints every failure, then "N passed, N failed" (", N skipped" when there
are skips) as the last line. Exits 1 if anything failed, if an expected
stage left no TAP file, or if no test ran at all.
"""

import argparse
import os
import re
import sys

RESULT = re.compile(r"^(ok|not ok) \d+ (.*?)(?: # (.*))?$")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--expect", action="append", default=[])
    args = ap.parse_args()

    passed = failed = skipped = 0
    for stage in args.expect:
        path = os.path.join(args.dir, stage + ".tap")
        if not os.path.exists(path):
            print(f"FAIL {stage}: stage wrote no {path}")
            failed += 1
            continue
        with open(path) as f:
            for ln in f:
                m = RESULT.match(ln.rstrip("\n"))
                if not m:
                    continue
                directive = m.group(3) or ""
                if m.group(1) == "not ok":
                    failed += 1
                    print(f"FAIL {m.group(2)}: {directive}")
                elif directive.upper().startswith("SKIP"):
                    skipped += 1
                    print(f"SKIP {m.group(2)}: {directive[4:].strip()}")
                else:
                    passed += 1
    if passed + failed + skipped == 0:
        print("FAIL: no test ran")
        failed = 1
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

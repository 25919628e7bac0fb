"""Prove every spec test fails on the untouched stubs: a test a stub passes proves nothing.

Exits 0 when every test is red, 1 when any is green (and names it).
"""

from __future__ import annotations

import sys

from scripts.project import KATAS, kata_names, run_specs


def main() -> int:
    specs = sorted(KATAS.glob("kata*/test_*.py"))
    outcomes = run_specs(KATAS, specs)
    green = [o.test for o in outcomes if o.passed]
    print(f"stubs: {len(outcomes)} spec tests over {len(kata_names())} katas, "
          f"{len(outcomes) - len(green)} red, {len(green)} green")
    for test in green:
        print(f"  passes on the untouched stub (proves nothing): {test}")
    if not outcomes:
        print("stubs: no spec test ran")
        return 1
    return 1 if green else 0


if __name__ == "__main__":
    sys.exit(main())

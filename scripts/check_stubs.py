"""Prove every spec test fails on the untouched stubs: a test a stub passes proves nothing.

The stubs are taken as committed (git HEAD), so a clone where a learner worked is
checked as shipped; the first line says when katas/ differs. Exits 0 when every
test is red, 1 when any is green (and names it).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from scripts.project import KATAS, kata_names, run_specs, shipped_stubs


def main() -> int:
    specs = [next((KATAS / kata).glob("test_*.py")) for kata in kata_names()]
    with tempfile.TemporaryDirectory() as scratch:
        edited = shipped_stubs(Path(scratch))
        if edited:
            print(f"stubs: checking the stubs as committed; your edits to {len(edited)} of them "
                  f"in katas/ ({', '.join(edited)}) are left out")
        outcomes = run_specs(Path(scratch), specs)
    green = [o.name for o in outcomes if o.passed]
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

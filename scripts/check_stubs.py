"""Prove every spec test fails on the untouched stubs: a test a stub passes proves nothing.

The stubs are taken as committed (git HEAD), so a clone where a learner worked is
checked as shipped; the first line says when katas/ differs. A test must be red for the
stub's sake: one where the spec's own code crashed (`specs.blame`) is named and fails the
check too. Exits 0 when every test is red by a true verdict, 1 otherwise.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from scripts.project import KATAS, kata_names, run_specs, shipped_stubs
from specs import blame


def main() -> int:
    specs = [next((KATAS / kata).glob("test_*.py")) for kata in kata_names()]
    with tempfile.TemporaryDirectory() as scratch:
        edited = shipped_stubs(Path(scratch))
        if edited:
            print(f"stubs: checking the stubs as committed; your edits to {len(edited)} of them "
                  f"in katas/ ({', '.join(edited)}) are left out")
        outcomes = run_specs(Path(scratch), specs)
    green = [o.name for o in outcomes if o.passed]
    crashed = [o for o in outcomes if o.cause == blame.SPEC]
    print(f"stubs: {len(outcomes)} spec tests over {len(kata_names())} katas, "
          f"{len(outcomes) - len(green)} red, {len(green)} green, "
          f"{len(crashed)} spec crashes")
    for test in green:
        print(f"  passes on the untouched stub (proves nothing): {test}")
    for outcome in crashed:
        print(f"  the spec crashed, not the stub: {outcome.name}: "
              f"{outcome.message.splitlines()[0][:200]}")
    if not outcomes:
        print("stubs: no spec test ran")
        return 1
    return 1 if green or crashed else 0


if __name__ == "__main__":
    sys.exit(main())

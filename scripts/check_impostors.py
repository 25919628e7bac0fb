"""Prove each impostor (a plausible wrong implementation) is caught by its kata's spec.

An impostor is ``impostors/<kata>/<mistake>.py``: a module that stands in for the
kata's module, its docstring naming the mistake. Each runs in a scratch tree
shaped like ``katas/``; the spec tests that fail on it are printed.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from scripts.project import IMPOSTORS, KATAS, kata_module, kata_names, run_specs


def impostors(kata: str) -> list[Path]:
    return sorted(p for p in (IMPOSTORS / kata).glob("*.py") if not p.name.startswith("_"))


def check(kata: str, impostor: Path) -> list[str]:
    """The spec tests that catch `impostor` (empty: it got through)."""
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "impostor"
        (tree / kata).mkdir(parents=True)
        shutil.copy(impostor, tree / kata / f"{kata_module(kata)}.py")
        outcomes = run_specs(tree, sorted((KATAS / kata).glob("test_*.py")))
    return [f"{o.test}: {o.message.splitlines()[0] if o.message else ''}"
            for o in outcomes if not o.passed]


def main() -> int:
    escaped, total = [], 0
    for kata in kata_names():
        found = impostors(kata)
        print(f"{kata}: {len(found)} impostors")
        for impostor in found:
            total += 1
            caught = check(kata, impostor)
            mistake = (impostor.read_text().split('"""')[1].strip().splitlines() or ["?"])[0]
            print(f"  {'caught ' if caught else 'ESCAPED'} {impostor.stem}: {mistake}")
            for line in caught[:3]:
                print(f"      by {line[:150]}")
            if len(caught) > 3:
                print(f"      and {len(caught) - 3} more")
            if not caught:
                escaped.append(f"{kata}/{impostor.stem}")
    print(f"impostors: caught={total - len(escaped)} escaped={len(escaped)} total={total}")
    return 1 if escaped or not total else 0


if __name__ == "__main__":
    sys.exit(main())

"""Run a kata's demo in real wall time, with your implementation or the reference.

    python -m scripts.demo 1                  # your code in katas/
    python -m scripts.demo 1 --impl reference # the reference solution
    python -m scripts.demo all --impl reference

HTTP demos talk to a local server on 127.0.0.1 that the demo starts and stops.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from scripts.demo.shows import DEMOS
from scripts.learner import kata_by_number
from scripts.project import ROOT, kata_module
from specs.implementation import ImplementationError, load, select_root


def run(kata: str) -> int:
    """Run one kata's demo; a friendly word instead of a traceback for unfinished code."""
    number = int(kata[4:6])
    print(f"=== demo {number}: {kata} ===", flush=True)
    try:
        module = load(kata, kata_module(kata))
        asyncio.run(DEMOS[number](module))
    except NotImplementedError as error:
        print(f"\nNot yet: your {kata} still raises NotImplementedError ({error}).\n"
              f"Make some behaviours pass with `tox -e kata{number}`, or watch the reference: "
              f"`tox -e demo -- {number} --impl reference`.")
        return 2
    except ImplementationError as error:
        print(f"\nCannot run the demo: {error}")
        return 2
    print(flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kata", help="the kata's number (1..10), or all")
    parser.add_argument("--impl", default="katas", help="the tree to run: katas (yours) or "
                        "reference")
    options = parser.parse_args(argv)
    select_root(Path(options.impl), base=ROOT)
    katas = sorted(DEMOS) if options.kata == "all" else [int(kata_by_number(options.kata)[4:6])]
    codes = [run(kata_by_number(number)) for number in katas]
    return max(codes)


if __name__ == "__main__":
    sys.exit(main())

"""Run the whole reference suite again and again, each time in a new random order.

Fails on the first failing run and prints the seed that reproduces it:
``pytest katas --impl reference -p randomly --randomly-seed=SEED``.
Needs pytest-randomly (the soak environment has it).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts.project import REFERENCE, ROOT


def run(seed: int) -> tuple[bool, str]:
    """One run of the reference suite in the order `seed` gives; (passed, summary), read
    from the spec kit's JSON report."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "results.json"
        command = [sys.executable, "-m", "pytest", "katas", "--impl", str(REFERENCE), "-q",
                   "-p", "randomly", f"--randomly-seed={seed}", "--json", str(report)]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        if not report.exists():
            return False, done.stdout[-500:] + done.stderr[-500:]
        results = json.loads(report.read_text())
    behaviours = [b for kata in results["katas"].values() for b in kata["behaviours"]]
    failed = [b["test"] for b in behaviours if b["status"] != "passed"]
    summary = (f"{len(behaviours) - len(failed)} of {len(behaviours)} passed in "
               f"{results['session']['wall_s']:.2f} s" + (f"; failed: {failed}" if failed else ""))
    return done.returncode == 0 and not failed and not results["errors"], summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="how many runs (default 20)")
    options = parser.parse_args()
    seeds = random.SystemRandom().sample(range(1, 2**31), options.runs)
    start = time.perf_counter()
    for number, seed in enumerate(seeds, 1):
        passed, summary = run(seed)
        print(f"soak: run {number}/{options.runs} seed={seed}: {summary}", flush=True)
        if not passed:
            print(f"soak: FAILED with seed {seed}; reproduce with: pytest katas --impl reference "
                  f"-p randomly --randomly-seed={seed}")
            return 1
    print(f"soak: {options.runs} runs in random order, all green "
          f"({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

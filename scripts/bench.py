"""Measure the feedback loop: reference suite, learner overhead, mutation speed, per kata,
and watch's latency from a save to the verdict on screen.

Prints a table, then one line:
``bench: reference_wall_s=X virtual_s=Y speedup=Y/X learner_overhead=R mutation_wall_s=M
mutants_per_s=P watch_s=W``, and whether each target (on a 2-core machine) was met.
Wall times are medians of repeated runs; loop (virtual) time comes from the spec kit. The
learner's overhead is `./tox -e kata1` over the bare pytest of kata 1 in the same environment
(.tox/kata1), the two runs taken in turn so that a busy machine slows both alike; commands
keep their compiled bytecode, as a learner's shell does (PYTHONDONTWRITEBYTECODE is dropped).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from scripts.project import KATAS, REFERENCE, ROOT, kata_names, shipped_stubs
from specs import workers

MUTATION = re.compile(r"mutation: killed=(\d+) survived=(\d+) equivalent=(\d+) timeout=(\d+) "
                      r"total=(\d+)")
TARGETS = {"reference_wall_s": ("<=", 2.0), "speedup": (">=", 500.0),
           "learner_overhead": ("<=", 1.3), "mutation_wall_s": ("<=", 180.0),
           "watch_s": ("<=", 0.4)}
WORKERS = ("--workers", "auto")  # as `tox -e reference` runs the suite: a process per CPU
VERDICT = "behaviours pass"  # the line watch prints once a run's verdict is on screen


def timed(command: list[str]) -> tuple[float, str]:
    """Wall seconds and output of one command run from the project root."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, env=env)
    return time.perf_counter() - start, run.stdout + run.stderr


def pytest(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", *args, "-q", "-p", "no:randomly"]


def spec_session(target: Path) -> tuple[float, float]:
    """(session wall s, virtual s) of the specs under `target`, run against reference/, as
    the spec kit's JSON report gives them."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "results.json"
        _, out = timed(pytest(str(target), "--impl", str(REFERENCE), "--json", str(report),
                              *WORKERS))
        if not report.exists():
            raise SystemExit(f"bench: the specs in {target} wrote no report:\n{out[-2000:]}")
        session = json.loads(report.read_text())["session"]
    return session["wall_s"], session["loop_s"]


def learner_overhead(runs: int) -> tuple[float, float]:
    """Median wall seconds of `./tox -e kata1` and of the bare pytest run it wraps, in the same
    environment, taken in turn (one process each, in one run)."""
    wrapper = ROOT / ("tox.cmd" if sys.platform == "win32" else "tox")
    tox = [str(wrapper), "-e", "kata1"]  # the learner's command, as the README gives it
    timed(tox)  # warm-up: creates .tox/kata1 if need be, compiles its bytecode
    folder = "Scripts" if sys.platform == "win32" else "bin"
    python = ROOT / ".tox" / "kata1" / folder / ("python.exe" if sys.platform == "win32"
                                                 else "python")
    bare = [str(python), "-m", "pytest", str(KATAS / "kata01_gather"), "--learner"]
    timed(bare)
    walls = [(timed(tox)[0], timed(bare)[0]) for _ in range(runs)]
    return statistics.median(w[0] for w in walls), statistics.median(w[1] for w in walls)


def watch_latency(saves: int) -> float:
    """Median seconds from a save of kata 1's module to watch's verdict on screen (a real
    `python -m scripts watch` on a scratch tree of the committed stubs)."""
    lines: queue.Queue[str] = queue.Queue()

    def verdict(deadline: float = 30.0) -> None:
        end = time.monotonic() + deadline
        while VERDICT not in lines.get(timeout=max(0.0, end - time.monotonic())):
            pass

    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "katas"
        shipped_stubs(tree)
        stub = tree / "kata01_gather" / "gather.py"
        watcher = subprocess.Popen([sys.executable, "-m", "scripts", "watch", "1", "--impl",
                                    str(tree)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        output = watcher.stdout
        assert output is not None

        def pump() -> None:
            for line in output:
                lines.put(line)

        threading.Thread(target=pump, daemon=True).start()
        try:
            verdict()
            latencies = []
            for save in range(saves):
                time.sleep(0.5)  # the watcher is idle again
                start = time.perf_counter()
                stub.write_text(stub.read_text() + f"\n# save {save}\n")
                verdict()
                latencies.append(time.perf_counter() - start)
        finally:
            watcher.send_signal(signal.SIGINT)
            watcher.wait(timeout=10)
    return statistics.median(latencies)


def met(name: str, value: float) -> str:
    if name not in TARGETS:
        return ""
    sense, bound = TARGETS[name]
    ok = value <= bound if sense == "<=" else value >= bound
    return f"target {sense} {bound:g}: {'met' if ok else 'MISSED'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per median (default 5)")
    parser.add_argument("--skip-mutation", action="store_true", help="leave out the mutation run")
    options = parser.parse_args()

    walls, virtuals = zip(*(spec_session(KATAS) for _ in range(options.runs)), strict=True)
    reference_wall, virtual = statistics.median(walls), virtuals[0]
    learner, bare = learner_overhead(options.runs)
    per_kata = {kata: spec_session(KATAS / kata)[0] for kata in kata_names()}
    watch = watch_latency(options.runs)
    mutation_wall, mutants = 0.0, 0
    if not options.skip_mutation:
        mutation_wall, out = timed([sys.executable, "-m", "scripts.mutation"])
        found = MUTATION.search(out)
        mutants = int(found.group(5)) if found else 0
    figures = {
        "reference_wall_s": reference_wall, "virtual_s": virtual,
        "speedup": virtual / reference_wall, "learner_overhead": learner / bare,
        "mutation_wall_s": mutation_wall,
        "mutants_per_s": mutants / mutation_wall if mutation_wall else 0.0,
        "watch_s": watch,
    }

    print(f"{'measure':<28}{'value':>12}  note")
    print(f"{'reference suite (session)':<28}{reference_wall:>11.2f}s  median of {options.runs}, "
          f"{' '.join(WORKERS)} ({workers.count('auto')} CPUs); "
          f"{met('reference_wall_s', reference_wall)}")
    print(f"{'virtual time simulated':<28}{virtual:>11.1f}s  loop time of every async spec")
    print(f"{'speed-up':<28}{figures['speedup']:>11.0f}x  {met('speedup', figures['speedup'])}")
    print(f"{'./tox -e kata1 (warm)':<28}{learner:>11.2f}s  median of {options.runs}")
    print(f"{'pytest kata01 (bare)':<28}{bare:>11.2f}s  median of {options.runs}, in .tox/kata1")
    print(f"{'learner overhead':<28}{figures['learner_overhead']:>11.2f}x  "
          f"{met('learner_overhead', figures['learner_overhead'])}")
    if mutation_wall:
        print(f"{'mutation run':<28}{mutation_wall:>11.1f}s  {mutants} mutants, "
              f"{figures['mutants_per_s']:.1f}/s; {met('mutation_wall_s', mutation_wall)}")
    print(f"{'watch: save to verdict':<28}{watch:>11.2f}s  median of {options.runs}; "
          f"{met('watch_s', watch)}")
    for kata, wall in per_kata.items():
        print(f"{'  ' + kata:<28}{wall:>11.2f}s  spec session against reference/")
    print("bench: " + " ".join(
        f"{name}={value:.2f}" if name != "speedup" else f"speedup={value:.0f}"
        for name, value in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Re-run a kata's spec each time a file in its folder is saved (Ctrl-C to stop).

The screen is cleared on each run and shows how many behaviours pass and the
next one to work on, with its message. `scripts.dojo` adds a rotation timer.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import watchfiles

from scripts.learner import chosen_kata, first_failing, run_katas
from scripts.progress import bar
from scripts.project import KATAS, Outcome

CLEAR = "\033[2J\033[H"


def render(kata: str, behaviours: list[Outcome], folder: Path) -> str:
    """The screen for one run: the count, a bar, the next behaviour and its message."""
    passed = sum(b.passed for b in behaviours)
    lines = [f"{kata}: watching {folder} (Ctrl-C to stop)", "",
             f"  {bar(passed, len(behaviours))}  {passed} of {len(behaviours)} behaviours pass"]
    upcoming = first_failing(behaviours)
    if upcoming is None:
        lines += ["", "  All green. On to the next kata!"]
    else:
        lines += ["", f"Next: task {upcoming.task}, {upcoming.text}"]
        lines += [f"  {line}" for line in upcoming.message.splitlines()[:12]]
    return "\n".join(lines)


def changes(folder: Path, tick: float) -> Iterator[bool]:
    """Yields True when a .py file in `folder` was saved, False every `tick` seconds idle."""
    python_only = watchfiles.PythonFilter()
    for changed in watchfiles.watch(folder, watch_filter=python_only, debounce=200,
                                    rust_timeout=int(tick * 1000), yield_on_timeout=True,
                                    raise_interrupt=True):
        yield bool(changed)


def watch(kata: str, root: Path, *, tick: float = 1.0,
          on_run: Callable[[list[Outcome]], None] = lambda behaviours: None,
          on_tick: Callable[[], None] = lambda: None) -> None:
    """Run `kata`'s spec now and after every save, until Ctrl-C."""
    folder = root / kata

    def run() -> None:
        behaviours = run_katas([KATAS / kata], impl=root)[kata]
        print(CLEAR + render(kata, behaviours, folder), flush=True)
        on_run(behaviours)

    run()
    for saved in changes(folder, tick):
        if saved:
            run()
        on_tick()


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("kata", nargs="?", help="the kata's number (default: the one you are on)")
    parser.add_argument("--impl", type=Path, default=KATAS, help="the learner's tree (katas/)")
    return parser


def main(argv: list[str] | None = None) -> int:
    options = arguments(__doc__.splitlines()[0]).parse_args(argv)
    kata = chosen_kata(options.kata, options.impl.resolve())
    start = time.monotonic()
    try:
        watch(kata, options.impl.resolve())
    except KeyboardInterrupt:
        print(f"\nStopped watching {kata} after {time.monotonic() - start:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

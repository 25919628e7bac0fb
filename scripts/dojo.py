"""A randori dojo: watch mode plus a rotation timer, and a summary at the end.

Every --minutes (5 by default) the terminal announces that the driver changes.
Each behaviour that turns from red to green is recorded with its turn and
time; Ctrl-C ends the session and prints the summary.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

from scripts.learner import chosen_kata
from scripts.watch import arguments, watch
from specs.report import Behaviour


@dataclass
class Session:
    """The dojo's clock, its turns, and what turned green when."""

    minutes: float
    started: float = field(default_factory=time.monotonic)
    turn: int = 1
    green: dict[str, str] = field(default_factory=dict)  # test -> the behaviour, as read
    first_run: bool = True
    turned_green: list[tuple[int, float, str]] = field(default_factory=list)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def on_run(self, behaviours: list[Behaviour]) -> None:
        # Keyed by test: the cases of a parametrised behaviour share its sentence.
        now_green = {b.test: f"task {b.task}, {b.text}" for b in behaviours if b.passed}
        if not self.first_run:
            for test in sorted(now_green.keys() - self.green.keys()):
                self.turned_green.append((self.turn, self.elapsed(), now_green[test]))
        self.green, self.first_run = now_green, False
        print(f"\n[dojo] turn {self.turn}, {self.left():.0f} s left in this turn ", end="",
              flush=True)

    def left(self) -> float:
        return self.turn * self.minutes * 60 - self.elapsed()

    def on_tick(self) -> None:
        """Every tick, saved or not: the countdown moves on its own, and a turn ends on time."""
        if self.left() <= 0:
            print(f"\a\n[dojo] *** Time! Turn {self.turn} is over: rotate, next driver to the "
                  f"keyboard. Turn {self.turn + 1} starts now. ***", flush=True)
            self.turn += 1
        print(f"\r[dojo] turn {self.turn}, {self.left():.0f} s left in this turn ", end="",
              flush=True)

    def summary(self) -> str:
        lines = [f"Dojo session: {self.turn} turn(s) of {self.minutes:g} min, "
                 f"{self.elapsed() / 60:.1f} min in all.",
                 f"{len(self.turned_green)} behaviour(s) turned green:"]
        lines += [f"  turn {turn} at {seconds / 60:4.1f} min: {name}"
                  for turn, seconds, name in self.turned_green]
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="length of a turn (5)")
    options = parser.parse_args(argv)
    if not options.minutes > 0:
        raise SystemExit(f"--minutes must be positive, got {options.minutes}")
    kata = chosen_kata(options.kata, options.impl.resolve())
    session = Session(options.minutes)
    tick = min(1.0, options.minutes * 60 / 4)
    try:
        watch(kata, options.impl.resolve(), tick=tick, on_run=session.on_run,
              on_tick=session.on_tick)
    except KeyboardInterrupt:
        print("\n" + session.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())

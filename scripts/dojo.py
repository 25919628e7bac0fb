"""A randori dojo: watch mode plus a rotation timer, and a summary at the end.

Every --minutes (5 by default) the terminal announces that the driver changes
(`--drivers ann,bob,...` names them, in turn order). A behaviour that turns green counts
once per turn, with its time; one that turns red again is a regression, listed with the
turn (and driver) that broke it. Ctrl-C ends the session and prints the summary.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

from scripts.learner import chosen_kata, interruptible, positive, stopped
from scripts.watch import arguments, watch
from specs.report import Behaviour


@dataclass(frozen=True)
class Change:
    """A behaviour that turned green (or red again) in a turn."""

    turn: int
    seconds: float  # into the session
    test: str  # the spec test: the cases of a parametrised behaviour share its sentence
    behaviour: str  # as read: ``task 2, runs the jobs at the same time``


@dataclass
class Session:
    """The dojo's clock, its turns, and what turned green (or red again) when."""

    minutes: float
    drivers: tuple[str, ...] = ()
    started: float = field(default_factory=time.monotonic)
    turn: int = 1
    green: dict[str, str] = field(default_factory=dict)  # test -> the behaviour, as read
    first_run: bool = True
    turned_green: list[Change] = field(default_factory=list)
    regressions: list[Change] = field(default_factory=list)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def driver(self, turn: int) -> str:
        """Who was at the keyboard in `turn`: a name given, else the turn's driver."""
        if self.drivers:
            return f"turn {turn} ({self.drivers[(turn - 1) % len(self.drivers)]})"
        return f"turn {turn}"

    def on_run(self, behaviours: list[Behaviour]) -> None:
        now_green = {b.test: f"task {b.task}, {b.text}" for b in behaviours if b.passed}
        if not self.first_run:
            counted = {(c.turn, c.test) for c in self.turned_green}
            for test in sorted(now_green.keys() - self.green.keys()):
                if (self.turn, test) not in counted:  # green, red, green: once in a turn
                    self.turned_green.append(
                        Change(self.turn, self.elapsed(), test, now_green[test]))
            for test in sorted(self.green.keys() - now_green.keys()):
                self.regressions.append(Change(self.turn, self.elapsed(), test, self.green[test]))
        self.green, self.first_run = now_green, False
        print(f"\n[dojo] {self.driver(self.turn)}, {self.left():.0f} s left in this turn ",
              end="", flush=True)

    def left(self) -> float:
        return self.turn * self.minutes * 60 - self.elapsed()

    def on_tick(self) -> None:
        """Every tick, saved or not: the countdown moves on its own, and a turn ends on time."""
        if self.left() <= 0:
            print(f"\a\n[dojo] *** Time! Turn {self.turn} is over: rotate, next driver to the "
                  f"keyboard. {self.driver(self.turn + 1).capitalize()} starts now. ***",
                  flush=True)
            self.turn += 1
        print(f"\r[dojo] {self.driver(self.turn)}, {self.left():.0f} s left in this turn ",
              end="", flush=True)

    def summary(self) -> str:
        lines = [f"Dojo session: {self.turn} turn(s) of {self.minutes:g} min, "
                 f"{self.elapsed() / 60:.1f} min in all.",
                 f"{len(self.turned_green)} behaviour(s) turned green:"]
        lines += [f"  {self.driver(c.turn)} at {c.seconds / 60:4.1f} min: {c.behaviour}"
                  for c in self.turned_green]
        lines.append(f"{len(self.regressions)} regression(s), green then red again:")
        lines += [f"  {self.driver(c.turn)} at {c.seconds / 60:4.1f} min broke: {c.behaviour}"
                  for c in self.regressions]
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=positive, default=5.0, help="length of a turn (5)")
    parser.add_argument("--drivers", default="", metavar="NAMES",
                        help="the drivers in turn order, comma-separated: ann,bob,cleo")
    options = parser.parse_args(argv)
    kata = chosen_kata(options.kata, options.impl)
    drivers = tuple(name.strip() for name in options.drivers.split(",") if name.strip())
    session = Session(options.minutes, drivers)
    tick = min(1.0, options.minutes * 60 / 4)
    try:
        watch(kata, options.impl, tick=tick, on_run=session.on_run, on_tick=session.on_tick)
    except KeyboardInterrupt:
        code = stopped("the dojo session is over")
        print(session.summary(), flush=True)
        return code
    return 0


if __name__ == "__main__":
    sys.exit(interruptible(main))

"""The course: ``course.toml`` at the project root, read into one small typed model.

Every fact about a kata (its number, folder, module, topic, task titles, demo) is
written once, there; the spec kit, the learner tools, the maintainer scripts and the
tests read it from here, never from folder names or globs. ``tox -e course`` checks
the files against it (`scripts.course_check`).
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "course.toml"


WRAPPER = "./tox"  # the command learners are told to run: the repository's own tox wrapper


def tox(environment: str, *arguments: object) -> str:
    """``./tox -e hint -- 1 --all``: a tox command as learners are told to type it."""
    extra = " ".join(map(str, arguments))
    return f"{WRAPPER} -e {environment}" + (f" -- {extra}" if extra else "")


@dataclass(frozen=True)
class Kata:
    """One kata of the course."""

    number: int
    folder: str  # ``kata01_gather``: the same name under katas/, reference/, impostors/, ...
    module: str  # the module a learner edits: katas/<folder>/<module>.py
    topic: str  # one line, as the README's table of katas shows it
    demo: str  # the demo's function in scripts/demo/shows.py
    tasks: tuple[str, ...]  # task titles, task 1 first

    @property
    def command(self) -> str:
        """What a learner runs for this kata."""
        return tox(f"kata{self.number}")

    def task_title(self, number: int) -> str:
        """The title of task `number` (counted from 1)."""
        if not 1 <= number <= len(self.tasks):
            raise LookupError(f"kata {self.number} has tasks 1 to {len(self.tasks)}, not {number}")
        return self.tasks[number - 1]


@functools.cache
def katas(path: Path = COURSE) -> tuple[Kata, ...]:
    """Every kata, in course order; ValueError naming the entry when the file is malformed."""
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("kata", [])
    course: list[Kata] = []
    for place, entry in enumerate(entries, 1):
        try:
            kata = Kata(number=entry["number"], folder=entry["folder"], module=entry["module"],
                        topic=entry["topic"], demo=entry["demo"], tasks=tuple(entry["tasks"]))
        except (KeyError, TypeError) as error:
            raise ValueError(f"{path.name}: kata entry {place} lacks {error}") from None
        if kata.number != place:
            raise ValueError(f"{path.name}: kata entry {place} has number {kata.number}; "
                             f"entries are numbered 1, 2, 3, ... in course order")
        course.append(kata)
    return tuple(course)


def kata(key: int | str) -> Kata:
    """The kata with this number (``1``, ``"1"``) or folder (``kata01_gather``); LookupError
    listing the course otherwise."""
    for candidate in katas():
        if str(key) in (str(candidate.number), candidate.folder):
            return candidate
    listed = ", ".join(f"{k.number} ({k.folder})" for k in katas())
    raise LookupError(f"no kata {key!r}; the katas are: {listed}")

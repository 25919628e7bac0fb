"""Check the files against course.toml, as rustlings' ``dev check`` does: ``tox -e course``.

For every kata of the course: its folder holds the stub module, one spec, README.md and
HINTS.md and nothing else; reference/ has the module; impostors/ and alternatives/ hold
enough modules; tox.ini has its environment; the README's table has its row; its demo
exists. Task numbers and titles agree: the spec's ``task(n)`` markers cover tasks 1..N,
the kata README's numbered tasks and HINTS.md's headings carry course.toml's titles, and
the stub's TODOs name every task. Nothing is left over: no folder outside the course.
Each problem names its file; the exit status is 1 when there is any.

In the project itself the check reads the kata folders as shipped: each stub as committed
and no file git does not track, so a learner's work in katas/ (a solved stub, a scratch
file) is left out, and the check says so in one line.
"""

from __future__ import annotations

import ast
import configparser
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from scripts.check_impostors import modules
from scripts.demo import shows
from scripts.project import KATAS, shipped, shipped_names
from specs import course

ROOT = course.ROOT
WORKFLOW = ".github/workflows/ci.yml"  # CI on GitHub Actions: its mutation matrix names each kata
MIN_IMPOSTORS = 10
MIN_ALTERNATIVES = 3
TREES = ("katas", "reference", "impostors", "alternatives")
IGNORED = {"__pycache__", "__init__.py"}
TASK_ITEM = re.compile(r"^(\d+)\. \*\*(.+?)\*\*")
HINT_HEADING = re.compile(r"^## Task (\d+): (.+)$")
TODO = re.compile(r"TODO: tasks? (\d+)(?: (?:to|and) (\d+))?")


def relative(path: Path) -> str:
    """A kata folder or a file in one, from its tree on: ``katas/kata01_gather/README.md``."""
    for up in (0, 1):
        if path.parents[up].name in TREES:
            return str(path.relative_to(path.parents[up + 1]))
    return str(path)


def spec_tasks(spec: Path, kata: course.Kata) -> Iterator[str]:
    """Problems with the ``pytest.mark.task(n)`` markers of `spec` (numbers only)."""
    numbers: set[int] = set()
    for node in ast.walk(ast.parse(spec.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "task" and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "mark"):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, int):
                numbers.add(first.value)
            if len(node.args) != 1 or node.keywords:
                yield (f"{relative(spec)}:{node.lineno}: write the marker as task(<number>); "
                       "the title lives in course.toml")
    yield from compare_numbers(relative(spec), "task markers", numbers,
                               set(range(1, len(kata.tasks) + 1)))


def compare_numbers(where: str, what: str, found: set[int], wanted: set[int]) -> Iterator[str]:
    if wanted and found != wanted:
        missing, extra = sorted(wanted - found), sorted(found - wanted)
        yield (f"{where}: {what} " + "; ".join(
            part for part in (f"lack task(s) {missing}" if missing else "",
                              f"name task(s) {extra} not in course.toml" if extra else "")
            if part))


def titled(path: Path, pattern: re.Pattern[str], kata: course.Kata, what: str) -> Iterator[str]:
    """Problems with the numbered task titles that `pattern` finds in `path`."""
    titles = {int(m.group(1)): m.group(2).strip() for line in
              path.read_text(encoding="utf-8").splitlines() if (m := pattern.match(line))}
    yield from compare_numbers(relative(path), what, set(titles),
                               set(range(1, len(kata.tasks) + 1)))
    for number, title in sorted(titles.items()):
        if number <= len(kata.tasks) and title != kata.task_title(number):
            yield (f"{relative(path)}: task {number} is titled {title!r}; course.toml says "
                   f"{kata.task_title(number)!r}")


def learner_files(root: Path) -> set[Path]:
    """In the project itself (not a copy): the files git does not track in the kata folders
    it does (a folder git has never seen is a maintainer's new kata, not a learner's work)."""
    if root.resolve() != ROOT.resolve():
        return set()
    listed = subprocess.run(["git", "ls-files", "--others", "--exclude-standard", "-z", "katas"],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    tracked = subprocess.run(["git", "ls-files", "-z", "katas"],
                             cwd=ROOT, capture_output=True, text=True, check=False)
    shipped_katas = {Path(name).parts[1] for name in tracked.stdout.split("\0")
                     if len(Path(name).parts) > 2}
    return {ROOT / name for name in listed.stdout.split("\0")
            if name and len(Path(name).parts) > 2 and Path(name).parts[1] in shipped_katas}


def missing_folder(kata: course.Kata, root: Path) -> str:
    """One line for a kata folder course.toml lists and katas/ lacks, with the fix."""
    where = f"katas/{kata.folder}"
    if root.resolve() == ROOT.resolve() and shipped_names(ROOT / "katas" / kata.folder):
        return (f"{where}: missing, though git has it (course.toml, kata {kata.number}): "
                f"`git checkout -- {where}` brings it back")
    return (f"{where}: missing (course.toml, kata {kata.number}): create it as README.md's "
            f"\"Add a kata\" says, or take kata {kata.number} out of course.toml")


def stub_text(stub: Path, root: Path) -> str:
    """The stub as shipped: as committed in the project itself, else as it is."""
    committed = shipped(stub) if root.resolve() == ROOT.resolve() else None
    return committed.decode("utf-8") if committed is not None else stub.read_text("utf-8")


def stub_todos(stub: Path, kata: course.Kata, root: Path) -> Iterator[str]:
    named: set[int] = set()
    for match in TODO.finditer(stub_text(stub, root)):
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        named.update(range(first, last + 1) if "to" in match.group(0) else {first, last})
    yield from compare_numbers(relative(stub), "TODOs", named, set(range(1, len(kata.tasks) + 1)))


def kata_problems(kata: course.Kata, root: Path, tox: configparser.ConfigParser,
                  readme: str, learners: set[Path], workflow: str | None = None
                  ) -> Iterator[str]:
    folder = root / "katas" / kata.folder
    stub, hints, notes = folder / f"{kata.module}.py", folder / "HINTS.md", folder / "README.md"
    specs = sorted(folder.glob("test_*.py"))
    if not folder.is_dir():
        yield missing_folder(kata, root)
    else:
        yield from folder_problems(kata, folder, specs, learners)
    if specs:
        yield from spec_tasks(specs[0], kata)
    if notes.is_file():
        yield from titled(notes, TASK_ITEM, kata, "numbered tasks (`N. **title**`)")
    if hints.is_file():
        yield from titled(hints, HINT_HEADING, kata, "headings (`## Task N: title`)")
    if stub.is_file():
        yield from stub_todos(stub, kata, root)
    reference = root / "reference" / kata.folder / f"{kata.module}.py"
    if not reference.is_file():
        yield f"{relative(reference)}: missing"
    for tree, least in (("impostors", MIN_IMPOSTORS), ("alternatives", MIN_ALTERNATIVES)):
        found = modules(root / tree / kata.folder)
        if len(found) < least:
            yield f"{tree}/{kata.folder}: {len(found)} module(s); a kata needs at least {least}"
        names = [path.stem for path in found]
        for twice in sorted({name for name in names if names.count(name) > 1}):
            yield (f"{tree}/{kata.folder}/{twice}: both a patch and a module; keep the one "
                   f"that is the mistake")
    command = tox.get("testenv", "commands", fallback="")
    if f"kata{kata.number}: pytest katas/{kata.folder} --learner {{posargs}}" not in command:
        yield (f"tox.ini: [testenv] commands lack "
               f"`kata{kata.number}: pytest katas/{kata.folder} --learner {{posargs}}`")
    if not any(f"kata{kata.number}" in _env_names(section) for section in tox.sections()):
        yield f"tox.ini: no environment kata{kata.number}"
    row = f"| [{kata.folder}](katas/{kata.folder}/README.md) | `{kata.command}` | {kata.topic} |"
    if row not in readme:
        yield f"README.md: the table of katas lacks the row {row}"
    if not callable(getattr(shows, kata.demo, None)):
        yield f"scripts/demo/shows.py: no demo {kata.demo}() (course.toml, kata {kata.number})"
    if workflow is not None and not re.search(rf"\b{kata.folder}\b", workflow):
        yield f"{WORKFLOW}: the mutation job's matrix lacks {kata.folder} (its `kata:` list)"


def folder_problems(kata: course.Kata, folder: Path, specs: list[Path],
                    learners: set[Path]) -> Iterator[str]:
    """Problems with what `kata`'s folder holds: its files, one spec, nothing else."""
    stub, hints, notes = folder / f"{kata.module}.py", folder / "HINTS.md", folder / "README.md"
    for needed in (stub, hints, notes, folder / "__init__.py"):
        if not needed.is_file():
            yield f"{relative(needed)}: missing (course.toml lists {kata.folder})"
    if len(specs) != 1:
        yield f"{relative(folder)}: expected one spec test_*.py, found {[p.name for p in specs]}"
    expected = {stub.name, hints.name, notes.name, *(p.name for p in specs)}
    for extra in sorted(p.name for p in folder.iterdir()
                        if p.name not in expected | IGNORED and p not in learners):
        yield f"{relative(folder / extra)}: not part of the kata (its module is {kata.module}.py)"


def learner_work() -> list[str]:
    """What a learner changed in the project's katas/: edited stubs, untracked files."""
    edited = []
    for kata in _katas():
        stub = KATAS / kata.folder / f"{kata.module}.py"
        committed = shipped(stub)
        if committed is not None and stub.is_file() and stub.read_bytes() != committed:
            edited.append(f"{stub.relative_to(ROOT)} (edited)")
    return edited + sorted(str(path.relative_to(ROOT)) for path in learner_files(ROOT))


def _katas() -> tuple[course.Kata, ...]:
    try:
        return tuple(course.katas())
    except (ValueError, OSError):
        return ()


def _env_names(section: str) -> list[str]:
    """``testenv:kata{1,2}`` -> ``["kata1", "kata2"]``."""
    name = section.removeprefix("testenv:")
    if match := re.fullmatch(r"(\w+)\{([\d,]+)\}", name):
        return [match.group(1) + n for n in match.group(2).split(",")]
    return [name]


def problems(root: Path = ROOT) -> list[str]:
    """Every mismatch between `root`'s course.toml and its files."""
    try:
        katas = course.katas(root / "course.toml")
    except (ValueError, OSError) as error:
        return [str(error)]
    tox = configparser.ConfigParser(interpolation=None)
    tox.read(root / "tox.ini")
    readme = (root / "README.md").read_text(encoding="utf-8")
    learners = learner_files(root)  # one git call for every kata
    ci = root / WORKFLOW
    workflow = ci.read_text(encoding="utf-8") if ci.is_file() else None
    found = [problem for kata in katas
             for problem in kata_problems(kata, root, tox, readme, learners, workflow)]
    listed = {kata.folder for kata in katas}
    for tree in TREES:
        if not (root / tree).is_dir():
            found.append(f"{tree}/: missing (every kata has a folder there)")
            continue
        for folder in sorted((root / tree).iterdir()):
            if folder.is_dir() and folder.name not in listed | IGNORED:
                found.append(f"{tree}/{folder.name}: a folder no kata of course.toml names")
    return found


def main() -> int:
    left_out = learner_work()
    if left_out:
        print(f"course: checking katas/ as shipped; the learner's work is left out: "
              f"{', '.join(left_out)}")
    found = problems()
    for problem in found:
        print(problem)
    katas = _katas()
    print(f"course: katas={len(katas)} tasks={sum(len(k.tasks) for k in katas)} "
          f"problems={len(found)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

"""An impostor stored as its mistake: a unified diff on the module it gets wrong.

``impostors/<kata>/<mistake>.patch`` reads::

    Waits a full interval after each round ends: slow checks push every later round back.

    --- reference/kata10_monitor/monitor.py
    +++ impostors/kata10_monitor/drifting_schedule.py
    @@ -120,7 +120,7 @@
    ...

Its first paragraph is the one-sentence description (an impostor module's docstring holds it);
the ``---`` line names the base, a module of ``reference/`` or ``alternatives/`` (an
alternative with a mistake is an impostor too); the hunks are the mistake. Applying one
needs every line a hunk keeps or removes to read as it did: a hunk may have moved (lines
added or removed above it), but a base changed under it fails, naming the patch and the
hunk, so a contract change makes the maintainer look at each mistake it touches.

Written here rather than taken from a library: whatthepatch applies a hunk only at the line
its header gives (a line added at the top of a reference would break every patch below it),
patch-ng works on files and logs instead of raising, and `git apply` needs a git binary and
speaks of index lines; this is the strict-content, moving-position rule above in 60 lines,
with the stdlib's difflib writing the patches.

``python -m scripts mistake show X.patch`` prints the impostor it makes;
``python -m scripts mistake make X.patch EDITED.py [--base B] [--summary S]`` writes the
mistake of an edited copy; ``python -m scripts mistake refresh`` writes every patch again
against its base (after a change above its hunks, so that no hunk needs to move).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from scripts.project import IMPOSTORS, REFERENCE, ROOT, kata_module
from specs import course

HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


class PatchError(ValueError):
    """A patch that does not parse, or no longer applies to its base."""


@dataclass
class Hunk:
    header: str  # ``@@ -120,7 +120,7 @@``
    start: int  # the first line it replaces, counted from 0
    old: list[str]  # the lines it keeps or removes, as the base has them
    new: list[str]  # what stands there in the impostor


@dataclass
class Mistake:
    path: Path
    summary: str
    base: Path
    hunks: list[Hunk]

    def placed(self) -> tuple[list[str], list[tuple[int, Hunk]]]:
        """The base's lines, and where in them each hunk applies (its first line, from 0)."""
        try:
            lines = self.base.read_text().splitlines(keepends=True)
        except OSError as error:
            raise PatchError(f"{shown(self.path)}: its base {shown(self.base)} cannot be read "
                             f"({error.strerror})") from None
        places: list[tuple[int, Hunk]] = []
        done = 0  # lines of the base consumed so far
        for number, hunk in enumerate(self.hunks, 1):
            at = self.locate(lines, hunk, done, number)
            places.append((at, hunk))
            done = at + len(hunk.old)
        return lines, places

    def apply(self) -> str:
        """The impostor's text: its base with each hunk in turn."""
        lines, places = self.placed()
        out: list[str] = []
        done = 0
        for at, hunk in places:
            out += lines[done:at] + hunk.new
            done = at + len(hunk.old)
        return "".join(out + lines[done:])

    def locate(self, lines: list[str], hunk: Hunk, after: int, number: int) -> int:
        """Where `hunk` applies: its own line if the base reads as it expects there, else the
        nearest place that does (not before `after`); PatchError if there is none."""
        size = len(hunk.old)
        places = sorted(range(after, len(lines) - size + 1), key=lambda at: abs(at - hunk.start))
        for at in places:
            if lines[at:at + size] == hunk.old:
                return at
        expected = next(((i, line) for i, line in enumerate(hunk.old)
                         if hunk.start + i >= len(lines) or lines[hunk.start + i] != line),
                        (0, hunk.old[0] if hunk.old else ""))
        row = hunk.start + expected[0]
        found = lines[row].rstrip("\n") if row < len(lines) else "(the end of the file)"
        raise PatchError(
            f"{shown(self.path)}: hunk {number} ({hunk.header}) no longer applies to "
            f"{shown(self.base)}: it expects line {row + 1} to read "
            f"`{expected[1].rstrip(chr(10))}`, which is `{found}` now, and is nowhere else; "
            f"look at the mistake again, then `python -m scripts mistake make`")

    def changed_lines(self) -> set[int]:
        """The base's lines (from 1) the mistake removes or changes, and for an insertion the
        line it follows, where the hunks apply today (a hunk may have moved)."""
        rows: set[int] = set()
        for at, hunk in self.placed()[1]:
            matcher = difflib.SequenceMatcher(a=hunk.old, b=hunk.new, autojunk=False)
            for tag, i1, i2, _, _ in matcher.get_opcodes():
                if tag == "insert":
                    rows.add(at + max(i1, 1))
                elif tag != "equal":
                    rows.update(range(at + i1 + 1, at + i2 + 1))
        return rows

    def tasks(self) -> set[int]:
        """The kata's tasks the mistake may be in: those whose title names (in backticks) the
        function or method holding a changed line (``retry_async(``, ``Worker.stop``; for a
        class's ``__init__`` or ``__aexit__``, ``Worker`` or any ``Worker.`` method), or, for
        a helper, the tasks of the functions that call it (at any depth); with, after the
        first of them, every task whose title names none of the base's code. Empty when it
        is in none."""
        kata = next((k for k in course.katas() if k.folder == self.base.parent.name), None)
        if kata is None:
            return set()
        tree = ast.parse(self.base.read_text())
        defs = _defs(tree, "")
        calls = {prefix + node.name: {n.id if isinstance(n, ast.Name) else n.attr
                                      for n in ast.walk(node)
                                      if isinstance(n, ast.Name | ast.Attribute)}
                 for node, prefix in defs}
        classes = {node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
        named: dict[str, int] = {}  # a function, method or class of the base: its task
        for number, title in enumerate(kata.tasks, 1):
            for span in re.findall(r"`([^`]*)`", title):
                word = re.match(r"[\w.]+", span)
                name = word[0] if word else ""
                if name not in calls and name[:1].islower():  # `pool.acquire()`: Pool's
                    name = name[:1].upper() + name[1:]
                if name not in named and (name in calls or name in classes):
                    named[name] = number

        def of_class(cls: str) -> set[int]:
            """The tasks naming the class `cls` or any of its methods."""
            return {task for key, task in named.items()
                    if key == cls or key.startswith(f"{cls}.")}

        def own(name: str) -> set[int]:
            """The tasks naming `name`; for a dunder method (``__init__``, ``__aexit__``),
            its class's."""
            if name in named:
                return {named[name]}
            cls, _, method = name.rpartition(".")
            return of_class(cls) if cls and method.startswith("__") else set()

        found: set[int] = set()
        todo, seen = list(enclosing(defs, self.changed_lines())), set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            if tasks := own(name):
                found |= tasks
            else:  # a helper: the tasks of whoever uses it (a dunder method: its class)
                cls, _, short = name.rpartition(".")
                if cls and short.startswith("__"):
                    short = cls.rpartition(".")[2]
                todo += [caller for caller, used in calls.items() if short in used]
        if not found:  # a method no task reaches: the tasks of its class
            found = {task for name in seen if "." in name
                     for task in of_class(name.rpartition(".")[0])}
        # A task whose title names none of the base's code ("add retries, a limit and a
        # rate", "retry only the exceptions in `retry_on`") extends the functions of the
        # tasks before it: a mistake there may be one of its own.
        extending = set(range(1, len(kata.tasks) + 1)) - set(named.values())
        return found | {task for task in extending if found and task > min(found)}


def enclosing(defs: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, str]],
              lines: set[int]) -> set[str]:
    """The innermost function or method (``f``, ``Class.f``) of `defs` holding each line."""
    names: set[str] = set()
    for line in lines:
        name = ""
        for node, prefix in defs:
            if node.lineno <= line <= (node.end_lineno or node.lineno):
                name = prefix + node.name
        if name:
            names.add(name)
    return names


def _defs(tree: ast.AST, prefix: str) -> list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, str]]:
    """Every function and method of `tree`, outer ones first, with its ``Class.`` prefix."""
    found: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, str]] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.ClassDef):
            found += _defs(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append((node, prefix))
            found += _defs(node, f"{prefix}{node.name}.")
    return found


def shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def read(path: Path) -> Mistake:
    """The mistake stored in the patch at `path`."""
    text = path.read_text()
    head, sep, body = text.partition("\n--- ")
    summary = first_paragraph(head)
    if not sep or not summary:
        raise PatchError(f"{shown(path)}: a mistake is its one-sentence description, a blank "
                         f"line, then a unified diff (`--- reference/...`)")
    rows = ("--- " + body).splitlines(keepends=True)
    base = ROOT / rows[0][4:].strip()
    if not rows[1:2] or not rows[1].startswith("+++ "):
        raise PatchError(f"{shown(path)}: its `---` line is not followed by a `+++` line")
    hunks: list[Hunk] = []
    last = ""  # the kind of the row before: " ", "-" or "+"
    for row in rows[2:]:
        if match := HUNK.match(row):
            hunks.append(Hunk(row.strip(), max(int(match[1]) - 1, 0), [], []))
        elif not hunks:
            continue
        elif row.startswith("\\"):  # "\ No newline at end of file": the row before has none
            for side in ([hunks[-1].old] if last == "-" else [hunks[-1].new] if last == "+"
                         else [hunks[-1].old, hunks[-1].new]):
                side[-1] = side[-1].rstrip("\n")
        elif row[:1] in (" ", "\n", "-", "+"):
            last = row[:1] if row[:1] != "\n" else " "
            line = row[1:] or "\n"  # an editor may strip a blank context line's space
            if last in " -":
                hunks[-1].old.append(line)
            if last in " +":
                hunks[-1].new.append(line)
        else:
            raise PatchError(f"{shown(path)}: not a line of a unified diff: {row.rstrip()!r}")
    if not hunks:
        raise PatchError(f"{shown(path)}: no hunk: the mistake changes nothing")
    return Mistake(path, summary, base, hunks)


def make(path: Path, impostor: str, base: Path, summary: str) -> str:
    """The patch text storing `impostor` (a module's text) as its difference from `base`."""
    lines = base.read_text().splitlines(keepends=True)
    diff = list(difflib.unified_diff(lines, impostor.splitlines(keepends=True),
                                     shown(base), shown(path.with_suffix(".py"))))
    if not diff:
        raise PatchError(f"{shown(path)}: the impostor is its base, {shown(base)}: no mistake")
    body = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in diff)
    return f"{textwrap.fill(' '.join(summary.split()), 96)}\n\n{body}"


def first_paragraph(text: str) -> str:
    """The first paragraph of `text`, on one line."""
    return " ".join(text.strip().split("\n\n")[0].split())


def docstring_sentence(module: str) -> str:
    """The first paragraph of a module's docstring, on one line ("?" if it has none)."""
    parts = module.split('"""')
    return first_paragraph(parts[1]) if len(parts) > 2 else "?"


def patches(folder: Path = IMPOSTORS) -> list[Path]:
    return sorted(folder.glob("*/*.patch"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    verbs = parser.add_subparsers(dest="verb", required=True)
    show = verbs.add_parser("show", help="print the impostor a patch makes")
    show.add_argument("patch", type=Path)
    new = verbs.add_parser("make", help="write the patch of an edited copy")
    new.add_argument("patch", type=Path)
    new.add_argument("edited", type=Path)
    new.add_argument("--base", type=Path, help="default: the patch's own base, or reference/")
    new.add_argument("--summary", help="default: the patch's own, or the edited docstring's")
    refresh = verbs.add_parser("refresh", help="write every patch again against its base")
    refresh.add_argument("patches", type=Path, nargs="*")
    options = parser.parse_args(argv)
    try:
        if options.verb == "show":
            sys.stdout.write(read(options.patch.resolve()).apply())
        elif options.verb == "make":
            write(options.patch.resolve(), options.edited.read_text(), options.base,
                  options.summary)
        else:
            for path in options.patches or patches():
                old = read(path.resolve())
                write(old.path, old.apply(), old.base, old.summary)
    except (PatchError, OSError) as error:
        print(f"mistake: {error}", file=sys.stderr)
        return 1
    return 0


def write(path: Path, impostor: str, base: Path | None, summary: str | None) -> None:
    """Store `impostor` at `path`: its base and summary given, else the patch's own, else
    the kata's reference module and the first paragraph of the impostor's docstring."""
    old = read(path) if path.exists() else None
    if base is None:
        kata = path.parent.name
        base = old.base if old else REFERENCE / kata / f"{kata_module(kata)}.py"
    if summary is None:
        summary = old.summary if old else docstring_sentence(impostor)
    path.write_text(make(path, impostor, base.resolve(), summary))
    print(f"wrote {shown(path)}: {summary}")


if __name__ == "__main__":
    sys.exit(main())

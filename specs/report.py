"""What a learner reads: which behaviours pass, and the next one to work on.

`explain` turns a failure into one message in asyncio terms; `LearnerReport`
(enabled by ``--learner``) prints the behaviours of each kata grouped by task,
then the first failing behaviour with its message, and no traceback.
"""

from __future__ import annotations

import json
import linecache
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest

from specs import blame, course
from specs.checklist import SPEC_BUG_MARK, checklist
from specs.checks import raised_where
from specs.implementation import NotReady, module_path
from specs.messages import exception_line, shown_path
from specs.watchdog import Hung, current

LOOP_TIME = pytest.StashKey[list[float]]()  # the loop time of each async spec run
WALL_START = pytest.StashKey[float]()  # when the session started (perf_counter)


def session_figures(config: pytest.Config) -> dict[str, float]:
    """The session so far: async specs run, loop seconds they simulated, wall seconds."""
    looped = config.stash.get(LOOP_TIME, [])
    start = config.stash.get(WALL_START, time.perf_counter())
    return {"async_specs": len(looped), "loop_s": round(sum(looped), 6),
            "wall_s": round(time.perf_counter() - start, 6)}


def unwritable(path: Path) -> str | None:
    """Why a report cannot be written to `path` (checked before any spec runs), or None."""
    if path.is_dir():
        return f"{path} is a folder; give a file name"
    if not path.parent.is_dir():
        return f"the folder {path.parent} does not exist"
    if not os.access(path.parent, os.W_OK):
        return f"the folder {path.parent} is not writable"
    return None


def explain(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    """One readable message for a failure, notes included, true about whose fault it is
    (`specs.blame`): the contract's check, the learner's own error, or the spec's crash."""
    error = excinfo.value
    if isinstance(error, NotReady):  # a property's stub or unloadable module: what it raised
        excinfo = pytest.ExceptionInfo.from_exception(error.error)
        error = error.error
    culprit = blame.cause(error)
    if culprit == blame.STUB:
        where = excinfo.traceback[-1].name if excinfo.traceback else "this function"
        text = f"`{where}` is not implemented yet: it still raises NotImplementedError"
    elif culprit == blame.MODULE:
        text = str(error)
    elif isinstance(error, AssertionError):
        text = str(error).split("\nassert ", 1)[0].strip() or "assertion failed"
    elif isinstance(error, pytest.fail.Exception):
        text = str(error.msg)
    elif isinstance(error, Hung):
        text = str(error)
    elif culprit == blame.SPEC:
        text = blame.crash_report(error)
    elif isinstance(error, BaseExceptionGroup):
        inside = ", ".join(repr(inner) for inner in error.exceptions)
        text = f"your code raised {type(error).__name__}: {error}: {inside}"
        text += raised_where(error.exceptions[0]) or raised_where(error)
    else:
        text = f"your code raised {exception_line(error)}" + raised_where(error)
    # Hypothesis's pointer to its verbose mode is for its own users, not for learners.
    notes = [n for n in getattr(error, "__notes__", []) if "Verbosity.verbose" not in n]
    return "\n".join([text, *notes])


EXERCISM_STATUS = {"passed": "pass", "failed": "fail"}  # anything else did not run: "error"
EXERCISM_OUTPUT_CHARS = 500  # the interface's limit for a test's output


def exercism_test(behaviour: Behaviour, code: str) -> dict[str, Any]:
    """One test as Exercism's test-runner interface (version 3) describes it."""
    status = ("error" if behaviour.cause in (blame.SPEC, blame.MODULE)
              else EXERCISM_STATUS.get(behaviour.status, "error"))
    output = behaviour.output
    if len(output) > EXERCISM_OUTPUT_CHARS:
        output = output[:EXERCISM_OUTPUT_CHARS - 40] + "\n[output truncated: -s shows it all]"
    return {"name": f"task {behaviour.task}: {behaviour.text}", "status": status,
            "message": None if status == "pass" else behaviour.message or behaviour.status,
            "output": output or None, "test_code": code, "task_id": behaviour.task}


def test_code(item: pytest.Item) -> str:
    """The spec function's source, decorators included, read from its file (cheaply: no
    tokenizing; a spec is a top-level function)."""
    function = getattr(item, "obj", None)
    code = getattr(function, "__code__", None)
    if code is None:
        return ""
    lines = linecache.getlines(code.co_filename)[code.co_firstlineno - 1:]
    taken: list[str] = []
    inside = False
    for line in lines:
        if inside and line.strip() and not line[0].isspace() and not line.startswith(")"):
            break
        inside = inside or line.lstrip().startswith(("def ", "async def "))
        taken.append(line)
    return "".join(taken).rstrip() + "\n"


PRINTED_LINES = 5


def printed(report: pytest.TestReport) -> str:
    """What the code printed during a failing behaviour: its last lines, and how to see all."""
    lines = [line for out in (report.capstdout, report.capstderr)
             for line in out.splitlines() if line.strip()]
    if not lines:
        return ""
    shown = lines[-PRINTED_LINES:]
    head = (f"Printed ({len(lines)} lines; the last {len(shown)}; `-- -s` shows all as it "
            "happens):" if len(lines) > len(shown) else "Printed:")
    return "\n".join([head, *(f"  | {line}" for line in shown)])


@dataclass
class Behaviour:
    """One spec test, as a learner sees it."""

    kata: str
    task: int
    task_title: str
    text: str
    detail: str = ""  # the rest of the spec's docstring: the contract, beyond the sentence
    status: str = "not run"  # passed, failed, skipped or not run
    cause: str = ""  # a failure's culprit: check, code, module, stub or spec (`specs.blame`)
    message: str = ""
    location: str = ""
    seconds: float = 0.0  # setup, call and teardown
    output: str = ""  # what the code printed while the behaviour ran
    test: str = ""  # the spec test's id: ``katas/kata01_gather/test_gather.py::test_x[case]``
    timeline: str = ""  # the run's loop-time chart (`specs.timeline`), when one was drawn
    events: dict[str, Any] | None = None  # and its spans and marks, for ``--json``

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def name(self) -> str:
        """The spec test's name in its file: ``test_x[case]``."""
        return self.test.rpartition("::")[2]


def describe(item: pytest.Item) -> Behaviour:
    """The kata, task and sentence a spec test stands for: ``@pytest.mark.task(n)`` gives the
    task's number, course.toml its title (a spec outside the course may give one itself)."""
    marker = item.get_closest_marker("task")
    number = _task_of(item)
    kata = Path(str(item.path)).parent.name
    title = marker.args[1] if marker and len(marker.args) > 1 else _task_title(kata, number)
    doc, *more = [" ".join(line.strip() for line in paragraph.splitlines()) for paragraph in
                  (getattr(item, "obj", None).__doc__ or "").strip().split("\n\n")]
    text = doc or item.name.removeprefix("test_").replace("_", " ")  # its first paragraph
    callspec = getattr(item, "callspec", None)
    if callspec is not None:  # each case of a parametrised behaviour is a line of its own
        text += f" [case: {callspec.id}]"
    return Behaviour(kata, number, title, text, detail=" ".join(more))


def _case_of(item: pytest.Item) -> dict[str, int]:
    """A parametrised case's place in each parametrize list (empty for a plain spec)."""
    return dict(getattr(getattr(item, "callspec", None), "indices", {}))


def _task_of(item: pytest.Item) -> int:
    marker = item.get_closest_marker("task")
    return int(marker.args[0]) if marker else 0


def _task_title(folder: str, number: int) -> str:
    try:
        return course.kata(folder).task_title(number)
    except LookupError:
        return ""


class LearnerReport:
    """Collects each behaviour's outcome: prints a checklist and the next step (``--learner``),
    and writes them as JSON (``--json PATH``) for editors and dashboards."""

    def __init__(self, config: pytest.Config, *, show: bool, json_path: str | None) -> None:
        self.config = config
        self.show = show
        self.json_path = json_path
        self.behaviours: dict[str, Behaviour] = {}
        self.codes: dict[str, str] = {}  # nodeid -> the spec's source, for the JSON
        self.errors: list[str] = []
        self.all_behaviours: list[Behaviour] = []  # collected, -k or not

    def results(self) -> dict[str, Any]:
        """The run, JSON-ready: Exercism's test-runner interface (version 3: ``status``,
        ``message``, ``tests``), and per kata the behaviours with every detail the tools read
        (``katas``), the collection errors and the session's figures."""
        katas: dict[str, Any] = {}
        for behaviour in self.behaviours.values():
            kata = katas.setdefault(behaviour.kata, {"passed": 0, "total": 0, "behaviours": []})
            kata["total"] += 1
            kata["passed"] += behaviour.status == "passed"
            kata["behaviours"].append(asdict(behaviour))
        failed = any(b.status != "passed" for b in self.behaviours.values())
        unloadable = list(dict.fromkeys(b.message.splitlines()[0] for b in self.behaviours.values()
                                        if b.cause == blame.MODULE and b.message))
        problems = self.errors + unloadable
        status = "error" if problems or not self.behaviours else "fail" if failed else "pass"
        return {"version": 3, "status": status,
                "message": "\n".join(problems) or None if status == "error" else None,
                "tests": [exercism_test(b, self.codes.get(b.test, ""))
                          for b in self.behaviours.values()],
                "katas": katas, "errors": self.errors, "session": session_figures(self.config)}

    def pytest_sessionfinish(self) -> None:
        if self.json_path:
            Path(self.json_path).write_text(json.dumps(self.results(), indent=2) + "\n")

    def ended(self, nodeid: str, cause: str) -> None:
        """The watchdog is ending the process: record `cause`, write what is known, briefly."""
        behaviour = self.behaviours.get(nodeid)
        if behaviour is not None:
            behaviour.status, behaviour.cause, behaviour.message = "failed", blame.CHECK, cause
        self.pytest_sessionfinish()
        if self.show:
            passed = sum(b.status == "passed" for b in self.behaviours.values())
            sys.stdout.write(f"\n{passed} of {len(self.behaviours)} behaviours pass; "
                             f"the run was ended at: {behaviour.text if behaviour else nodeid}\n")
            sys.stdout.flush()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        # Spec order (kata, task, place in the file, then the cases as parametrised), whatever
        # order the tests ran in (pytest-randomly shuffles them); within a task, rejecting bad
        # input comes after the core behaviours, so "Next" starts with what the task is for.
        described = {item.nodeid: describe(item) for item in session.items}
        ranked = sorted(session.items, key=lambda item: (
            item.path.parent.name, _task_of(item), described[item.nodeid].text.startswith(
                "rejects"), item.location[1] or 0, item.nodeid.split("[")[0],
            tuple(_case_of(item).values())))
        self.behaviours = {item.nodeid: described[item.nodeid] for item in ranked}
        self.all_behaviours += self.behaviours.values()
        for nodeid, behaviour in self.behaviours.items():
            behaviour.test = nodeid
        self.codes = {item.nodeid: test_code(item) for item in ranked} if self.json_path else {}

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors.append(str(report.longrepr).strip().splitlines()[-1])

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        behaviour = self.behaviours.get(report.nodeid)
        if behaviour is None:
            return
        behaviour.seconds += report.duration
        if report.when != "call" and report.passed:
            return
        if report.when == "teardown" and behaviour.status == "failed":
            return  # the call's failure says more than the clean-up's
        if report.failed or report.when == "call" or report.skipped:
            behaviour.status = "failed" if report.failed else report.outcome
            behaviour.cause = getattr(report, "cause", blame.CHECK) if report.failed else ""
            behaviour.message = "" if report.passed else "\n".join(filter(None, [
                getattr(report, "learner_message", "") or str(report.longrepr), printed(report)]))
            behaviour.location = f"{report.location[0]}:{(report.location[1] or 0) + 1}"
            behaviour.output = report.capstdout + report.capstderr
            behaviour.timeline = getattr(report, "timeline", "")
            behaviour.events = getattr(report, "timeline_events", None)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.show:
            return
        write = terminalreporter.write_line
        for error in self.errors:
            write(f"Could not load the spec: {error}", red=True)
        everything = bool(self.config.getoption("all_behaviours")) or (
            self.config.option.verbose > 0)
        for row in checklist(self.behaviours.values(), everything=everything,
                             unfold=self.unfold()):
            write(row.text, **({row.style: True} if row.style else {}))
        if self.config.getoption("timeline"):
            for behaviour in self.behaviours.values():
                if behaviour.timeline and behaviour.passed:
                    write("")
                    write(f"✓ {behaviour.text}", green=True)
                    for line in behaviour.timeline.splitlines():
                        write(f"  {line}")
        write("")
        for line in self.tally():
            write(line, bold=True)
        dog = current()
        if dog is not None and dog.stop_reason is not None:
            left = sum(b.status == "not run" for b in self.behaviours.values())
            write(f"The run was stopped after hangs cost it {dog.lost_s:.1f} s of wall time: "
                  f"{left} behaviour(s) were not run. Fix the hang below first.", red=True)
        failing = [b for b in self.behaviours.values() if b.status == "failed"]
        if failing:
            first = next((b for b in failing if b.cause != blame.SPEC), failing[0])
            write("")
            write(f"Next: task {first.task} ({first.task_title}), in {self.edit(first.kata)}:",
                  bold=True)
            write(f"  {first.text}", bold=True)
            for line in first.message.splitlines():
                write(f"  {line}", red=True)
            if first.detail:
                write(f"  The contract: {first.detail}")
            write(f"  (spec: {first.location}; stuck? {self.hint(first.kata)})")
        elif self.behaviours and not self.deselected and all(
                b.status == "passed" for b in self.behaviours.values()):
            for line in self.next_katas({b.kata for b in self.behaviours.values()}):
                write(line, green=True)

    def tally(self) -> list[str]:
        """How many behaviours pass, honestly: of those selected when ``-k`` left some out
        (and then what the kata has), and what to do when nothing was selected at all."""
        passed = sum(b.status == "passed" for b in self.behaviours.values())
        total = len(self.behaviours)
        crashed = sum(b.cause == blame.SPEC for b in self.behaviours.values())
        lines = [f"{crashed} behaviour(s) marked {SPEC_BUG_MARK}: {blame.SPEC_BUG}; their "
                 "message says where."] if crashed else []
        if not self.deselected:
            return [f"{passed} of {total} behaviours pass." if total
                    else "No behaviours were collected: is the spec file there?", *lines]
        if not total:
            tasks = [f"  task {number}: {title}" for number, title in self.tasks()]
            return [f"-k selected none of the {self.deselected} behaviours; a -k word matches "
                    "a behaviour's sentence or its test's name. The tasks:", *tasks]
        return [f"{passed} of {total} selected behaviours pass (this run's -k left out "
                f"{self.deselected}; run without -k for all).", *lines]

    def tasks(self) -> list[tuple[int, str]]:
        """Every task of the katas this run collected, -k or not: (number, title)."""
        found = {(b.task, b.task_title) for b in self.all_behaviours}
        return sorted(found)

    def edit(self, folder: str) -> str:
        """The file a learner edits for `folder`, as a path they can open."""
        try:
            return shown_path(module_path(folder, course.kata(folder).module))
        except LookupError:
            return f"the module of {folder}"

    @property
    def deselected(self) -> int:
        """How many behaviours -k left out."""
        return len(self.all_behaviours) - len(self.behaviours)

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.all_behaviours += [describe(item) for item in items]

    def next_katas(self, done: set[str]) -> list[str]:
        """Every kata run is green: name the next kata of the course and its command (the
        ini's ``learner_next``), or say the course is done."""
        order = [kata.folder for kata in course.katas()]
        known = [order.index(folder) for folder in done if folder in order]
        if not known:
            return []
        last = max(known)
        if last + 1 == len(order):
            return ["", "That was the last kata of the course. Well played!"]
        following = course.katas()[last + 1]
        command = str(self.config.getini("learner_next")).format(
            number=following.number, folder=following.folder)
        return ["", f"Next kata: {following.folder}, {following.topic}. Run `{command}`."]

    def unfold(self) -> str:
        """The command that shows every behaviour: the ini's ``learner_all`` for a run of one
        kata of the course (``{number}`` filled in), ``--all`` otherwise."""
        folders = {b.kata for b in self.behaviours.values()}
        try:
            kata = course.kata(folders.pop()) if len(folders) == 1 else None
        except LookupError:
            kata = None
        return str(self.config.getini("learner_all")).format(number=kata.number) if kata else (
            "--all")

    def hint(self, folder: str) -> str:
        """Where a stuck learner finds a hint: the ini's ``learner_hint`` for a kata of the
        course (``{number}`` and ``{folder}`` filled in), its HINTS.md otherwise."""
        try:
            kata = course.kata(folder)
        except LookupError:
            return "HINTS.md"  # a spec outside the course
        return str(self.config.getini("learner_hint")).format(number=kata.number,
                                                                folder=kata.folder)

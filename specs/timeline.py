"""What the learner's code did, in loop time, drawn as a timeline beside what was due.

A spec run records into the `Recorder` of its behaviour (`recorder()`, set by the plugin for
each spec): the kit's instrumented jobs, the mocked HTTP server and `settle` write spans
(a job running, waiting, cleaning up; a request; the caller waiting for a call) and marks
(cancelled, failed, returned) with their row; a spec may state what the contract expected
with `expect()`. When the behaviour fails, `render()` draws both, one row per job / request,
the moment they first differ marked, in at most 12 rows and 80 columns; `trace()` writes the
same run in the Trace Event Format that Perfetto and chrome://tracing open.

Recording never changes a verdict: it appends to lists, and nothing reads them until the
behaviour is over.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RUN, WAIT, CLEANUP = "running", "waiting", "cleaning up"  # spans
CALLER = "caller"  # the row of the call a spec awaits (`specs.checks.settle`)
CANCELLED, FAILED, RETURNED = "cancelled", "failed", "returned"  # marks
NOTHING = "nothing"  # an expectation: the row stays empty (`expect_nothing`)
GLYPHS = {RUN: ("█", "#"), WAIT: ("·", "."), CLEANUP: ("░", "="),
          CANCELLED: ("✗", "x"), FAILED: ("!", "!"), RETURNED: ("│", "|")}
LABEL = 16  # columns for a row's name
ROWS = 12  # rows of chart at most, both runs together
TOLERANCE = 1e-4  # loop seconds: times closer than this are the same moment


@dataclass(frozen=True)
class Span:
    """A row's span of loop time, or a mark at one moment (``end`` is None)."""

    row: str
    kind: str
    start: float
    end: float | None = None

    @property
    def until(self) -> float:
        """The span's last moment: its end, or a mark's own moment."""
        return self.start if self.end is None else self.end


@dataclass
class Timeline:
    """Spans and marks, each on a named row; rows in the order they first appear."""

    spans: list[Span] = field(default_factory=list)

    def span(self, row: str, start: float, end: float, kind: str = RUN) -> None:
        self.spans.append(Span(row, kind, start, max(start, end)))

    def mark(self, row: str, at: float, kind: str) -> None:
        self.spans.append(Span(row, kind, at))

    def rows(self) -> list[str]:
        """The rows by their first moment, the caller's last; rows that begin together by name
        (``job2`` before ``job10``)."""
        first: dict[str, float] = {}
        for span in self.spans:
            first[span.row] = min(first.get(span.row, span.start), span.start)
        return sorted(first, key=lambda row: (row == CALLER, round(first[row], 4), _natural(row)))

    def end(self) -> float:
        return max((s.until for s in self.spans), default=0.0)

    def of(self, row: str) -> list[Span]:
        return sorted((s for s in self.spans if s.row == row), key=lambda s: (s.start, s.kind))


@dataclass
class Recorder:
    """One behaviour's run (`actual`) and what its spec expected (`expected`, maybe empty)."""

    actual: Timeline = field(default_factory=Timeline)
    expected: Timeline = field(default_factory=Timeline)

    def reset(self) -> None:
        """Forget the run so far: a property's next example starts a new one."""
        self.actual, self.expected = Timeline(), Timeline()


_current: Recorder | None = None


def recorder() -> Recorder | None:
    """The running behaviour's recorder, or None outside a spec."""
    return _current


def install(into: Recorder | None) -> None:
    global _current  # one behaviour runs at a time in a process
    _current = into


def record_span(row: str, start: float, end: float, kind: str = RUN) -> None:
    """Record that `row` was `kind` from `start` to `end` (a span of no loop time is none)."""
    if _current is not None and end - start > TOLERANCE:
        _current.actual.span(row, start, end, kind)


def record_mark(row: str, at: float, kind: str) -> None:
    if _current is not None:
        _current.actual.mark(row, at, kind)


@contextlib.contextmanager
def drawing(row: str, kind: str = RUN, *, returned: bool = False) -> Iterator[None]:
    """Draw the ``with`` block on `row`: a `kind` span from its start to its end, marked
    cancelled or failed if it ended so (and, `returned`, marked returned otherwise)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        yield
    except asyncio.CancelledError:
        record_mark(row, loop.time(), CANCELLED)
        raise
    except BaseException:
        record_mark(row, loop.time(), FAILED)
        raise
    else:
        if returned:
            record_mark(row, loop.time(), RETURNED)
    finally:
        record_span(row, start, loop.time(), kind)


def last_end(row: str) -> float | None:
    """The latest moment recorded on `row`, a span's end or a mark (None: nothing yet)."""
    if _current is None:
        return None
    return max((s.until for s in _current.actual.spans if s.row == row), default=None)


def record_wait(row: str, start: float, end: float) -> None:
    """`row` waited from `start` and was let through (a call returned) at `end`."""
    record_span(row, start, end, WAIT)
    record_mark(row, end, RETURNED)


def expect(row: str, start: float, end: float | None = None, kind: str = RUN) -> None:
    """State what the contract expected of `row`: a span (or, without `end`, a mark)."""
    if _current is not None:
        if end is None:
            _current.expected.mark(row, start, kind)
        elif end - start > TOLERANCE:  # as recorded: a span of no loop time is none
            _current.expected.span(row, start, end, kind)


def expect_wait(row: str, start: float, end: float, kind: str = RETURNED) -> None:
    """State that `row` waits from `start` until `end`, when it ends as `kind` (the twin of
    `record_wait`)."""
    expect(row, start, end, WAIT)
    expect(row, end, kind=kind)


def expect_caller(start: float, end: float, kind: str = RETURNED) -> None:
    """State that the caller (`specs.checks.settle`) waits from `start` until `end`, when the
    call returns, fails or is cancelled (`kind`)."""
    expect_wait(CALLER, start, end, kind)


def expect_nothing(row: str) -> None:
    """State that the contract expects nothing on `row`: a job never called, a request never
    made."""
    if _current is not None:
        _current.expected.mark(row, 0.0, NOTHING)


def first_difference(actual: Timeline, expected: Timeline) -> tuple[float, str] | None:
    """The earliest moment the run departs from what was expected, and how (a sentence); only
    the rows the expectation names are compared (a spec states what it cares about)."""
    found: list[tuple[float, str]] = []
    for row in expected.rows():
        got, due = actual.of(row), [s for s in expected.of(row) if s.kind != NOTHING]
        if not due and got:
            found.append((got[0].start, f"{row} {_what(got[0])}, expected nothing"))
            continue
        for a, e in zip(got, due, strict=False):
            if a.kind != e.kind or abs(a.start - e.start) > TOLERANCE:
                found.append((min(a.start, e.start), f"{row} {_what(a)}, expected {_what(e)}"))
                break
            if a.end is not None and e.end is not None and abs(a.end - e.end) > TOLERANCE:
                found.append((min(a.end, e.end), f"{row} {a.kind} until {seconds(a.end)}, "
                                                 f"expected until {seconds(e.end)}"))
                break
        else:
            if len(got) > len(due):
                found.append((got[len(due)].start, f"{row} {_what(got[len(due)])}, not expected"))
            elif len(due) > len(got):
                found.append((due[len(got)].start, f"{row} expected {_what(due[len(got)])}, "
                                                   "but it did not happen"))
    return min(found) if found else None


def _what(span: Span) -> str:
    if span.end is None:
        return f"{span.kind} at {seconds(span.start)}"
    return f"{span.kind} from {seconds(span.start)}"


def seconds(at: float) -> str:
    return "0 s" if abs(at) < TOLERANCE else f"{at:.1f} s" if at >= 1 else f"{at:.2g} s"


def _step(span: float, columns: int) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) leaving 10 columns between ticks."""
    wanted = span * 10 / max(columns, 1)
    power = 10 ** math.floor(math.log10(wanted)) if wanted > 0 else 1.0
    return next(power * m for m in (1, 2, 5, 10) if power * m >= wanted)


class _Scale:
    def __init__(self, end: float, columns: int) -> None:
        self.columns = columns
        self.end = end if end > 0 else 1.0

    def col(self, at: float) -> int:
        return min(self.columns - 1, max(0, round(at / self.end * (self.columns - 1))))

    def axis(self) -> str:
        step = _step(self.end, self.columns)
        line = [" "] * self.columns
        tick = 0.0
        while tick <= self.end + TOLERANCE:
            label = f"{tick:g} s"
            at = min(self.col(tick), self.columns - len(label))
            if all(c == " " for c in line[max(0, at - 1):at + len(label) + 1]):
                line[at:at + len(label)] = label
            tick += step
        return "".join(line).rstrip()


def _row(spans: Iterable[Span], scale: _Scale, plain: bool) -> str:
    cells = [" "] * scale.columns
    ordered = sorted(spans, key=lambda s: s.end is None)  # marks drawn over spans
    for span in ordered:
        if span.kind == NOTHING:
            continue
        glyph = GLYPHS.get(span.kind, ("?", "?"))[plain]
        if span.end is None:
            cells[scale.col(span.start)] = glyph
            continue
        first, last = scale.col(span.start), scale.col(span.end)
        for at in range(first, max(first + 1, last)):
            cells[at] = glyph
    return "".join(cells).rstrip()


def _label(name: str, plain: bool) -> str:
    """A row's name in its column; a long one keeps its end (``…ervice/12``): its start is
    what rows share."""
    room = LABEL - 3
    if len(name) > room:
        name = ("..." if plain else "…") + name[-(room - (3 if plain else 1)):]
    return f"  {name:<{LABEL - 2}}"


def _natural(name: str) -> tuple[Any, ...]:
    """A sort key that reads the numbers in a name as numbers."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def _short(rows: list[str]) -> dict[str, str]:
    """Names that fit: of the rows whose names are too long, what they all share at their
    start and end is left out (cut at a space, a dot or before a slash): ``svc0`` and ``svc1``
    for ``GET svc0.example.com/health`` and ``GET svc1.example.com/health``."""
    names = {row: row for row in rows}
    long = [row for row in rows if len(row) > LABEL - 3]
    if len(long) < 2:
        return names
    start = _shared(long)
    start = max(long[0].rfind(" ", 0, start) + 1, long[0].rfind(".", 0, start) + 1,
                long[0].rfind("/", 0, start))
    backwards = [row[::-1] for row in long]
    end = _shared(backwards)
    end = max(backwards[0].rfind(c, 0, end) + 1 for c in " ./")
    short = {row: row[start:len(row) - end] for row in long}
    if all(short.values()) and len(set(short.values())) == len(long):
        names.update(short)
    return names


def _shared(names: list[str]) -> int:
    """How many characters all `names` share at their start."""
    return next((i for i, chars in enumerate(zip(*names, strict=False))
                 if len(set(chars)) > 1), min(map(len, names)))


def _block(title: str, timeline: Timeline, scale: _Scale, plain: bool, room: int,
           names: dict[str, str]) -> list[str]:
    rows = [row for row in names if row in set(timeline.rows())]  # one order for both runs
    shown = rows if len(rows) <= room else rows[:max(1, room - 1)]
    lines = [title] + [(_label(names.get(row, row), plain)
                        + _row(timeline.of(row), scale, plain)).rstrip() for row in shown]
    if len(shown) < len(rows):
        lines.append(f"  … {len(rows) - len(shown)} more rows" if not plain
                     else f"  ... {len(rows) - len(shown)} more rows")
    return lines


def render(actual: Timeline, expected: Timeline | None = None, *, width: int = 80,
           plain: bool = False) -> str:
    """The run (and what was expected) as a chart of at most 12 rows and `width` columns;
    `plain`: ASCII only, for a terminal that cannot show block characters."""
    expected = expected if expected is not None and expected.spans else None
    scale = _Scale(max(actual.end(), expected.end() if expected else 0.0), width - LABEL)
    room = ROWS // 2 if expected else ROWS
    lines = [f"{'loop time':<{LABEL}}{scale.axis()}"]
    names = _short(list(dict.fromkeys((expected.rows() if expected else []) + actual.rows())))
    lines += _block("your code", actual, scale, plain, room, names) if actual.spans else [
        "your code     (recorded nothing)"]
    if expected:
        lines += _block("expected", expected, scale, plain, room, names)
        differ = first_difference(actual, expected)
        if differ is not None:
            at, how = differ
            said, col = f"first difference, at {seconds(at)}", LABEL + scale.col(at)
            lines.append(f"{' ' * col}^ {said}" if col + 2 + len(said) <= width else
                         f"{' ' * max(0, col - len(said) - 1)}{said} ^")
            lines += textwrap.wrap(how, width, initial_indent="  ", subsequent_indent="    ")
    kinds = dict.fromkeys(s.kind for t in (actual, expected) if t for s in t.spans)
    legend = ""
    for item in (f"{GLYPHS[k][plain]} {k}" for k in GLYPHS if k in kinds):
        if legend and len(legend) + 2 + len(item) > width:
            lines.append(legend)
            legend = ""
        legend = f"{legend}  {item}" if legend else item
    lines.append(legend)
    return "\n".join(line[:width] for line in lines)


def can_draw(encoding: str | None) -> bool:
    """Whether a stream of `encoding` can show the chart's block characters."""
    try:
        "".join(glyph for glyph, _ in GLYPHS.values()).encode(encoding or "ascii")
    except (LookupError, UnicodeEncodeError):
        return False
    return True


def trace(recorded: Recorder, name: str) -> dict[str, Any]:
    """The run in the Trace Event Format (times in µs of loop time): your code as process 1,
    what was expected as process 2, a thread (track) per row."""
    events: list[dict[str, Any]] = []
    for pid, (process, timeline) in enumerate(
            (("your code", recorded.actual), ("expected", recorded.expected)), 1):
        if not timeline.spans:
            continue
        events.append({"name": "process_name", "ph": "M", "pid": pid, "tid": 0, "ts": 0,
                       "args": {"name": f"{process}: {name}"}})
        for tid, row in enumerate(timeline.rows(), 1):
            events.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": tid, "ts": 0,
                           "args": {"name": row}})
            for span in timeline.of(row):
                if span.kind == NOTHING:
                    continue
                event = {"name": span.kind, "cat": span.kind, "pid": pid, "tid": tid,
                         "ts": round(span.start * 1e6, 3)}
                if span.end is None:
                    event.update(ph="i", s="t")
                else:
                    event.update(ph="X", dur=round((span.end - span.start) * 1e6, 3))
                events.append(event)
    return {"traceEvents": events, "displayTimeUnit": "ms", "otherData": {"behaviour": name}}


class TaskRecorder:
    """Records the life of every task created on a loop (a row per task, named by its
    coroutine: ``job``, ``job #2``): from its creation to its end, cancelled or failed
    marked. The demo draws it: what the learner's code ran, when, on the real clock."""

    def __init__(self) -> None:
        self.timeline = Timeline()
        self.start = 0.0
        self._names: dict[str, int] = {}

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        self.start = loop.time()
        loop.set_task_factory(self._create)

    def _create(self, loop: asyncio.AbstractEventLoop, coro: Any, **options: Any) -> Any:
        task = asyncio.Task(coro, loop=loop, **options)
        name = getattr(coro, "__qualname__", "task").rpartition(".")[2]
        if name.startswith(("<", "shutdown_")) or name == "limited":  # asyncio's, the demo's
            return task
        count = self._names[name] = self._names.get(name, 0) + 1
        row = name if count == 1 else f"{name} #{count}"
        created = loop.time() - self.start

        def ended(done: asyncio.Task[Any]) -> None:
            at = loop.time() - self.start
            self.timeline.span(row, created, at)
            if done.cancelled():
                self.timeline.mark(row, at, CANCELLED)
            elif done.exception() is not None:
                self.timeline.mark(row, at, FAILED)

        task.add_done_callback(ended)
        return task


def worth_drawing(recorded: Recorder) -> bool:
    """A run is drawn when its spec said what it expected, or when what it recorded covers some
    loop time (a failure at 0 s, before anything ran, has nothing to show)."""
    spans = recorded.actual.spans
    return bool(recorded.expected.spans) or (bool(spans) and max(s.until for s in spans)
                                             - min(s.start for s in spans) > TOLERANCE)


def write_trace(recorded: Recorder, nodeid: str, folder: Path) -> Path:
    """Write the run as ``folder/<nodeid as a file name>.json``; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", nodeid.split("/")[-1]).strip("_")[:150]
    path = folder / f"{name}.json"
    path.write_text(json.dumps(trace(recorded, nodeid), indent=1) + "\n")
    return path


def events(recorded: Recorder) -> dict[str, list[dict[str, Any]]]:
    """The run as plain data, for ``--json``: each span or mark of each side."""
    return {side: [{"row": s.row, "kind": s.kind, "start": s.start, "end": s.end}
                   for s in timeline.spans]
            for side, timeline in (("actual", recorded.actual), ("expected", recorded.expected))}

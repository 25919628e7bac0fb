"""The loop-time timeline (`specs.timeline`): golden charts at several widths, cancelled and
cleaned-up work, more rows than fit, ASCII for terminals without block characters, a valid
Trace Event Format file; and, end to end, a failing behaviour's message carries its chart."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from scripts import mistakes
from scripts.project import IMPOSTORS, KATAS, REFERENCE, run_specs
from specs import course
from specs.timeline import (
    CANCELLED,
    CLEANUP,
    FAILED,
    NOTHING,
    RETURNED,
    WAIT,
    Recorder,
    Span,
    Timeline,
    can_draw,
    first_difference,
    render,
    trace,
    write_trace,
)
from tests.conftest import SpecRun


def in_turn() -> tuple[Timeline, Timeline]:
    """Three one-second jobs awaited in turn, and the contract's: all three from 0 s."""
    actual, expected = Timeline(), Timeline()
    for i in range(3):
        actual.span(f"job{i}", i, i + 1)
        expected.span(f"job{i}", 0, 1)
    actual.span("caller", 0, 3, WAIT)
    actual.mark("caller", 3, RETURNED)
    expected.span("caller", 0, 1, WAIT)
    expected.mark("caller", 1, RETURNED)
    return actual, expected


def test_the_run_is_drawn_above_what_was_expected_with_the_first_difference() -> None:
    assert render(*in_turn(), width=60) == "\n".join([
        "loop time       0 s           1 s            2 s         3 s",
        "your code",
        "  job0          ██████████████",
        "  job1                        ███████████████",
        "  job2                                       ██████████████",
        "  caller        ···········································│",
        "expected",
        "  job0          ██████████████",
        "  job1          ██████████████",
        "  job2          ██████████████",
        "  caller        ··············│",
        "                ^ first difference, at 0 s",
        "  job1 running from 1.0 s, expected running from 0 s",
        "█ running  · waiting  │ returned"])


def test_cancelled_and_cleaned_up_work_in_ascii_on_a_narrow_screen() -> None:
    run = Timeline()
    run.span("job0", 0, 0.3)
    run.mark("job0", 0.3, CANCELLED)
    run.span("job0", 0.3, 0.5, CLEANUP)
    run.span("job1", 0, 0.2)
    run.mark("job1", 0.2, FAILED)
    assert render(run, width=40, plain=True) == "\n".join([
        "loop time       0 s                0.5 s",
        "your code",
        "  job0          ##############x========",
        "  job1          #########!",
        "# running  = cleaning up  x cancelled",
        "! failed"])


def test_a_row_expected_empty_differs_at_its_first_event() -> None:
    actual, expected = Timeline(), Timeline()
    actual.span("job0", 0, 1)
    actual.mark("job0", 1, FAILED)
    actual.span("job1", 1, 2)
    expected.span("job0", 0, 1)
    expected.mark("job0", 1, FAILED)
    expected.mark("job1", 0, NOTHING)
    assert first_difference(actual, expected) == (1, "job1 running from 1.0 s, expected nothing")
    drawn = render(actual, expected, width=60).splitlines()
    assert drawn[4:7] == ["expected", "  job0          ██████████████████████!", "  job1"]


def test_more_rows_than_fit_are_counted_and_long_names_lose_what_they_share() -> None:
    many = Timeline()
    for i in range(15):
        many.span(f"GET api.example.com/service/{i}", i * 0.1, i * 0.1 + 1)
    lines = render(many, width=50).splitlines()
    assert len(lines) == 2 + 11 + 2 and lines[-2] == "  … 4 more rows"
    assert lines[2] == "  /0            ██████████████"
    assert all(len(line) <= 50 for line in lines)
    alone = Timeline()
    alone.span("GET svc0.example.com/health", 0, 1)
    alone.span("caller", 0, 1, WAIT)
    assert render(alone).splitlines()[2].startswith("  …e.com/health █")


def test_every_width_keeps_every_line_inside_it() -> None:
    for width in (40, 60, 80, 120):
        for line in render(*in_turn(), width=width).splitlines():
            assert len(line) <= width, (width, line)


def test_a_terminal_without_block_characters_gets_ascii() -> None:
    assert can_draw("utf-8") and not can_draw("ascii") and not can_draw("cp1252")
    assert render(*in_turn(), plain=True).isascii()


def test_a_trace_file_is_in_the_trace_event_format(tmp_path: Path) -> None:
    actual, expected = in_turn()
    path = write_trace(Recorder(actual, expected), "katas/k/test_k.py::test_x[a b]", tmp_path)
    assert path.parent == tmp_path and path.suffix == ".json" and " " not in path.name
    events = json.loads(path.read_text())["traceEvents"]
    assert events == trace(Recorder(actual, expected), "katas/k/test_k.py::test_x[a b]")[
        "traceEvents"]
    slices = [e for e in events if e["ph"] == "X"]
    assert len(slices) == 8 and all({"name", "ph", "ts", "dur", "pid", "tid"} <= e.keys()
                                    for e in slices)
    assert {(e["tid"], e["ts"], e["dur"]) for e in slices if e["pid"] == 1} >= {
        (2, 1e6, 1e6), (3, 2e6, 1e6)}  # job1 from 1 s, job2 from 2 s, each for 1 s, in µs
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events if e["ph"] == "M"}
    assert names[(1, 1)] == "job0" and names[(2, 0)].startswith("expected")
    instants = [e for e in events if e["ph"] == "i"]
    assert all({"name", "ts", "pid", "tid", "s"} <= e.keys() for e in instants)


PROBE = """
    import asyncio

    async def in_turn(jobs):
        return [await job() for job in jobs]
"""

SPEC = """
    import asyncio
    from specs.checks import settle
    from specs.implementation import implementation
    from specs.messages import now
    from specs import timeline

    probe = implementation("kata99_probe", "probe")

    async def test_runs_them_together(jobs):
        '''runs the jobs together'''
        for i in range(3):
            timeline.expect(f"job{i}", 0, 1)
        await settle(probe.in_turn(jobs.many([1.0, 1.0, 1.0])))
        assert now() == 1.0, f"took {now()} s"

    async def test_runs_them(jobs):
        '''runs the jobs'''
        await settle(probe.in_turn(jobs.many([1.0, 1.0])))
"""


def test_a_failing_behaviour_shows_its_timeline_and_a_passing_one_on_request(
        run_spec: SpecRun, tmp_path: Path) -> None:
    traces = tmp_path / "traces"
    got = run_spec(PROBE, SPEC, "--timeline", "--traces", str(traces))
    failing = got["test_runs_them_together"]
    assert failing.status == "failed" and "took 3.0 s" in failing.message
    assert "\nyour code\n  job0 " in failing.message and "\nexpected\n" in failing.message
    assert "job1 running from 1.0 s, expected running from 0 s" in failing.message
    assert failing.events is not None and len(failing.events["expected"]) == 3
    passing = got["test_runs_them"]
    assert passing.status == "passed" and "your code" in passing.timeline
    written = sorted(p.name for p in traces.iterdir())
    assert len(written) == 2 and written[0].endswith("test_runs_them.json"), written
    assert written[1].endswith("test_runs_them_together.json"), written


def test_without_timeline_a_passing_behaviour_draws_nothing(run_spec: SpecRun) -> None:
    got = run_spec(PROBE, SPEC)
    assert got["test_runs_them"].status == "passed" and not got["test_runs_them"].timeline


# A typical mistake of each kata about timing: its run is drawn in some failure's message.
TIMED_MISTAKES = {
    "kata01_gather": "awaits_in_turn", "kata02_http": "one_after_another",
    "kata03_retry": "off_by_one_backoff", "kata04_timeouts": "grace_counts_from_the_start",
    "kata05_semaphore": "fixed_batches", "kata06_queue": "unbounded_queue",
    "kata07_ratelimit": "fixed_window", "kata08_sync": "calls_jobs_before_the_gate",
    "kata09_cleanup": "gather_not_group", "kata10_monitor": "drifting_schedule",
}


def test_every_kata_draws_the_timeline_of_a_timing_mistake(tmp_path: Path) -> None:
    """One run over every kata, each module replaced by a typical mistake of its own."""
    tree = tmp_path / "katas"
    shutil.copytree(REFERENCE, tree, ignore=shutil.ignore_patterns("__pycache__"))
    for kata in course.katas():
        made = mistakes.read(IMPOSTORS / kata.folder / f"{TIMED_MISTAKES[kata.folder]}.patch")
        (tree / kata.folder / f"{kata.module}.py").write_text(made.apply())
    behaviours = run_specs(tree, [KATAS / kata.folder for kata in course.katas()])
    drawn = {b.kata for b in behaviours if not b.passed and "\nyour code\n" in b.message}
    assert drawn == set(TIMED_MISTAKES), (
        f"no failure drew a timeline in {sorted(set(TIMED_MISTAKES) - drawn)}")


def test_what_a_spec_expects_is_what_the_reference_does() -> None:
    """Every timeline a spec states (`timeline.expect`) is the reference's run: a difference
    there would point a learner at a moment the contract does not pin."""
    behaviours = run_specs(REFERENCE, [KATAS / kata.folder for kata in course.katas()],
                           "--timeline")
    stated = [b for b in behaviours if b.events and b.events["expected"]]
    assert stated, "no spec states the timeline it expects"
    wrong = []
    for b in stated:
        actual, expected = (Timeline([Span(e["row"], e["kind"], e["start"], e["end"])
                                      for e in b.events[side]]) for side in ("actual", "expected"))
        differ = first_difference(actual, expected)
        if not b.passed or differ is not None:
            wrong.append(f"  {b.test}: {b.status}; {differ}")
    assert not wrong, "the reference departs from what these specs expect:\n" + "\n".join(wrong)

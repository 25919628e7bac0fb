"""The spec kit's pytest plugin: every kata spec runs through it (``-p specs.plugin``).

- ``--impl PATH`` picks the tree under test (`specs.implementation`);
- every async spec runs on looptime's virtual clock, under the probes of `specs.guard`;
- fixtures ``jobs`` (instrumented async jobs) and ``http_mock`` (mocked aiohttp);
- markers ``task(n, title)`` (groups behaviours for learners) and ``budget(seconds)``
  (the loop-time budget of one spec, default `specs.guard.DEFAULT_BUDGET_S`);
- ``--learner``: a short report of behaviours instead of tracebacks (`specs.report`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import inspect
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from specs import blame, course, guard, http, loopwatch, report, timeline, watchdog, workers
from specs.implementation import (
    DEFAULT_ROOT,
    ImplementationError,
    is_learner_file,
    select_root,
)
from specs.jobs import Jobs

RECORDED = pytest.StashKey[timeline.Recorder]()  # the behaviour's run, in loop time
LABEL = pytest.StashKey[str]()  # the behaviour's sentence (-k matches it; the watchdog names it)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("asyncio-katas")
    group.addoption("--impl", default=DEFAULT_ROOT, metavar="PATH",
                    help="tree of kata modules to test (default: katas, the learner's code)")
    group.addoption("--learner", action="store_true",
                    help="report behaviours and the next one to work on, without tracebacks")
    group.addoption("--all", action="store_true", dest="all_behaviours",
                    help="with --learner: every behaviour of every task, each case on its line "
                         "(by default only the current task's, the others a line each)")
    group.addoption("--timeline", action="store_true",
                    help="with --learner: the loop-time timeline of every behaviour that "
                         "recorded one, passing ones too (a failing one always shows it)")
    group.addoption("--traces", metavar="DIR", dest="trace_dir",
                    help="write each behaviour's run to DIR/<behaviour>.json, in the Trace "
                         "Event Format (open it in https://ui.perfetto.dev or chrome://tracing)")
    group.addoption("--json", metavar="PATH", dest="json_report",
                    help="write each behaviour's name, task, status and message to PATH")
    group.addoption("--isolate", action="store_true",
                    help="run each behaviour alone, in a process forked once the specs are "
                         "collected: verdicts that cannot depend on what else ran (slower)")
    group.addoption("--workers", type=workers.count, default=1, metavar="N",
                    help="run the spec files in N processes forked after collection; 'auto': "
                         "one per CPU (default 1; see specs/workers.py)")
    parser.addini("learner_hint", default="HINTS.md in the kata's folder",
                  help="where --learner sends a stuck learner; {number} and {folder} are the "
                       "kata's")
    parser.addini("learner_reset", default="python -m scripts reset {number}",
                  help="what --learner tells a learner whose kata module is missing to run; "
                       "{number} is the kata's")
    parser.addini("learner_all", default="pytest --learner --all",
                  help="what --learner tells a learner who wants every behaviour shown; "
                       "{number} is the kata's")
    parser.addini("learner_next", default="pytest katas/{folder} --learner",
                  help="what --learner tells a learner whose kata is green to run next")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "task(number): the kata task a behaviour belongs to "
                            "(its title is in course.toml)")
    config.addinivalue_line("markers", "budget(seconds): loop-time budget of one spec")
    config.addinivalue_line("markers", "looptime(enabled=True, **options): looptime's options "
                            "for the spec's loop; looptime(False) runs it in real time")
    config.addinivalue_line("markers", "unwatched: the watchdog leaves this test alone (tests "
                            "that wait on whole pytest runs in other processes)")
    try:
        select_root(config.getoption("impl"), base=Path(config.invocation_params.dir),
                    restore=str(config.getini("learner_reset")))
    except ImplementationError as error:
        raise pytest.UsageError(str(error)) from None
    json_path = config.getoption("json_report")
    if json_path:
        problem = report.unwritable(Path(config.invocation_params.dir) / json_path)
        if problem:
            raise pytest.UsageError(f"--json {json_path}: {problem}")
    config.stash[report.LOOP_TIME] = []
    guard.install()
    learner = config.getoption("learner")
    if learner:
        config.option.no_header = True  # the checklist comes first
        if config.option.tbstyle == "auto":  # --tb=... given by the learner is honoured
            config.option.tbstyle = "no"
        if config.option.verbose <= 0:  # with -v, pytest's own summary too
            config.option.reportchars = ""
    if learner or json_path:
        config.pluginmanager.register(
            report.LearnerReport(config, show=learner, json_path=json_path), "learner-report")
    _start_watchdog(config)


def _start_watchdog(config: pytest.Config, on_kill: workers.OnKill | None = None) -> None:
    """The session's watchdog (`specs.watchdog`); signals need the main thread. `on_kill`:
    its last words before it ends the process (default: the learner report's)."""
    if threading.current_thread() is not threading.main_thread():
        return
    learner_report = config.pluginmanager.get_plugin("learner-report")

    def last_words(nodeid: str, cause: str) -> None:
        capture = config.pluginmanager.get_plugin("capturemanager")
        if capture is not None:  # give the terminal back: the process ends next
            capture.suspend_global_capture(in_=True)
        if on_kill is not None:
            on_kill(nodeid, cause)
        elif isinstance(learner_report, report.LearnerReport):
            learner_report.ended(nodeid, cause)

    dog = watchdog.Watchdog(is_learner_file=is_learner_file, on_kill=last_words)
    watchdog.install(dog)
    dog.start()


def _stop_watchdog() -> None:
    dog = watchdog.current()
    if dog is not None:
        dog.stop()
        watchdog.install(None)


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> bool | None:
    """With ``--workers N``: the spec files shared between N processes (`specs.workers`);
    with ``--isolate``, each behaviour in a process of its own."""
    if session.config.getoption("isolate") and workers.can_fork(session) and session.items:
        workers.run_isolated(session, session.items, _stop_watchdog,
                             functools.partial(_start_watchdog, session.config))
        return True
    processes = workers.wanted(session)
    files = workers.spec_files(session.items) if processes > 1 else []
    if len(files) <= 1:
        return None
    workers.run(session, files, min(processes, len(files)), _stop_watchdog,
                functools.partial(_start_watchdog, session.config))
    return True


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:  # -k also matches the behaviour's sentence, as learners read it
        item.stash[LABEL] = report.describe(item).text
        item.extra_keyword_matches.add(item.stash[LABEL])


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is loaded by now (pytest, the libraries, the specs) lives as long as the session:
    the garbage collector's passes during the specs skip it (a third of their time)."""
    gc.freeze()


def pytest_unconfigure(config: pytest.Config) -> None:
    guard.uninstall()
    _stop_watchdog()


@contextlib.contextmanager
def _watched(item: pytest.Item, phase: str) -> Iterator[None]:
    """Arm the watchdog for one phase of `item`; stop the run once hangs cost too much."""
    dog = watchdog.current()
    if dog is None or item.get_closest_marker("unwatched"):
        yield
        return
    with dog.phase(item.stash.get(LABEL, item.name), phase, item.nodeid):
        yield
    if dog.stop_reason is not None and phase == "teardown" and not item.session.shouldstop:
        item.session.shouldstop = f"hangs cost the run {dog.lost_s:.1f} s of wall time"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    with _watched(item, "setup"):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    with _watched(item, "teardown"):
        result = yield
    _fail_on_leftovers(guard.leftovers(None))
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    recorded = item.stash[RECORDED] = timeline.Recorder()
    timeline.install(recorded)
    try:
        return (yield from _called(item))
    finally:
        timeline.install(None)


def _called(item: pytest.Item) -> Iterator[None]:
    with _watched(item, "call"):
        try:
            result = yield
        except (KeyboardInterrupt, SystemExit) as error:
            message = guard.exit_fault(error)
            if message is None:
                raise
            _fail_on_leftovers([message, *guard.leftovers(error)])
        except BaseException as error:  # the behaviour's own leftovers go with its failure
            for note in guard.leftovers(error):
                error.add_note(f"Also: {note}")
            raise
    _fail_on_leftovers(guard.leftovers(None))
    return result


def _fail_on_leftovers(notes: list[str]) -> None:
    """Fail the phase with `notes` (what `guard.leftovers` found), if any."""
    if notes:
        pytest.fail("\n".join(notes), pytrace=False)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run an async spec on a fresh loop of its own, under the probes of `specs.guard`."""
    test = pyfuncitem.obj
    if not inspect.iscoroutinefunction(test):
        return None
    marker = pyfuncitem.get_closest_marker("budget")
    budget = float(marker.args[0]) if marker else guard.DEFAULT_BUDGET_S
    kwargs = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    looped = pyfuncitem.config.stash[report.LOOP_TIME].append
    with asyncio.Runner(loop_factory=functools.partial(_new_loop, pyfuncitem)) as runner:
        runner.run(guard.run_guarded(test, kwargs, budget, looped))
    return True


def _new_loop(item: pytest.Item) -> asyncio.AbstractEventLoop:
    """The virtual clock, with the options of the spec's ``looptime`` markers; a real-time
    loop for ``looptime(False)`` (the markers as looptime's own plugin reads them)."""
    enabled = True
    options: dict[str, Any] = {}
    for marker in reversed(list(item.iter_markers("looptime"))):
        options.update(marker.kwargs)
        enabled = bool(marker.args[0]) if marker.args else enabled
    return loopwatch.virtual_loop(**options) if enabled else asyncio.new_event_loop()


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[report.WALL_START] = time.perf_counter()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The virtual time the session's kata specs simulated, against its wall time: only for a
    session of kata specs (the project's own tests, which wait on whole runs, have no say)."""
    folders = {kata.folder for kata in course.katas()}
    ran = (entry for entries in terminalreporter.stats.values() for entry in entries)
    specs_ran = any(Path(getattr(entry, "nodeid", "").split("::")[0]).parent.name in folders
                    for entry in ran)
    figures = report.session_figures(config)
    if specs_ran and figures["async_specs"] and not config.getoption("learner"):
        terminalreporter.write_line(
            f"virtual time: {figures['loop_s']:.1f} s of loop time simulated by "
            f"{figures['async_specs']} async specs in {figures['wall_s']:.2f} s of wall time")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    result = yield
    if call.excinfo is not None:
        result.learner_message = report.explain(call.excinfo)
        result.cause = blame.cause(call.excinfo.value)
        if result.cause == blame.SPEC:
            blame.record_crash(item.nodeid, result.learner_message)
    recorded = item.stash.get(RECORDED, None)
    if call.when == "call" and recorded is not None:
        _draw(item, result, recorded)
    return result


def _draw(item: pytest.Item, result: Any, recorded: timeline.Recorder) -> None:
    """A failure caused by the learner's code carries the timeline of its run (if the run
    recorded one worth drawing) in its message and its events for ``--json``; ``--timeline``
    draws passing runs too, ``--traces DIR`` writes each run as a trace file."""
    config = item.config
    trace_dir = config.getoption("trace_dir")
    if trace_dir and recorded.actual.spans:
        timeline.write_trace(recorded, item.nodeid, Path(config.invocation_params.dir, trace_dir))
    if not timeline.worth_drawing(recorded):
        return
    learners_fault = result.failed and getattr(result, "cause", "") in (blame.CHECK, blame.CODE)
    if not (learners_fault or (result.passed and config.getoption("timeline"))):
        return
    stream = sys.__stdout__
    chart = timeline.render(recorded.actual, recorded.expected, width=78,
                            plain=not timeline.can_draw(stream.encoding if stream else None))
    result.timeline = chart
    result.timeline_events = timeline.events(recorded)
    if learners_fault:
        result.learner_message = f"{result.learner_message}\n{chart}"


@pytest.fixture
def jobs() -> Jobs:
    """Instrumented async jobs: durations in loop time, peak concurrency, cancellations."""
    return Jobs()


@pytest.fixture
def http_mock() -> Iterator[http.MockHttp]:
    """Mocked aiohttp: register replies, latencies and failures per URL."""
    with http.mocked_http() as mock:
        yield mock


"""Share a session's spec files between forked processes (``--workers N``).

The parent collects once, then forks N-1 workers. Every process takes whole spec files,
most expensive first, from one queue, and runs them as pytest would. A worker writes each
report to a file of its own; once its own share is done, the parent replays the workers'
reports into its hooks. The terminal, the learner report, the JSON and the exit status are
then what one process would have given, in less wall time on several cores.

Implementation note: the queue is a pipe filled before the fork, one 4-byte file index per
read. A read of at most ``PIPE_BUF`` bytes is atomic, so no two processes take the same file,
and a process stops at end-of-file (the parent closed the write end before forking). Threads
do not survive a fork: the watchdog is stopped before it, and each process starts one of its
own. A worker leaves with ``os._exit``: the parent's session (its fixtures, its report, its
buffered output) is never finished twice. Workers need ``os.fork``: where it is missing, or
with ``-x``/``--maxfail``, the session runs in one process.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pickle
import signal
import struct
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any

import pytest

from specs import report

_INDEX = struct.Struct("<I")
_SIZE = struct.Struct("<Q")
HYPOTHESIS_WEIGHT = 10  # a property costs about as much as this many plain specs


def spec_files(items: list[pytest.Item]) -> list[list[pytest.Item]]:
    """The session's items by file, in collection order within each file, costliest first."""
    files: dict[str, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(str(item.path), []).append(item)
    return sorted(files.values(), key=lambda share: -sum(map(_weight, share)))


def _weight(item: pytest.Item) -> int:
    is_property = getattr(getattr(item, "obj", None), "is_hypothesis_test", False)
    return HYPOTHESIS_WEIGHT if is_property else 1


def count(value: str) -> int:
    """``--workers``: a number of processes from 1 up, or ``auto`` (one per usable CPU)."""
    if value == "auto":
        usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
        return len(usable) if usable else os.cpu_count() or 1
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a number of processes from 1 up, or "
                                         f"'auto'; got {value!r}")
    return number


def can_fork(session: pytest.Session) -> bool:
    """Whether this session may run its specs in forked processes: os.fork exists, and no
    ``--collect-only``, ``-x``/``--maxfail`` or failed collection says otherwise."""
    config = session.config
    return hasattr(os, "fork") and not (config.option.collectonly or config.option.maxfail
                                        or session.testsfailed)


def wanted(session: pytest.Session) -> int:
    """How many processes the options ask for this session (1: no workers)."""
    workers = int(session.config.getoption("workers") or 1)
    return workers if workers > 1 and can_fork(session) else 1


OnKill = Callable[[str, str], None]  # a watchdog's last words: (nodeid, cause)


def run(session: pytest.Session, files: list[list[pytest.Item]], processes: int,
        stop_watchdog: Callable[[], None],
        start_watchdog: Callable[[OnKill | None], None]) -> None:
    """Run the session's spec `files` in `processes` processes (this one included); the
    watchdog is stopped before the fork and started again in every process (`on_kill` for
    workers)."""
    take, fill = os.pipe()
    os.write(fill, b"".join(_INDEX.pack(index) for index in range(len(files))))
    os.close(fill)
    with contextlib.ExitStack() as opened:
        outputs = [opened.enter_context(tempfile.TemporaryFile())
                   for _ in range(processes - 1)]
        statuses: list[int] = []
        try:
            _fork_and_run(session, files, take, outputs, statuses, stop_watchdog,
                          start_watchdog)
        finally:  # whatever the workers reported before the run ended counts
            for output, status in zip(outputs, statuses, strict=False):
                _replay(session, output, status)
    _stop_if_asked(session)


def _stop_if_asked(session: pytest.Session) -> None:
    """End the session's loop as pytest's own does when a spec asked it to stop or fail."""
    if session.shouldfail:
        raise session.Failed(session.shouldfail)
    if session.shouldstop:
        raise session.Interrupted(session.shouldstop)


def _ready_to_fork(session: pytest.Session, stop_watchdog: Callable[[], None]) -> None:
    """No thread may be mid-way through a lock at a fork: the watchdog stops; the terminal
    is given back by the capture."""
    stop_watchdog()
    capture = session.config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        capture.suspend_global_capture(in_=True)


def _fork_worker(session: pytest.Session, files: list[list[pytest.Item]], take: int,
                 output: IO[bytes], start_watchdog: Callable[[OnKill | None], None]) -> int:
    """Fork a worker that runs the files it takes from `take`, writing to `output`; its pid,
    once it has capture files of its own (none are shared with this process then)."""
    sys.stdout.flush()
    sys.stderr.flush()
    ready, say_ready = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready)
        _work(session, files, take, output, start_watchdog, say_ready)  # no return
    os.close(say_ready)
    os.read(ready, 1)
    os.close(ready)
    return pid


def run_isolated(session: pytest.Session, items: list[pytest.Item],
                 stop_watchdog: Callable[[], None],
                 start_watchdog: Callable[[OnKill | None], None]) -> None:
    """Run each of `items` alone, in a process forked from this one once it has collected
    (``--isolate``): no behaviour's verdict can depend on what another left behind. One at a
    time, each reporting as a worker does."""
    _ready_to_fork(session, stop_watchdog)
    for item in items:
        take, fill = os.pipe()
        os.write(fill, _INDEX.pack(0))
        os.close(fill)
        with tempfile.TemporaryFile() as output:
            pid = _fork_worker(session, [[item]], take, output, start_watchdog)
            os.close(take)
            try:
                status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
            except BaseException:  # a Ctrl-C: the child goes too
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                raise
            _replay(session, output, status)
        _stop_if_asked(session)


def _fork_and_run(session: pytest.Session, files: list[list[pytest.Item]], take: int,
                  outputs: Sequence[IO[bytes]], statuses: list[int],
                  stop_watchdog: Callable[[], None],
                  start_watchdog: Callable[[OnKill | None], None]) -> None:
    """Fork a worker per output, run this process's share, wait for the workers (their
    exit statuses go to `statuses`)."""
    _ready_to_fork(session, stop_watchdog)
    children: list[int] = []
    try:
        for output in outputs:
            children.append(_fork_worker(session, files, take, output, start_watchdog))
        start_watchdog(None)
        _run_files(session, files, take)
    except BaseException:  # a Ctrl-C, or this process's share stopped the run: so do they
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        raise
    finally:
        os.close(take)
        for pid in children:
            statuses.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))


def _run_files(session: pytest.Session, files: list[list[pytest.Item]], take: int) -> None:
    """Run every file this process takes from the queue, as pytest's own loop runs items."""
    while len(chunk := os.read(take, _INDEX.size)) == _INDEX.size:
        share = files[_INDEX.unpack(chunk)[0]]
        for position, item in enumerate(share):
            following = share[position + 1] if position + 1 < len(share) else None
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
            _stop_if_asked(session)


def _work(session: pytest.Session, files: list[list[pytest.Item]], take: int,
          output: IO[bytes], start_watchdog: Callable[[OnKill | None], None],
          say_ready: int) -> None:
    """A worker: run the files it takes, write every report to `output`, leave."""
    config = session.config
    send = _sender(output)
    code, broke = 0, None
    looped = config.stash[report.LOOP_TIME]
    inherited = len(looped)  # what the parent had run before the fork is its own to report
    try:
        capture = config.pluginmanager.getplugin("capturemanager")
        if capture is not None:  # the parent's capture files and their offsets are shared
            capture.stop_global_capturing()
            capture.start_global_capturing()
            capture.suspend_global_capture(in_=True)
        os.write(say_ready, b".")
        os.close(say_ready)
        config.pluginmanager.unregister(name="terminalreporter")  # the parent shows it all
        config.pluginmanager.register(_Forward(config, send), "workers-forward")
        start_watchdog(lambda nodeid, cause: send(("ended", nodeid, cause)))
        _run_files(session, files, take)
    except (session.Failed, session.Interrupted):
        pass
    except BaseException as error:  # a Ctrl-C, or the kit itself broke: the run fails
        code, broke = 1, f"a worker process stopped on {error!r}"
    finally:
        with contextlib.suppress(BaseException):
            send(("figures", looped[inherited:],
                  session.shouldfail or broke, session.shouldstop))
        os._exit(code)


def _sender(output: IO[bytes]) -> Callable[[Any], None]:
    def send(record: Any) -> None:
        data = pickle.dumps(record)
        view = memoryview(_SIZE.pack(len(data)) + data)
        while view:
            view = view[os.write(output.fileno(), view):]
    return send


def _records(output: IO[bytes]) -> Iterator[Any]:
    output.seek(0)
    while len(head := output.read(_SIZE.size)) == _SIZE.size:
        data = output.read(_SIZE.unpack(head)[0])
        try:
            yield pickle.loads(data)
        except Exception:  # a record cut short: the worker was ended while writing it
            return


class _Forward:
    """A worker's plugin: each report, as pytest serialises reports between processes."""

    def __init__(self, config: pytest.Config, send: Callable[[Any], None]) -> None:
        self.config = config
        self.send = send

    def pytest_runtest_logstart(self, nodeid: str, location: tuple[str, int | None, str]
                                ) -> None:
        self.send(("logstart", nodeid, location))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = self.config.hook.pytest_report_to_serializable(config=self.config,
                                                              report=report)
        try:
            self.send(("report", data))
        except Exception:  # something in it does not pickle: keep the outcome and the text
            data = {key: value if key != "longrepr" else str(report.longrepr)
                    for key, value in data.items() if _pickles(value)}
            self.send(("report", data))

    def pytest_runtest_logfinish(self, nodeid: str, location: tuple[str, int | None, str]
                                 ) -> None:
        self.send(("logfinish", nodeid, location))


def _pickles(value: Any) -> bool:
    try:
        pickle.dumps(value)
    except Exception:
        return False
    return True


def _replay(session: pytest.Session, output: IO[bytes], status: int) -> None:
    """A worker's records, into this process's hooks as if its specs had run here. A worker
    that left without its last record (something ended it: `status`) fails the run."""
    config = session.config
    hook = config.hook
    finished = False
    for record in _records(output):
        finished = finished or record[0] in ("ended", "figures")
        kind, *rest = record
        if kind == "logstart":
            hook.pytest_runtest_logstart(nodeid=rest[0], location=rest[1])
        elif kind == "logfinish":
            hook.pytest_runtest_logfinish(nodeid=rest[0], location=rest[1])
        elif kind == "report":
            hook.pytest_runtest_logreport(
                report=hook.pytest_report_from_serializable(config=config, data=rest[0]))
        elif kind == "ended":  # the worker's watchdog ended it: as one process would be
            nodeid, cause = rest
            hook.pytest_runtest_logreport(report=pytest.TestReport(
                nodeid, ("", None, nodeid), {}, "failed", cause, "call",
                learner_message=cause))
            session.shouldstop = session.shouldstop or f"a worker was ended: {cause}"
        elif kind == "figures":
            loop_times, failed, stopped = rest
            config.stash[report.LOOP_TIME].extend(loop_times)
            session.shouldfail = session.shouldfail or failed
            session.shouldstop = session.shouldstop or stopped
    if not finished:
        session.shouldfail = session.shouldfail or (
            f"a worker process ended (exit status {status}) before it reported all its specs")

"""A watchdog thread that ends a spec the event loop cannot end itself.

Virtual time finds deadlocks and livelocks inside the loop, but code that
never gives the loop control back (a CPU spin, a ``threading.Lock`` held
across an ``await``, a blocking socket) freezes the loop's only thread. This
watchdog runs beside it, for the whole test session:

- every phase of a spec (setup, call, teardown) is armed: a phase whose loop
  has not completed an iteration for `FIRST_LIMIT_S` is interrupted with a
  signal sent to the main thread, whose handler raises `Hung` there. A signal
  ends a blocking C call too (``lock.acquire()``, ``sock.recv()``); a phase that
  blocks again (a teardown, say) is interrupted again;
- the cause is named from the main thread's stack and its CPU clock: a thread
  asleep in a C call is *blocked* (and a threading lock or event is named as
  such), one burning CPU is a *spin* that never awaits;
- a loop that keeps iterating but never ends the phase (a poll that wakes every
  microsecond) is *busy*: the spec is cancelled through the loop itself;
- fail fast by cause: once a freeze has been seen in a run, the next one in
  the learner's module is cut after `REPEAT_LIMIT_S`; once hangs have cost the
  run `RUN_LIMIT_S`, the behaviours left are not run (`stop_reason`);
- a phase that refuses `STRIKES` interrupts (a C call that ignores signals,
  code that catches `Hung`) ends the process: the last net, reported first;
- a real Ctrl-C (SIGINT) ends the process at once with one line, `STOPPED`, and exit
  status 130: no traceback, no report, nothing slow enough for tox to escalate to SIGTERM.
  A KeyboardInterrupt that learner code raises itself is no signal: it fails the behaviour.

Implementation note: a Python signal handler runs in the main thread between
bytecodes, or when a blocking call returns EINTR; ``threading.Lock.acquire``
and socket calls retry after running handlers unless one raises, so raising
`Hung` from the handler is what unblocks them. The CPU clock of the main
thread (``time.pthread_getcpuclockid``) tells a busy thread from a sleeping
one; where it is missing, an unchanged innermost frame is taken as blocked.
"""

from __future__ import annotations

import contextlib
import dis
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from specs.messages import callers, place

FIRST_LIMIT_S = 1.0  # the loop may stay frozen this long before the first hang of a run
REPEAT_LIMIT_S = 0.1  # ... and this long once a freeze has been seen in the run
AGAIN_S = 0.02  # ... and this long in a phase already interrupted (the next blocked task)
BUSY_LIMIT_S = 3.0  # wall time a phase may take while its loop keeps iterating
REPEAT_BUSY_S = 1.0  # ... once a busy phase has been seen in the run
ESCALATE_S = 1.0  # a phase still running this long after its loop was asked to end it
RUN_LIMIT_S = 5.0  # wall time a run may lose to hangs before the rest is not run
TICK_S = 0.01
SAMPLE_AFTER_S = 0.04  # stack and CPU samples are taken once the loop is frozen this long
STRIKES = 5  # interrupts refused in one phase before the process is ended
EXIT_CODE = 3
STOPPED = "stopped (Ctrl-C)"  # all a learner sees of a Ctrl-C
STOPPED_CODE = 130  # 128 + SIGINT: what a shell reports for a program Ctrl-C ended
_HOME = os.getpid()  # the process that imported the kit; a process forked from it stops quietly

THREADING_PRIMITIVES = {"Lock", "RLock", "Semaphore", "BoundedSemaphore", "Event",
                        "Condition", "Barrier", "Queue"}
BLOCKED = (
    "the event loop was blocked for {seconds:.1f} s of wall time: {where} waits outside "
    "asyncio ({what}), so no other task could run. Await an asyncio equivalent instead"
)
BLOCKED_THREADING = (
    "the event loop was blocked for {seconds:.1f} s of wall time: {where} waits on a "
    "threading.{kind}. asyncio code must use asyncio.{kind}; a threading.{kind} blocks the "
    "event loop's only thread, so the task that would release it can never run"
)
SPIN = (
    "the event loop never got control back for {seconds:.1f} s of wall time: {where} runs "
    "without awaiting (a loop that never awaits, a busy wait). Every loop that waits for "
    "something must `await` inside it"
)
BUSY = (
    "still busy after {seconds:.1f} s of wall time: your code wakes up far too often (a "
    "polling loop with tiny sleeps?). Wait for the event itself (an asyncio.Event, a Future, "
    "a Condition) or sleep exactly until it is due")
AT_IMPORT = (
    "importing your module did not finish in {seconds:.1f} s of wall time: {where} runs when "
    "the module is imported (code at module level) and never ends. Keep module level to "
    "definitions; try your code from a test or a demo instead"
)
SAME_CAUSE = " (cut short: {first} froze the loop the same way)"
KILLED = (
    "\nasyncio-katas: the run was ended in {phase} of {test}: {cause}\n"
    "Your code did not stop after {strikes} interrupts (it catches them, or waits in a call "
    "that ignores signals), so the whole run had to be ended.\n"
)


_current: Watchdog | None = None


def current() -> Watchdog | None:
    """The session's watchdog, if one is running."""
    return _current


def install(watchdog: Watchdog | None) -> None:
    """Make `watchdog` the session's (None: none)."""
    global _current
    _current = watchdog


class Hung(BaseException):
    """Raised in the main thread by the watchdog's signal: a phase hung. Its text is the cause.

    A BaseException, like KeyboardInterrupt, so that ``except Exception`` in learner code
    does not swallow it.
    """


@dataclass
class _Phase:
    test: str  # the behaviour, as the learner reads it
    name: str  # setup, call or teardown
    nodeid: str
    start: float
    on_hang: Callable[[str], None] | None = None  # ends the spec from inside its loop
    fired: bool = False
    last_fire: float = 0.0
    refused: int = 0  # interrupts in a row after which the same frame was still stuck
    stuck_at: tuple[int, int] = (0, 0)  # the innermost frame (id, instruction) at the last fire
    message: str | None = None  # the cause found first
    patient_until: float = 0.0  # no firing before this (an import of the learner's module)
    busy_from: float = 0.0  # the busy limit counts from here (the phase start, or progress)


@dataclass
class _Cause:
    kind: str  # "blocked", "spin" or "import"
    module: str | None  # the learner's file the main thread was in
    test: str = ""


@dataclass
class Watchdog:
    """One per test session: `phase()` arms it, `beat()` (each loop iteration) feeds it."""

    is_learner_file: Callable[[str], bool]
    on_kill: Callable[[str, str], None] | None = None  # (nodeid, cause): last words before exit
    causes: list[_Cause] = field(default_factory=list)
    lost_s: float = 0.0  # wall time lost to hangs in this run
    stop_reason: str | None = None  # set once the run has lost RUN_LIMIT_S
    user_interrupted: bool = False  # a real Ctrl-C (SIGINT), not learner code's own raise
    busy_limit_s: float | None = BUSY_LIMIT_S  # None: a phase may run as long as it beats
    stop_on_interrupt: bool = True  # a real Ctrl-C ends the process (`stop_now`)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._phase: _Phase | None = None
        self._beat = 0.0
        self._busy_seen = False
        self._pending: str | None = None
        self._stopping = threading.Event()
        self._main = threading.main_thread().ident or 0
        self._thread = threading.Thread(target=self._watch, name="spec-watchdog", daemon=True)
        self._cpu_clock = _cpu_clock(self._main)
        self._state = _thread_state(threading.main_thread().native_id)
        self._samples: list[tuple[float, float, int, int]] = []
        self._terminal: int | None = None  # the output the learner sees, whatever capture does
        self._previous: dict[int, Any] = {}

    # --- the main thread's side -------------------------------------------------------------

    def start(self) -> None:
        """Install the signal handlers (main thread only) and start watching."""
        with contextlib.suppress(OSError):
            self._terminal = os.dup(1)
        for signum in _signals():
            self._previous[signum] = signal.signal(signum, self._on_signal)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=1.0)
        for signum in _signals():
            previous = self._previous.pop(signum, None)
            signal.signal(signum, previous if previous is not None else signal.SIG_DFL)
        if self._terminal is not None:
            with contextlib.suppress(OSError):
                os.close(self._terminal)
            self._terminal = None

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        with self._lock:
            cause, self._pending = self._pending, None
        if cause is not None:
            raise Hung(cause)
        if signum == signal.SIGINT:
            self.user_interrupted = True
            if self.stop_on_interrupt:
                stop_now(self._terminal)
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def phase(self, test: str, name: str, nodeid: str = "") -> Iterator[None]:
        """Watch one phase of one spec (`test` as the learner reads it)."""
        with self._lock:
            started = time.perf_counter()
            self._phase = _Phase(test, name, nodeid, started, busy_from=started)
            self._samples.clear()
        try:
            yield
        finally:
            with self._lock:
                finished, self._phase, self._pending = self._phase, None, None
            if finished is not None and finished.fired:
                self.lost_s += time.perf_counter() - finished.start

    def on_hang(self, callback: Callable[[str], None] | None) -> None:
        """How the current phase is ended from inside its loop (thread-safe); None to detach."""
        with self._lock:
            if self._phase is not None:
                self._phase.on_hang = callback

    @contextlib.contextmanager
    def patience(self, seconds: float) -> Iterator[None]:
        """Let the current phase freeze for up to `seconds` inside the block (an import may
        take longer than a loop iteration ever should); it is still ended after that."""
        with self._lock:
            phase = self._phase
            if phase is not None:
                phase.patient_until = time.perf_counter() + seconds
        try:
            yield
        finally:
            if phase is not None:
                phase.patient_until = 0.0
            self.beat()

    def progress(self) -> None:
        """The phase made progress (a property's next example): its busy clock restarts."""
        phase = self._phase
        if phase is not None:
            phase.busy_from = time.perf_counter()

    def cause(self) -> str | None:
        """What the watchdog found in the current phase, if it fired."""
        with self._lock:
            return self._phase.message if self._phase is not None else None

    def beat(self) -> None:
        """The loop completed an iteration: the main thread is not frozen."""
        self._beat = time.perf_counter()

    # --- the watchdog thread ------------------------------------------------------------------

    def _watch(self) -> None:
        while not self._stopping.wait(TICK_S):
            with self._lock:
                phase = self._phase
            if phase is not None:
                try:
                    self._check(phase)
                except Exception as error:  # never let the watchdog die silently
                    print(f"spec-watchdog: {error!r}", file=sys.stderr)

    def _check(self, phase: _Phase) -> None:
        now = time.perf_counter()
        if now < phase.patient_until:
            return
        frozen = now - max(phase.start, self._beat, phase.last_fire)
        if frozen >= SAMPLE_AFTER_S or phase.fired:
            self._sample(now)
        else:  # the usual case: the loop is turning, nothing to look at
            self._samples.clear()
        if phase.fired:  # interrupted already, and still in the same phase
            if frozen >= AGAIN_S or now - phase.last_fire >= ESCALATE_S:
                self._fire(phase, now, self._diagnose(frozen), interrupt=True)
            return
        if frozen >= REPEAT_LIMIT_S and self.causes:
            diagnosis = self._diagnose(frozen)
            if diagnosis is not None and self._earlier(diagnosis[1]) is not None:
                self._fire(phase, now, diagnosis, interrupt=True)
                return
        if frozen >= FIRST_LIMIT_S and not self._starved():
            self._fire(phase, now, self._diagnose(frozen), interrupt=True)
        elif self.busy_limit_s is not None and now - phase.busy_from >= (
                REPEAT_BUSY_S if self._busy_seen else self.busy_limit_s):
            self._busy_seen = True
            message = BUSY.format(seconds=now - phase.busy_from)
            self._fire(phase, now, (message, None), interrupt=phase.on_hang is None)

    def _earlier(self, cause: _Cause | None) -> _Cause | None:
        if cause is None:
            return None
        return next((c for c in self.causes
                     if c.kind == cause.kind and c.module == cause.module), None)

    def _fire(self, phase: _Phase, now: float, diagnosis: tuple[str, _Cause | None] | None,
              *, interrupt: bool) -> None:
        message, cause = diagnosis or (SPIN.format(seconds=now - phase.start,
                                                   where="your code"), None)
        first = not phase.fired
        if not phase.fired and cause is not None:
            earlier = self._earlier(cause)
            if earlier is not None and earlier.test != phase.test:
                message += SAME_CAUSE.format(first=earlier.test)
            cause.test = phase.test
            self.causes.append(cause)
        stuck_at = self._innermost()
        still = phase.fired and self._beat <= phase.last_fire and stuck_at == phase.stuck_at
        phase.refused, phase.stuck_at = (phase.refused + 1 if still else 0), stuck_at
        phase.message = phase.message or message
        phase.fired, phase.last_fire = True, now
        if phase.refused > STRIKES:
            self._kill(phase, phase.message)
        if self.stop_reason is None and self.lost_s + now - phase.start >= RUN_LIMIT_S:
            self.stop_reason = message
        if phase.on_hang is not None and first:
            phase.on_hang(message)
        if interrupt:
            with self._lock:
                self._pending = message
            _interrupt(self._main)

    def _kill(self, phase: _Phase, message: str) -> None:
        if self.on_kill is not None:
            with contextlib.suppress(Exception):
                self.on_kill(phase.nodeid, message)
        sys.stderr.write(KILLED.format(phase=phase.name, test=phase.test, cause=message,
                                       strikes=STRIKES))
        sys.stderr.flush()
        os._exit(EXIT_CODE)

    def _innermost(self) -> tuple[int, int]:
        frame = sys._current_frames().get(self._main)
        return (id(frame), frame.f_lasti) if frame is not None else (0, 0)

    def _sample(self, now: float) -> None:
        frame = sys._current_frames().get(self._main)
        cpu = self._cpu_clock() if self._cpu_clock else 0.0
        where = (id(frame.f_code), frame.f_lasti) if frame is not None else (0, 0)
        self._samples.append((now, cpu, *where))
        del self._samples[:-8]

    def _diagnose(self, frozen: float) -> tuple[str, _Cause | None] | None:
        """What the frozen main thread is doing, in a learner's words, and its kind."""
        frame = sys._current_frames().get(self._main)
        if frame is None:
            return None
        stack = list(callers(frame))
        learner = next((f for f in stack if self.is_learner_file(f.f_code.co_filename)), None)
        where = place(learner or stack[0], source=True)
        module = learner.f_code.co_filename if learner else None
        if learner is not None and learner.f_code.co_name == "<module>":
            return AT_IMPORT.format(seconds=frozen, where=where), _Cause("import", module)
        if self._spinning():
            return SPIN.format(seconds=frozen, where=where), _Cause("spin", module)
        cause = _Cause("blocked", module)
        kind = _threading_kind(stack)
        if kind is not None:
            return BLOCKED_THREADING.format(seconds=frozen, where=where, kind=kind), cause
        return BLOCKED.format(seconds=frozen, where=where, what=_waits_in(stack[0])), cause

    def _starved(self) -> bool:
        """The main thread is runnable but got little CPU (a machine busy with other work):
        not a hang, whatever the wall clock says. Known only where /proc tells thread states."""
        if self._cpu_clock is None or len(self._samples) < 2 or self._state is None:
            return False
        state = self._state()
        return state == "R" and not self._spinning()

    def _spinning(self) -> bool:
        """Whether the main thread burned CPU over the last samples (else it sleeps in a call)."""
        if len(self._samples) < 2:
            return True
        (t0, cpu0, code0, at0), (t1, cpu1, code1, at1) = self._samples[0], self._samples[-1]
        if self._cpu_clock is not None:
            return (cpu1 - cpu0) > 0.3 * (t1 - t0)
        return (code0, at0) != (code1, at1)


def stop_now(terminal: int | None = None) -> NoReturn:
    """End the process after a real Ctrl-C: `STOPPED` on the `terminal` (a file descriptor;
    standard output by default) and exit status `STOPPED_CODE`. A process forked from the
    one that imported the kit (a worker, a watch run) leaves without a word: the process the
    learner started speaks for it. Nothing is cleaned up that could take time: a kata run
    writes no file of the learner's, and a second Ctrl-C (tox forwards one) is ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if os.getpid() == _HOME:
        for stream in (sys.__stdout__, sys.__stderr__):  # what was printed comes first
            with contextlib.suppress(Exception):
                if stream is not None:
                    stream.flush()
        with contextlib.suppress(OSError):
            os.write(1 if terminal is None else terminal, f"\n{STOPPED}\n".encode())
    os._exit(STOPPED_CODE)


def _signals() -> list[int]:
    extra = [signal.SIGUSR1] if hasattr(signal, "SIGUSR1") else []
    return [signal.SIGINT, *extra]


def _interrupt(thread_id: int) -> None:
    """Run the signal handler in the main thread, ending a blocking call there."""
    if hasattr(signal, "pthread_kill") and hasattr(signal, "SIGUSR1"):
        signal.pthread_kill(thread_id, signal.SIGUSR1)
    else:  # Windows: no real signal, but the handler still runs between bytecodes
        import _thread
        _thread.interrupt_main(signal.SIGINT)


def _cpu_clock(thread_id: int) -> Callable[[], float] | None:
    try:
        clock = time.pthread_getcpuclockid(thread_id)
        time.clock_gettime(clock)
    except (AttributeError, OSError):
        return None
    return lambda: time.clock_gettime(clock)


def _thread_state(native_id: int | None) -> Callable[[], str] | None:
    """Reads a thread's scheduler state (R running or runnable, S sleeping, ...), on Linux."""
    path = Path(f"/proc/self/task/{native_id}/stat")
    if native_id is None or not path.exists():
        return None

    def state() -> str:
        try:
            return path.read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return "?"

    return state


def _threading_kind(stack: list[FrameType]) -> str | None:
    """The threading primitive the innermost frames wait on, if any."""
    innermost = stack[0]
    kind = None
    for frame in stack:  # the outermost threading frame is the one the code called
        if Path(frame.f_code.co_filename).name not in ("threading.py", "queue.py"):
            break
        owner = getattr(frame.f_code, "co_qualname", "").split(".")[0]
        kind = owner if owner in THREADING_PRIMITIVES else kind or "Lock"
    if kind is not None:
        return kind
    if _current_instruction(innermost) in ("BEFORE_WITH", "SETUP_WITH") or \
            _called_name(innermost) == "acquire":
        return "Lock"
    return None


def _waits_in(frame: FrameType) -> str:
    name = _called_name(frame)
    return f"a call to {name}()" if name else "a blocking call"


def _current_instruction(frame: FrameType) -> str | None:
    for instruction in dis.get_instructions(frame.f_code):
        if instruction.offset == frame.f_lasti:
            return instruction.opname
    return None


def _called_name(frame: FrameType) -> str | None:
    """The name of the function the frame is calling now (``acquire``, ``recv``), if known."""
    name = None
    for instruction in dis.get_instructions(frame.f_code):
        if instruction.offset > frame.f_lasti:
            break
        if instruction.opname in ("LOAD_METHOD", "LOAD_ATTR", "LOAD_GLOBAL", "LOAD_NAME"):
            name = str(instruction.argval)
    return name


def _stop(signum: int, frame: FrameType | None) -> None:
    stop_now()


# From the kit's import on (a pytest start-up: plugins, the specs' libraries, collection), a
# Ctrl-C stops the process as the watchdog does; a program that handles SIGINT itself keeps it.
if (threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
    signal.signal(signal.SIGINT, _stop)

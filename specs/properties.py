"""Property-based behaviours on the virtual clock, with Hypothesis.

A property is a plain (sync) spec decorated with ``@given``; each example runs
its scenario with `run_virtual`, on a fresh looptime loop under every probe of
`specs.guard`, so a drawn duration of 0.333 s costs no wall time and an example
that deadlocks or spins fails like any spec. Hypothesis shrinks a failing
example, so the learner reads the smallest scenario that breaks the contract,
in the assertion's own words.

Runs are deterministic (one fixed seed: ``--hypothesis-seed=0`` in pyproject.toml),
write no example database into the repository, and draw few examples (the whole
reference suite must stay fast).
Strategies for what the contracts quantify over live here too.
"""

from __future__ import annotations

import asyncio
import functools
import tempfile
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from specs import guard, loopwatch, timeline, watchdog
from specs.implementation import ImplementationError, NotReady

T = TypeVar("T")

# Hypothesis keeps constants and patch files in a folder of its own: outside the repository.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "asyncio-katas-hypothesis")
PROFILE = "asyncio-katas"
# No "explain" phase: it traces every line of a failing example (slow enough, under load, to
# look like a hang), and the learner reads the assertion's words, not a trace.
PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink)
settings.register_profile(
    PROFILE, derandomize=False, database=None, deadline=None, max_examples=40,
    print_blob=False, suppress_health_check=[HealthCheck.too_slow], phases=PHASES,
    report_multiple_bugs=False)  # one failing example, the last run: its timeline is drawn
settings.load_profile(PROFILE)  # specs that draw examples import this module


def run_virtual(main: Callable[[], Awaitable[T]], *,
                budget: float = guard.DEFAULT_BUDGET_S) -> T:
    """Run `main()` on a fresh event loop with a virtual clock starting at 0, under the probes.

    Returns what `main()` returned; a fault (a deadlock, a spin, a leaked task) fails the
    example with the probe's message, as it fails an async spec.
    """
    results: list[T] = []
    dog = watchdog.current()
    if dog is not None:
        dog.progress()  # each example is progress: shrinking many of them is no hang

    recorded = timeline.recorder()
    if recorded is not None:
        recorded.reset()  # the timeline shown is the last example's: the shrunk failure

    async def body() -> None:
        results.append(await main())

    try:
        with asyncio.Runner(loop_factory=loopwatch.virtual_loop) as runner:
            runner.run(guard.run_guarded(body, {}, budget))
    except (NotImplementedError, ImplementationError) as error:
        raise NotReady(error) from error  # every example would fail the same way: no shrinking
    return results[0]


# --- strategies -----------------------------------------------------------------------------

def durations(low: float = 0.001, high: float = 5.0) -> st.SearchStrategy[float]:
    """Seconds off any grid (whole milliseconds, so looptime's microsecond clock is exact)."""
    return st.integers(round(low * 1000), round(high * 1000)).map(lambda ms: ms / 1000)


class _CallableJob:
    """An object with ``__call__``: a job that is not a function."""

    def __init__(self, job: Callable[[], Awaitable[Any]]) -> None:
        self._job = job

    def __call__(self) -> Awaitable[Any]:
        return self._job()

    def __repr__(self) -> str:
        return "<callable object>"


def _call(job: Callable[[], Awaitable[Any]]) -> Awaitable[Any]:
    return job()


# Ways to hand over a zero-argument async callable that are not an ``async def``.
CALLABLE_STYLES: dict[str, Callable[[Callable[[], Awaitable[Any]]], Callable[[], Any]]] = {
    "function": lambda job: job,
    "partial": lambda job: functools.partial(_call, job),
    "callable object": _CallableJob,
}


def callable_styles() -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(CALLABLE_STYLES))


def iterable_shapes() -> st.SearchStrategy[str]:
    """list, tuple, or a one-pass generator."""
    return st.sampled_from(["list", "tuple", "generator"])


def shaped(items: list[T], shape: str) -> Iterable[T]:
    """`items` as the drawn `shape`: a generator can be iterated once only."""
    if shape == "tuple":
        return tuple(items)
    if shape == "generator":
        return (item for item in items)
    return list(items)

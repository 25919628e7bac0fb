"""`specs.loopwatch` on looptime's loop: spins at one instant are reported, rounding is nudged."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import looptime
import pytest

from specs.loopwatch import SPIN_ITERATIONS, LoopWatch

pytestmark = pytest.mark.unwatched  # these tests drive loops of their own


def run(main: Callable[[], Awaitable[Any]], spins: list[str] | None = None,
        start: float = 100.0) -> tuple[LoopWatch, list[str], Any]:
    """Run `main()` on a fresh looptime loop under a LoopWatch that cancels what spins;
    `spins` collects its reports."""
    loop = looptime.new_event_loop(start=start)
    spins = [] if spins is None else spins

    def on_spin(message: str, tasks: list[asyncio.Task[Any]]) -> None:
        spins.append(message)
        for task in tasks:
            task.cancel()

    watch = LoopWatch(loop, beat=lambda: None, on_spin=on_spin,
                      is_learner_file=lambda path: path == __file__)
    try:
        result = loop.run_until_complete(asyncio.wait_for(main(), timeout=50))
    except asyncio.CancelledError:
        result = "cancelled"
    finally:
        loop.close()
    return watch, spins, result


def test_a_timer_at_the_current_instant_moves_the_clock_by_one_tick() -> None:
    """What aiolimiter does: float arithmetic leaves 1e-16 to drain, so the wake-up lands on
    the current instant again and again; a real clock would move, so this one moves 1 µs."""
    async def drain() -> float:
        loop = asyncio.get_running_loop()
        level, last, done = 1e-12, loop.time(), loop.create_future()

        def wake() -> None:
            nonlocal level, last
            now = loop.time()
            level, last = max(level - (now - last) * 1e-3, 0.0), now
            if level <= 0:
                done.set_result(now)
            else:
                loop.call_at(last + level * 1e-16, wake)  # "now", in floats

        wake()
        return await done

    watch, spins, finished = run(drain)
    assert not spins and watch.nudges >= 1
    assert 100.0 < finished <= 100.0 + 2e-6 * watch.nudges


def test_a_recheck_until_a_deadline_moves_the_clock_past_the_rounding() -> None:
    """``while deadline > now: await sleep(deadline - now)`` is right on a real loop; when
    the rest is 2e-16 s, asyncio fires the timer at once and the clock would never move."""
    async def until_deadline() -> float:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(0.644)
        deadline = loop.time() + 1.0  # 1.6440000000000001: above 1.644 by less than a tick
        while deadline > loop.time():  # noqa: ASYNC110 (a re-check loop, on purpose)
            await asyncio.sleep(deadline - loop.time())
        return loop.time()

    watch, spins, finished = run(until_deadline, start=0.0)
    assert not spins and watch.nudges >= 1
    assert finished == pytest.approx(1.644, abs=1e-5)


def test_a_sleep_zero_recheck_loop_is_a_spin_naming_its_place() -> None:
    async def recheck() -> None:
        while True:  # noqa: ASYNC110 (the mistake under test: only time could end it)
            await asyncio.sleep(0)

    async def main() -> None:
        await asyncio.gather(recheck())

    watch, spins, _ = run(main)
    assert len(spins) == 1 and watch.streak >= SPIN_ITERATIONS and watch.nudges == 0
    assert "keeps waking at the same instant" in spins[0]
    assert "recheck() at tests/test_loopwatch.py" in spins[0]


def test_a_callback_that_reschedules_itself_is_a_spin_naming_it() -> None:
    spins: list[str] = []

    async def storm() -> None:
        loop = asyncio.get_running_loop()

        def poll() -> None:
            if spins:  # reported: the spec would have ended here
                stop.set()
            else:
                loop.call_soon(poll)

        stop = asyncio.Event()
        poll()
        await stop.wait()

    run(storm, spins)
    assert spins and "the callback" in spins[0] and "poll()" in spins[0]


def test_a_correct_burst_at_one_instant_is_no_spin() -> None:
    """Many tasks ready at one instant run in one iteration each round: no spin, no nudge."""
    async def main() -> list[int]:
        async def hop(n: int) -> int:
            for _ in range(20):
                await asyncio.sleep(0)
            return n

        return await asyncio.gather(*(hop(n) for n in range(2_000)))

    watch, spins, result = run(main)
    assert result == list(range(2_000)) and not spins and watch.nudges == 0

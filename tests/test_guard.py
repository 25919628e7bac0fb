"""The probes of `specs.guard`: each fault ends its spec fast, with a message naming it."""

from __future__ import annotations

import re
import time

from tests.conftest import SpecRun

FAULTY = """
    import asyncio
    import time
    from time import sleep

    import aiohttp

    kept = []

    async def healthy():
        await asyncio.sleep(30)
        return "fine"

    async def deadlock():
        await asyncio.get_running_loop().create_future()

    async def livelock():
        while True:
            await asyncio.sleep(0.5)

    async def stubborn():
        while True:
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                pass

    async def spin():
        while True:
            pass

    async def blocking_sleep():
        time.sleep(0.3)

    async def imported_sleep():
        sleep(0.3)

    async def network(url):
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return await response.text()

    async def leak():
        kept.append(asyncio.create_task(asyncio.sleep(10), name="forgotten"))

    async def unclosed():
        kept.append(aiohttp.ClientSession())

    async def unawaited():
        asyncio.sleep(1)
"""

SPEC = """
    import pytest
    from specs import implementation, now

    probe = implementation("kata99_probe", "probe")

    async def test_healthy():
        assert await probe.healthy() == "fine"
        assert now() == 30

    async def test_deadlock():
        await probe.deadlock()

    async def test_livelock():
        await probe.livelock()

    async def test_stubborn():
        await probe.stubborn()

    async def test_spin():
        await probe.spin()

    async def test_blocking_sleep():
        await probe.blocking_sleep()

    async def test_imported_sleep():
        await probe.imported_sleep()

    async def test_network_by_name():
        await probe.network("http://example.com/")

    async def test_network_by_address():
        await probe.network("http://192.0.2.1:8080/")

    async def test_leak():
        await probe.leak()

    async def test_unclosed():
        await probe.unclosed()

    async def test_unawaited():
        await probe.unawaited()

    async def test_note_on_a_failure():
        await probe.leak()
        assert False, "the spec's own message"

    @pytest.mark.budget(10)
    async def test_budget_marker():
        await probe.livelock()
"""


def test_every_fault_is_named_and_fast(run_spec: SpecRun) -> None:
    start = time.perf_counter()
    outcomes = run_spec(FAULTY, SPEC)
    wall = time.perf_counter() - start

    def message(test: str) -> str:
        assert not outcomes[test].passed, f"{test} should fail"
        return outcomes[test].message

    assert outcomes["test_healthy"].passed, outcomes["test_healthy"].message
    assert "stuck" in message("test_deadlock") and "deadlock" in message("test_deadlock")
    assert "still running after 300 s of loop time" in message("test_livelock")
    assert "still running after 10 s of loop time" in message("test_budget_marker")
    assert "the event loop never got control back" in message("test_spin")
    assert re.search(r"spin\(\) at \S*/kata99_probe/probe\.py:\d+", message("test_spin"))
    assert "still running after 300 s" in message("test_stubborn")
    assert "swallows cancellation" in message("test_stubborn")
    for test in ("test_blocking_sleep", "test_imported_sleep"):
        assert "time.sleep blocks the event loop; use await asyncio.sleep" in message(test)
    assert re.search(r"inside a coroutine, in blocking_sleep\(\) at \S*/kata99_probe/probe\.py:"
                     r"\d+ \(`time\.sleep\(0\.3\)`\)", message("test_blocking_sleep"))
    assert re.search(r"your code was waiting at livelock\(\) at \S*/probe\.py:\d+ "
                     r"\(`await asyncio\.sleep\(0\.5\)`\)", message("test_livelock"))
    assert "your code was waiting at deadlock() at " in message("test_deadlock")
    for test in ("test_network_by_name", "test_network_by_address"):
        assert "real network" in message(test)
    assert "forgotten" in message("test_leak") and "still running" in message("test_leak")
    assert "ClientSession(s) left open" in message("test_unclosed")
    assert "was never awaited" in message("test_unawaited")
    assert "the spec's own message" in message("test_note_on_a_failure")
    # Only the CPU spin costs wall time: the watchdog's 1 s. The rest are found in loop time.
    assert wall < 8, f"the faulty specs took {wall:.1f} s of wall time"


def test_every_hang_ends_its_test_within_two_seconds(run_spec: SpecRun) -> None:
    """Deadlock, timer livelock, a blocking sleep and a CPU spin: each ends in <= 2 s, named."""
    outcomes = run_spec(FAULTY, SPEC, "-k", "deadlock or livelock or blocking_sleep or spin")
    named = {"test_deadlock": "deadlock", "test_livelock": "still running after",
             "test_blocking_sleep": "time.sleep blocks the event loop",
             "test_spin": "the event loop never got control back"}
    for test, words in named.items():
        outcome = outcomes[test]
        assert not outcome.passed and words in outcome.message, (test, outcome.message)
        assert outcome.seconds <= 2.0, f"{test} took {outcome.seconds:.2f} s of wall time"
    # The durations are measured, not zero: the spin really ran until the watchdog's 1 s.
    assert outcomes["test_spin"].seconds >= 1.0


def test_faults_take_no_wall_time_but_cpu_spins(run_spec: SpecRun) -> None:
    """Deadlock and livelock cost (almost) no wall time: they are found in virtual time."""
    start = time.perf_counter()
    outcomes = run_spec(FAULTY, SPEC, "-k", "deadlock or livelock or budget")
    wall = time.perf_counter() - start
    assert len(outcomes) == 3 and not any(o.passed for o in outcomes.values())
    assert wall < 4, f"finding a deadlock and a livelock took {wall:.1f} s of wall time"

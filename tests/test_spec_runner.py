"""How the kit runs specs: each async spec on a fresh virtual clock, properties deterministic."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SpecRun

SPEC = """
    import asyncio

    import looptime
    import pytest
    from hypothesis import given, strategies as st

    async def test_starts_at_zero():
        assert asyncio.get_running_loop().time() == 0
        await asyncio.sleep(30)
        assert asyncio.get_running_loop().time() == 30

    async def test_each_spec_has_a_fresh_loop():
        assert asyncio.get_running_loop().time() == 0

    @pytest.mark.looptime(False)
    async def test_real_time_when_a_spec_asks():
        assert not isinstance(asyncio.get_running_loop(), looptime.LoopTimeEventLoop)

    def test_sync_specs_run_as_they_are():
        assert True

    def draw(into):
        @given(st.floats(0, 1000), st.lists(st.integers()))
        def test(number, numbers):
            with open(into, "a") as drawn:
                print(number, numbers, file=drawn)
        return test

    # The same property twice: drawn from one fixed seed, not the process's randomness.
    test_draws_once = draw({first!r})
    test_draws_again = draw({second!r})
"""


def test_async_specs_and_properties(run_spec: SpecRun, tmp_path: Path) -> None:
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    outcomes = run_spec("", SPEC.replace("{first!r}", repr(str(first)))
                        .replace("{second!r}", repr(str(second))))
    assert all(o.passed for o in outcomes.values()), {
        test: o.message for test, o in outcomes.items() if not o.passed}
    assert len(outcomes) == 6, sorted(outcomes)
    drawn = first.read_text()
    assert drawn.count("\n") > 10, "the property drew too few examples"
    assert drawn == second.read_text(), "one property drew different examples on another run"

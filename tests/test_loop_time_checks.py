"""`specs.checks.same_time`: loop times compared to the clock's resolution, not the last bit."""

from __future__ import annotations

import pytest

from specs.checks import CLOCK_RESOLUTION, same_time


@pytest.mark.parametrize(("got", "want"), [
    (0.833334, 0.8333333333333334),  # a limiter on aiolimiter, a µs late
    (1.400001, 1.4),
    ([0.0, 0.4 + 1e-9, 1.0], [0.0, 0.4, 1.0]),
    ((2.0, None, True), (2.0, None, True)),
])
def test_float_residue_is_the_same_moment(got: object, want: object) -> None:
    assert same_time(got, want)


@pytest.mark.parametrize(("got", "want"), [
    (1.01, 1.0),  # a 10 ms poll
    (1.0 + 2 * CLOCK_RESOLUTION, 1.0),
    ([0.0, 0.4], [0.0, 0.4, 1.0]),  # one moment missing
    (1, True),  # True is not 1 s
    (None, 0.0),
    ("1.0", 1.0),
])
def test_a_poll_a_missing_moment_or_another_type_is_not(got: object, want: object) -> None:
    assert not same_time(got, want)

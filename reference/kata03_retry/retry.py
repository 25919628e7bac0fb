"""Kata 03: error handling and retry_async with exponential backoff (reference solution)."""

from __future__ import annotations

import asyncio
import inspect
import math
import random
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple, TypeVar

T = TypeVar("T")

BASE_DELAY = 1.0
FACTOR = 2.0
MAX_DELAY = 30.0


class RetryEvent(NamedTuple):
    """Told to ``on_retry`` before each backoff sleep: the failed attempt (from 1), its error,
    and the delay about to be waited (jitter included)."""

    attempt: int
    error: BaseException
    delay: float


def _check_number(name: str, value: object, *, at_least: float, at_most: float = math.inf,
                  infinite: bool = False) -> None:
    """A number from `at_least` to `at_most`; never NaN, and math.inf only when `infinite`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if value != value or not at_least <= value <= at_most:  # False for NaN too
        raise ValueError(f"{name} must be a number from {at_least} to {at_most}, got {value!r}")
    if value == math.inf and not infinite:
        raise ValueError(f"{name} must be finite, got {value!r}")


def _check_count(name: str, value: object, *, at_least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < at_least:
        raise ValueError(f"{name} must be at least {at_least}, got {value!r}")


def _check_backoff(base_delay: object, factor: object, max_delay: object) -> None:
    _check_number("base_delay", base_delay, at_least=0)
    _check_number("factor", factor, at_least=1)
    _check_number("max_delay", max_delay, at_least=0, infinite=True)  # math.inf: no cap


def backoff_delay(retry: int, base_delay: float = BASE_DELAY, factor: float = FACTOR,
                  max_delay: float = MAX_DELAY) -> float:
    """Seconds to wait before retry `retry` (0 for the first): base * factor**retry, capped.

    A bool is neither a count nor a number here (TypeError); NaN is no number (ValueError). A
    huge `retry` gives max_delay at once: the power is taken in floats, an overflow is infinite.
    """
    _check_count("retry", retry, at_least=0)
    _check_backoff(base_delay, factor, max_delay)
    if retry == 0 or base_delay == 0 or factor == 1:
        return min(max_delay, base_delay)
    try:
        delay = base_delay * float(factor) ** retry
    except OverflowError:  # past any float: factor ** retry is infinite here
        delay = math.inf
    return min(max_delay, delay)


async def retry_async(
    operation: Callable[[], Awaitable[T]],
    *,
    attempts: int = 3,
    base_delay: float = BASE_DELAY,
    factor: float = FACTOR,
    max_delay: float = MAX_DELAY,
    retry_on: type[BaseException] | tuple[type[BaseException], ...] = (Exception,),
    jitter: float = 0.0,
    rng: random.Random | None = None,
    on_retry: Callable[[RetryEvent], Any] | None = None,
) -> T:
    """Await ``operation()`` until it succeeds, backing off exponentially between attempts.

    Any result counts as a success (None, 0, "" too); a cancellation, during an attempt or a
    backoff sleep, ends the call at once.
    """
    if not callable(operation):
        raise TypeError(f"operation must be an async callable, got {operation!r}")
    _check_count("attempts", attempts, at_least=1)
    _check_backoff(base_delay, factor, max_delay)
    _check_number("jitter", jitter, at_least=0, at_most=1)
    kinds = retry_on if isinstance(retry_on, tuple) else (retry_on,)
    if not all(isinstance(kind, type) and issubclass(kind, BaseException) for kind in kinds):
        raise TypeError(f"retry_on must be an exception class or a tuple of them, got {retry_on!r}")
    if on_retry is not None and not callable(on_retry):
        raise TypeError(f"on_retry must be callable or None, got {on_retry!r}")

    attempt = 1
    while True:
        try:
            return await operation()
        except asyncio.CancelledError:
            raise  # never retried, whatever retry_on says
        except kinds as error:
            if attempt >= attempts:
                raise
            delay = backoff_delay(attempt - 1, base_delay, factor, max_delay)
            if jitter:
                delay = min(max_delay, delay * (rng or random).uniform(1 - jitter, 1 + jitter))
            if on_retry is not None:
                told = on_retry(RetryEvent(attempt, error, delay))
                if inspect.isawaitable(told):
                    await told
            await asyncio.sleep(delay)
        attempt += 1

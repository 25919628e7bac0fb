"""A cancellation during the backoff sleep stops the retries but raises the last error instead."""

import asyncio
import inspect
import random

BASE_DELAY = 1.0
FACTOR = 2.0
MAX_DELAY = 30.0


class RetryEvent:
    __slots__ = ("attempt", "delay", "error")

    def __init__(self, attempt, error, delay):
        self.attempt, self.error, self.delay = attempt, error, delay

    def __iter__(self):
        return iter((self.attempt, self.error, self.delay))

    def __repr__(self):
        return f"RetryEvent({self.attempt}, {self.error!r}, {self.delay})"


def _number(name, value, low, high=float("inf")):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value!r}")


def _count(name, value, low):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be at least {low}, got {value!r}")


def _backoff_args(base_delay, factor, max_delay):
    _number("base_delay", base_delay, 0)
    _number("factor", factor, 1)
    _number("max_delay", max_delay, 0)


def backoff_delay(retry, base_delay=BASE_DELAY, factor=FACTOR, max_delay=MAX_DELAY):
    _count("retry", retry, 0)
    _backoff_args(base_delay, factor, max_delay)
    return min(max_delay, base_delay * factor**retry)


def _check(operation, attempts, base_delay, factor, max_delay, retry_on, jitter, on_retry):
    if not callable(operation):
        raise TypeError(f"operation must be callable, got {operation!r}")
    _count("attempts", attempts, 1)
    _backoff_args(base_delay, factor, max_delay)
    _number("jitter", jitter, 0, 1)
    kinds = retry_on if isinstance(retry_on, tuple) else (retry_on,)
    for kind in kinds:
        if not (isinstance(kind, type) and issubclass(kind, BaseException)):
            raise TypeError(f"retry_on must be exception classes, got {retry_on!r}")
    if on_retry is not None and not callable(on_retry):
        raise TypeError(f"on_retry must be callable, got {on_retry!r}")
    return kinds


def _jittered(delay, jitter, max_delay, rng):
    if not jitter:
        return delay
    return min(max_delay, delay * (rng or random).uniform(1 - jitter, 1 + jitter))


async def _tell(on_retry, event):
    if on_retry is None:
        return
    told = on_retry(event)
    if inspect.isawaitable(told):
        await told


async def retry_async(operation, *, attempts=3, base_delay=BASE_DELAY, factor=FACTOR,
                      max_delay=MAX_DELAY, retry_on=(Exception,), jitter=0.0, rng=None,
                      on_retry=None):
    kinds = _check(operation, attempts, base_delay, factor, max_delay, retry_on, jitter,
                   on_retry)
    for attempt in range(1, attempts + 1):
        try:
            return await operation()
        except asyncio.CancelledError:
            raise
        except kinds as error:
            if attempt == attempts:
                raise
            delay = backoff_delay(attempt - 1, base_delay, factor, max_delay)
            delay = _jittered(delay, jitter, max_delay, rng)
            await _tell(on_retry, RetryEvent(attempt, error, delay))
            try:
                await asyncio.sleep(delay)
            except asyncio.CancelledError:
                raise error from None
    raise AssertionError("unreachable")

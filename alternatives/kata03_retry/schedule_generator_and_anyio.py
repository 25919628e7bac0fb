"""Correct, in another style: a generator of delays, anyio sleeps, ensure_future for on_retry."""

import asyncio
import itertools
import math
import numbers
import random
from typing import NamedTuple

import anyio

BASE_DELAY = 1.0
FACTOR = 2.0
MAX_DELAY = 30.0


class RetryEvent(NamedTuple):
    attempt: int
    error: BaseException
    delay: float


def _number(name, value, low, high=None, *, finite=True):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} should be a number, not {value!r}")
    if not (value >= low and (high is None or value <= high)) or (finite and value == math.inf):
        raise ValueError(f"{name} out of range: {value!r}")


def _count(name, value, low):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} should be an int, not {value!r}")
    if value < low:
        raise ValueError(f"{name} should be at least {low}, not {value!r}")


def backoff_delay(retry, base_delay=BASE_DELAY, factor=FACTOR, max_delay=MAX_DELAY):
    _count("retry", retry, 0)
    _number("base_delay", base_delay, 0)
    _number("factor", factor, 1)
    _number("max_delay", max_delay, 0, finite=False)
    if retry == 0 or base_delay == 0 or factor == 1 or max_delay == 0:
        return min(max_delay, base_delay)
    if max_delay < math.inf:
        # past this many retries the delay is at the cap: no need for the power
        if retry >= math.log(max_delay / base_delay, factor):
            return max_delay
        return min(max_delay, base_delay * factor ** retry)
    try:
        return base_delay * float(factor) ** retry
    except OverflowError:
        return math.inf


def _schedule(base_delay, factor, max_delay, jitter, draw):
    """The delays before retry 0, 1, 2, ... (jittered, capped), forever."""
    for retry in itertools.count():
        delay = backoff_delay(retry, base_delay, factor, max_delay)
        if jitter:
            delay = min(max_delay, draw(delay * (1 - jitter), delay * (1 + jitter)))
        yield delay


async def retry_async(operation, *, attempts=3, base_delay=BASE_DELAY, factor=FACTOR,
                      max_delay=MAX_DELAY, retry_on=(Exception,), jitter=0.0, rng=None,
                      on_retry=None):
    if not callable(operation):
        raise TypeError(f"operation should be callable, not {operation!r}")
    _count("attempts", attempts, 1)
    backoff_delay(0, base_delay, factor, max_delay)
    _number("jitter", jitter, 0, 1)
    kinds = retry_on if isinstance(retry_on, tuple) else (retry_on,)
    for kind in kinds:
        if not (isinstance(kind, type) and issubclass(kind, BaseException)):
            raise TypeError(f"retry_on should hold exception classes, not {kind!r}")
    if on_retry is not None and not callable(on_retry):
        raise TypeError(f"on_retry should be callable, not {on_retry!r}")

    cancelled = anyio.get_cancelled_exc_class()
    delays = _schedule(base_delay, factor, max_delay, jitter,
                       (rng if rng is not None else random.Random()).uniform)
    for attempt, delay in zip(range(1, attempts + 1), delays, strict=False):
        try:
            return await operation()
        except cancelled:
            raise
        except BaseException as error:
            if attempt == attempts or not isinstance(error, kinds):
                raise
            failure = error
        if on_retry is not None:
            told = on_retry(RetryEvent(attempt, failure, delay))
            if hasattr(told, "__await__"):
                await asyncio.ensure_future(told)
        del failure
        await anyio.sleep(delay)
    raise AssertionError("unreachable")

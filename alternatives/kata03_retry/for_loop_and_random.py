"""Correct, in another style: a for loop, rng.random() jitter, checks as one table."""

import asyncio
import inspect
import math
import random
from typing import NamedTuple

BASE_DELAY, FACTOR, MAX_DELAY = 1.0, 2.0, 30.0


class RetryEvent(NamedTuple):
    attempt: int
    error: BaseException
    delay: float


def _real(name, value, low, high=float("inf"), endless=False):
    if type(value) not in (int, float):
        raise TypeError(f"{name}={value!r}: a number is needed")
    if value != value or value < low or value > high or (value == math.inf and not endless):
        raise ValueError(f"{name}={value!r} is out of range [{low}, {high}]"
                         + ("" if endless else ", and must be finite"))


def _whole(name, value, low):
    if type(value) is not int:
        raise TypeError(f"{name}={value!r}: a whole number is needed")
    if value < low:
        raise ValueError(f"{name}={value!r} is below {low}")


def backoff_delay(retry, base_delay=BASE_DELAY, factor=FACTOR, max_delay=MAX_DELAY):
    _whole("retry", retry, 0)
    for name, value, low in (("base_delay", base_delay, 0), ("factor", factor, 1)):
        _real(name, value, low)
    _real("max_delay", max_delay, 0, endless=True)
    if retry == 0 or base_delay == 0 or factor == 1:
        delay = base_delay
    else:
        try:
            delay = base_delay * math.pow(factor, retry)
        except OverflowError:
            delay = math.inf
    return max_delay if delay > max_delay else delay


async def retry_async(operation, *, attempts=3, base_delay=BASE_DELAY, factor=FACTOR,
                      max_delay=MAX_DELAY, retry_on=(Exception,), jitter=0.0, rng=None,
                      on_retry=None):
    if not callable(operation):
        raise TypeError(f"operation {operation!r} is not callable")
    _whole("attempts", attempts, 1)
    backoff_delay(0, base_delay, factor, max_delay)
    _real("jitter", jitter, 0, 1)
    kinds = retry_on if type(retry_on) is tuple else (retry_on,)
    for kind in kinds:
        if not (inspect.isclass(kind) and issubclass(kind, BaseException)):
            raise TypeError(f"retry_on: {kind!r} is not an exception class")
    if on_retry is not None and not callable(on_retry):
        raise TypeError(f"on_retry {on_retry!r} is not callable")
    rng = rng if rng is not None else random.Random()
    for attempt in range(1, attempts + 1):
        try:
            return await operation()
        except asyncio.CancelledError:
            raise
        except kinds as error:
            if attempt == attempts:
                raise
            delay = backoff_delay(attempt - 1, base_delay, factor, max_delay)
            if jitter > 0:
                delay = min(max_delay, delay * (1 - jitter + 2 * jitter * rng.random()))
            if on_retry is not None:
                maybe = on_retry(RetryEvent(attempt, error, delay))
                if inspect.isawaitable(maybe):
                    await maybe
            await asyncio.sleep(delay)

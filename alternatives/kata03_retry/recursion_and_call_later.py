"""Correct, in another style: recursion over the attempts, backoff as a call_later Future."""

import asyncio
import inspect
import numbers
import random
from dataclasses import dataclass

BASE_DELAY = 1.0
FACTOR = 2.0
MAX_DELAY = 30.0


@dataclass(frozen=True)
class RetryEvent:
    attempt: int
    error: BaseException
    delay: float


def _is_count(value):
    return type(value) is int


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _validate(**arguments):
    rules = {
        "retry": (_is_count, lambda v: v >= 0),
        "attempts": (_is_count, lambda v: v >= 1),
        "base_delay": (_is_number, lambda v: 0 <= v < float("inf")),
        "max_delay": (_is_number, lambda v: v >= 0),  # float("inf"): no cap
        "factor": (_is_number, lambda v: 1 <= v < float("inf")),
        "jitter": (_is_number, lambda v: 0 <= v <= 1),
    }
    for name, value in arguments.items():
        right_type, in_range = rules[name]
        if not right_type(value):
            raise TypeError(f"bad type for {name}: {value!r}")
        if not in_range(value):
            raise ValueError(f"{name} out of range: {value!r}")


def backoff_delay(retry, base_delay=BASE_DELAY, factor=FACTOR, max_delay=MAX_DELAY):
    _validate(retry=retry, base_delay=base_delay, factor=factor, max_delay=max_delay)
    if base_delay == 0:
        return 0.0
    # base_delay * factor ** retry by repeated squaring: a step per bit of retry, stopping
    # at the cap (float products overflow to inf, never raise)
    delay, power, bits = float(base_delay), float(factor), retry
    while bits and delay < max_delay:
        if bits & 1:
            delay *= power
        power *= power
        bits >>= 1
    return min(delay, max_delay)


async def _pause(seconds):
    loop = asyncio.get_running_loop()
    woken = loop.create_future()
    handle = loop.call_later(seconds, lambda: woken.done() or woken.set_result(None))
    try:
        await woken
    finally:
        handle.cancel()


async def retry_async(operation, *, attempts=3, base_delay=BASE_DELAY, factor=FACTOR,
                      max_delay=MAX_DELAY, retry_on=(Exception,), jitter=0.0, rng=None,
                      on_retry=None):
    if not callable(operation):
        raise TypeError(f"operation is not callable: {operation!r}")
    _validate(attempts=attempts, base_delay=base_delay, factor=factor, max_delay=max_delay,
              jitter=jitter)
    kinds = tuple(retry_on) if isinstance(retry_on, tuple) else (retry_on,)
    if not all(inspect.isclass(k) and issubclass(k, BaseException) for k in kinds):
        raise TypeError(f"retry_on holds something that is not an exception class: {retry_on!r}")
    if on_retry is not None and not callable(on_retry):
        raise TypeError(f"on_retry is not callable: {on_retry!r}")
    draw = (rng or random.Random()).random

    async def attempt(number):
        try:
            return await operation()
        except BaseException as error:
            if isinstance(error, asyncio.CancelledError) or not isinstance(error, kinds):
                raise
            if number == attempts:
                raise
            delay = backoff_delay(number - 1, base_delay, factor, max_delay)
            if jitter:
                delay = min(max_delay, delay * (1 - jitter + 2 * jitter * draw()))
            failure = error
        if on_retry is not None:
            told = on_retry(RetryEvent(number, failure, delay))
            if inspect.isawaitable(told):
                await told
        await _pause(delay)
        return await attempt(number + 1)

    return await attempt(1)

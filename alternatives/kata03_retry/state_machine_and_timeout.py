"""Correct, in another style: a state machine; each backoff is an asyncio.timeout expiring."""

import asyncio
import math
import random
from collections import namedtuple

BASE_DELAY = 1.0
FACTOR = 2.0
MAX_DELAY = 30.0

RetryEvent = namedtuple("RetryEvent", "attempt error delay")


def _need(condition, kind, message):
    if not condition:
        raise kind(message)


def _numeric(name, value, lowest, highest=math.inf, *, endless=False):
    _need(not isinstance(value, bool) and isinstance(value, int | float), TypeError,
          f"{name}={value!r}: expected a number")
    _need(value >= lowest and value <= highest and (endless or value < math.inf), ValueError,
          f"{name}={value!r}: out of range")


def _whole(name, value, lowest):
    _need(not isinstance(value, bool) and isinstance(value, int), TypeError,
          f"{name}={value!r}: expected an int")
    _need(value >= lowest, ValueError, f"{name}={value!r}: too small")


def backoff_delay(retry, base_delay=BASE_DELAY, factor=FACTOR, max_delay=MAX_DELAY):
    _whole("retry", retry, 0)
    _numeric("base_delay", base_delay, 0)
    _numeric("factor", factor, 1)
    _numeric("max_delay", max_delay, 0, endless=True)
    if not (retry and base_delay and factor != 1):
        return min(base_delay, max_delay)
    try:
        grown = pow(float(factor), retry)
    except OverflowError:
        grown = math.inf
    return min(base_delay * grown, max_delay)


async def _wait(seconds):
    """Wait `seconds` by letting a timeout expire around a wait that never ends."""
    try:
        async with asyncio.timeout(seconds):
            await asyncio.Event().wait()
    except TimeoutError:
        pass


class _Retrier:
    def __init__(self, operation, attempts, delays, kinds, jitter, rng, on_retry):
        self.operation, self.attempts, self.delays = operation, attempts, delays
        self.kinds, self.jitter, self.rng, self.on_retry = kinds, jitter, rng, on_retry
        self.state, self.attempt, self.error, self.result = "try", 0, None, None

    async def run(self):
        while self.state != "done":
            self.state = await getattr(self, f"_{self.state}")()
        return self.result

    async def _try(self):
        self.attempt += 1
        try:
            self.result = await self.operation()
        except asyncio.CancelledError:
            raise
        except BaseException as error:
            if not isinstance(error, self.kinds) or self.attempt >= self.attempts:
                raise
            self.error = error
            return "back_off"
        return "done"

    async def _back_off(self):
        delay = self.delays(self.attempt - 1)
        if self.jitter:
            spread = (self.rng or random).triangular(1 - self.jitter, 1 + self.jitter)
            delay = min(delay * spread, self.delays.cap)
        if self.on_retry is not None:
            told = self.on_retry(RetryEvent(self.attempt, self.error, delay))
            if hasattr(told, "__await__"):
                await told
        self.error = None
        await _wait(delay)
        return "try"


async def retry_async(operation, *, attempts=3, base_delay=BASE_DELAY, factor=FACTOR,
                      max_delay=MAX_DELAY, retry_on=(Exception,), jitter=0.0, rng=None,
                      on_retry=None):
    _need(callable(operation), TypeError, f"operation={operation!r}: expected a callable")
    _whole("attempts", attempts, 1)
    _numeric("base_delay", base_delay, 0)
    _numeric("factor", factor, 1)
    _numeric("max_delay", max_delay, 0, endless=True)
    _numeric("jitter", jitter, 0, 1)
    kinds = retry_on if isinstance(retry_on, tuple) else (retry_on,)
    for kind in kinds:
        _need(isinstance(kind, type) and issubclass(kind, BaseException), TypeError,
              f"retry_on={retry_on!r}: {kind!r} is not an exception class")
    _need(on_retry is None or callable(on_retry), TypeError,
          f"on_retry={on_retry!r}: expected a callable or None")

    def delays(retry):
        return backoff_delay(retry, base_delay, factor, max_delay)

    delays.cap = max_delay
    return await _Retrier(operation, attempts, delays, kinds, jitter, rng, on_retry).run()

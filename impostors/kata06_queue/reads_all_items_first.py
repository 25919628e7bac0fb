"""Turns the items into a list before starting: a generator is drained up front."""

from reference.kata06_queue.pipeline import *  # noqa: F403
from reference.kata06_queue.pipeline import pipeline as _pipeline


async def pipeline(items, handle, *, workers=4, maxsize=10):
    return await _pipeline(list(items), handle, workers=workers, maxsize=maxsize)

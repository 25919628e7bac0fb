"""Assertions the specs share."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any


async def rejects(error: type[BaseException], call: Callable[[], Any], *, shown: str,
                  named: str) -> BaseException:
    """`call()` (awaited if it is a coroutine) raises `error`, its message naming `named`.

    `shown` is how the call reads in the failure message, e.g. ``fetch_url(s, 'ftp://x')``.
    """
    outcome: BaseException | None = None
    try:
        result = call()
        if inspect.isawaitable(result):
            await result
    except BaseException as raised:  # noqa: BLE001 (every outcome is reported)
        outcome = raised
    if not isinstance(outcome, error):
        did = "returned normally" if outcome is None else f"raised {outcome!r}"
        raise AssertionError(f"Called {shown}. It {did}, but the spec expected {error.__name__} "
                             "with a message that names the bad input")
    assert named in str(outcome), (
        f"Called {shown}. It raised {error.__name__}({str(outcome)!r}); the message should "
        f"name the bad input, {named}"
    )
    return outcome

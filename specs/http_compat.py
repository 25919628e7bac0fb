"""Keeps aioresponses 0.7.9 working with aiohttp >= 3.14.

aiohttp 3.14 made ``ClientResponse.__init__`` require a keyword ``stream_writer``
that aioresponses does not pass (upstream: pnuckowski/aioresponses#289; the fix
PRs are unmerged). aiohttp only reads ``stream_writer.output_size`` from it, so
aioresponses is handed a ``ClientResponse`` subclass that supplies a stand-in.
``tests/test_http_compat.py`` fails when this patch stops being needed or
stops working: then remove it, or mend it.
"""

from __future__ import annotations

import inspect
from types import SimpleNamespace
from typing import Any

import aioresponses.core
from aiohttp import ClientResponse


def needed() -> bool:
    """True while ClientResponse wants a stream_writer that aioresponses does not give."""
    wants = "stream_writer" in inspect.signature(ClientResponse.__init__).parameters
    gives = "stream_writer" in inspect.getsource(aioresponses.core.RequestMatch._build_response)
    return wants and not gives


class _CompatClientResponse(ClientResponse):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", SimpleNamespace(output_size=0))
        super().__init__(*args, **kwargs)


def apply() -> bool:
    """Install the patch where it is needed; say whether it was."""
    if not needed():
        return False
    aioresponses.core.ClientResponse = _CompatClientResponse  # type: ignore[attr-defined]
    return True

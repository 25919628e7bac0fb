"""The aioresponses/aiohttp 3.14 patch: still needed, and still working.

When `test_patch_is_still_needed` fails, aioresponses passes ``stream_writer``
itself (upstream pnuckowski/aioresponses#289 fixed): delete specs/http_compat.py,
its call in specs/http.py, and this file.
"""

from __future__ import annotations

import aiohttp
import pytest
from aioresponses import aioresponses

from specs import http_compat


def test_patch_is_still_needed() -> None:
    assert http_compat.needed(), "aioresponses now passes stream_writer: remove the patch"


@pytest.mark.looptime(False)
async def test_mocked_request_works_with_the_patch() -> None:
    assert http_compat.apply()
    with aioresponses() as mocked:
        mocked.get("https://example.com/x", status=201, payload={"a": 1})
        async with aiohttp.ClientSession() as session, session.get("https://example.com/x") as r:
            assert (r.status, await r.json()) == (201, {"a": 1})

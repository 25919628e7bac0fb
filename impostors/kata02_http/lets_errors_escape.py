"""fetch_url lets connection errors and timeouts propagate instead of returning a result."""

import asyncio

import aiohttp

from reference.kata02_http.fetch import *  # noqa: F403
from reference.kata02_http.fetch import FetchResult, _check_timeout, _check_url


async def fetch_url(session, url, *, timeout=10.0):
    if not isinstance(session, aiohttp.ClientSession):
        raise TypeError(f"session must be an aiohttp.ClientSession, got {session!r}")
    _check_url(url)
    _check_timeout(timeout)
    loop = asyncio.get_running_loop()
    start = loop.time()
    async with asyncio.timeout(timeout), session.get(url) as response:
        body = await response.text()
        data = await response.json() if response.content_type == "application/json" else None
    return FetchResult(url, response.status, body, data, loop.time() - start)

"""fetch_many creates its ClientSession without `async with` and never closes it."""

import asyncio

import aiohttp

from reference.kata02_http.fetch import *  # noqa: F403
from reference.kata02_http.fetch import _check_timeout, _check_url, fetch_url


async def fetch_many(urls, *, timeout=10.0):
    if isinstance(urls, str):
        raise TypeError(f"urls must be a collection, got {urls!r}")
    checked = [_check_url(url) for url in urls]
    _check_timeout(timeout)
    session = aiohttp.ClientSession()
    return list(await asyncio.gather(*(fetch_url(session, u, timeout=timeout) for u in checked)))

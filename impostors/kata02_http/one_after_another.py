"""fetch_many awaits each fetch in turn: the batch takes the sum of the latencies."""

import aiohttp

from reference.kata02_http.fetch import *  # noqa: F403
from reference.kata02_http.fetch import _check_timeout, _check_url, fetch_url


async def fetch_many(urls, *, timeout=10.0):
    if isinstance(urls, str):
        raise TypeError(f"urls must be a collection, got {urls!r}")
    checked = [_check_url(url) for url in urls]
    _check_timeout(timeout)
    async with aiohttp.ClientSession() as session:
        return [await fetch_url(session, url, timeout=timeout) for url in checked]

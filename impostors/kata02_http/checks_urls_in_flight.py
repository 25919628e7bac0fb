"""fetch_many leaves URL checks to each fetch: good URLs are requested before a bad one fails."""

import aiohttp

from reference.kata02_http.fetch import *  # noqa: F403
from reference.kata02_http.fetch import fetch_url


async def fetch_many(urls, *, timeout=10.0):
    async with aiohttp.ClientSession() as session:
        return [await fetch_url(session, url, timeout=timeout) for url in urls]

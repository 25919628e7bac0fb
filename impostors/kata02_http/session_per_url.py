"""fetch_many opens a new ClientSession for every URL instead of sharing one."""

import asyncio

import aiohttp

from reference.kata02_http.fetch import *  # noqa: F403
from reference.kata02_http.fetch import _check_url, fetch_url


async def fetch_one(url, timeout):
    async with aiohttp.ClientSession() as session:
        return await fetch_url(session, url, timeout=timeout)


async def fetch_many(urls, *, timeout=10.0):
    checked = [_check_url(url) for url in urls]
    return list(await asyncio.gather(*(fetch_one(url, timeout) for url in checked)))

"""The mocked-HTTP helpers of the spec kit, used as a spec would use them."""

from __future__ import annotations

import asyncio

import aiohttp

from specs import MockHttp, Reply, now, sessions_opened, settle

URL = "https://svc.example.com/health"


async def get(session: aiohttp.ClientSession, url: str = URL) -> tuple[int, str, float]:
    start = now()
    async with session.get(url) as response:
        return response.status, await response.text(), now() - start


async def test_reply_with_latency_in_loop_time(http_mock: MockHttp) -> None:
    http_mock.reply(URL, 201, body="made", latency=42.0)
    async with aiohttp.ClientSession() as session:
        assert await get(session) == (201, "made", 42.0)
        assert await get(session) == (201, "made", 42.0)  # repeats by default
    assert http_mock.requests(URL) == 2
    assert http_mock.times(URL) == [0.0, 42.0]


async def test_sequence_answers_in_order_once_each(http_mock: MockHttp) -> None:
    http_mock.sequence(URL, [503, aiohttp.ClientConnectionError("reset"),
                             Reply(200, json={"up": True}, latency=1.5)])
    async with aiohttp.ClientSession() as session:
        assert (await get(session))[0] == 503
        _, error = await settle(get(session))
        assert isinstance(error, aiohttp.ClientConnectionError) and "reset" in str(error)
        start = now()
        async with session.get(URL) as response:
            assert (response.status, await response.json()) == (200, {"up": True})
        assert now() - start == 1.5
        _, error = await settle(get(session))  # used up: an unmatched URL is refused
        assert isinstance(error, aiohttp.ClientConnectionError)
    assert http_mock.requests(URL) == 4


async def test_fail_and_hang(http_mock: MockHttp) -> None:
    http_mock.fail(URL, latency=0.25)
    http_mock.hang(URL + "/slow")
    async with aiohttp.ClientSession() as session:
        _, error = await settle(get(session))
        assert isinstance(error, aiohttp.ClientConnectionError) and now() == 0.25
        _, error = await settle(asyncio.wait_for(get(session, URL + "/slow"), timeout=5))
        assert isinstance(error, TimeoutError) and now() == 5.25


async def test_sessions_opened_counts_and_sees_closing() -> None:
    with sessions_opened() as opened:
        async with aiohttp.ClientSession():
            pass
        left_open = aiohttp.ClientSession()
    assert len(opened) == 2 and opened[0].closed and not opened[1].closed
    await left_open.close()

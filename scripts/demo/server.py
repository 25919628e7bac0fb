"""A small local HTTP server for the demos: latencies and failures on demand, 127.0.0.1 only.

Routes (every query parameter optional):
- ``/ok/{name}?delay=S``: 200 with ``{"service": name}`` after S seconds;
- ``/status/{code}?delay=S``: that status after S seconds;
- ``/flaky/{key}?fail=N&delay=S``: 503 for the first N requests of that key, then 200;
- ``/hang``: answers only after an hour (for timeouts).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web


def _delay(request: web.Request) -> float:
    return float(request.query.get("delay", "0"))


async def _ok(request: web.Request) -> web.Response:
    await asyncio.sleep(_delay(request))
    return web.json_response({"service": request.match_info["name"], "ok": True})


async def _status(request: web.Request) -> web.Response:
    await asyncio.sleep(_delay(request))
    code = int(request.match_info["code"])
    return web.Response(status=code, text=f"status {code}")


async def _flaky(request: web.Request) -> web.Response:
    seen: Counter[str] = request.app["flaky"]
    key = request.match_info["key"]
    seen[key] += 1
    await asyncio.sleep(_delay(request))
    if seen[key] <= int(request.query.get("fail", "2")):
        return web.Response(status=503, text=f"try {seen[key]}: unavailable")
    return web.json_response({"key": key, "tries": seen[key]})


async def _hang(request: web.Request) -> web.Response:
    await asyncio.sleep(3600)
    return web.Response(text="too late")


@asynccontextmanager
async def local_server() -> AsyncIterator[str]:
    """Serve on 127.0.0.1 (a free port) for the ``async with`` block; yields the base URL."""
    app = web.Application()
    app["flaky"] = Counter()
    app.add_routes([web.get("/ok/{name}", _ok), web.get("/status/{code}", _status),
                    web.get("/flaky/{key}", _flaky), web.get("/hang", _hang)])
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.25)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()

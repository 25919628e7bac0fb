"""A spec that tries the real network fails, and nothing leaves the process.

The target is a TCP listener of this test on 127.0.0.1 (never another address): if the
spec's connection attempt had gone out as a packet, the listener would accept it.
"""

from __future__ import annotations

import socket

from tests.conftest import SpecRun

REACHES_OUT = """
    import aiohttp

    async def fetch(url):
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return response.status
"""

SPEC = """
    from specs import implementation

    probe = implementation("kata99_probe", "probe")

    async def test_mocked_first(http_mock):  # and after it, no way out either
        http_mock.reply("http://svc.example.com/", 204)
        assert await probe.fetch("http://svc.example.com/") == 204

    async def test_to_a_listening_port():
        await probe.fetch("http://127.0.0.1:{port}/")

    async def test_to_a_name():
        await probe.fetch("http://example.com/")
"""


def test_no_connection_leaves_the_process(run_spec: SpecRun) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    try:
        outcomes = run_spec(REACHES_OUT, SPEC.replace("{port}", str(port)))
        try:
            connection, peer = listener.accept()
        except TimeoutError:
            connection = None
    finally:
        listener.close()
    assert connection is None, f"a spec's connection reached the listener from {peer}"
    assert outcomes["test_mocked_first"].passed, outcomes["test_mocked_first"].message
    for test in ("test_to_a_listening_port", "test_to_a_name"):
        outcome = outcomes[test]
        assert not outcome.passed and "tried to reach the real network" in outcome.message, outcome

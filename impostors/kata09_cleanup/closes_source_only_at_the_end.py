"""stream closes its source after the last item only: a consumer that stops early leaks it."""

from reference.kata09_cleanup.cleanup import *  # noqa: F403


async def stream(open_source):
    source = open_source()
    reader = await source.__aenter__()
    while (item := await reader.read()) is not None:
        yield item
    await source.__aexit__(None, None, None)

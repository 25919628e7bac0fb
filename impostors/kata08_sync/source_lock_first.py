"""transfer locks the source, then the target: opposite transfers wait on each other forever."""

from reference.kata08_sync.sync import *  # noqa: F403
from reference.kata08_sync.sync import _check_amount


async def transfer(source, target, amount):
    _check_amount(amount)
    if source is target:
        raise ValueError(f"cannot transfer from {source.name} to itself")
    async with source.lock, target.lock:
        balance = await source.store.read()
        if balance < amount:
            raise ValueError(f"{source.name} holds {balance}, cannot transfer {amount}")
        await source.store.write(balance - amount)
        await target.store.write(await target.store.read() + amount)

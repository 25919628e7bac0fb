"""transfer takes both locks, then calls withdraw and deposit, which wait for the same locks."""

from reference.kata08_sync.sync import *  # noqa: F403
from reference.kata08_sync.sync import _check_amount


async def transfer(source, target, amount):
    _check_amount(amount)
    if source is target:
        raise ValueError(f"cannot transfer from {source.name} to itself")
    first, second = sorted((source, target), key=lambda account: account.name)
    async with first.lock, second.lock:
        await source.withdraw(amount)
        await target.deposit(amount)

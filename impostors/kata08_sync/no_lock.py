"""deposit and withdraw read, await the store, and write back without a lock: updates are lost."""

from reference.kata08_sync.sync import *  # noqa: F403
from reference.kata08_sync.sync import Account as _Account
from reference.kata08_sync.sync import _check_amount


class Account(_Account):
    async def deposit(self, amount):
        _check_amount(amount)
        balance = await self.store.read() + amount
        await self.store.write(balance)
        return balance

    async def withdraw(self, amount):
        _check_amount(amount)
        balance = await self.store.read()
        if balance < amount:
            raise ValueError(f"{self.name} holds {balance}, cannot withdraw {amount}")
        await self.store.write(balance - amount)
        return balance - amount

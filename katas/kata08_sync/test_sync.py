"""Behaviour spec of kata 08: events, locks, races and deadlocks. Times are loop time."""

import asyncio
from collections.abc import Hashable
from typing import Any

import pytest

from specs import Jobs, implementation, listing, now, outcome, rejects, secs, settle, show

sync = implementation("kata08_sync", "sync")

task1 = pytest.mark.task(1, "no lost updates: a lock around read-modify-write")
task2 = pytest.mark.task(2, "a start gate (asyncio.Event)")
task3 = pytest.mark.task(3, "single flight: one load per key at a time")
task4 = pytest.mark.task(4, "transfers without deadlock")


def account(name: str, balance: int = 0) -> Any:
    return sync.Account(name, sync.Store(balance, latency=0.1))


class Loader:
    """A loader for SingleFlight: each call takes 1 s and is recorded."""

    def __init__(self, fail: int = 0) -> None:
        self.calls: list[tuple[Hashable, float]] = []
        self.fail = fail

    async def __call__(self, key: Hashable) -> str:
        self.calls.append((key, now()))
        await asyncio.sleep(1.0)
        if self.fail:
            self.fail -= 1
            raise ConnectionError(f"loading {key} failed")
        return f"value of {key} #{len(self.calls)}"


@task1
async def test_concurrent_deposits_are_all_kept() -> None:
    """50 concurrent deposits of 1 leave a balance of 50: no update is lost"""
    wallet = account("wallet")
    async with asyncio.TaskGroup() as group:
        for _ in range(50):
            group.create_task(wallet.deposit(1))
    assert wallet.store.value == 50, (
        f"50 concurrent deposit(1) calls left a balance of {wallet.store.value}, not 50: each "
        "deposit read the balance, awaited, and wrote back over the others' updates. Hold "
        "the account's lock from the read to the write"
    )


@task1
async def test_deposit_and_withdraw_return_the_new_balance() -> None:
    """deposit and withdraw return the new balance"""
    wallet = account("wallet", 10)
    got = [await wallet.deposit(5), await wallet.withdraw(12), await wallet.withdraw(3)]
    assert got == [15, 3, 0] and wallet.store.value == 0, (
        f"from 10, deposit(5), withdraw(12), then withdraw(3) returned {got} and left "
        f"{wallet.store.value}; expected [15, 3, 0] and 0 (taking the whole balance is fine)"
    )


@task1
async def test_concurrent_withdrawals_never_overdraw() -> None:
    """concurrent withdrawals never take more than the balance"""
    wallet = account("wallet", 100)
    results = await asyncio.gather(*(wallet.withdraw(30) for _ in range(5)),
                                   return_exceptions=True)
    refused = [r for r in results if isinstance(r, ValueError)]
    assert wallet.store.value == 10 and len(refused) == 2, (
        f"5 concurrent withdraw(30) from 100: balance {wallet.store.value}, {len(refused)} "
        f"refused (results {results}). Expected 3 to pass, 2 to be refused with ValueError, "
        "and 10 left"
    )
    assert all(wallet.name in str(error) for error in refused), (
        f"a refused withdrawal should name the account: {refused[0]!r}"
    )


@task1
@pytest.mark.parametrize(("amount", "error", "named"), [
    (0, ValueError, "0"), (-5, ValueError, "-5"), (2.5, TypeError, "2.5"),
    (True, TypeError, "True"), ("10", TypeError, "'10'")])
@pytest.mark.parametrize("method", ["deposit", "withdraw"])
async def test_rejects_bad_amounts(method: str, amount: Any, error: type[Exception],
                                   named: str) -> None:
    """rejects an amount that is not a positive int, and changes nothing"""
    wallet = account("wallet", 100)
    await rejects(error, lambda: getattr(wallet, method)(amount),
                  shown=f"{method}({amount!r})", named=named)
    assert wallet.store.value == 100, f"the bad {method} changed the balance"


@task2
async def test_nobody_starts_before_the_gate_opens(jobs: Jobs) -> None:
    """no job starts before the event is set; then all start at once"""
    ready = asyncio.Event()
    call = asyncio.create_task(sync.run_when_ready(jobs.many([1.0, 2.0, 1.0]), ready))
    await asyncio.sleep(5.0)
    early = [r.name for r in jobs.records if r.started]
    ready.set()
    got = await call
    starts = [r.starts for r in jobs.records]
    assert not early, f"{listing(early)} started before the gate opened at 5.0 s"
    assert starts == [[5.0], [5.0], [5.0]] and got == [0, 1, 2], (
        f"The gate opened at 5.0 s; the jobs started at {starts} and returned {show(got)}. "
        "Expected all to start at 5.0 s, together, results in input order"
    )
    assert now() == pytest.approx(7.0), f"the jobs ran together: done at 7.0 s, not {now()}"


@task2
async def test_an_open_gate_lets_them_start_at_once(jobs: Jobs) -> None:
    """with the event already set, the jobs start at once"""
    ready = asyncio.Event()
    ready.set()
    await sync.run_when_ready(jobs.many([1.0, 1.0]), ready)
    assert now() == 1.0 and jobs.peak == 2, f"two 1 s jobs behind an open gate took {secs(now())}"


@task3
async def test_concurrent_gets_share_one_load() -> None:
    """concurrent gets of one key call the loader once, and all get its value"""
    flight, loader = sync.SingleFlight(), Loader()
    got = await asyncio.gather(*(flight.get("user:1", loader) for _ in range(10)))
    assert len(loader.calls) == 1, (
        f"10 concurrent gets of 'user:1' called the loader {len(loader.calls)} times; "
        "expected once: the others should wait for the load in flight"
    )
    assert set(got) == {"value of user:1 #1"} and len(got) == 10, f"they got {show(got)}"


@task3
async def test_a_late_get_joins_the_load_in_flight() -> None:
    """a get that arrives while the load is in flight joins it"""
    flight, loader = sync.SingleFlight(), Loader()
    first = asyncio.create_task(flight.get("k", loader))
    await asyncio.sleep(0.5)
    second = await flight.get("k", loader)
    assert await first == second and len(loader.calls) == 1 and now() == 1.0, (
        f"a get at 0.5 s, during the load that started at 0 s, led to {len(loader.calls)} "
        f"loads and returned at {secs(now())}; expected to join it: one load, done at 1.0 s"
    )


@task3
async def test_different_keys_load_concurrently() -> None:
    """loads of different keys run concurrently"""
    flight, loader = sync.SingleFlight(), Loader()
    await asyncio.gather(*(flight.get(key, loader) for key in "abc"))
    assert len(loader.calls) == 3 and now() == 1.0, (
        f"gets of keys a, b and c made {len(loader.calls)} loads and took {secs(now())}; "
        "expected 3 loads, concurrently: 1.0 s"
    )


@task3
async def test_a_failure_reaches_every_waiter_and_is_not_cached() -> None:
    """a failed load raises in every waiter, and the next get loads again"""
    flight, loader = sync.SingleFlight(ttl=60), Loader(fail=1)
    results = await asyncio.gather(*(flight.get("k", loader) for _ in range(3)),
                                   return_exceptions=True)
    errors = [r for r in results if isinstance(r, ConnectionError)]
    assert len(errors) == 3 and len({id(e) for e in errors}) == 1, (
        f"the load failed; the 3 waiters got {results}. Expected each to get the same "
        "ConnectionError"
    )
    again = await flight.get("k", loader)
    assert again == "value of k #2" and len(loader.calls) == 2, (
        f"after a failed load, the next get returned {show(again)} with {len(loader.calls)} "
        "loads in all; a failure must not be cached: load again"
    )


@task3
async def test_values_expire_after_ttl() -> None:
    """a loaded value is reused for `ttl` seconds of loop time, then loaded again"""
    flight, loader = sync.SingleFlight(ttl=10), Loader()
    first = await flight.get("k", loader)
    await asyncio.sleep(8.0)
    reused = await flight.get("k", loader)
    await asyncio.sleep(2.0)  # 11.0 s: 10 s after the load finished at 1.0 s
    fresh = await flight.get("k", loader)
    assert (first, reused, fresh) == ("value of k #1", "value of k #1", "value of k #2"), (
        f"with ttl=10 (value loaded at 1 s): at 9 s a get gave {show(reused)}, at 11 s "
        f"{show(fresh)}. Expected the cached value at 9 s and a new load at 11 s, when the "
        "value is 10 s old"
    )


@task3
async def test_without_ttl_a_finished_load_is_not_reused() -> None:
    """with the default ttl=0, a get after the load finished loads again"""
    flight, loader = sync.SingleFlight(), Loader()
    await flight.get("k", loader)
    again = await flight.get("k", loader)
    assert again == "value of k #2", f"a second get after the first finished gave {show(again)}"


@task3
async def test_a_cancelled_waiter_does_not_cancel_the_load() -> None:
    """cancelling one waiter does not cancel the load for the others"""
    flight, loader = sync.SingleFlight(), Loader()
    quitter = asyncio.create_task(flight.get("k", loader))
    stayer = asyncio.create_task(flight.get("k", loader))
    await asyncio.sleep(0.5)
    quitter.cancel()
    result, error = await settle(stayer)
    assert result == "value of k #1" and len(loader.calls) == 1, (
        f"one of two waiters was cancelled at 0.5 s; the other {outcome(result, error)} after "
        f"{len(loader.calls)} load(s). Expected it to get the value of the one load: shield "
        "the shared load from a single waiter's cancellation"
    )
    await settle(quitter)


@task3
@pytest.mark.parametrize(("ttl", "error", "named"), [
    (-1, ValueError, "-1"), ("5", TypeError, "'5'"), (None, TypeError, "None")])
async def test_single_flight_rejects_a_bad_ttl(ttl: Any, error: type[Exception],
                                               named: str) -> None:
    """rejects a ttl that is not a number of seconds, naming it"""
    await rejects(error, lambda: sync.SingleFlight(ttl=ttl), shown=f"SingleFlight(ttl={ttl!r})",
                  named=("ttl", named))


@task4
async def test_opposite_transfers_do_not_deadlock() -> None:
    """two transfers in opposite directions at the same time both complete"""
    alice, bob = account("alice", 100), account("bob", 100)
    # alice is busy for a moment when both transfers start (the lock is let go first)
    async with asyncio.TaskGroup() as group, alice.lock:
        group.create_task(sync.transfer(alice, bob, 30))
        group.create_task(sync.transfer(bob, alice, 50))
        await asyncio.sleep(1.0)
    await sync.transfer(bob, alice, 80)  # the whole balance
    balances = (alice.store.value, bob.store.value)
    assert balances == (200, 0), (
        f"after alice->bob 30 and bob->alice 50, concurrently, then bob->alice 80 (all bob had), "
        f"the balances are {balances}; expected (200, 0)"
    )


@task4
async def test_many_transfers_keep_the_total() -> None:
    """many concurrent transfers among three accounts keep the total unchanged"""
    accounts = [account(name, 1000) for name in ("carol", "alice", "bob")]
    async with asyncio.TaskGroup() as group:
        for n in range(30):
            source, target = accounts[n % 3], accounts[(n * 2 + 1) % 3]
            if source is not target:
                group.create_task(sync.transfer(source, target, 7 + n))
    total = sum(a.store.value for a in accounts)
    assert total == 3000, (
        f"after 30 concurrent transfers the three balances sum to {total}, not 3000: "
        "a transfer must hold both accounts' locks while it reads and writes"
    )


@task4
async def test_a_short_transfer_moves_nothing() -> None:
    """a transfer larger than the source balance raises ValueError and moves nothing"""
    alice, bob = account("alice", 20), account("bob", 0)
    await rejects(ValueError, lambda: sync.transfer(alice, bob, 50),
                  shown="transfer(alice holding 20, bob, 50)", named="alice")
    assert (alice.store.value, bob.store.value) == (20, 0), "a refused transfer moved money"


@task4
async def test_a_transfer_to_itself_is_refused() -> None:
    """a transfer from an account to itself is refused (it would wait on its own lock)"""
    alice = account("alice", 20)
    await rejects(ValueError, lambda: sync.transfer(alice, alice, 5),
                  shown="transfer(alice, alice, 5)", named="alice")


@task4
@pytest.mark.parametrize(("amount", "error", "named"), [
    (0, ValueError, "0"), (-1, ValueError, "-1"), (1.5, TypeError, "1.5")])
async def test_transfer_rejects_bad_amounts(amount: Any, error: type[Exception],
                                            named: str) -> None:
    """rejects an amount that is not a positive int"""
    alice, bob = account("alice", 20), account("bob", 0)
    await rejects(error, lambda: sync.transfer(alice, bob, amount),
                  shown=f"transfer(alice, bob, {amount!r})", named=named)
    assert (alice.store.value, bob.store.value) == (20, 0), "a refused transfer moved money"

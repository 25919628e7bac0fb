"""Behaviour spec of kata 08: events, locks, races and deadlocks. Times are loop time."""

import asyncio
import functools
import itertools
import math
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from specs import Jobs, implementation, listing, now, outcome, rejects, secs, settle, show, timeline
from specs.checks import CLOCK_RESOLUTION, names, running_tasks, same_time
from specs.properties import (
    CALLABLE_STYLES,
    callable_styles,
    durations,
    iterable_shapes,
    run_virtual,
    shaped,
)

sync = implementation("kata08_sync", "sync")

task1 = pytest.mark.task(1)
task2 = pytest.mark.task(2)
task3 = pytest.mark.task(3)
task4 = pytest.mark.task(4)
task5 = pytest.mark.task(5)



class Store:
    """The spec's store (the kata's `Store`, instrumented): every read and write takes
    `latency` seconds; `watch()`, if set, is noted at the start and end of each access."""

    def __init__(self, value: int, latency: float) -> None:
        self.value = value
        self.latency = latency
        self.accesses: list[tuple[float, str, Any]] = []
        self.watch: Any = None

    def _note(self, what: str) -> None:
        self.accesses.append((now(), what, self.watch() if self.watch else None))

    async def read(self) -> int:
        self._note("read starts")
        await asyncio.sleep(self.latency)
        self._note("read ends")
        return self.value

    async def write(self, value: int) -> None:
        self._note("write starts")
        await asyncio.sleep(self.latency)
        self.value = value
        self._note("write ends")


def account(name: str, balance: int = 0, latency: float = 0.1) -> Any:
    store = Store(balance, latency)
    made = sync.Account(name, store)
    assert made.store is store, (
        f"Account({name!r}, store).store is {show(made.store)}; expected the store it was "
        "given: the balance lives there")
    assert callable(getattr(made.lock, "locked", None)), (
        f"Account({name!r}, store).lock is {show(made.lock)}; expected an asyncio.Lock")
    return made


@dataclass(frozen=True)
class Call:
    """One call in a drawn history: ``deposit``/``withdraw`` on `accounts[0]`, or a
    ``transfer`` from `accounts[0]` to `accounts[1]`, made `at` seconds in."""

    at: float
    kind: str
    accounts: tuple[int, ...]
    amount: int

    def words(self, names: list[str]) -> str:
        who = [names[index] for index in self.accounts]
        if self.kind == "transfer":
            return f"transfer({who[0]}, {who[1]}, {self.amount}) at {secs(self.at)}"
        return f"{who[0]}.{self.kind}({self.amount}) at {secs(self.at)}"


Finished = list[tuple[int, Any, Any, float, list[int]]]


def run_history(names: list[str], balances: list[int], latencies: list[float],
                calls: list[Call]) -> tuple[Finished, list[int]]:
    """Run the calls concurrently, each at its time; what each did, in the order they finished
    (with the balances of its accounts at the moment it returned), and the final balances."""
    async def scenario() -> tuple[Finished, list[int]]:
        accounts = [account(name, balance, latency)
                    for name, balance, latency in zip(names, balances, latencies, strict=True)]
        finished: Finished = []

        async def one(index: int, call: Call) -> None:
            await asyncio.sleep(call.at)
            mine = [accounts[i] for i in call.accounts]
            if call.kind == "transfer":
                result, error = await settle(sync.transfer(mine[0], mine[1], call.amount))
            else:
                result, error = await settle(getattr(mine[0], call.kind)(call.amount))
            finished.append((index, result, error, now(), [a.store.value for a in mine]))

        async with asyncio.TaskGroup() as group:
            for index, call in enumerate(calls):
                group.create_task(one(index, call))
        return finished, [a.store.value for a in accounts]

    return run_virtual(scenario)


def check_serial(names: list[str], balances: list[int], latencies: list[float],
                 calls: list[Call]) -> None:
    """Every call behaves as if the calls ran one at a time, in the order they finished."""
    finished, finals = run_history(names, balances, latencies, calls)
    given_as = (f"Starting from {listing(f'{n} {b}' for n, b in zip(names, balances, strict=True))}"
                f" (store round trips of {listing(secs(s) for s in latencies)}), with "
                f"{listing(call.words(names) for call in calls)} running concurrently")
    model = list(balances)
    for place, (index, result, error, at, seen) in enumerate(finished, start=1):
        call = calls[index]
        source = call.accounts[0]
        before = model[source]
        refused = call.kind != "deposit" and before < call.amount
        if not refused:
            model[source] += call.amount if call.kind == "deposit" else -call.amount
            if call.kind == "transfer":
                model[call.accounts[1]] += call.amount
        did = (f"{call.words(names)} (finished {place} of {len(calls)}, at {secs(at)}) "
               f"{outcome(result, error)}")
        serial = (f"run one at a time in the order they finished, it finds {names[source]} "
                  f"holding {before}")
        if refused:
            assert isinstance(error, ValueError) and names_it(error, names[source]), (
                f"{given_as}: {did}; {serial}, so it must be refused with ValueError naming "
                f"{names[source]}, and nothing moves")
        else:
            expected = None if call.kind == "transfer" else model[source]
            assert error is None and (call.kind == "transfer" or result == expected), (
                f"{given_as}: {did}; {serial}, so it should return {show(expected)}. Another "
                "call read the same balance or wrote over it in between: hold the lock from "
                "the read to the write")
        want = [model[i] for i in call.accounts]
        assert seen == want, (
            f"{given_as}: when {did}, the store held {listing(seen)} for "
            f"{listing(names[i] for i in call.accounts)}; expected {listing(want)}: return "
            "only once every write is done, and never let another call's update be lost")
    assert finals == model, (
        f"{given_as}: the balances ended at {finals}; one at a time they end at {model}")


def names_it(error: BaseException, name: str) -> bool:
    return names(str(error), name)


# Task 1: no lost updates: `Account.deposit` / `Account.withdraw`.

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
async def test_the_balance_lives_in_the_store() -> None:
    """every deposit and withdrawal reads the balance from the store, where others may change it"""
    wallet = account("wallet", 10)
    first = await wallet.deposit(5)
    wallet.store.value = 100  # another process paid in
    second = await wallet.withdraw(30)
    wallet.store.value = 7
    third = await wallet.deposit(1)
    assert [first, second, third] == [15, 70, 8] and wallet.store.value == 8, (
        f"from 10: deposit(5) returned {first}; the store then said 100 and withdraw(30) "
        f"returned {second}; the store then said 7 and deposit(1) returned {third}, leaving "
        f"{wallet.store.value}. Expected 15, 70 and 8: read the balance from the store each "
        "time, never from a copy kept in the account"
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
    assert all(names_it(error, wallet.name) for error in refused), (
        f"a refused withdrawal should name the account: {refused[0]!r}"
    )


@task1
@pytest.mark.parametrize(("method", "amount", "balance"), [
    ("deposit", 5, 10), ("withdraw", 5, 10), ("withdraw", 20, 10)],
    ids=["deposit", "withdraw", "refused withdraw"])
async def test_holds_the_lock_from_the_read_to_the_write(method: str, amount: int,
                                                         balance: int) -> None:
    """holds the account's lock across every read and write, and waits while another holds it"""
    wallet = account("wallet", balance, latency=0.25)
    wallet.store.watch = wallet.lock.locked
    start = now()
    refused = method == "withdraw" and amount > balance  # it reads, then refuses: no write
    timeline.expect("caller", start + 1.0, start + (1.25 if refused else 1.5), timeline.WAIT)
    timeline.expect("caller", start + (1.25 if refused else 1.5),
                    kind=timeline.FAILED if refused else timeline.RETURNED)
    async with wallet.lock:  # someone else holds the lock for 1 s
        call = asyncio.create_task(getattr(wallet, method)(amount))
        await asyncio.sleep(1.0)
        early = [(at, what) for at, what, _ in wallet.store.accesses]
    result, error = await settle(call)
    unlocked = [f"{what} at {secs(at)}" for at, what, locked in wallet.store.accesses if not locked]
    assert not early, (
        f"the account's lock was held by someone else until 1.0 s, yet {method}({amount}) "
        f"touched the store at {listing(f'{secs(a)} ({w})' for a, w in early)}: take "
        "`account.lock` before reading the balance")
    expected = balance + amount if method == "deposit" else balance - amount
    if expected < 0:
        assert isinstance(error, ValueError), (
            f"{method}({amount}) on a balance of {balance} {outcome(result, error)}; expected "
            "ValueError naming the account")
    else:
        assert error is None and result == expected == wallet.store.value, (
            f"{method}({amount}) on a balance of {balance}, once the lock was free, "
            f"{outcome(result, error)} and left {wallet.store.value}; expected {expected}")
    assert not unlocked, (
        f"{method}({amount}) on a balance of {balance} {outcome(result, error)}, but the "
        f"account's lock was free at {listing(unlocked)}: hold `account.lock` from the read "
        "to the write, so no other update comes in between")


@task1
@given(balance=st.integers(0, 100), latency=durations(0.001, 0.3),
       calls=st.lists(st.tuples(st.integers(0, 400), st.sampled_from(["deposit", "withdraw"]),
                                st.integers(1, 60)), min_size=1, max_size=7))
@example(balance=30, latency=0.1, calls=[(0, "withdraw", 30), (0, "deposit", 5),
                                         (0, "withdraw", 6)])
@example(balance=0, latency=0.333, calls=[(0, "deposit", 7), (100, "withdraw", 7),
                                          (100, "deposit", 1), (250, "withdraw", 2)])
@settings(max_examples=8)
def test_any_deposits_and_withdrawals_act_one_at_a_time(
        balance: int, latency: float, calls: list[tuple[int, str, int]]) -> None:
    """for any deposits and withdrawals at any times, each returns (or refuses) as if they ran one
    at a time

    The balance is written before each one returns.
    """
    check_serial(["wallet"], [balance], [latency],
                 [Call(at / 1000, kind, (0,), amount) for at, kind, amount in calls])


@task1
@pytest.mark.parametrize("during", ["read", "write"])
@pytest.mark.parametrize("method", ["deposit", "withdraw"])
async def test_a_cancelled_change_lets_go_of_the_lock(method: str, during: str) -> None:
    """a deposit or withdrawal cancelled mid-way lets go of the lock and changes nothing, then or
    later

    It is cancelled during its read or its write, and lets go of the account's lock: the next change
    goes through.
    """
    wallet = account("wallet", 10, latency=1.0)
    call = asyncio.create_task(getattr(wallet, method)(5))
    await asyncio.sleep(0.5 if during == "read" else 1.5)
    call.cancel()
    when = now()
    result, error = await settle(call)
    did = f"{method}(5) was cancelled at {secs(when)}, during its {during} of the balance, and"
    assert isinstance(error, asyncio.CancelledError), (
        f"{did} {outcome(result, error)}; expected the CancelledError to propagate")
    assert not wallet.lock.locked(), (
        f"{did} left the account's lock held: every later change would wait for it forever. "
        "Let go of the lock however the change ends (`async with account.lock:`)")
    await asyncio.sleep(2.0)
    assert wallet.store.value == 10, (
        f"{did} the balance was {wallet.store.value} 2 s later, not 10: a cancelled change "
        "changes nothing, not even later (a write that goes on after the cancellation lands "
        "once the lock is let go, over other changes)")
    got = await wallet.deposit(1)
    assert got == 11 == wallet.store.value, (
        f"after a cancelled {method}(5), deposit(1) on a balance of 10 returned {show(got)} and "
        f"left {wallet.store.value}; expected 11")


# Task 2: a start gate for jobs: `run_when_ready(jobs, ready)`.

@task2
async def test_nobody_starts_before_the_gate_opens(jobs: Jobs) -> None:
    """no job is called before the event is set; then all start at once"""
    ready = asyncio.Event()
    start = now()
    for row, seconds in (("job0", 1.0), ("job1", 2.0), ("job2", 1.0)):
        timeline.expect(row, start + 5.0, start + 5.0 + seconds)
    call = asyncio.create_task(sync.run_when_ready(jobs.many([1.0, 2.0, 1.0]), ready))
    await asyncio.sleep(5.0)
    early = [r.name for r in jobs.records if r.calls]
    ready.set()
    got = await call
    starts = [r.starts for r in jobs.records]
    assert not early, f"{listing(early)} was called before the gate opened at 5.0 s"
    assert same_time(starts, [[5.0], [5.0], [5.0]]) and got == [0, 1, 2], (
        f"The gate opened at 5.0 s; the jobs started at {starts} and returned {show(got)}. "
        "Expected all to start at 5.0 s, together, results in input order"
    )
    assert same_time(now(), 7.0), f"the jobs ran together: done at 7.0 s, not {now()}"


@task2
async def test_an_open_gate_lets_them_start_at_once(jobs: Jobs) -> None:
    """with the event already set, the jobs start at once"""
    ready = asyncio.Event()
    ready.set()
    for row in ("job0", "job1"):
        timeline.expect(row, now(), now() + 1.0)
    await sync.run_when_ready(jobs.many([1.0, 1.0]), ready)
    assert same_time(now(), 1.0) and jobs.peak == 2, (
        f"two 1 s jobs behind an open gate took {secs(now())}")


@task2
@pytest.mark.parametrize("opened", [False, True], ids=["before the gate opens",
                                                       "after the gate opens"])
async def test_cancelling_leaves_no_task_running(opened: bool, jobs: Jobs) -> None:
    """cancelling run_when_ready cancels its jobs and leaves no task running, their clean-up done

    This holds before or after the gate opens: the jobs have finished their clean-up when the
    cancellation comes through.
    """
    ready = asyncio.Event()
    work = [jobs.make(5.0, cleanup_s=seconds) for seconds in (0.5, 1.5, 1.0)]
    if opened:  # the gate opens at 1 s, the call is cancelled at 2 s: so are the jobs
        start = now()
        for row, seconds in (("job0", 0.5), ("job1", 1.5), ("job2", 1.0)):
            timeline.expect(row, start + 1.0, start + 2.0)
            timeline.expect(row, start + 2.0, kind=timeline.CANCELLED)
            timeline.expect(row, start + 2.0, start + 2.0 + seconds, timeline.CLEANUP)
        timeline.expect("caller", start + 2.0, start + 3.5, timeline.WAIT)
        timeline.expect("caller", start + 3.5, kind=timeline.CANCELLED)
    call = asyncio.create_task(sync.run_when_ready(work, ready))
    if opened:
        await asyncio.sleep(1.0)
        ready.set()
    await asyncio.sleep(1.0)
    call.cancel()
    when = now()
    result, error = await settle(call)
    left = running_tasks()
    what = (f"run_when_ready was cancelled at {secs(when)}, "
            + ("1 s after the gate opened" if opened else "before the gate opened"))
    assert isinstance(error, asyncio.CancelledError), (
        f"{what}, and {outcome(result, error)}; the cancellation must reach the caller")
    still = left or jobs.still_running
    assert not still, (
        f"{what}; when the cancellation came through, at {secs(now())}, {listing(still)} still "
        "ran. Leave no task running: "
        + ("cancel the jobs and wait for every one's clean-up, the slowest too" if opened else
           "stop waiting for the gate, and leave no waiter of yours behind"))
    if opened:
        assert jobs.cancelled == ["job0", "job1", "job2"] and same_time(now(), 3.5), (
            f"{what}; {listing(jobs.cancelled) or 'no job'} got the cancellation, and it came "
            f"through at {secs(now())}. Expected job0, job1 and job2 cancelled at once, and the "
            "cancellation through at 3.5 s, once the last of their clean-ups (0.5 s, 1.5 s and "
            "1.0 s) is done")
    else:
        ready.set()
        await asyncio.sleep(10.0)
        called = [r.name for r in jobs.records if r.calls]
        assert not called, (
            f"{what}; when the gate opened afterwards, {listing(called)} was called: a "
            "cancelled run_when_ready starts nothing")


@task2
@given(seconds=st.lists(durations(0.001, 3.0), min_size=1, max_size=6),
       opens=st.none() | durations(0.001, 3.0), pulse=st.booleans(),
       twice=st.none() | st.integers(0, 5), shape=iterable_shapes(), style=callable_styles())
@example(seconds=[1.0, 0.5], opens=0.333, pulse=False, twice=None, shape="list",
         style="function")
@example(seconds=[0.25, 1.0, 0.5], opens=1.5, pulse=True, twice=1, shape="generator",
         style="partial")
@example(seconds=[2.0], opens=None, pulse=False, twice=0, shape="tuple", style="callable object")
@settings(max_examples=10)
def test_every_job_starts_the_moment_the_gate_opens(seconds: list[float], opens: float | None,
                                                    pulse: bool, twice: int | None, shape: str,
                                                    style: str) -> None:
    """for any jobs and opening time, each job is called and starts the moment the event is set;
    results in input order

    The jobs may be a generator, list a job twice, and be any callable; they all start together.
    """
    jobs = Jobs()
    made = [CALLABLE_STYLES[style](job) for job in jobs.many(seconds)]
    order = [*range(len(made)), *([twice] if twice is not None and twice < len(made) else [])]

    async def scenario() -> tuple[list[Any], float]:
        ready = asyncio.Event()
        if opens is None:
            ready.set()
        call = asyncio.create_task(sync.run_when_ready(shaped([made[i] for i in order], shape),
                                                       ready))
        if opens is not None:
            await asyncio.sleep(opens)
            ready.set()
            if pulse:
                ready.clear()
        got = await call
        return got, now()

    got, ended = run_virtual(scenario)
    gate = 0.0 if opens is None else opens
    for index, record in enumerate(jobs.records):  # a job listed twice runs twice, together
        for life in range(order.count(index)):
            timeline.expect(record.name + (f" #{life + 1}" if life else ""), gate,
                            gate + seconds[index])
    given_as = (f"With jobs of {listing(secs(seconds[i]) for i in order)} (a {shape} of "
                f"{style}s" + (f", job {twice} listed again at the end" if len(order) > len(made)
                               else "") + ") and "
                + ("the event already set" if opens is None else
                   f"the event set at {secs(opens)}" + (" and cleared right after" if pulse
                                                        else "")))
    assert got == order, (
        f"{given_as}, run_when_ready returned {show(got)}; expected each job's result, in "
        f"input order: {order}")
    for index, record in enumerate(jobs.records):
        due = [gate] * order.count(index)
        assert same_time(record.calls, due) and same_time(record.starts, due), (
            f"{given_as}, job {index} was called at {record.calls or 'no time'} and started at "
            f"{record.starts or 'no time'}; expected at {secs(gate)}, once per listing: no job "
            "before the event is set, and every job the moment it is (await `ready.wait()`, "
            "do not poll `is_set()`)")
    finish = gate + max(seconds)
    assert same_time(ended, finish), (
        f"{given_as}, run_when_ready returned at {secs(ended)}; the jobs run together from "
        f"{secs(gate)}, so the last one is done at {secs(finish)}: return then, no later")


# Task 3: single flight: `SingleFlight(ttl=0).get(key, loader)`.

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
    assert await first == second and len(loader.calls) == 1 and same_time(now(), 1.0), (
        f"a get at 0.5 s, during the load that started at 0 s, led to {len(loader.calls)} "
        f"loads and returned at {secs(now())}; expected to join it: one load, done at 1.0 s"
    )


@task3
async def test_different_keys_load_concurrently() -> None:
    """loads of different keys run concurrently"""
    flight, loader = sync.SingleFlight(), Loader()
    await asyncio.gather(*(flight.get(key, loader) for key in "abc"))
    assert len(loader.calls) == 3 and same_time(now(), 1.0), (
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
@pytest.mark.parametrize("quitter", [0, 1, 2], ids=["the first", "a middle one", "the last"])
async def test_a_cancelled_waiter_does_not_cancel_the_load(quitter: int) -> None:
    """cancelling one waiter does not cancel the load for the others, nor end it: it raises
    CancelledError

    The waiter may be the first, a middle or the last; a later get still joins the one load.
    """
    flight, loader = sync.SingleFlight(), Loader()
    start = now()
    gets = []
    for _ in range(3):  # gets at 0, 0.1 and 0.2 s: the first starts the load, the others join
        gets.append(asyncio.create_task(flight.get("k", loader)))
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.2)
    gets[quitter].cancel()  # at 0.5 s
    await asyncio.sleep(0.25)
    timeline.expect("caller", start + 0.75, start + 1.0, timeline.WAIT)  # joins the one load
    for kind in (timeline.RETURNED, timeline.RETURNED, timeline.RETURNED, timeline.CANCELLED):
        timeline.expect("caller", start + 1.0, kind=kind)  # the late get's, then the 3 gets'
    late, late_error = await settle(flight.get("k", loader))  # at 0.75 s
    ended = now()
    outcomes = [await settle(get) for get in gets]
    which = ["the first", "the second", "the third"][quitter]
    stayed = [outcome(*o) for i, o in enumerate(outcomes) if i != quitter]
    assert len(loader.calls) == 1 and same_time(ended, 1.0) and late_error is None \
        and late == "value of k #1" and stayed == ["returned 'value of k #1'"] * 2, (
        f"three gets of 'k' at 0, 0.1 and 0.2 s, {which} cancelled at 0.5 s, then a get at "
        f"0.75 s: the loader was called {len(loader.calls)} time(s); of the other two, one "
        f"{stayed[0]} and one {stayed[1]}, and the late get {outcome(late, late_error)} at "
        f"{secs(ended)}. "
        "Expected one load, its value for all three at 1.0 s: a waiter's cancellation neither "
        "cancels the shared load (shield it, for every waiter, not only the one that started "
        "it) nor ends it for the gets still to come")
    result, error = outcomes[quitter]
    assert isinstance(error, asyncio.CancelledError), (
        f"{which} get, cancelled at 0.5 s, {outcome(result, error)}; expected CancelledError")


@task3
async def test_a_load_that_ends_cancelled_ends_its_waiters() -> None:
    """a load that ends cancelled ends every waiter with CancelledError, and is not remembered: the
    next get loads again

    A load ends cancelled when the loader raises CancelledError.
    """
    flight, calls = sync.SingleFlight(ttl=60), []

    async def loader(key: Hashable) -> str:
        calls.append(now())
        await asyncio.sleep(1.0)
        if len(calls) == 1:
            raise asyncio.CancelledError  # what a loader does when the work it awaits is cancelled
        return f"value of {key}"

    start = now()
    for _ in range(3):  # three waiters, ended by the load that ends cancelled
        timeline.expect("caller", start, start + 1.0, timeline.WAIT)
        timeline.expect("caller", start + 1.0, kind=timeline.CANCELLED)
    timeline.expect("caller", start + 1.0, start + 2.0, timeline.WAIT)  # then a new load
    timeline.expect("caller", start + 2.0, kind=timeline.RETURNED)
    waiters = [asyncio.create_task(settle(flight.get("k", loader))) for _ in range(3)]
    done, pending = await asyncio.wait(waiters, timeout=10.0)
    ended = now()
    for waiter in pending:
        waiter.cancel()
    if pending:
        await asyncio.wait(pending)
    outcomes = [outcome(*w.result()) if w in done else "was still waiting at 10.0 s"
                for w in waiters]
    assert not pending and same_time(ended, 1.0) and all(
        isinstance(w.result()[1], asyncio.CancelledError) for w in waiters), (
        f"the load of 'k' ended cancelled at 1.0 s (its loader raised CancelledError); the 3 "
        f"waiters: {listing(outcomes)}" + ("" if pending else f", by {secs(ended)}")
        + ". Every waiter gets what the load got: CancelledError, at 1.0 s (CancelledError is "
        "a BaseException: `except Exception` misses it)")
    again, error = await settle(flight.get("k", loader))
    assert error is None and again == "value of k" and len(calls) == 2, (
        f"after the load ended cancelled, the next get {outcome(again, error)} with "
        f"{len(calls)} load(s) in all; expected 'value of k' from a new load: a load that ended "
        "cancelled is not remembered")


@task3
async def test_single_flight_takes_any_number_of_seconds() -> None:
    """a ttl may be an int or a float, and 0"""
    for ttl in (0, 0.0, 2, 0.25):
        flight, loader = sync.SingleFlight(ttl), Loader()
        first = await flight.get("k", loader)
        assert first == f"value of k #{len(loader.calls)}", (
            f"SingleFlight({ttl!r}).get returned {show(first)}")


FALSY = (None, 0, "")


def value_of(key: Hashable, load: int, first_key: Hashable) -> Any:
    """What the `load`-th load (from 0) of `key` returns: falsy values for the first key."""
    return FALSY[load] if key == first_key and load < len(FALSY) else f"{key!r} load {load + 1}"


@dataclass
class Flight:
    """The model's account of one load: who waited for it, and how it ended."""

    key: Hashable
    number: int
    start: float
    finish: float
    fails: bool
    waiters: list[int]


def flight_model(gets: list[tuple[float, Hashable]],
                 plans: dict[Hashable, list[tuple[float, bool]]],
                 ttl: float) -> tuple[list[Flight | None], list[Flight]]:
    """For each get, the load it waits for (None: it reuses a fresh value); every load."""
    joined: list[Flight | None] = [None] * len(gets)
    loads: list[Flight] = []
    last: dict[Hashable, Flight] = {}
    for index in sorted(range(len(gets)), key=lambda i: gets[i][0]):
        at, key = gets[index]
        flight = last.get(key)
        if flight is not None and at < flight.finish:
            flight.waiters.append(index)
            joined[index] = flight
        elif flight is not None and not flight.fails and at < flight.finish + ttl:
            continue  # a fresh value: returned at once
        else:
            number = flight.number + 1 if flight else 0
            seconds, fails = plans[key][number % len(plans[key])]
            flight = Flight(key, number, at, at + seconds, fails, [index])
            loads.append(flight)
            last[key] = joined[index] = flight
    return joined, loads


def loader_styles(load: Any) -> dict[str, Any]:
    """Ways to hand over a loader(key) that are not an ``async def`` function."""
    class Object:
        async def __call__(self, key: Hashable) -> Any:
            return await load(key)

        def __repr__(self) -> str:
            return "<loader object>"

    async def by_name(extra: str, key: Hashable) -> Any:
        return await load(key)

    return {"function": load, "partial": functools.partial(by_name, "extra"),
            "callable object": Object(), "lambda": lambda key: load(key)}


@task3
@given(gets=st.lists(st.tuples(st.integers(0, 2500), st.sampled_from(["a", 0, "", None])),
                     min_size=1, max_size=8),
       plans=st.lists(st.lists(st.tuples(durations(0.001, 1.5), st.booleans()), min_size=1,
                               max_size=3), min_size=4, max_size=4),
       ttl=st.just(0) | durations(0.001, 2.0), quitting_gets=st.sets(st.integers(0, 7), max_size=3),
       style=st.sampled_from(["function", "partial", "callable object", "lambda"]))
@example(gets=[(0, "a"), (0, "a"), (500, "a"), (1200, 0)], plans=[[(1.0, False)]] * 4, ttl=0.333,
         quitting_gets={0}, style="function")
@example(gets=[(0, "a"), (1500, "a"), (1700, "")], plans=[[(1.0, False)]] * 4, ttl=1.0,
         quitting_gets=set(), style="callable object")
@example(gets=[(0, "a"), (400, "a"), (700, ""), (1000, "a"), (1500, "a")],
         plans=[[(0.75, True), (0.5, False)], [(1.0, False)], [(0.3, False)], [(1.0, False)]],
         ttl=1.0, quitting_gets={1}, style="partial")
@settings(max_examples=10)
def test_any_gets_share_loads_as_the_contract_says(
        gets: list[tuple[int, Hashable]], plans: list[list[tuple[float, bool]]], ttl: float,
        quitting_gets: set[int], style: str) -> None:
    """for any gets, each joins the load in flight, reuses a fresh value or loads; same value or
    exception for every waiter

    The gets are of any keys at any times, with loads that fail or not and waiters that quit.
    """
    keys = ["a", 0, "", None]
    # loads end half a millisecond off the gets' grid: no get arrives at the instant one ends
    table = {key: [(seconds + 0.0005, fails) for seconds, fails in plan]
             for key, plan in zip(keys, plans, strict=True)}
    drawn = [(at / 1000, key) for at, key in gets]
    joined, loads = flight_model(drawn, table, ttl)
    quitters: dict[int, float] = {}
    for flight in loads:  # any waiter may quit (first, middle, last) if another one stays
        quitting = [index for index in flight.waiters if index in quitting_gets]
        for index in quitting[1:] if quitting == flight.waiters else quitting:
            quitters[index] = (drawn[index][0] + flight.finish) / 2
    calls: dict[Hashable, list[float]] = {key: [] for key in keys}
    raised: dict[tuple[Hashable, int], BaseException] = {}

    async def load(key: Hashable) -> Any:
        number = len(calls[key])
        calls[key].append(now())
        seconds, fails = table[key][number % len(table[key])]
        await asyncio.sleep(seconds)
        if fails:
            raised[key, number] = ConnectionError(f"load {number + 1} of {key!r} failed")
            raise raised[key, number]
        return value_of(key, number, drawn[0][1])

    loader = loader_styles(load)[style]

    async def scenario() -> list[tuple[Any, BaseException | None, float]]:
        flight = sync.SingleFlight(ttl)
        seen: list[tuple[Any, BaseException | None, float]] = [(None, None, -1.0)] * len(drawn)

        async def one(index: int) -> None:
            await asyncio.sleep(drawn[index][0])
            result, error = await settle(flight.get(drawn[index][1], loader))
            seen[index] = (result, error, now())

        async def quitting(task: asyncio.Task[None], at: float) -> None:
            await asyncio.sleep(at)
            task.cancel()

        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(index)) for index in range(len(drawn))]
            for index, at in quitters.items():
                group.create_task(quitting(tasks[index], at))
        return seen

    seen = run_virtual(scenario)

    def get_words(index: int) -> str:
        at, key = drawn[index]
        return f"get({key!r}) at {secs(at)}" + (
            f" (cancelled at {secs(quitters[index])})" if index in quitters else "")

    plan_words = "; ".join(
        f"loads of {key!r} take "
        f"{listing(secs(s - 0.0005) + (' and fail' if f else '') for s, f in table[key])}"
        for key in dict.fromkeys(key for _, key in drawn))
    given_as = (f"With SingleFlight(ttl={ttl!r}), "
                f"{listing(get_words(i) for i in range(len(drawn)))}"
                f" ({plan_words}, in turn, with a {style} as the loader)")
    for key in calls:
        due = [flight.start for flight in loads if flight.key == key]
        assert same_time(calls[key], due), (
            f"{given_as}: the loader was called for {key!r} at "
            f"{listing(secs(t) for t in calls[key]) if calls[key] else 'no time'}; expected at "
            f"{listing(secs(t) for t in due) if due else 'no time'}: join a load in flight, "
            "reuse a value younger than ttl, and load otherwise")
    for index, (result, error, at) in enumerate(seen):
        flight = joined[index]
        did = f"{given_as}: {get_words(index)} {outcome(result, error)} at {secs(at)}"
        if index in quitters:
            assert isinstance(error, asyncio.CancelledError) and same_time(
                at, quitters[index]), f"{did}; expected CancelledError at {secs(quitters[index])}"
            continue
        if flight is None:  # a fresh value, returned at once
            before = [f for f in loads if f.key == drawn[index][1] and f.finish < drawn[index][0]]
            expected, error_expected, due = value_of(before[-1].key, before[-1].number,
                                                     drawn[0][1]), None, drawn[index][0]
            how = f"the value loaded at {secs(before[-1].finish)} is still fresh"
        else:
            due = flight.finish
            error_expected = raised.get((flight.key, flight.number)) if flight.fails else None
            expected = None if flight.fails else value_of(flight.key, flight.number, drawn[0][1])
            how = (f"it waits for load {flight.number + 1} of {flight.key!r}, from "
                   f"{secs(flight.start)} to {secs(flight.finish)}")
        if flight is not None and flight.fails:
            shown = (repr(error_expected) if error_expected is not None else
                     "(a ConnectionError: the load was stopped before it could raise it)")
            assert error_expected is not None and error is error_expected \
                and same_time(at, due), (
                    f"{did}; {how}, so it raises that load's own exception {shown}, "
                    f"at {secs(due)}: every waiter gets the same exception")
        else:
            assert error is None and type(result) is type(expected) and result == expected \
                and same_time(at, due), (
                    f"{did}; {how}, so it returns {show(expected)} at {secs(due)}")


# Task 4: deadlock-free transfers: `transfer(source, target, amount)`.

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
@pytest.mark.parametrize(("held", "amount"), [("alice", 5), ("bob", 5), ("alice", 50)],
                         ids=["source held", "target held", "refused"])
async def test_a_transfer_holds_both_locks(held: str, amount: int) -> None:
    """holds both accounts' locks whenever it reads or writes a balance, and waits for them"""
    alice, bob = account("alice", 20, latency=0.25), account("bob", 0, latency=0.125)
    for store in (alice.store, bob.store):
        store.watch = lambda: alice.lock.locked() and bob.lock.locked()
    holder = {"alice": alice, "bob": bob}[held]
    async with holder.lock:  # someone else holds one lock for 1 s
        call = asyncio.create_task(sync.transfer(alice, bob, amount))
        await asyncio.sleep(1.0)
    result, error = await settle(call)
    accesses = sorted((at, f"{name}'s {what}", both)
                      for name, store in (("alice", alice.store), ("bob", bob.store))
                      for at, what, both in store.accesses)
    early = [f"{what} at {secs(at)}" for at, what, _ in accesses
             if at < 1.0 - CLOCK_RESOLUTION]
    loose = [f"{what} at {secs(at)}" for at, what, both in accesses if not both]
    assert not early, (
        f"{held}'s lock was held by someone else until 1.0 s, yet transfer(alice, bob, "
        f"{amount}) touched the stores: {listing(early)}. Take both locks before reading")
    moved = (alice.store.value, bob.store.value)
    if amount > 20:
        assert isinstance(error, ValueError) and moved == (20, 0), (
            f"transfer(alice holding 20, bob, {amount}) {outcome(result, error)} and left "
            f"{moved}; expected ValueError and nothing moved")
    else:
        assert error is None and moved == (20 - amount, amount), (
            f"transfer(alice holding 20, bob holding 0, {amount}), once the lock was free, "
            f"{outcome(result, error)} and left {moved}; expected {(20 - amount, amount)}")
    assert not loose, (
        f"transfer(alice holding 20, bob, {amount}) {outcome(result, error)}, but it did not "
        f"hold both accounts' locks for {listing(loose)}: hold both from the first read to "
        "the last write, so the change of the two balances is one atomic step")


def history(accounts: int) -> st.SearchStrategy[list[Call]]:
    one = st.tuples(st.integers(0, 400), st.sampled_from(["deposit", "withdraw", "transfer"]),
                    st.permutations(range(accounts)), st.integers(1, 60))
    return st.lists(one.map(lambda c: Call(c[0] / 1000, c[1], tuple(c[2][:2 if c[1] ==
                                                                         "transfer" else 1]),
                                           c[3])), min_size=1, max_size=7)


@task4
@given(names=st.permutations(["alice", "bob", "carol"]),
       balances=st.lists(st.integers(0, 100), min_size=3, max_size=3),
       latencies=st.lists(durations(0.001, 0.3), min_size=3, max_size=3), calls=history(3))
@example(names=["carol", "alice", "bob"], balances=[50, 50, 50], latencies=[0.1, 0.25, 0.333],
         calls=[Call(0.0, "transfer", (0, 1), 30), Call(0.0, "transfer", (1, 0), 60),
                Call(0.0, "deposit", (1,), 5), Call(0.05, "transfer", (2, 0), 50)])
@example(names=["bob", "carol", "alice"], balances=[10, 0, 0], latencies=[0.2, 0.2, 0.2],
         calls=[Call(0.0, "transfer", (0, 1), 10), Call(0.1, "transfer", (1, 2), 10),
                Call(0.1, "transfer", (2, 0), 10), Call(0.15, "withdraw", (1,), 1)])
@settings(max_examples=10)
def test_any_transfers_act_one_at_a_time(names: list[str], balances: list[int],
                                         latencies: list[float], calls: list[Call]) -> None:
    """for any transfers, deposits and withdrawals, all complete and act as if one at a time: no
    deadlock, nothing lost

    They are among three accounts, in any directions at any times.
    """
    check_serial(list(names), balances, latencies, calls)


@task4
async def test_a_short_transfer_moves_nothing() -> None:
    """a transfer larger than the source balance raises ValueError naming it, moves nothing,
    and lets go of both locks"""
    alice, bob = account("alice", 20), account("bob", 0)
    await rejects(ValueError, lambda: sync.transfer(alice, bob, 50),
                  shown="transfer(alice holding 20, bob, 50)", named="alice")
    assert (alice.store.value, bob.store.value) == (20, 0), "a refused transfer moved money"
    held = [a.name for a in (alice, bob) if a.lock.locked()]
    assert not held, (
        f"the refused transfer(alice holding 20, bob, 50) left {listing(held)}'s lock held: "
        "every later change of that account would wait for it forever. Let go of both locks "
        "however the transfer ends")
    got = [await alice.deposit(1), await bob.deposit(1)]
    assert got == [21, 1], (
        f"after the refused transfer, deposit(1) to alice and to bob returned {got}; expected "
        "[21, 1]")


@task4
@pytest.mark.parametrize("direction", ["alice to bob", "bob to alice"])
async def test_a_cancelled_transfer_lets_go_of_both_locks(direction: str) -> None:
    """a transfer cancelled mid-way lets go of both locks and moves nothing"""
    alice, bob = account("alice", 20, latency=1.0), account("bob", 20, latency=1.0)
    source, target = (alice, bob) if direction == "alice to bob" else (bob, alice)
    call = asyncio.create_task(sync.transfer(source, target, 5))
    await asyncio.sleep(0.5)
    call.cancel()
    result, error = await settle(call)
    held = [a.name for a in (alice, bob) if a.lock.locked()]
    did = (f"transfer({source.name}, {target.name}, 5) was cancelled at 0.5 s, during its "
           f"read of {source.name}'s balance, and {outcome(result, error)}")
    assert isinstance(error, asyncio.CancelledError), (
        f"{did}; expected the CancelledError to propagate")
    assert not held, (
        f"{did}, leaving {listing(held)}'s lock held: every later change of that account "
        "would wait for it forever. Let go of both locks however the transfer ends")
    assert (alice.store.value, bob.store.value) == (20, 20), (
        f"{did}, and left alice {alice.store.value}, bob {bob.store.value}: nothing may move")


def transfer_accesses(direction: str, cancel_at: int | None = None,
                      cancel_after: float | None = None) -> dict[str, Any]:
    """One transfer of 5 between alice (20, round trips of 0.25 s) and bob (20, 0.125 s),
    cancelled once: as its `cancel_at`-th store access starts or ends (from 0), or
    `cancel_after` seconds in. What it did, the balances when it ended, and 5 s later."""
    async def scenario() -> dict[str, Any]:
        alice, bob = account("alice", 20, latency=0.25), account("bob", 20, latency=0.125)
        source, target = (alice, bob) if direction == "alice to bob" else (bob, alice)
        seen: list[str] = []
        call: list[asyncio.Task[None]] = []

        def watcher(name: str) -> Any:
            def watch() -> None:
                if len(seen) == cancel_at:
                    call[0].cancel()
                seen.append(name)
            return watch

        alice.store.watch, bob.store.watch = watcher("alice"), watcher("bob")
        call.append(asyncio.create_task(sync.transfer(source, target, 5)))
        if cancel_after is not None:
            await asyncio.sleep(cancel_after)
            call[0].cancel()
        result, error = await settle(call[0])
        ended = now()
        at_end = (alice.store.value, bob.store.value)
        held = [a.name for a in (alice, bob) if a.lock.locked()]
        left = running_tasks()
        accesses = sorted(
            (at, f"{name}'s {what}") for name, store in (("alice", alice.store),
                                                        ("bob", bob.store))
            for at, what, _ in store.accesses)
        await asyncio.sleep(5.0)
        return {"source": source.name, "target": target.name, "result": result,
                "error": error, "ended": ended, "at_end": at_end, "held": held, "left": left,
                "later": (alice.store.value, bob.store.value), "accesses": accesses}

    return run_virtual(scenario)


@task4
@pytest.mark.parametrize("direction", ["alice to bob", "bob to alice"])
def test_a_transfer_cancelled_at_any_point_moves_all_or_nothing(direction: str) -> None:
    """a transfer cancelled at any point moves the whole amount or nothing

    A transfer cancelled at any point, between its debit and its credit too, moves the whole
    amount or nothing, its writes done when the cancellation reaches the caller.

    It is cancelled once, at the start or end of each of its store accesses and in the middle of
    each; it lets go of both locks and leaves no write running.
    """
    whole = transfer_accesses(direction)
    assert whole["error"] is None, (
        f"transfer({whole['source']}, {whole['target']}, 5) with both holding 20 "
        f"{outcome(whole['result'], whole['error'])}; expected it to move 5")
    moved = {"alice to bob": (15, 25), "bob to alice": (25, 15)}[direction]
    cuts: list[tuple[str, dict[str, Any]]] = []
    for index, (at, what) in enumerate(whole["accesses"]):
        cuts.append((f"as {what} (at {secs(at)} of an uncancelled run)",
                     transfer_accesses(direction, cancel_at=index)))
    moments = [at for at, _ in whole["accesses"]] + [whole["ended"]]
    for before, after in itertools.pairwise(moments):
        if after - before > 2 * CLOCK_RESOLUTION:
            middle = (before + after) / 2
            cuts.append((f"at {secs(middle)}", transfer_accesses(direction,
                                                                 cancel_after=middle)))
    for when, got in cuts:
        did = (f"transfer({got['source']}, {got['target']}, 5), alice and bob holding 20 (store "
               f"round trips of 0.25 s and 0.125 s), was cancelled {when}, and "
               f"{outcome(got['result'], got['error'])} at {secs(got['ended'])}")
        assert isinstance(got["error"], asyncio.CancelledError), (
            f"{did}; expected the CancelledError to reach the caller")
        assert got["at_end"] in ((20, 20), moved), (
            f"{did}, with alice holding {got['at_end'][0]} and bob {got['at_end'][1]}; expected "
            f"nothing moved (20 and 20) or all of it {moved}: a cancellation between the debit "
            "and the credit must not lose the money (catch the CancelledError, write the "
            "debit back, and raise it again; or let the credit finish), and the writes must be "
            "done when the cancellation reaches the caller")
        assert not got["held"] and not got["left"], (
            f"{did}, leaving " + listing([f"{name}'s lock held" for name in got["held"]]
                                         + [f"{task} running" for task in got["left"]])
            + ": let go of both locks and leave no write running, however the transfer ends")
        assert got["later"] == got["at_end"], (
            f"{did}, alice holding {got['at_end'][0]} and bob {got['at_end'][1]}, but 5 s later "
            f"{got['later'][0]} and {got['later'][1]}: a write went on after the cancellation "
            "reached the caller, once the locks were let go")


# Task 5: reject bad input: amounts, a transfer to itself, a ttl.

@task5
@pytest.mark.parametrize(("amount", "error", "named"), [
    (0, ValueError, "0"), (-5, ValueError, "-5"), (2.5, TypeError, "2.5"),
    (True, TypeError, "True"), ("10", TypeError, "'10'")])
@pytest.mark.parametrize("method", ["deposit", "withdraw"])
async def test_rejects_bad_amounts(method: str, amount: Any, error: type[Exception],
                                   named: str) -> None:
    """rejects an amount that is not a positive int, naming it, and changes nothing"""
    wallet = account("wallet", 100)
    await rejects(error, lambda: getattr(wallet, method)(amount),
                  shown=f"{method}({amount!r})", named=named)
    assert wallet.store.value == 100, f"the bad {method} changed the balance"


@task5
@pytest.mark.parametrize(("amount", "error", "named"), [
    (0, ValueError, "0"), (-1, ValueError, "-1"), (1.5, TypeError, "1.5"),
    (True, TypeError, "True"), ("10", TypeError, "'10'")])
async def test_transfer_rejects_bad_amounts(amount: Any, error: type[Exception],
                                            named: str) -> None:
    """rejects an amount that is not a positive int, naming it"""
    alice, bob = account("alice", 20), account("bob", 0)
    await rejects(error, lambda: sync.transfer(alice, bob, amount),
                  shown=f"transfer(alice, bob, {amount!r})", named=named)
    assert (alice.store.value, bob.store.value) == (20, 0), "a refused transfer moved money"


@task5
async def test_a_transfer_to_itself_is_refused() -> None:
    """a transfer from an account to itself is refused, naming it (it would wait on its own lock)"""
    alice = account("alice", 20)
    await rejects(ValueError, lambda: sync.transfer(alice, alice, 5),
                  shown="transfer(alice, alice, 5)", named="alice")
    assert alice.store.value == 20, "a refused transfer changed the balance"


@task5
@pytest.mark.parametrize(("ttl", "error", "named"), [
    (-1, ValueError, "-1"), (-0.5, ValueError, "-0.5"), ("5", TypeError, "'5'"),
    (None, TypeError, "None"), (True, TypeError, "True"), (math.nan, ValueError, "nan"),
    (math.inf, ValueError, "inf"), (-math.inf, ValueError, "-inf")])
async def test_single_flight_rejects_a_bad_ttl(ttl: Any, error: type[Exception],
                                               named: str) -> None:
    """rejects a ttl that is not a finite, non-negative number of seconds, naming it

    Rejects a ttl that is not a finite, non-negative number of seconds (a bool, NaN, infinity),
    naming it.
    """
    await rejects(error, lambda: sync.SingleFlight(ttl=ttl), shown=f"SingleFlight(ttl={ttl!r})",
                  named=named)

"""The asyncio-aware operators of scripts/mutmut_asyncio.py, and their place in mutmut."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import libcst as cst
import pytest
from mutmut import configuration
from mutmut.mutation import file_mutation, mutators

from scripts import mutmut_asyncio as asyncio_ops
from scripts.project import ROOT

Operator = asyncio_ops.Operator


def mutants(operator: Operator, source: str) -> list[str]:
    """Every mutant `operator` makes of `source`, each as the whole mutated source."""
    module = cst.parse_module(textwrap.dedent(source))
    kinds = tuple(kind for kind, op in asyncio_ops.OPERATORS if op is operator)
    found: list[cst.CSTNode] = []

    class Collect(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, kinds):
                found.append(node)
            return True

    module.visit(Collect())
    return [module.deep_replace(node, mutated).code  # type: ignore[union-attr]
            for node in found for mutated in operator(node)]


def src(text: str) -> str:
    return textwrap.dedent(text)


@pytest.fixture
def mutmut_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder with a ``[tool.mutmut]`` section, as mutmut's config needs; the operator
    table and the config are given back afterwards."""
    (tmp_path / "pyproject.toml").write_text('[tool.mutmut]\nsource_paths = ["."]\n')
    monkeypatch.chdir(tmp_path)
    configuration.reset_config()
    yield tmp_path
    asyncio_ops.unregister()
    configuration.reset_config()


def test_drop_await_on_work_under_way() -> None:
    code = """\
        async def f(task, tasks, job):
            await task
            await asyncio.gather(*tasks)
            await job()
            result = await task
    """
    assert mutants(asyncio_ops.drop_await, code) == [
        src(code).replace("    await task\n", "    task\n"),
        src(code).replace("await asyncio.gather(*tasks)", "asyncio.gather(*tasks)"),
    ]


def test_drop_wakeup_statements() -> None:
    code = """\
        async def f(event, task, session, lock, queue, changed):
            event.set()
            await session.close()
            ok = task.cancel()
            lock.acquire()
    """
    assert mutants(asyncio_ops.drop_wakeup, code) == [
        src(code).replace("event.set()", "pass"),
        src(code).replace("await session.close()", "pass"),
    ]
    for call in ("task.cancel()", "lock.release()", "queue.task_done()", "changed.notify()",
                 "changed.notify_all()", "await items.aclose()"):
        assert mutants(asyncio_ops.drop_wakeup, f"async def f():\n    {call}\n") == [
            "async def f():\n    pass\n"]


def test_drop_async_with() -> None:
    code = """\
        async def f(lock, slots, session, url):
            async with lock:
                work()
            async with asyncio.timeout(1), slots, session.get(url) as response:
                work(response)
            with lock:
                work()
    """
    assert mutants(asyncio_ops.drop_async_with, code) == [
        src(code).replace("async with lock:", "if True:"),
        src(code).replace("asyncio.timeout(1), slots, ", "asyncio.timeout(1), "),
    ]
    assert mutants(asyncio_ops.drop_async_with,
                   "async def f(a, b):\n    async with a, b:\n        pass\n") == [
        "async def f(a, b):\n    async with b:\n        pass\n",
        "async def f(a, b):\n    async with a:\n        pass\n"]


def test_drop_finally_runs_the_clean_up_after_the_try() -> None:
    assert mutants(asyncio_ops.drop_finally, """\
        async def f(lock):
            try:
                await work()
            finally:
                lock.release()
    """) == [src("""\
        async def f(lock):
            if True:
                await work()
                lock.release()
    """)]
    assert mutants(asyncio_ops.drop_finally, """\
        async def f(lock):
            try:
                await work()
            except ValueError:
                log()
            finally:
                lock.release()
            try:
                await work()
            except ValueError:
                log()
    """) == [src("""\
        async def f(lock):
            if True:
                try:
                    await work()
                except ValueError:
                    log()
                lock.release()
            try:
                await work()
            except ValueError:
                log()
    """)]


def test_drop_shield() -> None:
    assert mutants(asyncio_ops.drop_shield, "async def f(t):\n    await asyncio.shield(t)\n") == [
        "async def f(t):\n    await t\n"]


def test_swallow_cancellation() -> None:
    code = """\
        async def f(task):
            try:
                await task
            except asyncio.CancelledError:
                task.cancel()
                if task.done():
                    raise
                raise
            except ValueError:
                raise
    """
    both = "            raise\n        raise\n"
    assert mutants(asyncio_ops.swallow_cancellation, code) == [
        src(code).replace(both, "            pass\n        raise\n"),
        src(code).replace(both, "            raise\n        pass\n"),
    ]
    for handler in ("except BaseException:", "except:", "except (CancelledError, KeyError):"):
        assert mutants(asyncio_ops.swallow_cancellation,
                       f"try:\n    pass\n{handler}\n    raise\n") == [
            f"try:\n    pass\n{handler}\n    pass\n"]
    nested = """\
        try:
            pass
        except BaseException as error:
            def later():
                raise
            raise RuntimeError() from error
    """
    assert mutants(asyncio_ops.swallow_cancellation, nested) == []


def test_widen_except() -> None:
    assert mutants(asyncio_ops.widen_except, "try:\n    pass\nexcept Exception as e:\n    pass\n"
                   ) == ["try:\n    pass\nexcept BaseException as e:\n    pass\n"]
    assert mutants(asyncio_ops.widen_except, "try:\n    pass\nexcept (Exception, E):\n    pass\n"
                   ) == ["try:\n    pass\nexcept (BaseException, E):\n    pass\n"]
    assert mutants(asyncio_ops.widen_except, "try:\n    pass\nexcept ValueError:\n    pass\n"
                   ) == []


def test_sleep_zero() -> None:
    code = """\
        async def f(delay):
            await asyncio.sleep(delay)
            await sleep(delay=1.5)
            await asyncio.sleep(0)
            time.sleep(1)
    """
    assert mutants(asyncio_ops.sleep_zero, code) == [
        src(code).replace("asyncio.sleep(delay)", "asyncio.sleep(0)"),
        src(code).replace("sleep(delay=1.5)", "sleep(delay=0)"),
    ]


def test_wall_clock() -> None:
    code = """\
        def f(loop, clock):
            a = loop.time()
            b = asyncio.get_running_loop().time()
            c = self._loop.time()
            d = time.time() + clock.time()
    """
    monotonic = '__import__("time").monotonic()'
    assert mutants(asyncio_ops.wall_clock, code) == [
        src(code).replace("loop.time()", monotonic, 1),
        src(code).replace("asyncio.get_running_loop().time()", monotonic),
        src(code).replace("self._loop.time()", monotonic),
    ]


def test_escape_task_group() -> None:
    code = """\
        async def f(group, loop):
            group.create_task(job(), name="job")
            self._group.create_task(coro=job())
            asyncio.create_task(job())
            loop.create_task(job())
    """
    moved = '__import__("asyncio").ensure_future(job())'
    assert mutants(asyncio_ops.escape_task_group, code) == [
        src(code).replace('group.create_task(job(), name="job")', moved),
        src(code).replace("self._group.create_task(coro=job())", moved),
    ]


def test_disable_timeout() -> None:
    code = """\
        async def f(t, when):
            async with asyncio.timeout(t):
                pass
            async with asyncio.timeout_at(when=when):
                pass
            async with asyncio.timeout(None):
                pass
    """
    assert mutants(asyncio_ops.disable_timeout, code) == [
        src(code).replace("asyncio.timeout(t)", "asyncio.timeout(None)"),
        src(code).replace("timeout_at(when=when)", "timeout_at(when=None)"),
    ]


def test_unbounded_wait() -> None:
    code = """\
        async def f(c, fs, t):
            await asyncio.wait_for(c, t)
            await asyncio.wait_for(c, timeout=t)
            await asyncio.wait(fs, timeout=t)
            await asyncio.wait(fs)
    """
    assert mutants(asyncio_ops.unbounded_wait, code) == [
        src(code).replace("wait_for(c, t)", "wait_for(c, None)"),
        src(code).replace("wait_for(c, timeout=t)", "wait_for(c, timeout=None)"),
        src(code).replace("wait(fs, timeout=t)", "wait(fs, timeout=None)"),
    ]


def test_every_operator_names_the_mistake_it_models() -> None:
    for _, operator in asyncio_ops.OPERATORS:
        assert operator.__doc__ and len(operator.__doc__.split()) >= 10, operator.__name__


SOURCE = """\
import asyncio


async def wait(event, delay):
    await asyncio.sleep(delay)
    event.set()


class Gate:
    async def pass_through(self, lock, seconds):
        async with asyncio.timeout(seconds):
            async with lock:
                return 1
"""


def test_register_extends_mutmuts_own_table_in_place(mutmut_project: Path) -> None:
    table = mutators.mutation_operators
    own = list(table)
    assert file_mutation.mutation_operators is table  # where mutmut reads it from
    asyncio_ops.register()
    asyncio_ops.register()  # idempotent
    assert mutators.mutation_operators is table
    assert len(table) == len(own) + len(asyncio_ops.OPERATORS)
    assert table[len(own):] == asyncio_ops.OPERATORS
    asyncio_ops.register(generic=False)
    assert table == asyncio_ops.OPERATORS
    asyncio_ops.unregister()
    assert table == own


def test_registered_operators_make_mutmuts_mutants(mutmut_project: Path) -> None:
    generic_only = file_mutation.mutate_file_contents("m.py", SOURCE)
    asyncio_ops.register()
    _, mutations, _, _ = file_mutation.create_mutations("m.py", SOURCE)
    made = file_mutation.mutate_file_contents("m.py", SOURCE)
    assert len(made.mutant_names) == len(mutations) == len(generic_only.mutant_names) + 3
    assert "await asyncio.sleep(0)" in made.code and "if True:" in made.code
    no_set = "async def x_wait__mutmut_3(event, delay):\n    await asyncio.sleep(delay)\n    pass"
    assert no_set in made.code
    # a change both kinds would make is made once, and counted as asyncio:
    assert made.code.count("async with asyncio.timeout(None):") == 1
    operators = asyncio_ops.mutant_operators("m.py", SOURCE)
    assert list(operators) == list(made.mutant_names)
    assert operators == {
        "x_wait__mutmut_1": asyncio_ops.GENERIC,  # asyncio.sleep(None)
        "x_wait__mutmut_2": "sleep_zero",
        "x_wait__mutmut_3": "drop_wakeup",
        "xǁGateǁpass_through__mutmut_1": "disable_timeout",
        "xǁGateǁpass_through__mutmut_2": "drop_async_with",
        "xǁGateǁpass_through__mutmut_3": asyncio_ops.GENERIC,  # return 2
    }


def test_asyncio_only(mutmut_project: Path) -> None:
    asyncio_ops.register(generic=False)
    operators = asyncio_ops.mutant_operators("m.py", SOURCE)
    assert sorted(operators.values()) == [
        "disable_timeout", "drop_async_with", "drop_wakeup", "sleep_zero"]
    assert sorted(operators) == ["x_wait__mutmut_1", "x_wait__mutmut_2",
                                 "xǁGateǁpass_through__mutmut_1", "xǁGateǁpass_through__mutmut_2"]


def test_the_command_line_reaches_mutmuts_workers(tmp_path: Path) -> None:
    """``python -m scripts.mutmut_asyncio run``: mutmut forks its workers from the process
    that registered the operators, so the mutants are made, tested and listed."""
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "__init__.py").write_text("")
    (tmp_path / "src" / "pkg" / "mod.py").write_text(src("""\
        import asyncio


        async def wait(event):
            await asyncio.sleep(1)
            event.set()
    """))
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_mod.py").write_text(src("""\
        import asyncio

        from pkg.mod import wait


        def test_wait():
            event = asyncio.Event()
            asyncio.run(wait(event))
            assert event.is_set()
    """))
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mutmut]\nsource_paths = ["src/"]\npytest_add_cli_args_test_selection = '
        '["tests/"]\npytest_add_cli_args = ["-p", "no:cacheprovider"]\n')
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}

    def command(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "scripts.mutmut_asyncio", *args],
                              cwd=tmp_path, env=env, capture_output=True, text=True,
                              check=False, timeout=120)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return done.stdout

    command("--asyncio-only", "run")
    results = command("--asyncio-only", "results", "--all", "true")
    assert "pkg.mod.x_wait__mutmut_1: survived" in results  # sleep(0): the test cannot tell
    assert "pkg.mod.x_wait__mutmut_2: killed" in results  # no event.set()
    assert command("--asyncio-only", "operators").split() == [
        "pkg.mod.x_wait__mutmut_1:", "sleep_zero", "pkg.mod.x_wait__mutmut_2:", "drop_wakeup"]
    other_table = subprocess.run([sys.executable, "-m", "scripts.mutmut_asyncio", "operators"],
                                 cwd=tmp_path, env=env, capture_output=True, text=True,
                                 check=False, timeout=120)
    assert other_table.returncode != 0 and "other mutants" in other_table.stderr

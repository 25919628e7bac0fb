"""asyncio-aware mutation operators for mutmut 3.

mutmut's own operators change numbers, strings, names, arguments and operators; none makes
the mistakes asyncio code gets wrong: a missing ``await``, a lock not taken, clean-up outside
``finally``, a swallowed cancellation. Each operator here models one such mistake, in mutmut's
style: a function that takes a libcst node and yields its replacements; ``OPERATORS`` pairs
each with the node type it takes.

``register()`` puts them in mutmut's operator table, in place, before mutmut makes its
mutants: they then run with mutmut's trampolines, workers, timeouts and ``mutmut results``
like any other mutant. From a shell, mutmut's own command line with them registered (in this
project the module is ``scripts.mutmut_asyncio``)::

    python -m mutmut_asyncio run                  # mutmut's operators and these
    python -m mutmut_asyncio --asyncio-only run   # these alone
    python -m mutmut_asyncio operators            # which operator made each mutant

mutmut makes its mutants in worker processes it forks (the start method is "fork"), so the
table registered in the parent is the table they use. ``mutant_operators()`` tells which
operator made each mutant of a file, by mutmut's mutant names.

A statement is never removed with ``RemovalSentinel`` or ``FlattenSentinel``: mutmut walks the
children of a replacement to see whether it removes ``# pragma: no mutate`` code, and the
sentinels have none. A statement is replaced by ``pass``, a block by ``if True:`` around the
statements that stay. This module depends on mutmut and libcst only.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import libcst as cst
from mutmut.mutation import mutators
from mutmut.mutation.file_mutation import (
    Mutation,
    combine_mutations_to_source,
    create_mutations,
    group_by_top_level_node,
)
from mutmut.mutation.trampoline_templates import mangle_function_name

Operator = Callable[[Any], Iterable[cst.CSTNode]]

GENERIC = "generic"  # what `mutant_operators` calls a mutant made by one of mutmut's operators
WAKE_OR_RELEASE = frozenset(
    {"set", "cancel", "close", "aclose", "release", "task_done", "notify", "notify_all"})
LOOP_GETTERS = frozenset({"get_running_loop", "get_event_loop", "get_loop"})
FUTURE_MAKERS = frozenset({"gather", "shield", "ensure_future", "wrap_future"})
_EMPTY = cst.Module(body=[])


def _dotted(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a name or an attribute chain; None for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def _asyncio_function(call: cst.Call, *names: str) -> bool:
    """Whether `call` calls ``asyncio.<name>`` (or ``<name>`` imported from asyncio)."""
    return _dotted(call.func) in {*names, *(f"asyncio.{name}" for name in names)}


def _is_loop(node: cst.BaseExpression) -> bool:
    """Whether `node` reads as an event loop: ``loop``, ``self._loop``, ``get_running_loop()``."""
    if isinstance(node, cst.Call):
        return (_dotted(node.func) or "").rpartition(".")[2] in LOOP_GETTERS
    return "loop" in (_dotted(node) or "").rpartition(".")[2].lower()


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _is_zero(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Integer | cst.Float) and node.evaluated_value == 0


def _argument(call: cst.Call, position: int, keyword: str) -> int | None:
    """The index in ``call.args`` of the argument at `position` or named `keyword`."""
    for index, arg in enumerate(call.args):
        if arg.keyword is not None:
            if arg.keyword.value == keyword:
                return index
        elif not arg.star and index == position:
            return index
    return None


def _with_argument(call: cst.Call, index: int, value: cst.BaseExpression) -> cst.Call:
    """`call` with its argument at `index` set to `value` (as mutmut's own operators do it)."""
    args = list(call.args)
    args[index] = args[index].with_changes(value=value)
    return call.with_changes(args=args)


def _statements(suite: cst.BaseSuite) -> list[cst.BaseStatement]:
    """The statements of a block, whether indented or on the header's line."""
    if isinstance(suite, cst.IndentedBlock):
        return list(suite.body)
    assert isinstance(suite, cst.SimpleStatementSuite)
    return [cst.SimpleStatementLine(body=suite.body)]


def _if_true(node: cst.BaseCompoundStatement, statements: Sequence[cst.BaseStatement]) -> cst.If:
    """``if True:`` around `statements`: a block in place of the compound statement `node`."""
    return cst.If(test=cst.Name("True"), body=cst.IndentedBlock(body=statements),
                  leading_lines=node.leading_lines)


def drop_await(node: cst.Expr) -> Iterator[cst.Expr]:
    """A forgotten ``await`` on work already under way: ``await task`` (a task, a future, an
    event's waiter) or ``await asyncio.gather(...)`` as a statement becomes ``task``; the
    caller goes on while that work is still in flight.

    Only where it makes sense: an ``await`` whose result is thrown away (where the result is
    used, the mutant fails on its type), and not on a call to a coroutine function, which
    would never run at all, a mistake Python itself reports ("coroutine ... was never
    awaited"). Calls to ``gather``, ``shield``, ``ensure_future`` and ``wrap_future`` return
    futures, so their ``await`` is dropped.
    """
    if not isinstance(node.value, cst.Await):
        return
    awaited = node.value.expression
    if not isinstance(awaited, cst.Call) or _asyncio_function(awaited, *FUTURE_MAKERS):
        yield node.with_changes(value=awaited)


def drop_wakeup(node: cst.Expr) -> Iterator[cst.Pass]:
    """A forgotten ``.set()``, ``.cancel()``, ``.close()``, ``.aclose()``, ``.release()``,
    ``.task_done()``, ``.notify()`` or ``.notify_all()`` standing as a statement (awaited or
    not) becomes ``pass``.

    Waiters are never woken, a task or a resource is left behind, a slot is never given back,
    ``join()`` never returns.
    """
    value = node.value.expression if isinstance(node.value, cst.Await) else node.value
    if (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
            and value.func.attr.value in WAKE_OR_RELEASE):
        yield cst.Pass(semicolon=node.semicolon)


def drop_async_with(node: cst.With) -> Iterator[cst.BaseCompoundStatement]:
    """A lock, semaphore or resource not taken: one context manager of an ``async with`` is
    dropped and its block runs without it (``if True:`` when it was the only one).

    Only a manager without ``as`` is dropped (the block would miss the name otherwise), and
    not ``asyncio.timeout``, which `disable_timeout` mutates.
    """
    if not node.asynchronous:
        return
    for index, item in enumerate(node.items):
        if item.asname is not None or (isinstance(item.item, cst.Call) and _asyncio_function(
                item.item, "timeout", "timeout_at")):
            continue
        if len(node.items) == 1:
            yield _if_true(node, _statements(node.body))
            continue
        rest = [*node.items[:index], *node.items[index + 1:]]
        rest[-1] = rest[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        yield node.with_changes(items=rest)


def drop_finally(node: cst.Try | cst.TryStar) -> Iterator[cst.If]:
    """Clean-up outside ``finally``: the ``finally:`` clause is dropped and its body runs after
    the ``try`` statement.

    The clean-up then runs only when the block ends normally: not when it raises, returns
    early or is cancelled.
    """
    if node.finalbody is None:
        return
    if node.handlers:
        guarded: list[cst.BaseStatement] = [
            node.with_changes(finalbody=None, leading_lines=[])]
    else:
        guarded = _statements(node.body)
    yield _if_true(node, [*guarded, *_statements(node.finalbody.body)])


def drop_shield(node: cst.Call) -> Iterator[cst.BaseExpression]:
    """A missing shield: ``asyncio.shield(x)`` becomes ``x``, so cancelling the waiter
    cancels the shared work too."""
    if _asyncio_function(node, "shield") and len(node.args) == 1 and not node.args[0].star:
        yield node.args[0].value


class _BareRaises(cst.CSTVisitor):
    """The bare ``raise`` statements of a handler, not those of a nested handler or function."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[cst.Raise] = []

    def visit_Raise(self, node: cst.Raise) -> None:
        if node.exc is None:
            self.found.append(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> bool:
        return False

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> bool:
        return False


def _catches_cancellation(kind: cst.BaseExpression | None) -> bool:
    if kind is None:  # a bare `except:`
        return True
    if isinstance(kind, cst.Tuple):
        return any(_catches_cancellation(element.value) for element in kind.elements)
    name = (_dotted(kind) or "").rpartition(".")[2]
    return name in ("CancelledError", "BaseException")


def swallow_cancellation(node: cst.ExceptHandler | cst.ExceptStarHandler) -> Iterator[cst.CSTNode]:
    """A swallowed cancellation: in a handler that catches CancelledError (by name, or as
    BaseException or a bare ``except:``), a bare ``raise`` becomes ``pass``.

    The task then goes on, or returns normally, after it was told to stop; whoever cancelled
    it never sees it end cancelled.
    """
    if not _catches_cancellation(node.type):
        return
    raises = _BareRaises()
    node.body.visit(raises)
    handler: cst.CSTNode = node
    for found in raises.found:
        yield handler.deep_replace(found, cst.Pass(semicolon=found.semicolon))


def widen_except(
        node: cst.ExceptHandler | cst.ExceptStarHandler,
) -> Iterator[cst.ExceptHandler | cst.ExceptStarHandler]:
    """``except Exception`` widened to ``except BaseException``: the handler now also catches
    CancelledError (and KeyboardInterrupt), treating a cancellation as an ordinary failure."""
    kind = node.type
    if isinstance(kind, cst.Name) and kind.value == "Exception":
        yield node.with_changes(type=kind.with_changes(value="BaseException"))
    elif isinstance(kind, cst.Tuple):
        for index, element in enumerate(kind.elements):
            if isinstance(element.value, cst.Name) and element.value.value == "Exception":
                elements = list(kind.elements)
                elements[index] = element.with_changes(
                    value=element.value.with_changes(value="BaseException"))
                yield node.with_changes(type=kind.with_changes(elements=elements))


def sleep_zero(node: cst.Call) -> Iterator[cst.Call]:
    """A wait that does not wait: ``asyncio.sleep(x)`` becomes ``asyncio.sleep(0)``, a bare
    yield to the loop (a backoff, a pace or a schedule that no longer spaces anything)."""
    if not _asyncio_function(node, "sleep"):
        return
    index = _argument(node, 0, "delay")
    if index is not None and not _is_zero(node.args[index].value):
        yield _with_argument(node, index, cst.Integer("0"))


_MONOTONIC = cst.parse_expression('__import__("time").monotonic')
_ENSURE_FUTURE = cst.parse_expression('__import__("asyncio").ensure_future')


def wall_clock(node: cst.Call) -> Iterator[cst.Call]:
    """The wrong clock: the loop's ``loop.time()`` (or ``asyncio.get_running_loop().time()``)
    becomes ``time.monotonic()``, the wall clock, which the loop's timers do not follow."""
    if (isinstance(node.func, cst.Attribute) and node.func.attr.value == "time"
            and not node.args and _is_loop(node.func.value)):
        yield node.with_changes(func=_MONOTONIC)


def escape_task_group(node: cst.Call) -> Iterator[cst.Call]:
    """A task outside its group: ``group.create_task(c)`` becomes ``asyncio.ensure_future(c)``.

    The group no longer waits for it, nor cancels it when a sibling fails or the caller is
    cancelled. Calls on ``asyncio`` or on a loop are left alone: their tasks have no group.
    """
    func = node.func
    if (not isinstance(func, cst.Attribute) or func.attr.value != "create_task"
            or _dotted(func.value) == "asyncio" or _is_loop(func.value)):
        return
    index = _argument(node, 0, "coro")
    if index is not None:
        work = node.args[index].with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT,
                                             comma=cst.MaybeSentinel.DEFAULT)
        yield node.with_changes(func=_ENSURE_FUTURE, args=[work])


def disable_timeout(node: cst.Call) -> Iterator[cst.Call]:
    """A timeout that never fires: ``asyncio.timeout(x)`` (or ``timeout_at``) becomes
    ``asyncio.timeout(None)``."""
    if _asyncio_function(node, "timeout", "timeout_at"):
        index = _argument(node, 0, "delay" if _asyncio_function(node, "timeout") else "when")
        if index is not None and not _is_none(node.args[index].value):
            yield _with_argument(node, index, cst.Name("None"))


def unbounded_wait(node: cst.Call) -> Iterator[cst.Call]:
    """A wait without its limit: the timeout of ``asyncio.wait_for(c, t)`` or of
    ``asyncio.wait(fs, timeout=t)`` becomes None, so the call waits as long as the work takes.

    ``wait_for(c, None)`` is ``await c``; written this way the mutant is the one mutmut's
    argument operator would also make, so `register` keeps one copy, counted as asyncio.
    """
    if _asyncio_function(node, "wait_for"):
        index = _argument(node, 1, "timeout")
    elif _asyncio_function(node, "wait"):
        index = _argument(node, -1, "timeout")  # keyword-only
    else:
        return
    if index is not None and not _is_none(node.args[index].value):
        yield _with_argument(node, index, cst.Name("None"))


OPERATORS: list[tuple[type[cst.CSTNode], Operator]] = [
    (cst.Expr, drop_await),
    (cst.Expr, drop_wakeup),
    (cst.With, drop_async_with),
    (cst.Try, drop_finally),
    (cst.TryStar, drop_finally),
    (cst.Call, drop_shield),
    (cst.ExceptHandler, swallow_cancellation),
    (cst.ExceptStarHandler, swallow_cancellation),
    (cst.ExceptHandler, widen_except),
    (cst.ExceptStarHandler, widen_except),
    (cst.Call, sleep_zero),
    (cst.Call, wall_clock),
    (cst.Call, escape_task_group),
    (cst.Call, disable_timeout),
    (cst.Call, unbounded_wait),
]

_mutmut_own: list[tuple[type, Operator]] | None = None  # the table as register() first found it


def _code(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


def asyncio_mutants(node: cst.CSTNode) -> Iterator[tuple[str, cst.CSTNode]]:
    """(operator name, mutated node) for every asyncio mutant of `node`."""
    for kind, operator in OPERATORS:
        if isinstance(node, kind):
            for mutated in operator(node):
                yield operator.__name__, mutated


def _without_asyncio_twins(operator: Operator) -> Operator:
    """`operator`, minus the mutants an asyncio operator makes of the same node: one mutant
    for one change, counted as asyncio (e.g. ``asyncio.timeout(None)``)."""
    def deduplicated(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        twins = {_code(mutated) for _, mutated in asyncio_mutants(node)}
        for mutated in operator(node):
            if not twins or _code(mutated) not in twins:
                yield mutated

    deduplicated.__name__ = operator.__name__
    deduplicated.__doc__ = operator.__doc__
    deduplicated.__wrapped__ = operator  # type: ignore[attr-defined]
    return deduplicated


def register(*, generic: bool = True) -> None:
    """Put the asyncio operators in mutmut's operator table, in place (idempotent).

    Call it before mutmut makes its mutants. With ``generic=False`` the table holds the
    asyncio operators alone. mutmut's own operators stay in the table, each without the
    mutants an asyncio operator also makes.
    """
    global _mutmut_own
    table = mutators.mutation_operators
    assert isinstance(table, list), "mutmut's operator table is no longer a list"
    if _mutmut_own is None:
        _mutmut_own = list(table)
    own = [(kind, _without_asyncio_twins(operator)) for kind, operator in _mutmut_own]
    table[:] = [*(own if generic else []), *OPERATORS]


def unregister() -> None:
    """Give mutmut its operator table back as `register` found it."""
    global _mutmut_own
    if _mutmut_own is not None:
        mutators.mutation_operators[:] = _mutmut_own  # type: ignore[index]
        _mutmut_own = None


def _in_naming_order(module: cst.Module, mutations: list[Mutation]
                     ) -> Iterator[tuple[str, list[Mutation]]]:
    """(mangled function name, its mutations) in the order mutmut numbers mutants: functions
    and methods of top-level classes in file order, mutations in the order they were made."""
    grouped = group_by_top_level_node(mutations)
    for statement in module.body:
        if isinstance(statement, cst.FunctionDef):
            yield mangle_function_name(name=statement.name.value, class_name=None), list(
                grouped.get(statement, []))
        elif isinstance(statement, cst.ClassDef) and isinstance(statement.body, cst.IndentedBlock):
            for method in statement.body.body:
                if isinstance(method, cst.FunctionDef):
                    yield mangle_function_name(name=method.name.value,
                                               class_name=statement.name.value), list(
                        grouped.get(method, []))


def _made_by(mutation: Mutation) -> str:
    made = _code(mutation.mutated_node)
    for name, mutated in asyncio_mutants(mutation.original_node):
        if _code(mutated) == made:
            return name
    return GENERIC


def mutant_operators(filename: str, code: str) -> dict[str, str]:
    """mutmut's name for each mutant of `code` (``x_f__mutmut_3``, ``xǁCǁm__mutmut_1``) -> the
    operator that made it: an asyncio operator's name, or ``"generic"``.

    Made with the operator table as it stands (register first, as for the run). mutmut's
    config must be loadable (a ``[tool.mutmut]`` section where this runs).
    """
    module, mutations, ignored_classes, ignored_functions = create_mutations(filename, code)
    named: dict[str, str] = {}
    for function, made in _in_naming_order(module, mutations):
        for number, mutation in enumerate(made, start=1):
            named[f"{function}__mutmut_{number}"] = _made_by(mutation)
    mutmuts = combine_mutations_to_source(module, mutations, ignored_classes,
                                          ignored_functions).mutant_names
    if list(named) != list(mutmuts):
        raise RuntimeError(f"{filename}: mutmut names its mutants differently than expected")
    return named


def print_operators() -> None:
    """Each mutant of the files mutmut mutates, and the operator that made it, in the form of
    ``mutmut results``: ``    pkg.mod.x_f__mutmut_3: drop_await``.

    After a run, the mutants must be the run's (same names, file by file): a run made with
    another operator table would have numbered them otherwise.
    """
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.utils.file_utils import walk_mutatable_files
    from mutmut.utils.format_utils import get_mutant_name

    for path in walk_mutatable_files():
        made = {get_mutant_name(path, name): operator
                for name, operator in mutant_operators(str(path), path.read_text()).items()}
        run = SourceFileMutationData(path=path)
        run.load()
        if run.exit_code_by_key and set(run.exit_code_by_key) != set(made):
            raise SystemExit(f"{path}: mutmut's run made other mutants than this operator table "
                             "does (was --asyncio-only given to one and not the other?)")
        for name, operator in made.items():
            print(f"    {name}: {operator}")


def main(argv: Sequence[str] | None = None) -> None:
    """mutmut's command line with the asyncio operators registered first, or, with the
    ``operators`` command, which operator made each mutant.

    ``--asyncio-only`` first leaves mutmut's own operators out; give it to ``operators`` too
    when the run had it, since the mutants are numbered by the table.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    generic = args[:1] != ["--asyncio-only"]
    args = args[0 if generic else 1:]
    register(generic=generic)
    if args == ["operators"]:
        print_operators()
        return
    from mutmut.__main__ import cli  # sets the "fork" start method its workers inherit

    cli.main(args=args, prog_name="mutmut")


if __name__ == "__main__":
    main()

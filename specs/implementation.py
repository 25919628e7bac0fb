"""Which tree a spec runs against: the learner's `katas/`, `reference/`, or any folder.

A spec names the module it exercises and never imports it directly::

    gather = implementation("kata01_gather", "gather")

The module is loaded lazily, on first attribute access, from the folder chosen
with ``pytest --impl PATH`` (default: ``katas``). Loading late means a learner's
syntax error fails each behaviour with a readable message instead of aborting
collection.

The module is registered as ``<folder name>.<kata>.<module>``: for ``reference``
that is the name mutmut gives the mutated copy, which its trampolines rely on.
"""

from __future__ import annotations

import contextlib
import importlib.util
import linecache
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from specs import watchdog

DEFAULT_ROOT = "katas"
IMPORT_PATIENCE_S = 3.0  # a first import of heavy packages may take a while on a cold disk

_root: Path | None = None
_failed: dict[Path, str] = {}  # modules whose import failed in this run, and why


class ImplementationError(Exception):
    """The selected tree does not hold a usable module for a kata."""


class NotReady(BaseException):
    """The code under test is a stub, or cannot be loaded: every example of a property
    fails alike, so `specs.properties` raises this instead of the error it carries.

    A BaseException, so Hypothesis passes it straight through instead of shrinking
    hundreds of examples that all fail the same way (a learner's first red run stays fast).
    `specs.report` explains it as the error it carries.
    """

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def select_root(path: str | Path, *, base: Path) -> Path:
    """Choose the tree every `implementation()` loads from; validate it exists."""
    root = (base / path).resolve()
    if not root.is_dir():
        raise ImplementationError(f"--impl {path}: {root} is not a folder")
    global _root
    _root = root
    return root


def selected_root() -> Path:
    """The tree chosen for this run (``katas`` under the current folder by default)."""
    return _root if _root is not None else (Path.cwd() / DEFAULT_ROOT).resolve()


def is_learner_file(path: str) -> bool:
    """Whether `path` is a file of the tree under test (the learner's code, in their terms)."""
    return Path(path).is_relative_to(selected_root())


def module_path(kata: str, module: str, root: Path | None = None) -> Path:
    """Where `module` of `kata` lives in `root` (the selected tree by default)."""
    return (root or selected_root()) / kata / f"{module}.py"


def load(kata: str, module: str) -> ModuleType:
    """Import `module` of `kata` from the selected tree (once per run)."""
    root = selected_root()
    path = module_path(kata, module, root)
    name = f"{root.name}.{kata}.{module}"
    loaded = sys.modules.get(name)
    if loaded is not None and loaded.__file__ == str(path):  # set from `path` below
        return loaded
    if path in _failed:  # once per run: an import that hangs must not hang every behaviour
        raise ImplementationError(_failed[path])
    if not path.is_file():
        raise ImplementationError(
            f"--impl {root}: no module {kata}/{module}.py in that folder "
            f"(a tree shaped like katas/ is expected)"
        )
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded
    dog = watchdog.current()
    try:
        with dog.patience(IMPORT_PATIENCE_S) if dog else contextlib.nullcontext():
            spec.loader.exec_module(loaded)
    except BaseException as error:
        del sys.modules[name]
        _failed[path] = (f"could not import {path}: {type(error).__name__}: {error}"
                         + _line_of(path, error))
        raise ImplementationError(_failed[path]) from error
    return loaded


def _line_of(path: Path, error: BaseException) -> str:
    """`` (at kata01_gather/gather.py:12: `x = y`)``: the module's own line the import failed
    on ("" when a SyntaxError already says it, or the failure came from elsewhere)."""
    if isinstance(error, SyntaxError):
        return ""
    line, frame = None, error.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code.co_filename == str(path):
            line = frame.tb_lineno
        frame = frame.tb_next
    if line is None:
        return ""
    source = linecache.getline(str(path), line).strip()
    return f" (at {path.parent.name}/{path.name}:{line}: `{source}`)"


class _LazyModule:
    """Stands in for a kata module until a spec first touches it."""

    def __init__(self, kata: str, module: str) -> None:
        self._kata = kata
        self._module = module

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith(("_", "pytest")):  # pytest probing the spec at collection:
            raise AttributeError(attribute)  # the learner's module is imported by specs only
        loaded = load(self._kata, self._module)
        try:
            return getattr(loaded, attribute)
        except AttributeError:
            raise ImplementationError(
                f"{self._kata}/{self._module}.py defines no `{attribute}`: "
                f"keep the names and signatures the stub gave you"
            ) from None

    def __repr__(self) -> str:
        return f"<kata module {self._kata}/{self._module}.py from {selected_root()}>"


def implementation(kata: str, module: str) -> Any:
    """The kata module under test, loaded from the tree chosen with ``--impl``."""
    return _LazyModule(kata, module)

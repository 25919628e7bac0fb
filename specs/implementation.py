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

from specs import course, watchdog
from specs.messages import exception_line, frames_of, shown_path

DEFAULT_ROOT = "katas"
IMPORT_PATIENCE_S = 3.0  # a first import of heavy packages may take a while on a cold disk

_root: Path | None = None
_restore: str | None = None  # the learner's own tree: how to bring a stub back ({number})
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


def select_root(path: str | Path, *, base: Path, restore: str | None = None) -> Path:
    """Choose the tree every `implementation()` loads from; validate it exists. `restore`:
    the command that brings a learner's stub back (``{number}``: the kata's), for a tree
    that is the learner's own (`DEFAULT_ROOT`)."""
    root = (base / path).resolve()
    if not root.is_dir():
        raise ImplementationError(f"--impl {path}: {root} is not a folder")
    global _root, _restore
    _root = root
    _restore = restore if root == (base / DEFAULT_ROOT).resolve() else None
    return root


def selected_root() -> Path:
    """The tree chosen for this run (``katas`` under the current folder by default)."""
    return _root if _root is not None else (Path.cwd() / DEFAULT_ROOT).resolve()


SPECS_DIR = Path(__file__).resolve().parent


def is_spec_file(path: str) -> bool:
    """Whether `path` is the spec's code: the kit in specs/, or a kata's spec (``test_*.py``)."""
    file = Path(path)
    return (file.name.startswith("test_") or file.name == "conftest.py"
            or file.is_relative_to(SPECS_DIR))


def is_learner_file(path: str) -> bool:
    """Whether `path` is a file of the tree under test (the learner's code, in their terms):
    under the selected tree, and not a spec beside the learner's module."""
    return Path(path).is_relative_to(selected_root()) and not is_spec_file(path)


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
        raise ImplementationError(_missing(kata, path))
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
        _failed[path] = f"could not import {shown_path(path)}: " + _import_error(path, error)
        raise ImplementationError(_failed[path]) from error
    return loaded


def _missing(kata: str, path: Path) -> str:
    """What to say when `path`, the module of `kata`, is not there."""
    if _restore is not None:
        try:
            number = course.kata(kata).number
        except LookupError:
            number = None
        if number is not None:
            return (f"{shown_path(path)} is missing: `{_restore.format(number=number)}` "
                    "brings the stub back")
    return (f"--impl {selected_root()}: no module {kata}/{path.name} in that folder "
            "(a tree shaped like katas/ is expected)")


def _import_error(path: Path, error: BaseException) -> str:
    """``SyntaxError at katas/kata01_gather/gather.py:12: '(' was never closed (`x = (`)``:
    the error, and the module's own line it came from when there is one."""
    if isinstance(error, SyntaxError) and error.filename == str(path) and error.lineno:
        source = (error.text or "").strip()
        return (f"{type(error).__name__} at {shown_path(path)}:{error.lineno}: {error.msg}"
                + (f" (`{source}`)" if source else ""))
    return exception_line(error) + _line_of(path, error)


def _line_of(path: Path, error: BaseException) -> str:
    """`` (at katas/kata01_gather/gather.py:12: `x = y`)``: the module's own line the import
    failed on ("" when the failure came from elsewhere)."""
    line = next((frame.tb_lineno for frame in reversed(frames_of(error))
                 if frame.tb_frame.f_code.co_filename == str(path)), None)
    if line is None:
        return ""
    source = linecache.getline(str(path), line).strip()
    return f" (at {shown_path(path)}:{line}: `{source}`)"


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

"""Fixtures for the project's own tests (the spec kit and the scripts)."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from scripts.project import KATAS, ROOT, run_specs, shipped_stubs
from specs.report import Behaviour

SpecRun = Callable[[str, str], dict[str, Behaviour]]


@functools.cache
def behaviours_of(kata: str) -> int:
    """How many behaviours (spec tests) `kata` has: counted, never written into a test."""
    listed = run_module("pytest", str(KATAS / kata), "--collect-only", "-q", "-p", "no:randomly")
    return sum("::" in line for line in listed.stdout.splitlines())


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m <args>`` from the project root, output captured."""
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False)


@pytest.fixture(scope="session")
def stubs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tree shaped like katas/ with every stub as committed (a learner's edits left out)."""
    tree = tmp_path_factory.mktemp("shipped") / "katas"
    shipped_stubs(tree)
    return tree


@pytest.fixture
def run_spec(tmp_path: Path) -> SpecRun:
    """Run a spec (source text) against a one-module tree (source text): outcomes by test name.

    The module is ``kata99_probe/probe.py``; the spec loads it with
    ``implementation("kata99_probe", "probe")``.
    """

    def run(module: str, spec: str, *options: str) -> dict[str, Behaviour]:
        tree = tmp_path / "impl"
        (tree / "kata99_probe").mkdir(parents=True)
        (tree / "kata99_probe" / "probe.py").write_text(textwrap.dedent(module))
        spec_file = tmp_path / "spec" / "test_probe.py"
        spec_file.parent.mkdir()
        spec_file.write_text(textwrap.dedent(spec))
        return {o.name: o for o in run_specs(tree, [spec_file], *options)}

    return run


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A clone of the project, with the scripts and the kit as they are in this tree."""
    into = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(into)], check=True)
    for code in ("scripts", "specs"):
        shutil.copytree(ROOT / code, into / code, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return into


def tool(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m scripts <args>`` in the project at `where` (a clone), output captured."""
    return subprocess.run([sys.executable, "-m", "scripts", *args], cwd=where,
                          capture_output=True, text=True, check=False)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """These tests run whole pytest sessions: not the spec watchdog's 1 s, but 3 minutes."""
    for item in items:
        item.add_marker(pytest.mark.unwatched)
        item.add_marker(pytest.mark.timeout(180))

"""What the maintainer scripts share: the project's layout and a pytest run per tree."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from specs import course
from specs.report import Behaviour

ROOT = Path(__file__).resolve().parent.parent
KATAS = ROOT / "katas"
REFERENCE = ROOT / "reference"
IMPOSTORS = ROOT / "impostors"
ALTERNATIVES = ROOT / "alternatives"


def kata_names() -> list[str]:
    """Every kata folder, in course order (``kata01_gather``, ...), as course.toml lists them."""
    return [kata.folder for kata in course.katas()]


def shipped(path: Path, refs: tuple[str, ...] = ("HEAD",)) -> bytes | None:
    """`path` (a file of the project) as committed, from the first git ref that has it;
    None when none has it (or this is not a git clone)."""
    relative = path.resolve().relative_to(ROOT).as_posix()
    for ref in refs:
        shown = subprocess.run(["git", "show", f"{ref}:{relative}"], cwd=ROOT,
                               capture_output=True, check=False)
        if shown.returncode == 0:
            return shown.stdout
    return None


def shipped_names(folder: Path, refs: tuple[str, ...] = ("HEAD",)) -> list[str]:
    """The names of the files under `folder` (of the project) as committed, from the first git
    ref that has any; [] when none has (or this is not a git clone)."""
    relative = folder.resolve().relative_to(ROOT).as_posix()
    for ref in refs:
        listed = subprocess.run(["git", "ls-tree", "-r", "--name-only", ref, "--", relative],
                                cwd=ROOT, capture_output=True, text=True, check=False)
        names = [Path(line).relative_to(relative).as_posix()
                 for line in listed.stdout.splitlines() if line]
        if listed.returncode == 0 and names:
            return names
    return []


def shipped_stubs(into: Path) -> list[str]:
    """Write a tree shaped like katas/ into `into`, each stub as committed (the learner's
    edits in katas/ left out); returns the katas whose stub in katas/ differs from it."""
    edited = []
    for kata in course.katas():
        stub = KATAS / kata.folder / f"{kata.module}.py"
        folder = into / kata.folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "__init__.py").touch()
        committed = shipped(stub)
        current = stub.read_bytes() if stub.exists() else None
        (folder / stub.name).write_bytes(committed if committed is not None else current or b"")
        if committed is not None and current != committed:
            edited.append(kata.folder)
    return edited


def kata_module(kata: str) -> str:
    """The module a learner edits in `kata` (course.toml's ``module``)."""
    return course.kata(kata).module


def pytest_args(impl: Path, specs: Sequence[Path | str], report: Path, *options: str
                ) -> list[str]:
    """pytest's arguments to run `specs` against the tree `impl` with the project's settings,
    writing the kit's JSON report to `report`."""
    return [*map(str, specs), "--impl", str(impl), "-c", str(ROOT / "pyproject.toml"),
            "--rootdir", str(ROOT), "-q", "--no-header", "-p", "no:randomly", "--tb=no",
            "--json", str(report), *options]


def read_report(report: Path, specs: Sequence[Path | str]) -> list[Behaviour]:
    """The behaviours in a JSON report of the spec kit, in spec order."""
    if not report.exists():
        raise SystemExit(f"pytest produced no report for {specs}")
    results = json.loads(report.read_text())
    if results["errors"]:
        raise SystemExit(f"the specs could not be collected: {results['errors']}")
    return [Behaviour(**b) for found in results["katas"].values() for b in found["behaviours"]]


def run_specs(impl: Path, specs: Sequence[Path | str], *options: str) -> list[Behaviour]:
    """Run `specs` (files, or test ids relative to the project) against the tree `impl` with
    the project's pytest settings, in one process; one outcome per test, in spec order
    (kata, task, place in the file)."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "results.json"
        subprocess.run([sys.executable, "-m", "pytest",
                        *pytest_args(impl, specs, report, *options)],
                       cwd=ROOT, capture_output=True, text=True, check=False)
        return read_report(report, specs)

"""What the maintainer scripts share: the project's layout and a pytest run per tree."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KATAS = ROOT / "katas"
REFERENCE = ROOT / "reference"
IMPOSTORS = ROOT / "impostors"
ALTERNATIVES = ROOT / "alternatives"


def kata_names() -> list[str]:
    """Every kata folder, in course order (``kata01_gather``, ...)."""
    return sorted(p.name for p in KATAS.glob("kata[0-9][0-9]_*") if p.is_dir())


def kata_module(kata: str) -> str:
    """The one module a learner edits in `kata` (its stub: not a test, not __init__)."""
    modules = [p.stem for p in (KATAS / kata).glob("*.py")
               if not p.name.startswith(("test_", "__"))]
    if len(modules) != 1:
        raise SystemExit(f"{kata}: expected one stub module, found {modules}")
    return modules[0]


@dataclass(frozen=True)
class Outcome:
    """One spec test's result."""

    test: str
    passed: bool
    message: str
    seconds: float = 0.0


def run_specs(impl: Path, specs: list[Path], *options: str) -> list[Outcome]:
    """Run `specs` against the tree `impl` with the project's pytest settings; one outcome each."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "junit.xml"
        subprocess.run(
            [sys.executable, "-m", "pytest", *map(str, specs), "--impl", str(impl),
             "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT), "-q", "--no-header",
             "-p", "no:randomly", f"--junitxml={report}", *options],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )
        if not report.exists():
            raise SystemExit(f"pytest produced no report for {specs} against {impl}")
        return _outcomes(report)


def _outcomes(report: Path) -> list[Outcome]:
    outcomes = []
    for case in ET.parse(report).iter("testcase"):
        problem = next((c for c in case if c.tag in ("failure", "error", "skipped")), None)
        message = "" if problem is None else (problem.get("message") or "").strip()
        outcomes.append(Outcome(case.get("name", "?"), problem is None, message,
                                float(case.get("time", 0.0))))
    return outcomes

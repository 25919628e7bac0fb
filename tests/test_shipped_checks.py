"""In a clone where a learner worked, the maintainer checks test the stubs as committed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scripts.project import ROOT


def test_stubs_and_lint_check_the_committed_stubs(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    stub = clone / "katas" / "kata01_gather" / "gather.py"
    solved = (ROOT / "reference" / "kata01_gather" / "gather.py").read_text()
    stub.write_text(solved + "\nunused=1;import os\n")  # solved, and not lint-clean

    def run(verb: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "scripts", verb], cwd=clone,
                              capture_output=True, text=True, check=False)

    for verb in ("stubs", "lint"):
        done = run(verb)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.startswith(f"{verb}: checking the stubs as committed; your edits to 1 "
                                      "of them in katas/ (kata01_gather) are left out"), done.stdout
    assert stub.read_text().endswith("import os\n")  # the learner's file is untouched

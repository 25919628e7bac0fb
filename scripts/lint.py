"""ruff over the project, with each kata's stub as committed; the CI workflows too.

A learner's edits in katas/ are their own: in a clone where a learner worked, the
stubs are checked as shipped (from git HEAD, through ruff's stdin) and the first
line says so; everything else is checked where it is. Each file of .github/workflows/ must
be valid for GitHub Actions (check-jsonschema's copy of its schema) and pass zizmor's
audits (offline).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from scripts.project import ROOT, kata_module, shipped_stubs

RUFF = [sys.executable, "-m", "ruff", "check"]
WORKFLOWS = ROOT / ".github" / "workflows"


def workflow_checks() -> list[list[str]]:
    """The commands that check the CI workflows (none when there are none)."""
    files = sorted(str(path.relative_to(ROOT)) for path in WORKFLOWS.glob("*.y*ml"))
    if not files:
        return []
    return [[sys.executable, "-m", "check_jsonschema", "--builtin-schema",
             "vendor.github-workflows", *files],
            [shutil.which("zizmor", path=str(Path(sys.executable).parent)) or "zizmor",
             "--offline", "--quiet", *files]]


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        edited = shipped_stubs(Path(scratch))
        stubs = {f"katas/{kata}/{kata_module(kata)}.py": Path(scratch) / kata
                 / f"{kata_module(kata)}.py" for kata in edited}
        if edited:
            print(f"lint: checking the stubs as committed; your edits to {len(edited)} of them "
                  f"in katas/ ({', '.join(edited)}) are left out", flush=True)
        codes = [subprocess.run([*RUFF, ".", *(f"--extend-exclude={s}" for s in stubs)],
                                cwd=ROOT, check=False).returncode]
        for name, shipped in stubs.items():
            codes.append(subprocess.run([*RUFF, "--stdin-filename", name, "-"], cwd=ROOT,
                                        input=shipped.read_bytes(), check=False).returncode)
        codes += [subprocess.run(command, cwd=ROOT, check=False).returncode
                  for command in workflow_checks()]
    return max(codes)


if __name__ == "__main__":
    sys.exit(main())

"""course.toml and the files agree, and the check names the file of any mismatch."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from scripts.course_check import TREES, learner_files, problems
from scripts.project import shipped_stubs
from specs import course


def copy_of_the_project(into: Path) -> Path:
    """What `problems` reads, copied as shipped: the course, its trees, tox.ini and the
    README, with the stubs as committed and no file of a learner's in katas/."""
    for name in ("course.toml", "tox.ini", "README.md"):
        shutil.copy2(course.ROOT / name, into / name)
    learners = learner_files(course.ROOT)
    for tree in TREES:
        shutil.copytree(course.ROOT / tree, into / tree, ignore=lambda folder, names: [
            name for name in names
            if name == "__pycache__" or Path(folder, name) in learners])
    shipped_stubs(into / "katas")
    return into


def test_a_learners_work_is_left_out(tmp_path: Path) -> None:
    """In a clone where a learner solved kata 1 and left a scratch file, the check reads the
    shipped katas/ and names what it left out."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(course.ROOT), str(clone)], check=True)
    kata = course.katas()[0]
    stub = clone / "katas" / kata.folder / f"{kata.module}.py"
    stub.write_text((course.ROOT / "reference" / kata.folder / stub.name).read_text())
    (clone / "katas" / kata.folder / "scratch.py").write_text("print('trying things')\n")
    run = subprocess.run([sys.executable, "-m", "scripts", "course"], cwd=clone,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (f"the learner's work is left out: katas/{kata.folder}/{stub.name} (edited), "
            f"katas/{kata.folder}/scratch.py") in run.stdout, run.stdout


def test_the_course_matches_the_files() -> None:
    assert problems() == []


def test_every_mismatch_is_named_with_its_file(tmp_path: Path) -> None:
    root = copy_of_the_project(tmp_path)
    kata = course.katas()[2]
    notes = root / "katas" / kata.folder / "README.md"
    title = kata.task_title(2)
    notes.write_text(notes.read_text().replace(f"**{title}**", "**something else**", 1))
    spec = next((root / "katas" / kata.folder).glob("test_*.py"))
    spec.write_text(spec.read_text().replace("pytest.mark.task(1)", 'pytest.mark.task(1, "x")'))
    (root / "impostors" / "kata99_stray").mkdir()
    (root / "katas" / kata.folder / "scratch.py").write_text("")

    found = problems(root)

    assert any(p.startswith(f"katas/{kata.folder}/README.md: task 2 is titled 'something else'")
               for p in found), found
    assert any(p.startswith(f"katas/{kata.folder}/{spec.name}:") and "task(<number>)" in p
               for p in found), found
    assert "impostors/kata99_stray: a folder no kata of course.toml names" in found
    assert any(p.startswith(f"katas/{kata.folder}/scratch.py: not part of the kata")
               for p in found), found
    assert len(found) == 4, found


def test_the_ci_workflow_shards_mutation_over_every_kata(tmp_path: Path) -> None:
    """A kata added to course.toml and not to the workflow's mutation matrix is named."""
    root = copy_of_the_project(tmp_path)
    workflow = root / ".github" / "workflows" / "ci.yml"
    workflow.parent.mkdir(parents=True)
    text = (course.ROOT / ".github" / "workflows" / "ci.yml").read_text()
    workflow.write_text(text.replace("kata03_retry, ", ""))
    assert problems(root) == [
        ".github/workflows/ci.yml: the mutation job's matrix lacks kata03_retry (its `kata:` list)"]

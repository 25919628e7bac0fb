"""course.toml and the files agree, and the check names the file of any mismatch."""

from __future__ import annotations

import shutil
from pathlib import Path

from scripts.course_check import TREES, problems
from specs import course


def copy_of_the_project(into: Path) -> Path:
    """What `problems` reads, copied: the course, its trees, tox.ini and the README."""
    for name in ("course.toml", "tox.ini", "README.md"):
        shutil.copy2(course.ROOT / name, into / name)
    for tree in TREES:
        shutil.copytree(course.ROOT / tree, into / tree,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return into


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

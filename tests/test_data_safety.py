"""The mutation run never touches the trees it mutates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts import mutation, project


def test_mutation_leaves_katas_and_reference_untouched(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A real mutmut run over one kata, in a copy of the project: the copy is hashed before
    and after, and no `mutants/` folder appears beside it."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("pyproject.toml", "course.toml", "specs"):
        source = project.ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
    for tree in ("katas", "reference"):
        shutil.copytree(project.ROOT / tree / "kata01_gather", root / tree / "kata01_gather",
                        ignore=shutil.ignore_patterns("__pycache__"))
        (root / tree / "__init__.py").touch()
    monkeypatch.setattr(mutation, "ROOT", root)
    monkeypatch.setattr(mutation, "KATAS", root / "katas")
    monkeypatch.setattr(mutation, "REFERENCE", root / "reference")
    monkeypatch.setattr(mutation, "ALTERNATIVES", root / "alternatives")
    monkeypatch.setattr(project, "KATAS", root / "katas")
    monkeypatch.setattr(mutation, "EQUIVALENTS", tmp_path / "none.toml")  # only kata01 here
    before = mutation.digest(root / "katas", root / "reference")
    assert mutation.main(["--kata", "kata01_gather"]) == 0
    assert mutation.digest(root / "katas", root / "reference") == before
    assert not (root / "mutants").exists()

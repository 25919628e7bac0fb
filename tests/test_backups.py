"""reset's backups: their own order, only the learner's work, the newest brought back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scripts import reset
from scripts.learner import module_file
from scripts.project import shipped, shipped_stubs

KATA = "kata01_gather"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "katas"
    shipped_stubs(root)
    return root


def run(tree: Path, state: Path, *options: str) -> None:
    assert reset.main(["1", "--impl", str(tree), "--state", str(state), *options]) == 0


def test_restore_after_reset_twice(tree: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Work, reset, restore; more work, reset, restore: each time the work comes back, and
    no pristine stub is ever saved (so never brought back)."""
    state, mine = tmp_path / "state", module_file(KATA, tree)
    stub = shipped(module_file(KATA))
    for version in ("# first try\n", "# second try\n"):
        mine.write_text(mine.read_text() + version)
        work = mine.read_bytes()
        os.utime(mine, (0, 0))  # an mtime from 1970: the order must not depend on it
        run(tree, state)
        assert mine.read_bytes() == stub
        run(tree, state, "--restore")
        assert mine.read_bytes() == work, capsys.readouterr().out
    saved = reset.backups(KATA, state)
    assert len(saved) == 2 and all(b.read_bytes() != stub for b in saved)
    out = capsys.readouterr().out
    listing = out.rsplit("newest first:", 1)[1].splitlines()
    assert listing[1].strip().startswith(saved[0].name) and "<- brought back" in listing[1]
    run(tree, state, "--restore")  # again: nothing new to save, the same work
    assert mine.read_bytes() == work and len(reset.backups(KATA, state)) == 2


def test_restore_swaps_the_current_work_with_the_newest_backup(tree: Path,
                                                               tmp_path: Path) -> None:
    state, mine = tmp_path / "state", module_file(KATA, tree)
    first = mine.read_text() + "# first\n"
    mine.write_text(first)
    run(tree, state)
    second = mine.read_text() + "# second, not reset\n"
    mine.write_text(second)
    run(tree, state, "--restore")
    assert mine.read_text() == first
    run(tree, state, "--restore")  # the file it replaced was saved first: it is the newest
    assert mine.read_text() == second


def test_an_older_backup_by_name_and_the_order_in_names(tree: Path, tmp_path: Path) -> None:
    state, mine = tmp_path / "state", module_file(KATA, tree)
    versions = []
    for n in range(3):
        mine.write_text(mine.read_text() + f"# try {n}\n")
        versions.append(mine.read_text())
        run(tree, state)
    newest_first = reset.backups(KATA, state)
    assert [b.read_text() for b in newest_first] == versions[::-1]
    assert [reset.order(b)[0] for b in newest_first] == [3, 2, 1]
    run(tree, state, "--restore", newest_first[-1].name)
    assert mine.read_text() == versions[0]


def test_backups_of_older_releases_sort_before_new_ones(tmp_path: Path) -> None:
    folder = tmp_path / "backups" / KATA
    folder.mkdir(parents=True)
    for name in ("gather-0001-20240101-000000.000001.py", "gather-20250101-120000-1.py",
                 "gather-20250101-120000.py"):
        (folder / name).write_text(name)
    assert [b.name for b in reset.backups(KATA, tmp_path)] == [
        "gather-0001-20240101-000000.000001.py", "gather-20250101-120000-1.py",
        "gather-20250101-120000.py"]


def test_a_stub_as_shipped_is_never_backed_up(tree: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state"
    run(tree, state)
    assert "already as shipped" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="no backups of your work"):
        run(tree, state, "--restore")
    assert reset.backups(KATA, state) == []


def test_a_deleted_kata_folder_of_a_tree_comes_back(tree: Path, tmp_path: Path) -> None:
    mine = module_file(KATA, tree)
    for path in mine.parent.iterdir():
        path.unlink()
    mine.parent.rmdir()
    run(tree, tmp_path / "state")
    assert mine.read_bytes() == shipped(module_file(KATA))

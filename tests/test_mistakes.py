"""An impostor stored as its mistake (`scripts.mistakes`): written from an edited copy, applied
to its base wherever the base moved it, refused (naming the patch and the hunk) once the
base changed under it, and placed in the tasks whose code it changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts import check_impostors, mistakes
from scripts.project import IMPOSTORS, REFERENCE
from specs import course
from specs.report import Behaviour

GATHER = REFERENCE / "kata01_gather" / "gather.py"
SEQUENTIAL = "    return [await job() for job in _checked(jobs)]\n"
BACKWARDS = "    return [await job() for job in reversed(_checked(jobs))]\n"


def stored(tmp_path: Path, edit: tuple[str, str] = (SEQUENTIAL, BACKWARDS)
           ) -> tuple[Path, Path, str]:
    """A copy of kata 1's reference as the base (`tmp_path/base/gather.py`), and the patch
    `tmp_path/impostors/kata01_gather/backwards.patch` of that base with `edit` made;
    (patch, base, the impostor's text)."""
    base = tmp_path / "base" / "kata01_gather" / "gather.py"
    base.parent.mkdir(parents=True)
    shutil.copy(GATHER, base)
    impostor = base.read_text().replace(*edit)
    patch = tmp_path / "impostors" / "kata01_gather" / "backwards.patch"
    patch.parent.mkdir(parents=True)
    patch.write_text(mistakes.make(patch, impostor, base, "Runs the jobs last to first."))
    return patch, base, impostor


def test_a_patch_stores_the_mistake_alone_and_gives_back_the_impostor(tmp_path: Path) -> None:
    patch, base, impostor = stored(tmp_path)
    text = patch.read_text()
    assert text.startswith("Runs the jobs last to first.\n\n--- ")
    assert [line for line in text.splitlines() if line[:1] in ("+", "-") and line[:3] not in (
        "---", "+++")] == ["-" + SEQUENTIAL.rstrip("\n"), "+" + BACKWARDS.rstrip("\n")]
    mistake = mistakes.read(patch)
    assert (mistake.summary, mistake.base) == ("Runs the jobs last to first.", base)
    assert mistake.apply() == impostor
    assert check_impostors.summary(patch) == "Runs the jobs last to first."
    assert check_impostors.source(patch) == impostor


def test_a_hunk_follows_its_lines_when_the_base_moves_them(tmp_path: Path) -> None:
    patch, base, _ = stored(tmp_path)
    base.write_text('"""A longer docstring."""\n\n# a comment\n' + base.read_text())
    assert mistakes.read(patch).apply() == base.read_text().replace(SEQUENTIAL, BACKWARDS)


def test_a_base_changed_under_a_hunk_fails_naming_the_patch_and_the_hunk(tmp_path: Path) -> None:
    patch, base, _ = stored(tmp_path)
    base.write_text(base.read_text().replace(SEQUENTIAL, "    return [await j() for j in jobs]\n"))
    with pytest.raises(mistakes.PatchError) as refused:
        mistakes.read(patch).apply()
    said = str(refused.value)
    assert said.startswith(f"{patch}: hunk 1 (@@ -")
    line = GATHER.read_text().splitlines(keepends=True).index(SEQUENTIAL) + 1
    expects = f"no longer applies to {base}: it expects line {line} to read `{SEQUENTIAL.rstrip()}`"
    assert expects in said
    assert "which is `    return [await j() for j in jobs]` now, and is nowhere else" in said


def test_check_impostors_fails_on_a_patch_whose_reference_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The gate itself: a line of the base that the patch touches changed, so the impostor
    is BROKEN, the patch and its hunk named, and the run fails (before any spec runs)."""
    patch, base, _ = stored(tmp_path)
    base.write_text(base.read_text().replace(SEQUENTIAL, "    return [await j() for j in jobs]\n"))
    monkeypatch.setattr(check_impostors, "IMPOSTORS", tmp_path / "impostors")
    monkeypatch.setattr(check_impostors, "ALTERNATIVES", tmp_path / "no-alternatives")
    assert check_impostors.main(["kata01_gather"]) == 1
    out = capsys.readouterr().out
    assert "  BROKEN  backwards: Runs the jobs last to first." in out
    assert f"      {patch}: hunk 1 (@@ -" in out
    assert "impostors: caught=0 escaped=0 broken=1 total=1" in out


# kata 1's tasks whose titles name no code (its failure semantics, bad input): a mistake in
# any function may show there too, after the task of its function
UNNAMED = {n for n, title in enumerate(course.kata(1).tasks, 1) if "`" not in title}


@pytest.mark.parametrize(("line", "tasks"), [
    (SEQUENTIAL, {1}),
    ("    return [task.result() for task in tasks]\n", {2}),
    ("    (job,) = _checked([job])\n", {3}),
    ("    return checked\n", {1, 2, 3, 4}),  # in _checked, which tasks 1 to 4 call
], ids=["run_sequentially", "run_concurrently", "timed", "a helper"])
def test_a_mistake_lies_in_the_tasks_whose_code_it_changes(tmp_path: Path, line: str,
                                                           tasks: set[int]) -> None:
    patch, _, _ = stored(tmp_path, (line, line.replace("    ", "    pass; ", 1)))
    assert mistakes.read(patch).tasks() == tasks | {n for n in UNNAMED if n > min(tasks)}


def outcome(task: int, status: str = "failed") -> Behaviour:
    return Behaviour("kata01_gather", task, "", "a behaviour", status=status, cause="check",
                     message="AssertionError", test=f"t::test_{task}")


def test_a_mistake_caught_only_outside_its_task_is_listed(tmp_path: Path) -> None:
    patch, _, _ = stored(tmp_path)  # its mistake is in task 1
    elsewhere = check_impostors.Run([outcome(1, "passed"), outcome(4)], {})
    at_home = check_impostors.Run([outcome(1), outcome(4)], {})
    home = ", ".join(str(n) for n in sorted({1} | UNNAMED))
    assert check_impostors.caught_elsewhere("kata01_gather", patch, elsewhere) == (
        f"kata01_gather/backwards: its mistake is in task {home}, caught only by task 4")
    assert check_impostors.caught_elsewhere("kata01_gather", patch, at_home) is None


def test_refresh_writes_a_moved_patch_at_its_new_place(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    patch, base, impostor = stored(tmp_path)
    start = int(mistakes.read(patch).hunks[0].header.split()[1].split(",")[0][1:])
    base.write_text("# one line more\n" + base.read_text())
    assert mistakes.main(["refresh", str(patch)]) == 0
    moved = mistakes.read(patch)
    assert moved.apply() == "# one line more\n" + impostor
    assert moved.hunks[0].header.startswith(f"@@ -{start + 1},")
    assert "wrote" in capsys.readouterr().out


def test_a_patch_that_is_not_one_is_refused_in_a_line(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    patch = tmp_path / "x.patch"
    patch.write_text("Only a sentence, no diff.\n")
    assert mistakes.main(["show", str(patch)]) == 1
    assert "a mistake is its one-sentence description, a blank line, then a unified diff" in (
        capsys.readouterr().err)


def test_every_stored_mistake_applies_to_its_base_and_names_one() -> None:
    """Fast, before any spec runs: each patch of impostors/ reads, applies to today's base,
    and has a one-sentence description (`./tox -e impostors` then runs each)."""
    for patch in mistakes.patches():
        mistake = mistakes.read(patch)
        assert mistake.apply() != mistake.base.read_text(), patch
        assert mistake.summary.endswith("."), f"{patch}: {mistake.summary!r}"


def test_a_change_to_a_reference_line_a_stored_patch_touches_fails_the_gate_naming_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The same on the project's own files: kata 1's reference as it is today, with one line
    that `awaits_in_turn.patch` removes changed (in a copy of the project's layout), fails
    the impostors check, which names that patch and its hunk."""
    patch = IMPOSTORS / "kata01_gather" / "awaits_in_turn.patch"
    for source, target in ((GATHER, tmp_path / "reference" / "kata01_gather" / "gather.py"),
                           (patch, tmp_path / "impostors" / "kata01_gather" / patch.name)):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    removed = next(line[1:] for line in patch.read_text().splitlines()
                   if line.startswith("-") and not line.startswith("---") and line[1:].strip())
    reference = tmp_path / "reference" / "kata01_gather" / "gather.py"
    reference.write_text(reference.read_text().replace(removed, removed + "  # changed", 1))
    monkeypatch.setattr(mistakes, "ROOT", tmp_path)
    monkeypatch.setattr(check_impostors, "IMPOSTORS", tmp_path / "impostors")
    monkeypatch.setattr(check_impostors, "ALTERNATIVES", tmp_path / "no-alternatives")
    assert check_impostors.main(["kata01_gather"]) == 1
    out = capsys.readouterr().out
    assert "  BROKEN  awaits_in_turn: run_concurrently awaits each job in turn" in out
    header = mistakes.read(patch).hunks[0].header
    assert (f"      impostors/kata01_gather/awaits_in_turn.patch: hunk 1 ({header}) "
            "no longer applies to reference/kata01_gather/gather.py") in out

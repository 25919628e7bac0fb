"""A kata folder, module or spec gone (in a clone of the project, never in katas/ itself):
progress, hint and course say so in one line with the fix, and reset brings it back."""

from __future__ import annotations

import shutil
from pathlib import Path

from specs import course
from tests.conftest import tool


def rows(out: str) -> dict[str, str]:
    return {line.split()[0]: line for line in out.splitlines() if line.startswith("kata")}


def test_progress_names_what_is_missing_and_reset_brings_it_back(clone: Path) -> None:
    shutil.rmtree(clone / "katas" / "kata04_timeouts")
    (clone / "katas" / "kata05_semaphore" / "pool.py").unlink()
    spec = clone / "katas" / "kata03_retry" / "test_retry.py"
    spec.write_text('"""No behaviours here."""\n')
    done = tool(clone, "progress")
    assert done.returncode == 1, done.stdout + done.stderr
    found = rows(done.stdout)
    assert found["kata04_timeouts"].endswith(
        "missing: katas/kata04_timeouts — `./tox -e reset -- 4` brings it back"), done.stdout
    assert found["kata05_semaphore"].endswith(
        "missing: katas/kata05_semaphore/pool.py — `./tox -e reset -- 5` brings it back")
    assert "no behaviours collected" in found["kata03_retry"]
    assert "0 of 0" not in done.stdout and "Every kata is done" not in done.stdout
    assert "Next: kata01_gather" in done.stdout

    brought = tool(clone, "reset", "4")
    assert brought.returncode == 0, brought.stdout + brought.stderr
    assert "written again as shipped" in brought.stdout
    assert (clone / "katas" / "kata04_timeouts" / "timeouts.py").is_file()
    assert rows(tool(clone, "progress").stdout)["kata04_timeouts"].endswith(
        f"not started: {len(course.kata(4).tasks)} tasks")


def test_hint_and_watch_on_a_missing_kata_say_so_in_one_line(clone: Path) -> None:
    shutil.rmtree(clone / "katas" / "kata01_gather")
    hinted = tool(clone, "hint", "--state", str(clone / "state"))
    assert hinted.returncode == 1 and "Traceback" not in hinted.stderr, hinted.stderr
    assert hinted.stderr.strip() == (
        "kata01_gather: missing: katas/kata01_gather — `./tox -e reset -- 1` brings it back")
    assert "kata10" not in hinted.stdout  # the kata on is the missing one, not the last
    watched = tool(clone, "watch", "1")
    assert watched.returncode == 1 and watched.stderr.count("\n") == 1, watched.stderr


def test_course_names_a_removed_folder_and_a_new_entry(clone: Path) -> None:
    shutil.rmtree(clone / "katas" / "kata04_timeouts")
    checked = tool(clone, "course")
    assert checked.returncode == 1 and "Traceback" not in checked.stderr, checked.stderr
    assert checked.stdout.splitlines()[0] == (
        "katas/kata04_timeouts: missing, though git has it (course.toml, kata 4): "
        "`git checkout -- katas/kata04_timeouts` brings it back")
    number = len(course.katas()) + 1
    with (clone / "course.toml").open("a") as toml:
        toml.write(f'\n[[kata]]\nnumber = {number}\nfolder = "kata{number}_streams"\n'
                   f'module = "streams"\ntopic = "streams"\ndemo = "streams_demo"\n'
                   f'tasks = ["read lines"]\n')
    checked = tool(clone, "course")
    assert "Traceback" not in checked.stderr, checked.stderr
    assert (f"katas/kata{number}_streams: missing (course.toml, kata {number}): create it as "
            f"README.md's \"Add a kata\" says, or take kata {number} out of course.toml"
            ) in checked.stdout.splitlines()
    new = clone / "katas" / f"kata{number}_streams"
    new.mkdir()
    (new / "streams.py").write_text('"""TODO: task 1"""\n')
    checked = tool(clone, "course")
    assert "learner's work" not in checked.stdout, checked.stdout  # the maintainer's new kata
    assert f"katas/kata{number}_streams/README.md: missing" in checked.stdout

"""./tox, the wrapper that brings its own tox: set up once, then out of the way.

Each test copies the wrapper and its pins into a folder of its own and gives it fake
Pythons (small sh scripts that record how they were called), so nothing is installed and
nothing touches the network; ``scripts/fresh_clone_check`` runs the real thing.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from scripts.project import ROOT

WRAPPER = ROOT / "tox"
PINS = ROOT / ".ci" / "tox-requirements.txt"
TWIN = ROOT / "tox.cmd"

pytestmark = pytest.mark.skipif(os.name == "nt", reason="./tox is a POSIX sh script")


def executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


def fake_env_python(into: Path, calls: Path, pip_exit: int = 0) -> Path:
    """An environment's Python that records each call (its folder, then its arguments) and
    exits like pip (`pip_exit`) or like a failing tox run (7)."""
    return executable(into, f"""#!/bin/sh
printf '%s\\0' "$(pwd -P)" "$@" >> '{calls}'; printf '\\n' >> '{calls}'
case "$2" in pip) exit {pip_exit};; tox) echo "tox ran"; exit 7;; esac
exit 99
""")


def fake_python(folder: Path, version: str = "3.12.1", venv_works: bool = True,
                pip_exit: int = 0) -> Path:
    """A system Python `version` for ./tox's version check whose ``-m venv DIR`` makes an
    environment holding a fake_env_python (or fails as Debian's does without python3-venv)."""
    template = fake_env_python(folder / "env-python", folder / "calls", pip_exit)
    ok = 0 if tuple(map(int, version.split(".")[:2])) >= (3, 11) else 1
    venv = (f'mkdir -p "$3/bin" && cp \'{template}\' "$3/bin/python"' if venv_works
            else "echo 'ensurepip is not available'; exit 1")
    return executable(folder / "python", f"""#!/bin/sh
case "$1" in -c) echo {version}; exit {ok};; esac
[ "$1 $2" = "-m venv" ] || exit 99
{venv}
""")


def calls(folder: Path) -> list[list[str]]:
    """What the fake Pythons of `folder` were asked to do: [folder, arg, ...] per call."""
    log = folder / "calls"
    entries = log.read_text().split("\0\n") if log.exists() else []
    return [entry.split("\0") for entry in entries if entry]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder holding the wrapper and its pins, nothing else."""
    root = tmp_path / "project"
    (root / ".ci").mkdir(parents=True)
    shutil.copy2(WRAPPER, root / "tox")
    shutil.copy2(PINS, root / ".ci" / PINS.name)
    return root


def run(project: Path, *args: str, python: Path | str, cwd: Path | None = None
        ) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "KATAS_PYTHON": str(python)}
    return subprocess.run([str(project / "tox"), *args], cwd=cwd or project, env=env,
                          capture_output=True, text=True, check=False, timeout=60)


def test_a_ready_environment_runs_its_tox_at_once_from_the_root(project: Path,
                                                                tmp_path: Path) -> None:
    """With a whole, current environment the wrapper says nothing, never asks the system
    Python, and hands every argument (spaces and empty ones too) to its tox, run from the
    project's root wherever it was called from; tox's exit code is the wrapper's."""
    fake_env_python(project / ".tox-bootstrap" / "bin" / "python", tmp_path / "calls")
    shutil.copy2(PINS, project / ".tox-bootstrap" / "pins.txt")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    args = ["-e", "kata1", "--", "-k", "clean up", ""]

    done = run(project, *args, python=tmp_path / "no-such-python", cwd=elsewhere)

    assert (done.returncode, done.stdout, done.stderr) == (7, "tox ran\n", "")
    assert calls(tmp_path) == [[str(project.resolve()), "-m", "tox", *args]]


@pytest.mark.parametrize("state", ["interrupted", "other pins", "python gone"])
def test_an_environment_not_whole_or_current_is_made_again(project: Path, tmp_path: Path,
                                                           state: str) -> None:
    """A first run cut short (no copy of the pins yet), pins changed since, or an
    environment whose Python went away (the system's was upgraded): the wrapper says so in
    one line, starts from an empty folder, installs the pins, and runs the new tox; the next
    run goes straight to it."""
    env = project / ".tox-bootstrap"
    (env / "bin").mkdir(parents=True)
    (env / "leftover").write_text("from the last set-up")
    if state != "python gone":
        fake_env_python(env / "bin" / "python", tmp_path / "stale-calls")
    else:
        (env / "bin" / "python").symlink_to(tmp_path / "python3.10-that-was")
    if state != "interrupted":
        (env / "pins.txt").write_text("tox==4.0.0\n" if state == "other pins"
                                      else PINS.read_text())
    python = fake_python(tmp_path)

    first = run(project, "-e", "kata1", python=python)
    second = run(project, "-e", "kata1", python=python)

    assert first.returncode == 7 and first.stdout == "tox ran\n"
    assert first.stderr.count("\n") == 1 and "installing tox" in first.stderr, first.stderr
    assert not (env / "leftover").exists()
    assert (env / "pins.txt").read_bytes() == PINS.read_bytes()
    root = str(project.resolve())
    install, *ran = calls(tmp_path)
    assert install[1:4] == ["-m", "pip", "install"]
    assert install[-2:] == ["--requirement", f"{root}/.ci/{PINS.name}"]
    assert ran == [[root, "-m", "tox", "-e", "kata1"]] * 2
    assert (second.returncode, second.stderr) == (7, "")


@pytest.mark.parametrize(("python", "said"), [
    ("3.9.2", "needs Python 3.11 or newer, and {python} is 3.9.2 (install one, or set "
              "KATAS_PYTHON)"),
    (None, "needs Python 3.11 or newer, and there is no {python} (install one, or set "
           "KATAS_PYTHON)"),
], ids=["too old", "missing"])
def test_a_python_too_old_or_missing_is_named_in_one_line(project: Path, tmp_path: Path,
                                                          python: str | None, said: str) -> None:
    found = fake_python(tmp_path, python) if python else tmp_path / "python3"
    done = run(project, "-e", "kata1", python=found)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == f"./tox: {said.format(python=found)}\n"
    assert not (project / ".tox-bootstrap").exists()


def test_a_python_without_venv_names_the_debian_package(project: Path, tmp_path: Path) -> None:
    python = fake_python(tmp_path, venv_works=False)
    done = run(project, "-e", "kata1", python=python)
    log = project.resolve() / ".tox-bootstrap" / "install.log"
    assert done.returncode == 1
    assert done.stderr.splitlines()[1:] == [
        f"./tox: {python} -m venv failed (Debian, Ubuntu: sudo apt install python3-venv); "
        f"see {log}"]
    assert "ensurepip is not available" in log.read_text()


def test_a_failed_install_names_its_log_and_is_tried_again(project: Path,
                                                           tmp_path: Path) -> None:
    done = run(project, "-e", "kata1", python=fake_python(tmp_path, pip_exit=1))
    log = project.resolve() / ".tox-bootstrap" / "install.log"
    assert done.returncode == 1
    assert done.stderr.splitlines()[1:] == [
        f"./tox: could not install tox (is PyPI reachable?); see {log}"]
    assert not (project / ".tox-bootstrap" / "pins.txt").exists()  # the next run sets up again
    assert [call[2] for call in calls(tmp_path)] == ["pip"]


def test_the_pins_satisfy_tox_ini() -> None:
    """tox.ini's `requires` accept the pinned tox and tox-uv: tox never provisions another."""
    pinned = {(r := Requirement(line)).name: next(iter(r.specifier)).version
              for line in PINS.read_text().splitlines() if line and not line.startswith("#")}
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(ROOT / "tox.ini")
    requires = [Requirement(line) for line in ini["tox"]["requires"].split("\n") if line]
    assert {r.name for r in requires} == set(pinned) == {"tox", "tox-uv"}
    for requirement in requires:
        assert requirement.specifier.contains(pinned[requirement.name]), requirement


def test_the_windows_twin_reads_the_same_pins_into_the_same_folder() -> None:
    twin = TWIN.read_bytes()
    assert twin.count(b"\n") == twin.count(b"\r\n"), "a batch file needs CRLF line endings"
    text = twin.decode()
    assert f".ci\\{PINS.name}" in text and ".tox-bootstrap" in text and "pins.txt" in text
    assert '-m tox %*' in text and "KATAS_PYTHON" in text


def test_git_keeps_the_wrapper_executable_and_its_environment_out() -> None:
    listed = subprocess.run(["git", "ls-files", "--stage", "tox"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    assert listed.startswith("100755 "), listed
    ignored = subprocess.run(["git", "check-ignore", "-q", ".tox-bootstrap/pins.txt"],
                             cwd=ROOT, check=False)
    assert ignored.returncode == 0


@pytest.fixture
def kata_project(project: Path, tmp_path: Path) -> Path:
    """A project with tox.ini and pyproject.toml, a current .tox-bootstrap whose fake tox
    "runs kata 1's command" (writes tox's command log) unless the file `setup-fails` exists,
    and a fake .tox/kata1 Python that records its calls and its VIRTUAL_ENV."""
    for name in ("tox.ini", "pyproject.toml"):
        shutil.copy2(ROOT / name, project / name)
    (project / ".tox-bootstrap").mkdir()
    shutil.copy2(PINS, project / ".tox-bootstrap" / "pins.txt")
    log = tmp_path / "calls"
    executable(project / ".tox-bootstrap" / "bin" / "python", f"""#!/bin/sh
shift 2; printf '%s\\0' tox "$@" >> '{log}'; printf '\\n' >> '{log}'
[ -e '{tmp_path}/setup-fails' ] && exit 1
mkdir -p .tox/kata1/log && echo ran > '.tox/kata1/log/1-commands[0].log'
exit 1
""")
    executable(project / ".tox" / "kata1" / "bin" / "python", f"""#!/bin/sh
printf '%s\\0' kata1 "$VIRTUAL_ENV" "$@" >> '{log}'; printf '\\n' >> '{log}'
exit 1
""")
    return project


def test_a_kata_run_skips_tox_once_tox_has_run_it_until_its_configuration_changes(
        kata_project: Path, tmp_path: Path) -> None:
    """`./tox -e kata1` goes through tox the first time; once tox has run the kata's command,
    the next runs call the environment's pytest with that command and the learner's
    arguments (spaces kept, nothing globbed), exit as it does, and print nothing of their
    own; a change to tox.ini sends the next run through tox again."""
    root = kata_project.resolve()
    env = str(root / ".tox" / "kata1")
    command = ["-m", "pytest", "katas/kata01_gather", "--learner"]

    through_tox = run(kata_project, "-e", "kata1", python="unused")
    fast = run(kata_project, "-e", "kata1", "--", "-k", "clean up", "*", python="unused")
    bare = run(kata_project, "-e", "kata1", python="unused")
    with (kata_project / "tox.ini").open("a") as ini:
        ini.write("\n# changed\n")
    changed = run(kata_project, "-e", "kata1", python="unused")

    assert [done.returncode for done in (through_tox, fast, bare, changed)] == [1] * 4
    assert [done.stdout + done.stderr for done in (through_tox, fast, bare, changed)] == [""] * 4
    assert calls(tmp_path) == [
        ["tox", "-e", "kata1"],
        ["kata1", env, *command, "-k", "clean up", "*"],
        ["kata1", env, *command],
        ["tox", "-e", "kata1"],
    ]


@pytest.mark.parametrize("args", [["-e", "kata1", "-r"], ["-e", "kata1,kata2"],
                                  ["-e", "kata11"], ["-e", "lint"], ["-q", "-e", "kata1"]])
def test_any_other_form_goes_through_tox(kata_project: Path, tmp_path: Path,
                                         args: list[str]) -> None:
    run(kata_project, "-e", "kata1", python="unused")  # kata 1 is ready
    run(kata_project, *args, python="unused")
    assert calls(tmp_path)[1] == ["tox", *args]


def test_a_tox_run_that_stopped_before_the_command_leaves_the_kata_unready(
        kata_project: Path, tmp_path: Path) -> None:
    """tox failed to set the environment up (no command ran): the next run tries tox again;
    so does a run after the environment's Python was removed."""
    (tmp_path / "setup-fails").touch()
    run(kata_project, "-e", "kata1", python="unused")
    (tmp_path / "setup-fails").unlink()
    run(kata_project, "-e", "kata1", python="unused")
    (kata_project / ".tox" / "kata1" / "bin" / "python").unlink()
    run(kata_project, "-e", "kata1", python="unused")
    assert [call[0] for call in calls(tmp_path)] == ["tox"] * 3

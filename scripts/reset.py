"""Put a kata's stub back as it was shipped, after backing up the learner's file.

The learner's current file is copied first to .learner/backups/<kata>/ (the path is
printed), unless it is the stub as shipped or the newest backup already holds it. A backup's
name carries its order: ``gather-0003-20250101-120000.123456.py`` is the third, saved at that
time. The pristine stub comes from git: the first of origin/HEAD, origin/main and HEAD that
has it (or --from REF). Files of the kata that were deleted (its whole folder, the spec, the
README) are written again as shipped. One kata at a time, or every kata with --all-katas.
``--restore`` lists a kata's backups of the learner's work, newest first, and brings back the
newest (or the one named), after backing up the file it replaces.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import datetime
from pathlib import Path

from scripts.learner import (
    STATE,
    Parser,
    existing_folder,
    interruptible,
    kata_by_number,
    module_file,
    shown,
    why,
    write_atomically,
)
from scripts.project import KATAS, kata_names, shipped, shipped_names

REFS = ("origin/HEAD", "origin/main", "HEAD")
# gather-0003-20250101-120000.123456.py; older releases wrote gather-20250101-120000(-1).py
NAME = re.compile(r"-(?:(?P<order>\d{4,})-)?(?P<stamp>\d{8}-\d{6}(?:\.\d+)?)(?:-(?P<n>\d+))?$")


def pristine(path: Path, refs: tuple[str, ...]) -> bytes:
    """The file's content as shipped, from the first git ref that has it."""
    content = shipped(path, refs)
    if content is None:
        raise SystemExit(f"reset: git has no shipped version of {shown(path)} "
                         f"(tried {', '.join(refs)}); reset needs a git clone of the project")
    return content


def order(backup: Path) -> tuple[int, str, int]:
    """Where `backup` stands among its kata's backups (its number, then its time)."""
    found = NAME.search(backup.stem)
    if found is None:
        return (0, "", 0)
    return (int(found["order"] or 0), found["stamp"], int(found["n"] or 0))


def backups(kata: str, state: Path) -> list[Path]:
    """`kata`'s backups, newest first."""
    folder = state / "backups" / kata
    found = folder.glob("*.py") if folder.is_dir() else []
    return sorted(found, key=order, reverse=True)


def back_up(path: Path, kata: str, state: Path, stub: bytes | None) -> Path | None:
    """Save the learner's `path` as `kata`'s newest backup, verified; None when it is the `stub`
    as shipped (nothing to save), the newest backup when that holds it already. SystemExit
    (nothing changed) when the backup cannot be written."""
    content = path.read_bytes()
    if content == stub:
        return None
    saved = backups(kata, state)
    if saved and saved[0].read_bytes() == content:
        return saved[0]
    number = order(saved[0])[0] + 1 if saved else 1
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S.%f")
    backup = state / "backups" / kata / f"{path.stem}-{number:04d}-{stamp}{path.suffix}"
    try:
        write_atomically(backup, content)
    except OSError as error:
        raise SystemExit(f"reset: your file cannot be saved to {shown(backup.parent)} "
                         f"({why(error)}), so nothing was changed") from None
    if backup.read_bytes() != content:
        raise SystemExit(f"reset: the backup {backup} does not match {path}; nothing changed")
    return backup


def bring_back_files(kata: str, refs: tuple[str, ...], root: Path) -> None:
    """Write again, as shipped, the files of `kata`'s folder in katas/ that are gone (not its
    module: `reset` does that, after a backup). Other trees hold modules only."""
    if root.resolve() != KATAS.resolve():
        return
    module = module_file(kata).name
    gone = [name for name in shipped_names(KATAS / kata, refs)
            if name != module and not (root / kata / name).exists()]
    for name in gone:
        write_atomically(root / kata / name, pristine(KATAS / kata / name, refs))
    if gone:
        print(f"{kata}: {', '.join(gone)} written again as shipped")


def reset(kata: str, refs: tuple[str, ...], state: Path, root: Path = KATAS) -> None:
    """Back up `kata`'s module under `root`, then write the shipped stub over it."""
    stub = pristine(module_file(kata), refs)
    path = module_file(kata, root)
    if path.exists() and path.read_bytes() == stub:
        bring_back_files(kata, refs, root)
        print(f"{kata}: {shown(path)} is already as shipped; nothing to do")
        return
    if path.exists():
        backup = back_up(path, kata, state, stub)
        print(f"{kata}: your file was saved to {backup}")
    bring_back_files(kata, refs, root)
    write_atomically(path, stub)
    print(f"{kata}: {shown(path)} is back to the stub as shipped")


def restore(kata: str, state: Path, root: Path = KATAS, name: str = "",
            refs: tuple[str, ...] = REFS) -> None:
    """Bring back `kata`'s newest backup of the learner's work (or the one called `name`)
    over the module under `root`; the file it replaces is backed up first."""
    stub = shipped(module_file(kata), refs)
    saved = backups(kata, state)
    mine = [backup for backup in saved if backup.read_bytes() != stub]  # the learner's work
    if not mine:
        raise SystemExit(f"reset: {kata} has no backups of your work in "
                         f"{shown(state / 'backups' / kata)}")
    chosen = next((b for b in saved if b.name == name), None) if name else mine[0]
    if chosen is None:
        raise SystemExit(f"reset: {kata} has no backup called {name!r}; "
                         f"its backups: {', '.join(b.name for b in mine)}")
    print(f"{kata}: backups of your work, newest first:")
    for backup in mine:
        print(f"  {backup.name}" + ("   <- brought back" if backup == chosen else ""))
    path = module_file(kata, root)
    if path.exists() and path.read_bytes() != chosen.read_bytes():
        current = back_up(path, kata, state, stub)
        if current is not None:
            print(f"{kata}: your current file was saved to {current}")
    write_atomically(path, chosen.read_bytes())
    print(f"{kata}: {shown(path)} is back to {chosen.name}")


def main(argv: list[str] | None = None) -> int:
    parser = Parser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("kata", nargs="?", help="the kata's number, e.g. 1")
    which.add_argument("--all-katas", action="store_true", help="reset every kata")
    parser.add_argument("--from", dest="ref", help="the git ref to take the stubs from")
    parser.add_argument("--restore", nargs="?", const="latest", metavar="BACKUP",
                        help="list the kata's backups and bring back the newest (or BACKUP)")
    parser.add_argument("--impl", type=existing_folder, default=KATAS,
                        help="the learner's tree (katas/)")
    parser.add_argument("--state", type=Path, default=STATE, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    refs = (options.ref,) if options.ref else REFS
    katas = kata_names() if options.all_katas else [kata_by_number(options.kata)]
    if options.restore:
        if options.all_katas:
            parser.error("--restore works on one kata at a time")
        name = "" if options.restore == "latest" else options.restore
        restore(katas[0], options.state, options.impl, name, refs)
        return 0
    for kata in katas:
        reset(kata, refs, options.state, options.impl)
    return 0


if __name__ == "__main__":
    sys.exit(interruptible(main))

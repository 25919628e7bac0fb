"""Put a kata's stub back as it was shipped, after backing up the learner's file.

The learner's current file is copied first to .learner/backups/<kata>/ with a
timestamp (the path is printed); the pristine stub comes from git: the first of
origin/HEAD, origin/main and HEAD that has it (or --from REF). One kata at a
time, or every kata with --all-katas. A deleted file is simply written again.
``--restore`` lists a kata's backups and brings back the latest (or the one named),
after backing up the file it replaces.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from scripts.learner import STATE, kata_by_number, module_file
from scripts.project import KATAS, ROOT, kata_names, shipped

REFS = ("origin/HEAD", "origin/main", "HEAD")


def pristine(path: Path, refs: tuple[str, ...]) -> bytes:
    """The file's content as shipped, from the first git ref that has it."""
    content = shipped(path, refs)
    if content is None:
        raise SystemExit(f"reset: git has no shipped version of {path.relative_to(ROOT)} "
                         f"(tried {', '.join(refs)}); reset needs a git clone of the project")
    return content


def back_up(path: Path, kata: str, state: Path) -> Path:
    """Copy `path` to a timestamped backup outside the katas; verified before returning."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = state / "backups" / kata
    folder.mkdir(parents=True, exist_ok=True)
    backup = folder / f"{path.stem}-{stamp}{path.suffix}"
    suffix = 1
    while backup.exists():
        backup = folder / f"{path.stem}-{stamp}-{suffix}{path.suffix}"
        suffix += 1
    shutil.copy2(path, backup)
    if backup.read_bytes() != path.read_bytes():
        raise SystemExit(f"reset: the backup {backup} does not match {path}; nothing was reset")
    return backup


def reset(kata: str, refs: tuple[str, ...], state: Path, root: Path = KATAS) -> None:
    """Back up `kata`'s module under `root`, then write the shipped stub over it."""
    shipped = pristine(module_file(kata), refs)
    path = module_file(kata, root)
    if path.exists() and path.read_bytes() == shipped:
        print(f"{kata}: {path} is already as shipped; nothing to do")
        return
    if path.exists():
        backup = back_up(path, kata, state)
        print(f"{kata}: your file was saved to {backup}")
    path.write_bytes(shipped)
    print(f"{kata}: {path} is back to the stub as shipped")


def backups(kata: str, state: Path) -> list[Path]:
    """`kata`'s backups, oldest first."""
    folder = state / "backups" / kata
    return sorted(folder.glob("*.py"), key=lambda p: p.stat().st_mtime) if folder.is_dir() else []


def restore(kata: str, state: Path, root: Path = KATAS, name: str = "") -> None:
    """Bring back `kata`'s latest backup (or the one called `name`) over the module under
    `root`; the file it replaces is backed up first."""
    saved = backups(kata, state)
    if not saved:
        raise SystemExit(f"reset: {kata} has no backups in {state / 'backups' / kata}")
    print(f"{kata}: backups, oldest first:")
    for backup in saved:
        print(f"  {backup.name}")
    chosen = next((b for b in saved if b.name == name), None) if name else saved[-1]
    if chosen is None:
        raise SystemExit(f"reset: no backup called {name!r}")
    path = module_file(kata, root)
    if path.exists() and path.read_bytes() != chosen.read_bytes():
        print(f"{kata}: your current file was saved to {back_up(path, kata, state)}")
    shutil.copy2(chosen, path)
    print(f"{kata}: {path} is back to {chosen.name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("kata", nargs="?", help="the kata's number, e.g. 1")
    which.add_argument("--all-katas", action="store_true", help="reset every kata")
    parser.add_argument("--from", dest="ref", help="the git ref to take the stubs from")
    parser.add_argument("--restore", nargs="?", const="latest", metavar="BACKUP",
                        help="list the kata's backups and bring back the latest (or BACKUP)")
    parser.add_argument("--impl", type=Path, default=KATAS, help="the learner's tree (katas/)")
    parser.add_argument("--state", type=Path, default=STATE, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    refs = (options.ref,) if options.ref else REFS
    katas = kata_names() if options.all_katas else [kata_by_number(options.kata)]
    if options.restore:
        if options.all_katas:
            parser.error("--restore works on one kata at a time")
        name = "" if options.restore == "latest" else options.restore
        restore(katas[0], options.state, options.impl.resolve(), name)
        return 0
    for kata in katas:
        reset(kata, refs, options.state, options.impl.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run mutmut over `reference/` and every alternative with the specs; fail when a mutant survives.

The reference gets mutmut's own operators and the asyncio-aware ones of
``scripts/mutmut_asyncio.py``; each module of `alternatives/` stands in for its kata's
module and gets the asyncio operators only (mutmut's own would make some 3,100 more mutants,
mostly of message strings, and blow the time budget). Alternatives share runs: run k mutates
a tree shaped like `reference/` that holds the k-th alternative of every kata that has one,
and runs only those katas' specs, with ``--impl`` on that tree. Given code, which the
reference marks ``# pragma: no mutate block``, is not mutated in an alternative either. The
alternatives' runs go one after another, beside the reference's run.

Each run works in a scratch copy of the project, so `katas/`, `reference/` and
`alternatives/` are never touched (their digest is checked). A surviving mutant passes only
when it is listed in ``scripts/equivalent_mutants.toml`` with a written reason; a listed
mutant that no longer exists (or no longer survives) fails the run too, so the list stays true.
An alternative's mutant is named after its file: ``alternatives.<kata>.<module>.<function>``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from scripts.project import ALTERNATIVES, KATAS, REFERENCE, ROOT, kata_module, kata_names
from specs import blame

EQUIVALENTS = Path(__file__).with_name("equivalent_mutants.toml")
OPERATORS = Path(__file__).with_name("mutmut_asyncio.py")
COPIED = ["specs", "katas", "course.toml"]  # what the specs read, besides the tree
COLUMNS = ["generic", "asyncio", "killed", "survived", "timeout", "equivalent"]
GENERIC = "generic"  # the operator name scripts/mutmut_asyncio.py gives mutmut's own mutants
ALTERNATIVE_WORKERS = 1  # while the reference's run has its two: about one process per core
GIVEN = re.compile(r"^(?:async\s+def|def|class)\s+(\w+).*#\s*pragma:\s*no mutate block")

MUTMUT = [sys.executable, "-m", "mutmut"]
ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}


@dataclass(frozen=True)
class Run:
    """One mutmut run: a tree shaped like `reference/`, in a scratch copy of its own."""

    tree: str  # the tree's folder in the scratch copy: the first part of mutmut's names
    modules: dict[str, Path]  # kata -> the file that is the kata's module in this tree
    generic: bool  # mutmut's own operators too, or the asyncio ones alone
    workers: int = 2  # mutmut's --max-children

    @property
    def flags(self) -> list[str]:
        """What scripts/mutmut_asyncio.py is told before mutmut's command."""
        return [] if self.generic else ["--asyncio-only"]

    def name(self, mutmut_name: str) -> str:
        """A mutant's name in the report: an alternative's mutants are named after its file."""
        if self.tree == "reference":
            return mutmut_name
        tree, kata, _module, function = mutmut_name.split(".", 3)
        return f"{tree}.{kata}.{self.modules[kata].stem}.{function}"


@dataclass
class Findings:
    """What the runs found, by mutant name (as in the report)."""

    statuses: dict[str, str] = field(default_factory=dict)
    operators: dict[str, str] = field(default_factory=dict)  # asyncio operator, or "generic"
    diffs: dict[str, str] = field(default_factory=dict)  # of the survivors
    crashes: list[str] = field(default_factory=list)  # the spec's own crashes on a mutant


def plan(katas: Sequence[str] = ()) -> list[Run]:
    """The reference, then the alternatives packed into as few trees as they need: of every
    kata, or of `katas` only (a shard)."""
    chosen = [kata for kata in kata_names() if not katas or kata in katas]
    runs = [Run("reference", {kata: REFERENCE / kata / f"{kata_module(kata)}.py"
                              for kata in chosen}, generic=True)]
    stand_ins = {kata: alternatives_of(kata) for kata in chosen}
    for k in range(max(map(len, stand_ins.values()), default=0)):
        runs.append(Run("alternatives", {kata: found[k] for kata, found in stand_ins.items()
                                         if len(found) > k}, generic=False))
    return runs


def alternatives_of(kata: str) -> list[Path]:
    return sorted(p for p in (ALTERNATIVES / kata).glob("*.py") if not p.name.startswith("_"))


def given_code(reference_module: Path) -> set[str]:
    """Top-level classes and functions the reference marks ``# pragma: no mutate block``:
    given code, which the spec brings its own of."""
    return {found.group(1) for line in reference_module.read_text().splitlines()
            if (found := GIVEN.match(line))}


def stand_in(alternative: Path, given: set[str]) -> str:
    """The alternative's source, with its given code marked as the reference marks it."""
    lines = alternative.read_text().splitlines(keepends=True)
    for index, line in enumerate(lines):
        header = re.match(r"^(?:async\s+def|def|class)\s+(\w+)", line)
        if header and header.group(1) in given and "no mutate" not in line:
            lines[index] = f"{line.rstrip()}  # pragma: no mutate block (given code)\n"
    return "".join(lines)


def mutmut_config(run: Run) -> str:
    """The project's ``[tool.mutmut]`` section, pointed at the run's tree and katas."""
    settings = dict(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"])
    cli = list(settings["pytest_add_cli_args"])
    cli[cli.index("--impl") + 1] = run.tree
    settings["source_paths"] = [f"{run.tree}/{kata}/" for kata in run.modules]
    settings["pytest_add_cli_args"] = cli
    settings["pytest_add_cli_args_test_selection"] = [f"katas/{k}/" for k in run.modules]
    return "[tool.mutmut]\n" + "".join(f"{key} = {json.dumps(value)}\n"
                                       for key, value in settings.items())


def scratch_copy(run: Run, into: Path) -> None:
    """Copy what mutmut needs and lay out the run's tree; caches and old mutants stay behind."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "mutants")
    for name in COPIED:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, into / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, into / name)
    project = (ROOT / "pyproject.toml").read_text()
    section = re.compile(r"^\[tool\.mutmut\]\n(?:(?!\[).*\n?)*", re.MULTILINE)
    (into / "pyproject.toml").write_text(section.sub(lambda _: mutmut_config(run) + "\n", project))
    shutil.copy2(OPERATORS, into / OPERATORS.name)
    if run.tree == "reference":
        shutil.copytree(REFERENCE, into / run.tree, ignore=ignore)
        return
    for kata, module in run.modules.items():
        (into / run.tree / kata).mkdir(parents=True)
        given = given_code(REFERENCE / kata / f"{kata_module(kata)}.py")
        (into / run.tree / kata / f"{kata_module(kata)}.py").write_text(stand_in(module, given))


def listing(workdir: Path, *command: str) -> dict[str, str]:
    """``name: value`` lines of a command, as ``mutmut results`` prints them."""
    shown = subprocess.run(command, cwd=workdir, env=ENV, capture_output=True, text=True,
                           check=True)
    found = {}
    for line in shown.stdout.splitlines():
        name, sep, value = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            found[name] = value
    return found


DIFFS = ("import json, sys\n"
         "from mutmut.mutation.diff_apply import get_diff_for_mutant\n"
         "print(json.dumps({name: get_diff_for_mutant(name) for name in sys.argv[1:]}))")


def diffs(workdir: Path, mutants: list[str]) -> dict[str, str]:
    """The change each mutant makes, as ``mutmut show`` shows it (one process for all)."""
    if not mutants:
        return {}
    shown = subprocess.run([sys.executable, "-c", DIFFS, *mutants], cwd=workdir, env=ENV,
                           capture_output=True, text=True, check=True)
    found: dict[str, str] = json.loads(shown.stdout)
    return found


# mutmut stops with this when no test reaches a mutant: so it does when there is none.
NO_MUTANT_COVERED = "could not find any test case for any mutant"
CRASHES = "spec-crashes.log"  # in a run's scratch copy: where the spec kit logs its crashes


def mutmut_run(run: Run, workdir: Path, mutating: threading.Event) -> None:
    """``mutmut run`` with the asyncio operators; `mutating` is set once mutmut has taken its
    stats and runs mutants (or has stopped)."""
    command = [sys.executable, "-m", OPERATORS.stem, *run.flags, "run",
               "--max-children", str(run.workers)]
    tail: deque[str] = deque(maxlen=60)
    env = {**ENV, blame.CRASH_LOG: str(workdir / CRASHES)}
    with subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as mutmut:
        assert mutmut.stdout is not None
        for line in mutmut.stdout:  # spinner frames end in "\r": lines, here
            tail.append(line.rstrip())
            if line.startswith("Running mutation testing"):
                mutating.set()
    mutating.set()
    if mutmut.returncode != 0 and any(NO_MUTANT_COVERED in line for line in tail):
        return  # a tree of modules with no mutant (a kata's shard): `results` then lists none
    if mutmut.returncode != 0:
        print("\n".join(tail))
        raise SystemExit(f"mutation: mutmut run failed on {describe(run)} "
                         f"(exit {mutmut.returncode})")


def mutate(run: Run, mutating: threading.Event | None = None) -> Findings:
    """Run mutmut on the run's tree: every mutant's status and operator, the survivors' diffs."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="katas-mutation-") as scratch:
        workdir = Path(scratch)
        scratch_copy(run, workdir)
        mutmut_run(run, workdir, mutating or threading.Event())
        statuses = listing(workdir, *MUTMUT, "results", "--all", "true")
        made_by = listing(workdir, sys.executable, "-m", OPERATORS.stem, *run.flags, "operators")
        changes = diffs(workdir, [m for m, s in statuses.items() if s == "survived"])
        log = workdir / CRASHES
        crashes = log.read_text().splitlines() if log.exists() else []
    unknown = sorted(set(statuses) - set(made_by))
    if unknown:
        raise SystemExit(f"mutation: no operator known for {len(unknown)} mutants of "
                         f"{describe(run)}, e.g. {unknown[0]}")
    print(f"  {describe(run)}: {len(statuses)} mutants in {time.perf_counter() - started:.0f} s",
          flush=True)
    return Findings({run.name(m): s for m, s in statuses.items()},
                   {run.name(m): made_by[m] for m in statuses},
                   {run.name(m): d for m, d in changes.items()},
                   sorted({_crash(run, line) for line in crashes}))


def _crash(run: Run, line: str) -> str:
    """A line of the spec kit's crash log, as the report shows it."""
    mutant, test, message = [*line.split("\t", 2), "", ""][:3]
    return f"{run.name(mutant) if '.' in mutant else mutant or 'no mutant'}: {test}: {message}"


def describe(run: Run) -> str:
    if run.tree == "reference":
        return "reference"
    return f"alternatives ({', '.join(f'{k[:6]}/{m.stem}' for k, m in run.modules.items())})"


def load_equivalents() -> dict[str, str]:
    """Listed equivalent mutants: name -> reason (a reason is required), from each
    ``[[mutant]]`` (a name and its reason) and each ``[[reason]]`` (one `why`, its `mutants`)."""
    if not EQUIVALENTS.exists():
        return {}
    listing = tomllib.loads(EQUIVALENTS.read_text())
    entries = [(e.get("name", "?"), e.get("reason", "")) for e in listing.get("mutant", [])]
    entries += [(name, shared.get("why", "")) for shared in listing.get("reason", [])
                for name in shared.get("mutants", [])]
    missing_reason = [name for name, reason in entries if not reason.strip()]
    if missing_reason:
        raise SystemExit(f"mutation: equivalent mutants listed without a reason: {missing_reason}")
    twice = sorted(name for name, count in Counter(n for n, _ in entries).items() if count > 1)
    if twice:
        raise SystemExit(f"mutation: equivalent mutants listed twice: {twice}")
    return dict(entries)


def kata_of(mutant: str) -> str:
    return mutant.split(".")[1]


def tree_of(mutant: str) -> str:
    """``reference``, or the alternative's module name."""
    tree = mutant.split(".")[0]
    return tree if tree == "reference" else mutant.split(".")[2]


def tabulate(statuses: dict[str, str], equivalents: dict[str, str], operators: dict[str, str],
             trees: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Counter[str]]:
    """A row per (kata, tree): mutants by kind, then by outcome."""
    table: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for tree in trees:
        table[tree]  # every tree gets a row, even one with no mutants
    for mutant, status in statuses.items():
        row = table[kata_of(mutant), tree_of(mutant)]
        row[GENERIC if operators.get(mutant, GENERIC) == GENERIC else "asyncio"] += 1
        if status == "survived" and mutant in equivalents:
            row["equivalent"] += 1
        elif status in ("killed", "survived", "timeout"):
            row[status] += 1
        else:
            row["other"] += 1
    return table


def report(statuses: dict[str, str], equivalents: dict[str, str], diffs: dict[str, str],
           operators: dict[str, str] | None = None,
           alternatives: Sequence[tuple[str, str]] = (), katas: Sequence[str] = ()) -> int:
    """Print the table (a row per kata and tree) and the summary line; the exit status.

    `operators` tells the asyncio operator that made a mutant (others are generic);
    `alternatives` lists the (kata, module) of every alternative mutated; `katas`, those
    mutated (default: all), whose listed equivalents must still survive.
    """
    operators = operators or {}
    katas = katas or kata_names()
    equivalents = {m: why for m, why in equivalents.items() if kata_of(m) in katas}
    trees = [*((kata, "reference") for kata in katas), *alternatives]
    table = tabulate(statuses, equivalents, operators, trees)
    print(f"{'kata':<18}{'tree':<30}" + "".join(f"{c:>11}" for c in COLUMNS))
    for (kata, tree), row in sorted(table.items(), key=lambda i: (i[0][0], i[0][1] != "reference",
                                                                  i[0][1])):
        print(f"{kata:<18}{tree:<30}" + "".join(f"{row[c]:>11}" for c in COLUMNS))
    total: Counter[str] = Counter()
    for row in table.values():
        total.update(row)
    print(f"{'total':<48}" + "".join(f"{total[c]:>11}" for c in COLUMNS))
    survivors = sorted(m for m, s in statuses.items() if s == "survived" and m not in equivalents)
    stale = sorted(m for m in equivalents if statuses.get(m) != "survived")
    odd = sorted(f"{m} ({s})" for m, s in statuses.items()
                 if s not in ("killed", "survived", "timeout"))
    for mutant in survivors:
        print(f"  survived: {mutant} [{operators.get(mutant, GENERIC)}]")
        print("\n".join(f"      {line}" for line in diffs.get(mutant, "").splitlines()
                        if not line.startswith(("---", "+++"))))
    for mutant in stale:
        print(f"  listed as equivalent but {statuses.get(mutant, 'no longer exists')}: {mutant}")
    for mutant in odd:
        print(f"  not decided: {mutant}")
    for mutant in sorted(m for m, s in statuses.items() if s == "timeout"):
        print(f"  timed out (the specs never let it finish: counted as caught): {mutant}")
    mutants = total[GENERIC] + total["asyncio"]
    print(f"mutation: killed={total['killed']} survived={total['survived']} "
          f"equivalent={total['equivalent']} timeout={total['timeout']} total={mutants} "
          f"async={total['asyncio']} alternatives={len(alternatives)}")
    return 1 if survivors or stale or odd or not statuses else 0


def digest(*trees: Path) -> str:
    """One hash of every file's path and bytes under `trees` (caches excluded)."""
    sha = hashlib.sha256()
    for tree in trees:
        for path in sorted(tree.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                sha.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def mutate_all(runs: list[Run]) -> Findings:
    """The reference's run, and beside it the alternatives' runs one after another.

    They start once the reference has taken its stats: stats are whole spec runs under the
    spec kit's watchdog (1 s of wall time), which must not share the cores with mutants. An
    alternatives' run has one worker while the reference's two run, two after.
    """
    reference, *alternatives = runs
    mutating = threading.Event()
    outcomes: list[Findings] = []
    errors: list[BaseException] = []

    def first() -> None:
        try:
            outcomes.append(mutate(reference, mutating))
        except BaseException as error:  # re-raised by the main thread
            errors.append(error)
        finally:
            mutating.set()

    beside = threading.Thread(target=first)
    beside.start()
    mutating.wait()
    try:
        for run in alternatives:
            if errors:
                break
            workers = ALTERNATIVE_WORKERS if beside.is_alive() else reference.workers
            outcomes.append(mutate(replace(run, workers=workers)))
    finally:
        beside.join()
    if errors:
        raise errors[0]
    found = Findings()
    for outcome in outcomes:
        found.statuses.update(outcome.statuses)
        found.operators.update(outcome.operators)
        found.diffs.update(outcome.diffs)
        found.crashes += outcome.crashes
    return found


def verdict(found: Findings, equivalents: dict[str, str],
            alternatives: Sequence[tuple[str, str]], katas: Sequence[str]) -> int:
    """The report of what the runs found, the spec's crashes after it; the exit status."""
    status = report(found.statuses, equivalents, found.diffs, found.operators,
                    alternatives, katas)
    print(f"mutation: spec_crashes={len(found.crashes)} (a mutant must be killed by a true "
          "verdict, not by a crash of the spec's own code)")
    for crash in found.crashes:
        print(f"  SPEC CRASH {crash}")
    return 1 if found.crashes else status


def gather(shards: Sequence[Path]) -> int:
    """One report over the findings of shards (``--json`` files of runs of some katas each,
    as CI's jobs write them): the survivors of all, and every kata's equivalents checked."""
    found, alternatives, katas = Findings(), [], []
    for shard in shards:
        data = json.loads(shard.read_text())
        for name in ("statuses", "operators", "diffs"):
            getattr(found, name).update(data[name])
        found.crashes += data["crashes"]
        alternatives += [tuple(pair) for pair in data["alternatives"]]
        katas += data["katas"]
    missing = [kata for kata in kata_names() if kata not in katas]
    status = verdict(found, load_equivalents(), alternatives,
                     [k for k in kata_names() if k in katas])
    if missing:
        print(f"mutation: no shard ran {', '.join(missing)}")
    return 1 if missing else status


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kata", action="append", default=[], choices=kata_names(),
                        help="mutate this kata only (again for more): a shard of the run")
    parser.add_argument("--json", type=Path, help="also write the findings here, for --gather")
    parser.add_argument("--gather", type=Path, nargs="+", metavar="JSON",
                        help="mutate nothing: one report over the shards' --json files")
    options = parser.parse_args(argv)
    if options.gather:
        return gather(options.gather)
    equivalents = load_equivalents()  # a listing without its reason stops the run first
    watched = (KATAS, REFERENCE, ALTERNATIVES)
    before = digest(*watched)
    runs = plan(options.kata)
    found = mutate_all(runs)
    if digest(*watched) != before:
        print("mutation: katas/, reference/ or alternatives/ changed during the run: "
              "that must never happen")
        return 1
    alternatives = [(kata, module.stem) for run in runs if run.tree != "reference"
                    for kata, module in run.modules.items()]
    katas = list(runs[0].modules)
    if options.json:  # what gather() reads back
        options.json.write_text(json.dumps({"katas": katas, "alternatives": alternatives,
                                            **asdict(found)}))
    return verdict(found, equivalents, alternatives, katas)


if __name__ == "__main__":
    sys.exit(main())

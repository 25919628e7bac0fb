"""Prove each kata's spec tells right from wrong, beyond the reference solution.

An impostor is a plausible wrong implementation: ``impostors/<kata>/<mistake>.patch``, the
reference (or an alternative) with one mistake, as a unified diff (`scripts.mistakes`), or
``impostors/<kata>/<mistake>.py``, a module of a design of its own. The spec must catch it:
at least one behaviour fails (those are printed, with the tasks they belong to) by a check
of the contract or by the impostor's own error, and not only because the impostor crashed
reaching for a name that is not there (that is BROKEN); a patch that no longer applies is
BROKEN too, naming its hunk. An alternative,
``alternatives/<kata>/<style>.py``, is a correct implementation written unlike the
reference: the spec must pass it, or it pins incidental details. Each module runs in a
scratch tree shaped like ``katas/``; its docstring's first line says what it is. Each
module is self-contained: one that imports from the project's ``reference``, ``katas``,
``alternatives`` or ``impostors`` is BROKEN (and is not run), for its verdict would hang on
another module's internals.

Two probes keep the verdicts true (`specs.blame`): a crash of the spec's own code on any
module (the stub included: see `scripts.check_stubs`) fails the check, for it is no verdict
on the module; and every behaviour that fails in the whole run is run again alone
(``--isolate``): one that passes alone was blamed for what another behaviour left behind.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from scripts import mistakes
from scripts.project import (
    ALTERNATIVES,
    IMPOSTORS,
    KATAS,
    kata_module,
    kata_names,
    run_specs,
)
from specs import blame
from specs.report import Behaviour


def modules(folder: Path) -> list[Path]:
    """The impostors (patches and modules) or alternatives in `folder`, by name."""
    return sorted((p for p in (*folder.glob("*.py"), *folder.glob("*.patch"))
                   if not p.name.startswith("_")), key=lambda p: p.stem)


def source(module: Path) -> str:
    """The text of the module `module` stands for: a patch applied to its base, or the module
    itself; `mistakes.PatchError` when a patch no longer applies."""
    return mistakes.read(module).apply() if module.suffix == ".patch" else module.read_text()


WALL_TIME = " s of wall time"  # in every verdict of the watchdog (specs/watchdog.py)


@dataclass
class Run:
    """A module's run: every behaviour in one process, and those that failed, each alone."""

    whole: list[Behaviour]
    alone: dict[str, Behaviour]  # by test id

    def moved(self) -> list[Behaviour]:
        """Behaviours that failed in the whole run but pass alone: their verdict depended on
        what else ran (a leak of another behaviour blamed on them). The watchdog's verdicts,
        measured in wall time ("still busy after 1.0 s of wall time": the code polls), are not
        among them: they are true of the code, and only a run that saw the code poll already
        gives a phase 1 s rather than 3 s (specs/watchdog.py, fail fast by cause)."""
        return [b for b in self.whole if b.status == "failed" and WALL_TIME not in b.message
                and b.test in self.alone and self.alone[b.test].passed]


def run(kata: str, module: Path) -> Run:
    """The kata's spec run against `module` standing in for the kata's module: whole, then
    each behaviour that failed, alone."""
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "stand_in"
        (tree / kata).mkdir(parents=True)
        (tree / kata / f"{kata_module(kata)}.py").write_text(source(module))
        whole = run_specs(tree, sorted((KATAS / kata).glob("test_*.py")))
        failed = [b.test for b in whole if b.status == "failed"]
        alone = run_specs(tree, failed, "--isolate") if failed else []
        return Run(whole, {b.test: b for b in alone})


PROJECT_PACKAGES = ("reference", "katas", "alternatives", "impostors")


def imported_names(node: ast.AST) -> list[str]:
    """The modules `node` imports: an import statement, or a call of ``importlib.import_module``
    or ``__import__`` with a literal name."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        return [node.module] if node.module and not node.level else []
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if called in ("import_module", "__import__") and isinstance(node.args[0].value, str):
            return [node.args[0].value]
    return []


def project_import(text: str, filename: str) -> str | None:
    """The first project module that the module `text` imports
    (``reference.kata06_queue.pipeline``), at any depth of its code; None if it is
    self-contained (or does not parse: its run says)."""
    try:
        tree = ast.parse(text, filename=filename)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        for name in imported_names(node):
            if name.split(".")[0] in PROJECT_PACKAGES:
                return name
    return None


def not_self_contained(module: Path, kind: str) -> str | None:
    """Why `module` (an impostor or an alternative, as `kind` says) is BROKEN before any run:
    a patch that no longer applies, or a module that imports the project's."""
    try:
        text = source(module)
    except mistakes.PatchError as error:
        return str(error)
    imported = project_import(text, str(module))
    return imported and f"imports {imported}: {kind} must be self-contained"


def summary(module: Path) -> str:
    """The impostor's one-sentence description: a patch's first line, a module's docstring's."""
    if module.suffix == ".patch":
        try:
            return mistakes.read(module).summary
        except mistakes.PatchError:
            return module.read_text().partition("\n")[0] or "?"
    return mistakes.docstring_sentence(module.read_text())


def first_line(outcome: Behaviour) -> str:
    return f"{outcome.name}: {outcome.message.splitlines()[0] if outcome.message else ''}"[:150]


CRASH = re.compile(r"\b(AttributeError|NameError|ImportError|ModuleNotFoundError)\b"
                   r"|could not import |defines no `")


def crashed(outcome: Behaviour) -> bool:
    """The failure is the impostor's own crash (its module does not load, or a name it
    reached for is missing), not a behaviour the spec checked: it proves nothing."""
    return outcome.cause == blame.MODULE or (
        outcome.cause == blame.CODE and CRASH.search(outcome.message) is not None)


def untrue(outcomes: Run) -> list[str]:
    """What makes a run's verdicts untrue about the module: the spec's own crashes, and
    failures that do not hold when the behaviour runs alone."""
    problems = [f"SPEC CRASH {first_line(o)}" for o in outcomes.whole if o.cause == blame.SPEC]
    problems += [f"NOT ALONE {o.name}: fails in the whole run, passes alone"
                 for o in outcomes.moved()]
    for problem in problems:
        print(f"      {problem}")
    return problems


def check_impostor(kata: str, impostor: Path, outcomes: Run | None) -> str:
    """caught (by a check, or by the impostor's own error only), escaped, or broken (it
    only crashed, or it is not self-contained: then it was not run and `outcomes` is None)."""
    reason = not_self_contained(impostor, "impostors")
    if reason or outcomes is None:
        print(f"  BROKEN  {impostor.stem}: {summary(impostor)}")
        print(f"      {reason or 'not run'}")
        return "broken"
    moved = {o.test for o in outcomes.moved()}
    failed = [o for o in outcomes.whole if o.status == "failed" and o.test not in moved]
    caught = [o for o in failed if o.cause in (blame.CHECK, blame.CODE) and not crashed(o)]
    checked = [o for o in caught if o.cause == blame.CHECK]
    verdict = "checked" if checked else "own error" if caught else (
        "broken" if failed else "escaped")
    label = {"checked": "caught ", "own error": "caught ", "escaped": "ESCAPED",
             "broken": "BROKEN "}[verdict]
    print(f"  {label} {impostor.stem}: {summary(impostor)}"
          + (" (by its own error only)" if verdict == "own error" else ""))
    for outcome in (caught or failed)[:3]:
        print(f"      by {first_line(outcome)}")
    if len(caught or failed) > 3:
        print(f"      and {len(caught or failed) - 3} more")
    if caught:
        counts = Counter(o.task for o in caught)
        print("      in " + ", ".join(f"task {task} ({n})" for task, n in sorted(counts.items())))
    return verdict


def caught_elsewhere(kata: str, impostor: Path, outcomes: Run | None) -> str | None:
    """For a patch whose mistake lies in tasks the catalogue can name (`Mistake.tasks`) but
    no behaviour of which caught it: one line saying so, for a human to judge (a spec that
    misses the mistake where it is, or a mistake that shows first elsewhere). `outcomes` is
    None for a module that was not run (BROKEN before any run: its patch does not apply)."""
    if impostor.suffix != ".patch" or outcomes is None:
        return None
    mistake = mistakes.read(impostor)
    where = mistake.tasks()
    caught = {o.task for o in outcomes.whole if o.status == "failed"
              and o.cause in (blame.CHECK, blame.CODE) and not crashed(o)}
    if not where or not caught or where & caught:
        return None
    return (f"{kata}/{impostor.stem}: its mistake is in task {', '.join(map(str, sorted(where)))}"
            f", caught only by task {', '.join(map(str, sorted(caught)))}")


def check_alternative(kata: str, alternative: Path, outcomes: Run | None) -> bool:
    reason = not_self_contained(alternative, "alternatives")
    if reason or outcomes is None:  # counted among the rejected
        print(f"  BROKEN   {alternative.stem}: {summary(alternative)}")
        print(f"      {reason or 'not run'}")
        return False
    rejected = [o for o in outcomes.whole if not o.passed]
    verdict = "REJECTED" if rejected or not outcomes.whole else "accepted"
    print(f"  {verdict} {alternative.stem}: {summary(alternative)}")
    for outcome in rejected:
        print(f"      by {first_line(outcome)}")
    return verdict == "accepted"


def main(argv: list[str] | None = None) -> int:
    """Every kata, or only those named: ``python -m scripts.check_impostors kata05_semaphore``."""
    wanted = sys.argv[1:] if argv is None else argv
    unknown = sorted(set(wanted) - set(kata_names()))
    if unknown:
        print(f"no such kata: {', '.join(unknown)}; the katas are {', '.join(kata_names())}")
        return 2
    plan = [(kata, modules(IMPOSTORS / kata), modules(ALTERNATIVES / kata))
            for kata in kata_names() if not wanted or kata in wanted]
    jobs = [(kata, module) for kata, impostors, alternatives in plan
            for module in impostors + alternatives
            if not_self_contained(module, "") is None]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:  # one pytest process each
        outcomes = dict(zip(jobs, pool.map(lambda job: run(*job), jobs), strict=True))
    verdicts: dict[str, int] = {"checked": 0, "own error": 0, "escaped": 0, "broken": 0}
    rejected, problems, elsewhere = [], [], []
    for kata, impostors, alternatives in plan:
        print(f"{kata}: {len(impostors)} impostors, {len(alternatives)} alternatives")
        for module in impostors:
            verdicts[check_impostor(kata, module, outcomes.get((kata, module)))] += 1
            if line := caught_elsewhere(kata, module, outcomes.get((kata, module))):
                elsewhere.append(line)
            problems += untrue(outcomes[(kata, module)]) if (kata, module) in outcomes else []
        for module in alternatives:
            if not check_alternative(kata, module, outcomes.get((kata, module))):
                rejected.append(f"{kata}/{module.stem}")
            problems += untrue(outcomes[(kata, module)]) if (kata, module) in outcomes else []
    impostor_count = sum(len(impostors) for _, impostors, _ in plan)
    alternative_count = sum(len(alternatives) for _, _, alternatives in plan)
    caught = verdicts["checked"] + verdicts["own error"]
    print(f"impostors: caught={caught} escaped={verdicts['escaped']} "
          f"broken={verdicts['broken']} total={impostor_count}")
    print(f"caught by: a check of the contract={verdicts['checked']} "
          f"their own error only={verdicts['own error']}")
    print(f"alternatives: accepted={alternative_count - len(rejected)} rejected={len(rejected)} "
          f"total={alternative_count}")
    if elsewhere:
        print(f"caught outside the task of their mistake ({len(elsewhere)}; a human decides):")
        for line in elsewhere:
            print(f"  {line}")
    crashes = sum(problem.startswith("SPEC CRASH") for problem in problems)
    print(f"verdicts: spec_crashes={crashes} not_alone={len(problems) - crashes}")
    failed = (verdicts["escaped"] or verdicts["broken"] or rejected or problems
              or not impostor_count)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

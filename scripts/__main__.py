"""One entry point for the project's scripts: ``python -m scripts <verb> [options]``.

tox stays the learner's interface (``tox -e progress`` runs ``python -m scripts
progress``); ``python -m scripts <verb> --help`` shows a verb's options. A Ctrl-C ends
any verb with one line and the exit status 130 (`scripts.learner.interruptible`).
"""

from __future__ import annotations

import importlib
import sys

from scripts.learner import interruptible

# verb: (module, what it does); learner tools first, then the maintainer checks.
VERBS: dict[str, tuple[str, str]] = {
    "progress": ("scripts.progress", "every kata: not started, k of n behaviours, or done"),
    "hint": ("scripts.hint", "the next hint for the task you are on"),
    "watch": ("scripts.watch", "re-run a kata's spec on every save"),
    "dojo": ("scripts.dojo", "watch mode with a randori rotation timer"),
    "reset": ("scripts.reset", "put a kata's stub back (your file is backed up first)"),
    "demo": ("scripts.demo.__main__", "a kata's demo in real time"),
    "lint": ("scripts.lint", "ruff over the project, the katas' stubs as committed"),
    "course": ("scripts.course_check", "course.toml against the files"),
    "stubs": ("scripts.check_stubs", "every spec test fails on the untouched stubs"),
    "impostors": ("scripts.check_impostors", "every impostor caught, every alternative passes"),
    "mistake": ("scripts.mistakes", "an impostor as its mistake: show, make or refresh a patch"),
    "mutation": ("scripts.mutation", "mutmut over the reference and the alternatives"),
    "soak": ("scripts.soak", "the reference suite many times in random order"),
    "bench": ("scripts.bench", "measure the feedback loop"),
}


def usage() -> str:
    width = max(map(len, VERBS))
    lines = [f"  {verb:<{width}}  {what}" for verb, (_, what) in VERBS.items()]
    return "usage: python -m scripts <verb> [options]\n\nverbs:\n" + "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print(usage())
        return 0 if args else 2
    verb, options = args[0], args[1:]
    if verb not in VERBS:
        print(f"no verb {verb!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(VERBS[verb][0])
    sys.argv = [f"python -m scripts {verb}", *options]  # each verb parses its own options
    return interruptible(module.main)


if __name__ == "__main__":
    sys.exit(main())

"""``python -m scripts <verb>``: one entry point; every verb reaches its script."""

from __future__ import annotations

import importlib

from scripts.__main__ import VERBS
from tests.conftest import run_module


def test_usage_lists_every_verb() -> None:
    listed = run_module("scripts", "--help")
    assert listed.returncode == 0
    assert all(f"  {verb} " in listed.stdout for verb in VERBS)
    assert run_module("scripts").returncode == 2
    unknown = run_module("scripts", "nope")
    assert unknown.returncode == 2 and "no verb 'nope'" in unknown.stderr


def test_every_verb_has_a_main() -> None:
    for verb, (module, _) in VERBS.items():
        assert callable(getattr(importlib.import_module(module), "main", None)), verb


def test_a_verb_gets_its_options() -> None:
    shown = run_module("scripts", "hint", "--help")
    assert shown.returncode == 0 and "usage: python -m scripts hint" in shown.stdout

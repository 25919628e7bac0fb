"""Each behaviour is one checklist line a learner reads: its sentence fits on one line."""

from __future__ import annotations

from scripts.project import KATAS, REFERENCE, kata_names, run_specs

LONGEST = 120  # characters shown: the sentence, plus " [case: <id>]" for a parametrised case


def test_every_sentence_fits_on_one_line() -> None:
    """Every spec of every kata, collected (not run) against reference/ in one pytest process:
    a sentence is its docstring's first paragraph, so the detail that does not fit goes in the
    second."""
    specs = [spec for kata in kata_names() for spec in sorted((KATAS / kata).glob("test_*.py"))]
    behaviours = run_specs(REFERENCE, specs, "--collect-only")
    assert {b.kata for b in behaviours} == set(kata_names()), "some kata's spec was not collected"
    long = [f"  {len(b.text)}: {b.test}\n    {b.text}" for b in behaviours if len(b.text) > LONGEST]
    assert not long, (
        f"{len(long)} of {len(behaviours)} behaviours show more than {LONGEST} characters; "
        "shorten the sentence (the docstring's first paragraph) and move the detail to its "
        "second paragraph, or shorten the case's id:\n" + "\n".join(long))

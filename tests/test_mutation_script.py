"""The verdicts of scripts/mutation.py, on made-up mutmut results."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import mutation

KILLED = "reference.kata01_gather.gather.x_timed__mutmut_1"
SURVIVOR = "reference.kata01_gather.gather.x_timed__mutmut_2"
SLOW = "reference.kata03_retry.retry.x_retry_async__mutmut_9"


def test_all_killed_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert mutation.report({KILLED: "killed", SLOW: "timeout"}, {}, {}) == 0
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == (
        "mutation: killed=1 survived=0 equivalent=0 timeout=1 total=2")
    assert f"timed out (the specs never let it finish: counted as caught): {SLOW}" in out


def test_a_survivor_fails_and_shows_its_diff(capsys: pytest.CaptureFixture[str]) -> None:
    diff = "--- a\n+++ b\n-    return x\n+    return None"
    assert mutation.report({KILLED: "killed", SURVIVOR: "survived"}, {}, {SURVIVOR: diff}) == 1
    out = capsys.readouterr().out
    assert f"survived: {SURVIVOR}" in out and "+    return None" in out
    assert out.strip().endswith("survived=1 equivalent=0 timeout=0 total=2")


def test_a_listed_equivalent_passes(capsys: pytest.CaptureFixture[str]) -> None:
    listed = {SURVIVOR: "the mutated default is never observable"}
    assert mutation.report({KILLED: "killed", SURVIVOR: "survived"}, listed, {}) == 0
    assert "equivalent=1" in capsys.readouterr().out


def test_a_stale_listing_fails(capsys: pytest.CaptureFixture[str]) -> None:
    listed = {SURVIVOR: "was equivalent once"}
    assert mutation.report({KILLED: "killed", SURVIVOR: "killed"}, listed, {}) == 1
    assert "listed as equivalent but killed" in capsys.readouterr().out
    assert mutation.report({KILLED: "killed"}, listed, {}) == 1
    assert "listed as equivalent but no longer exists" in capsys.readouterr().out


def test_undecided_mutants_fail(capsys: pytest.CaptureFixture[str]) -> None:
    assert mutation.report({KILLED: "killed", SURVIVOR: "no tests"}, {}, {}) == 1
    assert "not decided" in capsys.readouterr().out


def test_the_table_has_a_row_per_kata(capsys: pytest.CaptureFixture[str]) -> None:
    mutation.report({KILLED: "killed"}, {}, {})
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].split() == ["kata", *mutation.COLUMNS]
    assert any(row.split()[:3] == ["kata01_gather", "1", "1"] for row in rows)
    assert any(row.startswith("kata03_retry") for row in rows)


def test_a_listing_needs_a_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    listing = tmp_path / "equivalent_mutants.toml"
    listing.write_text(f'[[mutant]]\nname = "{SURVIVOR}"\nreason = " "\n')
    monkeypatch.setattr(mutation, "EQUIVALENTS", listing)
    with pytest.raises(SystemExit, match="without a reason"):
        mutation.load_equivalents()


def test_digest_sees_any_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mutation, "ROOT", tmp_path)
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "a.py").write_text("x = 1\n")
    before = mutation.digest(tmp_path / "tree")
    (tmp_path / "tree" / "a.py").write_text("x = 2\n")
    assert mutation.digest(tmp_path / "tree") != before

"""The verdicts of scripts/mutation.py, on made-up mutmut results, and how it lays out its runs."""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from scripts import mutation
from scripts.project import ALTERNATIVES, REFERENCE, kata_module, kata_names

KILLED = "reference.kata01_gather.gather.x_timed__mutmut_1"
SURVIVOR = "reference.kata01_gather.gather.x_timed__mutmut_2"
SLOW = "reference.kata03_retry.retry.x_retry_async__mutmut_9"
ALTERNATIVE = "alternatives.kata01_gather.gather_and_cancel.x_run_concurrently__mutmut_3"


def test_all_killed_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert mutation.report({KILLED: "killed", SLOW: "timeout"}, {}, {}) == 0
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == (
        "mutation: killed=1 survived=0 equivalent=0 timeout=1 total=2 async=0 alternatives=0")
    assert f"timed out (the specs never let it finish: counted as caught): {SLOW}" in out


def test_a_survivor_fails_and_shows_its_diff(capsys: pytest.CaptureFixture[str]) -> None:
    diff = "--- a\n+++ b\n-    return x\n+    return None"
    assert mutation.report({KILLED: "killed", SURVIVOR: "survived"}, {}, {SURVIVOR: diff}) == 1
    out = capsys.readouterr().out
    assert f"survived: {SURVIVOR}" in out and "+    return None" in out
    assert out.strip().endswith("survived=1 equivalent=0 timeout=0 total=2 async=0 alternatives=0")
    assert "--- a" not in out


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
    assert rows[0].split() == ["kata", "tree", *mutation.COLUMNS]
    assert any(row.split()[:5] == ["kata01_gather", "reference", "1", "0", "1"] for row in rows)
    assert any(row.startswith("kata03_retry") for row in rows)


def test_asyncio_mutants_and_alternatives_are_counted_apart(
        capsys: pytest.CaptureFixture[str]) -> None:
    statuses = {KILLED: "killed", SURVIVOR: "killed", ALTERNATIVE: "survived"}
    operators = {SURVIVOR: "drop_await", ALTERNATIVE: "drop_finally"}
    alternatives = [("kata01_gather", "gather_and_cancel"), ("kata02_http", "gather_and_urllib")]
    diff = "--- x\n+++ x\n-    finally:\n"
    assert mutation.report(statuses, {}, {ALTERNATIVE: diff}, operators, alternatives) == 1
    out = capsys.readouterr().out
    rows = [row.split() for row in out.splitlines()]
    assert ["kata01_gather", "reference", "1", "1", "2", "0", "0", "0"] in rows
    assert ["kata01_gather", "gather_and_cancel", "0", "1", "0", "1", "0", "0"] in rows
    assert ["kata02_http", "gather_and_urllib", "0", "0", "0", "0", "0", "0"] in rows
    assert f"survived: {ALTERNATIVE} [drop_finally]" in out and "-    finally:" in out
    assert out.strip().splitlines()[-1] == (
        "mutation: killed=2 survived=1 equivalent=0 timeout=0 total=3 async=2 alternatives=2")


def test_an_alternatives_mutant_is_named_after_its_file() -> None:
    run = mutation.Run("alternatives", {"kata06_queue": ALTERNATIVES / "kata06_queue" / "x.py"},
                       generic=False)
    assert run.name("alternatives.kata06_queue.pipeline.x_pipeline__mutmut_2") == (
        "alternatives.kata06_queue.x.x_pipeline__mutmut_2")
    assert mutation.tree_of("alternatives.kata06_queue.x.x_pipeline__mutmut_2") == "x"
    assert mutation.Run("reference", {}, generic=True).name(KILLED) == KILLED


def test_the_plan_mutates_the_reference_and_each_alternative_once() -> None:
    reference, *runs = mutation.plan()
    assert reference.tree == "reference" and reference.generic
    assert reference.modules == {k: REFERENCE / k / f"{kata_module(k)}.py" for k in kata_names()}
    mutated = Counter(module for run in runs for module in run.modules.values())
    every = {p for kata in kata_names() for p in (ALTERNATIVES / kata).glob("[!_]*.py")}
    assert set(mutated) == every and set(mutated.values()) == {1}
    assert all(not run.generic and run.tree == "alternatives" for run in runs)
    assert all(module.parent.name == kata for run in runs for kata, module in run.modules.items())
    assert len(runs) == max(len(list((ALTERNATIVES / k).glob("[!_]*.py"))) for k in kata_names())


def test_a_run_points_mutmut_at_its_tree_and_its_katas_specs() -> None:
    run = mutation.Run("alternatives", {"kata06_queue": Path("x.py")}, generic=False)
    settings = tomllib.loads(mutation.mutmut_config(run))["tool"]["mutmut"]
    assert settings["source_paths"] == ["alternatives/kata06_queue/"]
    assert settings["pytest_add_cli_args"][:2] == ["--impl", "alternatives"]
    assert settings["pytest_add_cli_args_test_selection"] == ["katas/kata06_queue/"]
    reference = tomllib.loads(mutation.mutmut_config(mutation.plan()[0]))["tool"]["mutmut"]
    assert reference["source_paths"] == [f"reference/{kata}/" for kata in kata_names()]
    assert reference["pytest_add_cli_args"][:2] == ["--impl", "reference"]


def test_given_code_is_not_mutated_in_an_alternative_either(tmp_path: Path) -> None:
    reference = tmp_path / "sync.py"
    reference.write_text("class Store:  # pragma: no mutate block (given)\n    pass\n")
    alternative = tmp_path / "alternative.py"
    alternative.write_text("import asyncio\n\n\nclass Store:\n    pass\n\n\nclass Other:\n")
    assert mutation.given_code(reference) == {"Store"}
    assert mutation.stand_in(alternative, {"Store"}).splitlines()[3] == (
        "class Store:  # pragma: no mutate block (given code)")
    assert mutation.stand_in(alternative, {"Store"}).splitlines()[7] == "class Other:"


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


def test_the_run_fails_when_an_alternative_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("KATAS", "REFERENCE", "ALTERNATIVES"):
        (tmp_path / name).mkdir()
        monkeypatch.setattr(mutation, name, tmp_path / name)
    monkeypatch.setattr(mutation, "ROOT", tmp_path)
    monkeypatch.setattr(mutation, "plan", lambda katas: [])

    def mutate_all(runs: list[mutation.Run]) -> mutation.Findings:
        (tmp_path / "ALTERNATIVES" / "a.py").write_text("changed")
        return mutation.Findings({KILLED: "killed"})

    monkeypatch.setattr(mutation, "mutate_all", mutate_all)
    assert mutation.main([]) == 1
    assert "alternatives/ changed during the run" in capsys.readouterr().out


def test_a_shared_reason_lists_its_mutants_once(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A [[reason]] gives its `why` to each of its mutants; a reason left blank, or a mutant
    listed twice, stops the run with its name."""
    listing = tmp_path / "equivalent_mutants.toml"
    monkeypatch.setattr(mutation, "EQUIVALENTS", listing)
    listing.write_text('[[reason]]\nwhy = "only a message"\nmutants = ["a", "b"]\n\n'
                       '[[mutant]]\nname = "c"\nreason = "its own"\n')
    assert mutation.load_equivalents() == {"a": "only a message", "b": "only a message",
                                           "c": "its own"}
    listing.write_text('[[reason]]\nwhy = ""\nmutants = ["a"]\n')
    with pytest.raises(SystemExit, match=r"without a reason: \['a'\]"):
        mutation.load_equivalents()
    listing.write_text('[[reason]]\nwhy = "x"\nmutants = ["a"]\n\n[[mutant]]\nname = "a"\n'
                       'reason = "y"\n')
    with pytest.raises(SystemExit, match=r"listed twice: \['a'\]"):
        mutation.load_equivalents()


def test_gather_reports_the_shards_as_one_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """CI's summary job: the shards' findings make one report; a survivor in any shard fails
    it, and so does a kata no shard ran."""
    monkeypatch.setattr(mutation, "EQUIVALENTS", tmp_path / "none.toml")
    katas = kata_names()

    def shard(kata: str, status: str) -> Path:
        name = f"reference.{kata}.m.x_f__mutmut_1"
        path = tmp_path / f"mutation-{kata}.json"
        path.write_text(json.dumps({"katas": [kata], "alternatives": [],
                                    "statuses": {name: status}, "operators": {},
                                    "diffs": {name: "-a\n+b"}, "crashes": []}))
        return path

    shards = [shard(kata, "killed") for kata in katas]
    assert mutation.main(["--gather", *map(str, shards)]) == 0
    assert f"killed={len(katas)} survived=0" in capsys.readouterr().out
    assert mutation.main(["--gather", *map(str, shards[1:])]) == 1
    assert f"no shard ran {katas[0]}" in capsys.readouterr().out
    shards[2] = shard(katas[2], "survived")
    assert mutation.main(["--gather", *map(str, shards)]) == 1
    assert f"survived: reference.{katas[2]}.m.x_f__mutmut_1" in capsys.readouterr().out

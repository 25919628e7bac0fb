"""`tox -e bench` installs what it runs: its dependency group has watch's watchfiles."""

from __future__ import annotations

import tomllib

from scripts.project import ROOT


def packages(groups: dict[str, list[object]], name: str) -> set[str]:
    found: set[str] = set()
    for entry in groups[name]:
        if isinstance(entry, dict):
            found |= packages(groups, entry["include-group"])
        else:
            found.add(str(entry).split("=")[0].split(">")[0].split("<")[0].strip())
    return found


def test_the_bench_group_has_what_bench_runs() -> None:
    groups = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]
    assert {"watchfiles", "mutmut", "tox", "tox-uv", "pytest"} <= packages(groups, "bench")

"""constraints.txt pins a production install: every dependency engagebot declares is pinned, to a
version its own requirement accepts, and nothing of the developers' tools."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def test_every_production_dependency_is_pinned_to_a_version_it_accepts() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pinned = {}
    for line in (line for line in lines if line and not line.startswith("#")):
        name, _, version = line.partition("==")
        assert version and " " not in line, f"not a pin: {line}"
        pinned[canonicalize_name(name)] = version
    needed = [*project["dependencies"], *project["optional-dependencies"]["postgres"]]
    for text in needed:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pinned, (
            f"{name} is not in constraints.txt: run scripts/refresh_constraints.py"
        )
        assert requirement.specifier.contains(pinned[name], prereleases=True), (name, pinned[name])
    for tool in ("pytest", "ruff", "mypy", "hypothesis", "playwright"):
        assert tool not in pinned  # production installs carry no developer tools

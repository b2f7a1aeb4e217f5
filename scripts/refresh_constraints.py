"""Write constraints.txt: the exact versions of everything a production install pulls in.

Run it in a virtual environment where engagebot was just installed for production, so the
versions are the ones tested there:

    python -m venv /tmp/pins && /tmp/pins/bin/pip install -U '.[postgres]'
    /tmp/pins/bin/python scripts/refresh_constraints.py

It walks engagebot's requirements (with the `postgres` extra, never the `dev` tools) through
every dependency's own, as installed, and pins each. Production installs then use them:
`pip install -c constraints.txt '/path/to/engagebot[postgres]'`. tests/test_constraints.py
fails when a dependency is added to pyproject.toml and the file was not refreshed.
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
EXTRAS = ("postgres",)
HEADER = """\
# Pinned versions for a production install of engagebot (with PostgreSQL):
#   pip install -c constraints.txt '/path/to/engagebot[postgres]'
# Refreshed by scripts/refresh_constraints.py (see its docstring); do not edit by hand.
"""


def pins(root: str = "engagebot", extras: tuple[str, ...] = EXTRAS) -> dict[str, str]:
    """Every distribution `root` (with `extras`) needs on this machine, by name: its version."""
    found: dict[str, str] = {}
    waiting = [(root, set(extras))]
    while waiting:
        name, wanted = waiting.pop()
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            sys.exit(f"{name} is not installed here: install engagebot[postgres] first.")
        key = canonicalize_name(dist.metadata["Name"])
        if key in found and not wanted:
            continue
        found[key] = dist.version
        for text in dist.requires or []:
            requirement = Requirement(text)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in wanted | {""}):
                waiting.append((requirement.name, set(requirement.extras)))
    found.pop(canonicalize_name(root), None)
    return dict(sorted(found.items()))


def text() -> str:
    return HEADER + "".join(f"{name}=={version}\n" for name, version in pins().items())


if __name__ == "__main__":
    target = ROOT / "constraints.txt"
    target.write_text(text(), encoding="utf-8")
    print(f"Wrote {target}: {len(pins())} pinned distributions.")

"""The README's two commands, as a newcomer runs them: a fresh clone, `pip install -e .`, then
`engagebot chat --demo`, typing the demo's first step.

Kept fast and offline: the clone is local, and its virtual environment sees the packages this
one already has, so pip installs engagebot alone (`--no-deps --no-build-isolation`), as the
README's `pip install -e .` would once the dependencies are downloaded.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _readme_commands() -> list[str]:
    """The commands in the README's "Try it" block."""
    block = re.search(r"## Try it.*?```sh\n(.*?)```", README, re.S)
    assert block, "the README has no 'Try it' block"
    return [part.strip() for part in block[1].split("&&")]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="not a git checkout")
def test_the_readmes_two_commands_work_from_a_fresh_clone(tmp_path: Path) -> None:
    install, demo = _readme_commands()
    assert install == "python -m pip install -e ." and demo == "engagebot chat --demo"
    clone = tmp_path / "engagebot"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
        check=True,
    )
    python = venv / "bin" / "python"
    # The packages this environment already has (the dependencies), visible to the new one.
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "outer-packages.pth").write_text("\n".join(sorted(ours)) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENGAGEBOT_", "DATABASE"))}
    env.pop("PYTHONPATH", None)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
        + ["--no-deps", "--no-build-isolation", "--no-index", "-e", str(clone)],
        check=True,
        env=env,
        capture_output=True,
    )
    folder = tmp_path / "newcomer"
    folder.mkdir()
    typed = "R1 final draft to CLT on 22 September, new date end of October\nsave\nsummary\nexit\n"
    shown = subprocess.run(
        [str(venv / "bin" / "engagebot"), "chat", "--demo"],
        input=typed,
        capture_output=True,
        text=True,
        cwd=folder,
        env=env,
        timeout=300,
    )
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert "engagebot demo. You are Sam Patel" in out
    assert "Demo clock: Thursday 10 September 2020, 09:30" in out
    assert "Good morning Sam. 3 actions need your update." in out
    assert "Saved. R1 is now Partially complete" in out
    assert (
        "Blackpool Council – Community Engagement Audit Action Plan: status on 10 September" in out
    )
    assert shown.stderr == ""
    assert (folder / "engagebot-demo.db").exists()
    where = subprocess.run(
        [str(python), "-c", "import bot; print(bot.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=folder,
    )
    assert where.stdout.startswith(str(clone)), where.stdout  # the clone's code ran, not ours

"""The docs' examples still work: every `engagebot` command in a ```sh block of docs/*.md is run,
in order, against a scratch copy of the demo database on the demo's fixed clock, and must
succeed. How to add examples (and mark one not run) is in docs/development.md, "The docs'
examples are tests".
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.demo import DEMO_NOW, demo_clock, load_demo
from handlers.chat.context import AppContext
from models.db import make_engine, upgrade
from tests.conftest import LONDON

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
FILES = Path(__file__).parent / "fixtures" / "docs"  # files the examples name, by those names
NOT_RUN = re.compile(r"<!--\s*not run:\s*(?P<why>[^>]*?)\s*-->")
FENCE = re.compile(r"^```(\S*)\s*$")
PLACEHOLDER = "…"


@dataclass
class Block:
    """One ```sh block: where it is, its commands, and why it is not run (if it is not)."""

    doc: str
    line: int
    commands: list[list[str]] = field(default_factory=list)
    not_run: str = ""


def blocks(path: Path) -> Iterator[Block]:
    """The ```sh blocks of a Markdown file, each with its commands (continuations joined,
    comments dropped, `a && b` split)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    before = ""
    index = 0
    while index < len(lines):
        fence = FENCE.match(lines[index].strip())
        if not fence:
            if lines[index].strip():
                before = lines[index]
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].strip() == "```")
        if fence[1] == "sh":
            marked = NOT_RUN.search(before)
            block = Block(path.name, index + 1, not_run=marked["why"] if marked else "")
            block.commands = _commands("\n".join(lines[index + 1 : end]))
            yield block
        before = ""
        index = end + 1


def _commands(text: str) -> list[list[str]]:
    found: list[list[str]] = []
    for line in text.replace("\\\n", " ").splitlines():
        found.append([])
        for word in shlex.split(line, comments=True):
            if word == "&&":
                found.append([])
            else:
                found[-1].append(word)
    return [c for c in found if c]


def doc_files() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's database, and the register entry its consult walk adds (entry 1)."""
    from dataclasses import replace

    from bot.channels.console import ConsoleChannel
    from bot.conversation import Conversation

    path = tmp_path_factory.mktemp("docs") / "engagebot.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    ctx = AppContext(engine=engine, clock=demo_clock(), tz=LONDON)
    load_demo(ctx)
    sam = ConsoleChannel(Conversation(replace(ctx, org=1)), "sam.patel@example.org")
    walk = ["should I consult?", "Refurbishing Stanley Park's play area", "2", "2", "2", "1"]
    walk += ["parents of young children", "Stanley ward", "October 2020", "November 2020"]
    walk += ["£2,000", "No, none of these", "5", "2", "2", "2", "1"]
    for line in walk:
        sam.send(line)
    engine.dispose()
    return path


@pytest.mark.parametrize("doc", doc_files(), ids=lambda p: p.name)
def test_the_examples_in_the_docs_work(
    doc: Path, demo_database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = tmp_path / "sandbox"
    shutil.copytree(FILES, sandbox)
    database = tmp_path / "engagebot.db"
    shutil.copy(demo_database, database)
    monkeypatch.chdir(sandbox)
    env = {
        "DATABASE_URL": f"sqlite:///{database}",
        "ENGAGEBOT_NOW": DEMO_NOW.isoformat(),
        "ENGAGEBOT_ORG": None,
    }
    runner = CliRunner()
    for block in blocks(doc):
        if block.not_run:
            continue
        for command in block.commands:
            where = f"{block.doc}, the ```sh block at line {block.line}: {shlex.join(command)}"
            if command[0] == "export":
                name, _, value = command[1].partition("=")
                env[name] = value
                continue
            settings = {}
            while command and re.fullmatch(r"[A-Z_]+=.*", command[0]):
                name, _, value = command.pop(0).partition("=")
                settings[name] = value
            if not command or command[0] != "engagebot":
                continue  # pip, pytest, scripts: the docs test runs engagebot's own commands
            assert command[1:2] != ["serve"], (
                f"{where}: serve runs until stopped; mark the block <!-- not run: why -->"
            )
            assert not any(PLACEHOLDER in word for word in command), (
                f"{where}: write a real example, or mark the block <!-- not run: why -->"
            )
            result = runner.invoke(
                app, command[1:], env={**env, **settings}, prog_name="engagebot", input=""
            )
            assert result.exit_code == 0, f"{where}\n{result.output}"
            assert "Traceback" not in result.output, where


def test_not_run_blocks_say_why() -> None:
    for doc in doc_files():
        for block in blocks(doc):
            if block.not_run:
                assert len(block.not_run) > 10, f"{doc.name}:{block.line}: say why it is not run"


LINK = re.compile(r"\]\((?!https?://|mailto:|#)([^)#\s]+)(#[^)]*)?\)")
PATH = re.compile(
    r"`((?:bot|handlers|models|reminders|tests|bench|deploy|scripts|docs|\.ci)/[\w./@-]+)`"
)


def test_every_file_the_docs_name_exists() -> None:
    for doc in [*doc_files(), ROOT / "README.md"]:
        text = doc.read_text(encoding="utf-8")
        for target, _ in LINK.findall(text):
            assert (doc.parent / target).exists(), f"{doc.name} links to {target}, not there"
        for named in PATH.findall(text):
            if any(c in named for c in "*…"):
                continue
            assert (ROOT / named.rstrip(".,:")).exists(), f"{doc.name} names {named}, not there"


def test_the_command_table_lists_every_command() -> None:
    from typer.main import get_command

    table = (DOCS / "admins.md").read_text(encoding="utf-8").split("## The command line", 1)[1]
    group = get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", {}) or {"": None}
        for sub in subcommands:
            shown = f"engagebot {name} {sub}".strip()
            assert shown in table, f"`{shown}` is missing from the table in docs/admins.md"

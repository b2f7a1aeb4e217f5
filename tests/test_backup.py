"""Backups an IT team can trust: `engagebot export` read back by `engagebot restore` into an
empty database, SQLite or PostgreSQL, with nothing lost (every table's row count and content
hash compared), and `engagebot backup` copying the live database."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from bot.channels.console import ConsoleChannel
from bot.cli import app
from bot.conversation import Conversation
from bot.demo import demo_clock, load_demo
from bot.settings import Settings
from handlers.chat.context import AppContext
from models.db import make_engine, upgrade
from models.dump import fingerprint
from reminders.sweep import sweep
from tests.conftest import LONDON

SERVER = os.environ.get("ENGAGEBOT_TEST_POSTGRES", "")
needs_postgres = pytest.mark.skipif(not SERVER, reason="ENGAGEBOT_TEST_POSTGRES is not set")


def run(database: str, *args: str, input: str | None = None) -> Result:
    env = {"DATABASE_URL": database, "ENGAGEBOT_NOW": "2020-09-10T09:30"}
    return CliRunner().invoke(app, list(args), env=env, input=input, catch_exceptions=False)


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A council's database after a morning's work: three plans, people, progress, the
    reminders sent, a reply saved, a consult walk added to the register, a scheduled summary."""
    url = f"sqlite:///{tmp_path_factory.mktemp('council') / 'engagebot.db'}"
    engine = make_engine(url)
    upgrade(engine)
    ctx = AppContext(engine=engine, clock=demo_clock(), tz=LONDON)
    load_demo(ctx)
    sweep(ctx, Settings().policy(), "console", any_hour=True)
    conversation = Conversation(replace(ctx, org=1))
    sam = ConsoleChannel(conversation, "sam.patel@example.org")
    sam.inbox()
    for line in ("R7 register live next week, new date 16/10/2020", "save", "should I consult?"):
        sam.send(line)
    for answer in ("Stanley Park play area", "2", "2", "2", "2", "skip", "skip", "skip", "skip"):
        sam.send(answer)
    for answer in ("skip", "No, none of these", "None of these", "No, it's still open"):
        sam.send(answer)
    for answer in ("No, not that I know of", "They can help shape the options and decide with us"):
        sam.send(answer)
    for answer in ("Add to the engagement register",):
        sam.send(answer)
    pat = ConsoleChannel(conversation, "pat.doyle@example.org")
    pat.send("post the summary every Monday")
    engine.dispose()
    run(url, "orgs", "bind", "default", "--slack-team", "T0BLACKPOOL")
    return url


def test_an_export_restores_into_an_empty_sqlite_database_with_nothing_lost(
    council: str, tmp_path: Path
) -> None:
    exported = tmp_path / "engagebot.json"
    assert run(council, "export", "-o", str(exported)).exit_code == 0
    restored = f"sqlite:///{tmp_path / 'restored.db'}"
    answer = run(restored, "restore", str(exported))
    assert answer.exit_code == 0, answer.output
    assert "every table's rows and content match the export" in answer.output
    before, after = fingerprint(make_engine(council)), fingerprint(make_engine(restored))
    assert after == before
    held = {name for name, (count, _) in before.items() if count}
    assert held >= {"progressnote", "targetrevision", "sentreminder", "outbox", "rolealias"}
    assert held >= {"consultation", "flowchartwalk", "scheduledsummary", "orgbinding"}
    # The restored database works: new rows get new ids, the demo's people are there.
    assert run(restored, "orgs", "add", "south-ribble").exit_code == 0
    assert "Sam Patel" in run(restored, "people", "list").output


def test_restore_refuses_a_database_in_use_and_an_export_of_one_person(
    council: str, tmp_path: Path
) -> None:
    exported = tmp_path / "engagebot.json"
    run(council, "export", "-o", str(exported))
    before = fingerprint(make_engine(council))
    refused = run(council, "restore", str(exported))
    assert refused.exit_code == 1
    assert "The database is not empty (" in refused.output
    assert "Nothing was changed. Restore into a new, empty database." in refused.output
    assert fingerprint(make_engine(council)) == before
    person = tmp_path / "sam.json"
    run(council, "export", "--person", "sam.patel@example.org", "-o", str(person))
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    answer = run(empty, "restore", str(person))
    assert answer.exit_code == 1 and "holds no whole database" in answer.output


def test_a_restore_that_does_not_match_its_export_keeps_nothing(
    council: str, tmp_path: Path
) -> None:
    exported = tmp_path / "engagebot.json"
    run(council, "export", "-o", str(exported))
    data = json.loads(exported.read_text(encoding="utf-8"))
    notes = data["database"]["tables"]["progressnote"]
    text_at = notes["columns"].index("text")
    notes["rows"][0][text_at] = "A note changed on the way"
    altered = tmp_path / "altered.json"
    altered.write_text(json.dumps(data), encoding="utf-8")
    notes["rows"].pop()  # and a note lost: a target change now points at nothing
    lost = tmp_path / "lost.json"
    lost.write_text(json.dumps(data), encoding="utf-8")
    for broken, problem in ((altered, "progressnote: "), (lost, "incomplete or was altered")):
        empty = tmp_path / f"{broken.stem}.db"
        answer = run(f"sqlite:///{empty}", "restore", str(broken))
        assert answer.exit_code == 1
        assert problem in answer.output and "Nothing was kept." in answer.output
        counts = fingerprint(make_engine(f"sqlite:///{empty}"))
        assert counts["progressnote"][0] == 0 and counts["plan"][0] == 0


def test_backup_copies_a_live_sqlite_database(council: str, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    answer = run(council, "backup", str(copy))
    assert answer.exit_code == 0 and f"to {copy}" in answer.output
    assert fingerprint(make_engine(f"sqlite:///{copy}")) == fingerprint(make_engine(council))
    again = run(council, "backup", str(copy))
    assert again.exit_code == 1 and "already exists. Nothing was written" in again.output


@pytest.fixture
def pg_databases() -> Iterator[list[str]]:
    """Two empty PostgreSQL databases, dropped afterwards."""
    admin = make_engine(SERVER).execution_options(isolation_level="AUTOCOMMIT")
    names = [f"engagebot_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield [SERVER.rsplit("/", 1)[0] + f"/{name}" for name in names]
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@needs_postgres
def test_the_round_trip_on_postgresql_loses_nothing(
    council: str, pg_databases: list[str], tmp_path: Path
) -> None:
    first, second = pg_databases
    from_sqlite = tmp_path / "sqlite.json"
    run(council, "export", "-o", str(from_sqlite))
    assert run(first, "restore", str(from_sqlite)).exit_code == 0  # SQLite to PostgreSQL
    expected = fingerprint(make_engine(council))
    assert fingerprint(make_engine(first)) == expected
    from_postgres = tmp_path / "postgres.json"
    run(first, "export", "-o", str(from_postgres))
    answer = run(second, "restore", str(from_postgres))  # PostgreSQL to PostgreSQL
    assert answer.exit_code == 0, answer.output
    assert fingerprint(make_engine(second)) == expected
    # Its id sequences moved past the rows restored: new rows can be added.
    assert run(second, "orgs", "add", "south-ribble").exit_code == 0
    assert "Sam Patel" in run(second, "people", "list").output


@needs_postgres
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_backup_runs_pg_dump_on_postgresql(
    council: str, pg_databases: list[str], tmp_path: Path
) -> None:
    exported = tmp_path / "engagebot.json"
    run(council, "export", "-o", str(exported))
    run(pg_databases[0], "restore", str(exported))
    dump = tmp_path / "engagebot.dump"
    answer = run(pg_databases[0], "backup", str(dump))
    assert answer.exit_code == 0, answer.output
    assert dump.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
    assert "pg_restore --no-owner" in answer.output

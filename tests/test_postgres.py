"""The same stories on PostgreSQL, the database for councils at scale.

Runs when ENGAGEBOT_TEST_POSTGRES names a server (e.g. postgresql+psycopg://postgres@127.0.0.1:5433/postgres);
`.ci/run` starts one when the machine has PostgreSQL. Each test gets a database of its own.
"""

from __future__ import annotations

import csv
import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from typer.testing import CliRunner, Result

from bot.channels.console import ConsoleChannel
from bot.cli import app
from bot.conversation import Conversation
from handlers.chat.context import AppContext
from models.db import make_engine, upgrade
from tests.conftest import ASHFIELD, BLACKPOOL, HALTON, LONDON, NOW, SAM
from tests.test_migrations import move_into_organisations, plans_gain_a_start
from tests.test_plan_shapes import YEAR_TARGETS, YEARS_PLAN
from tests.test_reminders import sweep_twice_at_once
from tests.test_turns import instances, twice_at_once

SERVER = os.environ.get("ENGAGEBOT_TEST_POSTGRES", "")
pytestmark = pytest.mark.skipif(not SERVER, reason="ENGAGEBOT_TEST_POSTGRES is not set")

Cli = Callable[..., Result]


@pytest.fixture
def pg_url() -> Iterator[str]:
    name = f"engagebot_{uuid.uuid4().hex[:10]}"
    admin = make_engine(SERVER).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = SERVER.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_cli(pg_url: str) -> Cli:
    runner = CliRunner()
    env = {"DATABASE_URL": pg_url, "ENGAGEBOT_NOW": NOW.isoformat()}

    def run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), env=env, input=input, catch_exceptions=False)

    return run


@pytest.fixture
def pg_ctx(pg_url: str, pg_cli: Cli) -> Iterator[AppContext]:
    from handlers.chat.clock import FixedClock

    for sheet in (BLACKPOOL, HALTON, ASHFIELD):
        assert pg_cli("import", str(sheet)).exit_code == 0
    pg_cli("people", "assign", "partnership manager", "--name", "Sam Patel", "--email", SAM)
    engine = make_engine(pg_url)
    upgrade(engine)
    yield AppContext(engine, FixedClock(NOW.replace(hour=9, minute=30)), LONDON)
    engine.dispose()


def test_import_reimport_and_list_on_postgres(pg_ctx: AppContext, pg_cli: Cli) -> None:
    again = pg_cli("import", str(BLACKPOOL))
    assert "17 actions (0 new, 0 updated, 17 unchanged)" in again.output
    rows = json.loads(pg_cli("actions", "list", "--json").output)
    assert len(rows) == 17 + 21 + 7
    r1 = next(r for r in rows if r["plan"] == "blackpool-audit-2019" and r["ref"] == "R1")
    assert r1["target_date"] == "2020-03-31" and r1["status"] == "partially complete"


def test_chat_update_summary_and_report_on_postgres(
    pg_ctx: AppContext, pg_cli: Cli, tmp_path: object
) -> None:
    sam = ConsoleChannel(Conversation(pg_ctx), SAM)
    assert "You have 7 open actions" in sam.send("my actions")
    for answer in ("update R1", "delayed", "Waiting for CLT", "31/05/2027"):
        sam.send(answer)
    assert sam.send("save").startswith("Saved. R1 is now Delayed")
    summary = pg_cli("summary", "--plan", "blackpool-audit-2019").output
    assert "status on 23 November 2026" in summary and "\n  • Overdue (" in summary
    out = f"{tmp_path}/report.docx"
    assert "17 actions" in pg_cli("report", "--plan", "blackpool-audit-2019", "--out", out).output


def test_two_sweeps_at_once_on_postgres_send_each_nudge_once(pg_ctx: AppContext) -> None:
    url = pg_ctx.engine.url.render_as_string(hide_password=False)
    to_sam = [r for s in sweep_twice_at_once(url, pg_ctx) for r in s.to(SAM)]
    assert len(to_sam) == 1 and "7 actions need your update" in to_sam[0].text


def test_existing_data_moves_into_the_default_organisation_on_postgres(pg_url: str) -> None:
    move_into_organisations(pg_url)


def test_nul_bytes_in_a_sheet_and_a_note_are_removed_on_postgres(
    pg_ctx: AppContext, pg_cli: Cli, tmp_path: Path
) -> None:
    rows = [["Ref", "Recommendation", "Responsible officer", "Target Date"]]
    rows += [[f"N{i}", f"Do thing {i}", "Head of Policy", "May 2027"] for i in range(1, 600)]
    rows[400][1] = "Publish\x00 the register"
    sheet = tmp_path / "nul.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    result = pg_cli("import", str(sheet))
    assert result.exit_code == 0, result.output
    assert 'Row 401, column "Recommendation": removed control characters (NUL)' in result.output
    listed = json.loads(pg_cli("actions", "list", "--plan", "nul", "--json").output)
    assert next(r for r in listed if r["ref"] == "N400")["recommendation"] == "Publish the register"
    sam = ConsoleChannel(Conversation(pg_ctx), SAM)
    for answer in ("update R1", "delayed", "Waiting\x00 for CLT", "31/05/2027"):
        sam.send(answer)
    assert sam.send("save").startswith("Saved. R1 is now Delayed")


def test_plans_gain_a_start_on_postgres(pg_url: str) -> None:
    plans_gain_a_start(pg_url)


def test_plan_years_get_dates_when_the_start_is_set_on_postgres(
    pg_cli: Cli, tmp_path: Path
) -> None:
    sheet = tmp_path / "plan.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(YEARS_PLAN)
    assert "waiting for its start date" in pg_cli("import", str(sheet), "--plan", "plan").output
    assert pg_cli("plans", "set-start", "plan", "2010-04").exit_code == 0
    listed = json.loads(pg_cli("actions", "list", "--plan", "plan", "--json").output)
    got = {a["ref"]: (a["target_kind"], a["target_date"], a["milestones"]) for a in listed}
    assert got == YEAR_TARGETS


def test_an_event_delivered_to_two_instances_at_once_runs_once_on_postgres(
    pg_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL lets both turns reach their writes; the event's unique key stops the second,
    which then sees the first's commit and says nothing."""
    for instance in instances(pg_ctx):
        twice_at_once(pg_ctx, instance, monkeypatch)


def test_forgetting_someone_on_postgres_rewrites_the_tables_that_held_them(
    pg_ctx: AppContext, pg_cli: Cli
) -> None:
    """PostgreSQL keeps a deleted row in its table's files until vacuumed: VACUUM FULL writes
    each table that held the person into new files (a new filenode), without them."""
    sam = ConsoleChannel(Conversation(pg_ctx), SAM)
    sam.send("update R1")  # a conversation left open
    with pg_ctx.engine.connect() as connection:
        before = _filenodes(connection)
    result = pg_cli("people", "forget", SAM, "--yes")
    assert result.exit_code == 0, result.output
    assert "  person: 1 deleted\n" in result.output
    assert "table(s) rewritten (VACUUM FULL)" in result.output
    with pg_ctx.engine.connect() as connection:
        after = _filenodes(connection)
        assert (
            connection.execute(
                text("SELECT count(*) FROM person WHERE email = :e"), {"e": SAM}
            ).scalar()
            == 0
        )
    rewritten = {t for t in before if before[t] != after[t]}
    assert rewritten >= {"person", "chatidentity", "roleholder"} and "plan" not in rewritten


def _filenodes(connection: Connection) -> dict[str, int]:
    """Where each table's rows are on disk: VACUUM FULL writes them to a new file."""
    tables = ("person", "chatidentity", "roleholder", "conversationstate", "plan")
    found = {}
    for table in tables:
        node = connection.execute(text("SELECT pg_relation_filenode(:t)"), {"t": table}).scalar()
        found[table] = int(node or 0)
    return found

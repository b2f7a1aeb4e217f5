"""Shared fixtures: a fresh database per test, a fixed clock, the console harness, the CLI."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner, Result

from bot.channels.console import ConsoleChannel
from bot.cli import app
from bot.conversation import Conversation
from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from handlers.importing.importer import import_file
from handlers.plans.organisations import bind, set_nation
from handlers.plans.people import assign, make_admin
from models.db import make_engine, transaction, upgrade
from models.scoping import ALL
from tests.reliability.profile import LONG
from tests.reliability.tally import TALLY

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)  # a Monday morning
SEEDS = Path(__file__).parent / "fixtures" / "seeds"
BLACKPOOL = SEEDS / "blackpool_audit_2019.csv"
HALTON = SEEDS / "halton_action_plan_2012.xlsx"
ASHFIELD = SEEDS / "ashfield_strategy_2020.csv"

SAM = "sam.patel@example.org"  # Community Engagement & Partnership Manager, Blackpool
RUTH = "ruth.okafor@example.org"  # Director of Public Health
CHAIR = "pat.doyle@example.org"  # steering group chair, admin of the Blackpool plan
STRANGER = "nobody@example.org"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database, copied for each test: migrations run once per session."""
    path = tmp_path_factory.mktemp("template") / "engagebot.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    bind_test_workspaces(engine)
    engine.dispose()
    return path


SLACK_TEAM = "T0COUNCIL"  # the workspace of the recorded Slack payloads and the fake Web API
TEAMS_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"  # the Teams harness's tenant


def bind_test_workspaces(engine: Engine) -> None:
    """The tests' Slack workspace and Teams tenant belong to the default organisation, as
    `engagebot orgs bind default --slack-team … / --teams-tenant …` would set them up."""
    with transaction(engine, ALL) as session:
        bind(session, "default", "slack", SLACK_TEAM)
        bind(session, "default", "teams", TEAMS_TENANT)
        set_nation(session, "default", "england")  # `engagebot orgs set default --nation england`


@pytest.fixture
def db_url(tmp_path: Path, template_db: Path) -> str:
    path = tmp_path / "engagebot.db"
    shutil.copy(template_db, path)
    return f"sqlite:///{path}"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def ctx(db_url: str, clock: FixedClock) -> Iterator[AppContext]:
    engine = make_engine(db_url)
    yield AppContext(engine=engine, clock=clock, tz=LONDON)
    engine.dispose()


@pytest.fixture
def blackpool(ctx: AppContext) -> AppContext:
    """The Blackpool audit plan imported, with its officers and chair known to the bot."""
    import_file(ctx, BLACKPOOL)
    with transaction(ctx.engine) as session:
        assign(session, "Community Engagement & Partnership Manager", name="Sam Patel", email=SAM)
        assign(session, "Director of Public Health", name="Dr Ruth Okafor", email=RUTH)
        make_admin(session, "blackpool-audit-2019", email=CHAIR, name="Cllr Pat Doyle")
    return ctx


Chat = Callable[[str], ConsoleChannel]


@pytest.fixture
def chat_as(ctx: AppContext) -> Chat:
    """chat_as(user) gives a console conversation for that user."""
    conversation = Conversation(ctx)
    return lambda user: ConsoleChannel(conversation, user)


@pytest.fixture
def cli(db_url: str) -> Callable[..., Result]:
    """Run the real `engagebot` command line against this test's database and clock."""
    runner = CliRunner()
    env = {"DATABASE_URL": db_url, "ENGAGEBOT_NOW": NOW.isoformat()}

    def run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), env=env, input=input, catch_exceptions=False)

    return run


# ---------------------------------------------------------------------------------------------
# The reliability table (tests/reliability/tally.py), printed once at the end of the run. Under
# pytest-xdist each worker hands its rows to the controller, which prints them all.


def pytest_sessionfinish(session: pytest.Session) -> None:
    worker_output = getattr(session.config, "workeroutput", None)
    if worker_output is not None:
        worker_output["reliability_tally"] = TALLY.dump()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    TALLY.merge(getattr(node, "workeroutput", {}).get("reliability_tally", {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    table = TALLY.table()
    if not table or not TALLY.printed_by_pytest:
        return
    form = "long" if LONG else "short"
    terminalreporter.write_sep("=", f"reliability ({form} form): tried, failed, lost, duplicated")
    terminalreporter.write_line(table)

"""The database goes away: officers are told plainly that nothing was saved, whichever way they
came in; load balancers hear it from /readyz; the command line says so in one line."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from bot.channels.console import ConsoleChannel
from bot.conversation import DISK_FULL, UNAVAILABLE, Conversation
from bot.server import start_in_thread
from handlers.chat.context import AppContext
from handlers.plans.people import assign
from models.db import make_engine, readiness, transaction, upgrade
from tests.conftest import SAM, Chat
from tests.outages import locked, sqlite_path, vanished
from tests.slack_harness import SlackBot, slack_bot
from tests.teams_harness import teams_bot

SAM_SLACK = "U0SAM"
SAM_AAD = "29:1sam"
ROOT = Path(__file__).parents[1]


@pytest.fixture
def bot(blackpool: AppContext) -> Iterator[SlackBot]:
    with transaction(blackpool.engine) as session:
        assign(
            session,
            "Community Engagement & Partnership Manager",
            email=SAM,
            chat={"slack": SAM_SLACK, "teams": SAM_AAD},
        )
    with slack_bot(blackpool) as running:
        yield running


def test_readyz_answers_for_the_database_and_healthz_for_the_process(
    bot: SlackBot, blackpool: AppContext
) -> None:
    assert httpx.get(f"{bot.url}/readyz").text == "ready"
    with vanished(blackpool):
        response = httpx.get(f"{bot.url}/readyz", timeout=10)
        assert response.status_code == 503
        assert "database unreachable" in response.text
        assert httpx.get(f"{bot.url}/healthz").status_code == 200  # the process is fine
    assert httpx.get(f"{bot.url}/readyz").status_code == 200


def test_readyz_says_when_the_schema_is_behind_the_code(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0004")
    server = start_in_thread([], ready=partial(readiness, engine))
    try:
        response = httpx.get(f"{server.url}/readyz")
    finally:
        server.stop()
    assert response.status_code == 503
    assert "schema is at 0004" in response.text


def test_a_dm_in_an_outage_is_told_nothing_was_saved_and_the_next_try_works(
    bot: SlackBot, blackpool: AppContext, caplog: pytest.LogCaptureFixture
) -> None:
    with vanished(blackpool), caplog.at_level(logging.WARNING):
        bot.dm(SAM_SLACK, "my actions")
        [answer] = bot.slack.wait_for("chat.postMessage")
    assert answer.params["text"] == UNAVAILABLE
    assert "database unavailable" in caplog.text and "Traceback" not in caplog.text
    bot.dm(SAM_SLACK, "my actions")
    assert "7 open actions" in bot.slack.wait_for("chat.postMessage", 2)[-1].params["text"]


def test_the_update_command_and_button_in_an_outage_answer_rather_than_go_silent(
    bot: SlackBot, blackpool: AppContext
) -> None:
    with vanished(blackpool):
        bot.command(SAM_SLACK, "update R11")
        bot.slack.wait_for("respond")
        bot.press(SAM_SLACK, "update #1", "Add update")
        bot.slack.wait_for("respond", 2)
    assert [c.params["text"] for c in bot.slack.of("respond")] == [UNAVAILABLE, UNAVAILABLE]
    assert bot.slack.of("views.open") == []


def test_a_locked_database_answers_within_seconds_not_half_a_minute(
    bot: SlackBot, blackpool: AppContext
) -> None:
    started = time.monotonic()
    with locked(sqlite_path(blackpool)):
        bot.dm(SAM_SLACK, "update R1")
        [answer] = bot.slack.wait_for("chat.postMessage", timeout=25)
    assert answer.params["text"] == UNAVAILABLE
    assert time.monotonic() - started < 20  # SQLite's old 30 s wait would fail this


def test_teams_in_an_outage_is_told_nothing_was_saved(bot: SlackBot, blackpool: AppContext) -> None:
    with teams_bot(blackpool) as teams, vanished(blackpool):
        teams.say(SAM_AAD, "my actions")
        [reply] = teams.teams.wait_for("send")
    assert reply.text == UNAVAILABLE


def test_the_console_in_an_outage(blackpool: AppContext, chat_as: Chat) -> None:
    sam = chat_as(SAM)
    with vanished(blackpool):
        assert sam.send("my actions") == UNAVAILABLE
    assert "7 open actions" in sam.send("my actions")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://engagebot@127.0.0.1:1/engagebot",  # nothing listens there
        "sqlite:////nonexistent-folder/engagebot.db",
    ],
)
def test_the_command_line_says_so_in_one_line(url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "plans"],
        env={**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("engagebot: can't reach the database (")
    assert "Nothing was changed" in line


def test_a_reminder_run_in_an_outage_logs_one_line_and_the_next_run_sends(
    blackpool: AppContext, caplog: pytest.LogCaptureFixture
) -> None:
    from reminders.scheduler import run_once
    from tests.test_reminders import POLICY, RecordingSender

    sender = RecordingSender()
    with vanished(blackpool), caplog.at_level(logging.INFO):
        run_once(blackpool, POLICY, sender)
    assert sender.sent == []
    [line] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "database unavailable; the next run will try again" in line.getMessage()
    assert line.exc_info is None
    run_once(blackpool, POLICY, sender)
    assert sender.to(SAM)  # what was due goes out once the database is back


def test_a_full_disk_is_called_a_full_disk_not_an_unreachable_database(
    blackpool: AppContext, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The database answers but cannot grow (SQLite's size limit stands in for a full disk)."""
    engine = make_engine(db_url)
    event.listen(engine, "connect", _no_room_to_grow)
    chat = ConsoleChannel(Conversation(replace(blackpool, engine=engine)), SAM)
    with caplog.at_level(logging.WARNING):  # the long note needs room the file has not got
        answers = [chat.send(text) for text in ("update R1", "delayed", "A long note. " * 300)]
    assert answers[-1] == DISK_FULL and not [a for a in answers if "can't reach" in a]
    [line] = [r for r in caplog.records if "disk is full" in r.getMessage()]
    assert line.levelno == logging.ERROR and line.exc_info is None
    engine.dispose()


def _no_room_to_grow(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    pages = cursor.execute("PRAGMA page_count").fetchone()[0]
    cursor.execute(f"PRAGMA max_page_count = {pages}")
    cursor.close()

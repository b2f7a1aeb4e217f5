"""Production as the README sets it up: PostgreSQL, and two `engagebot serve` processes behind
a load balancer. Officers' messages land on either; both sweep reminders; PostgreSQL goes away
and comes back.

Needs PostgreSQL's server binaries (as .ci/run provides); skipped without them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from bot.conversation import UNAVAILABLE
from models.db import make_engine, transaction
from models.scoping import ALL
from models.tables import Outbox, ProgressNote
from tests.conftest import BLACKPOOL, RUTH, SAM, SLACK_TEAM, TEAMS_TENANT
from tests.fakes.slack_api import FakeSlack, text_of
from tests.fakes.teams_connector import FakeConnector
from tests.reliability import pg
from tests.slack_harness import SECRET, payload, signed_headers
from tests.teams_harness import activity
from tests.test_serve import _env, _free_port, _wait_until_up

pytestmark = pytest.mark.skipif(
    not pg.wanted(), reason="needs PostgreSQL's binaries and ENGAGEBOT_TEST_POSTGRES"
)

PLAN = "blackpool-audit-2019"
SAM_SLACK, RUTH_SLACK, SAM_TEAMS = "U0SAM", "U0RUTH", "29:1sam"
MONDAY_MORNING = "2026-11-23T10:00"  # reminders are due, inside the sending hours


@pytest.fixture(scope="module")
def database() -> Iterator[pg.Server]:
    """A PostgreSQL server holding the Blackpool plan, set up with the real commands."""
    with pg.server() as server:
        run = CliRunner().invoke
        env = {"DATABASE_URL": server.url, "ENGAGEBOT_NOW": MONDAY_MORNING}
        for command in (
            ["orgs", "bind", "default", "--slack-team", SLACK_TEAM],
            ["orgs", "bind", "default", "--teams-tenant", TEAMS_TENANT],
            ["import", str(BLACKPOOL), "--plan", PLAN],
            ["people", "assign", "Community Engagement & Partnership Manager", "--name",
             "Sam Patel", "--email", SAM, "--slack", SAM_SLACK, "--teams", SAM_TEAMS],
            ["people", "assign", "Director of Public Health", "--name", "Dr Ruth Okafor",
             "--email", RUTH, "--slack", RUTH_SLACK],
        ):  # fmt: skip
            done = run(app, command, env=env, catch_exceptions=False)
            assert done.exit_code == 0, done.output
        yield server


@dataclass
class Deployment:
    """Two engagebot processes on one database, and the fake Slack and Teams they talk to."""

    urls: list[str]
    logs: list[Path]
    slack: FakeSlack
    teams: FakeConnector
    database: pg.Server

    def dm(self, instance: int, user: str, text: str) -> str:
        """A Slack DM delivered to one instance (as a load balancer might); its answer."""
        channel = "D" + user[1:]
        seen = len(self.slack.posted_in(channel))
        event = payload(
            "message_im", user=user, text=text, channel=channel, ts=f"{time.time():.6f}",
            event_id=f"Ev{uuid.uuid4().hex[:12]}",
        )  # fmt: skip
        body = json.dumps(event)
        headers = {"Content-Type": "application/json", **signed_headers(body)}
        posted = httpx.post(f"{self.urls[instance]}/slack/events", content=body, headers=headers)
        assert posted.status_code == 200
        return text_of(self._next(channel, seen).params)

    def _next(self, channel: str, seen: int) -> object:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            landed = self.slack.posted_in(channel)
            if len(landed) > seen:
                return landed[seen]
            time.sleep(0.05)
        raise AssertionError(f"no answer in {channel}")

    def teams_say(self, instance: int, user: str, text: str) -> str:
        sent = len(self.teams.of("send"))
        message = activity(
            "personal_message", id=uuid.uuid4().hex[:16], service_url=self.teams.service_url,
            tenant=TEAMS_TENANT, user=user, name="Sam Patel", text=text,
        )  # fmt: skip
        answer = httpx.post(f"{self.urls[instance]}/api/messages", json=message)
        assert answer.status_code == 202
        return str(self.teams.wait_for("send", sent + 1, timeout=30)[-1].text)

    def ready(self, instance: int) -> httpx.Response:
        return httpx.get(f"{self.urls[instance]}/readyz", timeout=10)


@pytest.fixture(scope="module")
def deployment(
    database: pg.Server, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    folder = tmp_path_factory.mktemp("production")
    ports = [_free_port(), _free_port()]
    with FakeSlack() as slack, FakeConnector() as teams:
        env = _env(
            DATABASE_URL=database.url,
            ENGAGEBOT_NOW=MONDAY_MORNING,
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
            TEAMS_ANONYMOUS="1",
            ENGAGEBOT_WORKERS="1",
            ENGAGEBOT_LOG_FORMAT="json",
        )
        paths = [folder / f"engagebot-{port}.log" for port in ports]
        logs = [path.open("w") for path in paths]
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "bot", "serve", "--port", str(port)],
                env=env,
                cwd=folder,
                stderr=log,
            )
            for port, log in zip(ports, logs, strict=True)
        ]
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        try:
            for url, process in zip(urls, processes, strict=True):
                _wait_until_up(url, process, within=180)  # two start at once
            yield Deployment(urls, paths, slack, teams, database)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
            for log in logs:
                log.close()


def swept(log: Path) -> bool:
    """The instance logging to `log` has run a reminder sweep."""
    return '"sweep: ' in log.read_text(encoding="utf-8")


def test_both_instances_sweep_and_every_reminder_arrives_exactly_once(
    deployment: Deployment, database: pg.Server
) -> None:
    # Both started sweeping at once. Wait until each has run its sweep and the queue is
    # empty, then count what landed.
    engine = make_engine(database.url)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        with transaction(engine, ALL) as session:
            rows = session.exec(select(Outbox).where(Outbox.via == "slack")).all()
        if rows and all(r.sent_at is not None for r in rows) and all(map(swept, deployment.logs)):
            break
        time.sleep(0.5)
    engine.dispose()
    assert rows and all(r.sent_at is not None for r in rows), "reminders left unsent"
    landed = Counter((c.params["channel"], text_of(c.params)) for c in deployment.slack.delivered())
    assert {channel for channel, _ in landed} >= {"D0SAM", "D0RUTH"}
    assert max(landed.values()) == 1, "a reminder was sent twice"
    assert len(landed) == len(rows)  # and none was lost
    for log in deployment.logs:
        assert swept(log), f"{log.name}: no sweep"


def test_a_conversation_continues_whichever_instance_gets_the_next_message(
    deployment: Deployment, database: pg.Server
) -> None:
    steps = [
        ("update R11", "Updating R11"),
        ("delayed", ""),
        ("Waiting for the partnership board to meet in January", ""),
        ("28/02/2027", "R11 → Delayed, revised target 28 February 2027."),
        ("save", "Saved. R11 is now Delayed"),
    ]
    for turn, (text, expected) in enumerate(steps):
        answer = deployment.dm(turn % 2, SAM_SLACK, text)  # alternate instances
        assert expected in answer, (text, answer)
    engine = make_engine(database.url)
    with transaction(engine) as session:
        notes = session.exec(select(ProgressNote.text)).all()
    engine.dispose()
    assert notes.count("Waiting for the partnership board to meet in January") == 1


def test_a_teams_conversation_continues_across_instances_too(deployment: Deployment) -> None:
    assert "open actions" in deployment.teams_say(0, SAM_TEAMS, "my actions")
    assert "Updating R2" in deployment.teams_say(1, SAM_TEAMS, "update R2")
    assert "What progress has been made?" in deployment.teams_say(0, SAM_TEAMS, "delayed")


def test_postgres_stopping_is_seen_by_readyz_and_told_to_officers_then_recovered(
    deployment: Deployment,
) -> None:
    assert [deployment.ready(i).status_code for i in (0, 1)] == [200, 200]
    deployment.database.stop()
    try:
        for instance in (0, 1):
            response = deployment.ready(instance)
            assert response.status_code == 503 and "database unreachable" in response.text
            assert UNAVAILABLE in deployment.dm(instance, SAM_SLACK, "my actions")
    finally:
        deployment.database.start()
    assert [deployment.ready(i).status_code for i in (0, 1)] == [200, 200]
    assert "open actions" in deployment.dm(1, SAM_SLACK, "my actions")

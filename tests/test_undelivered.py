"""Nothing undelivered is lost or called sent: a reply Teams or Slack will not take is tried
again with back-off and then kept in the outbox, with why, for the next delivery run; a
platform refusing engagebot's own credentials (Teams 401, an expired client secret) holds
every reminder, tells the operators and the admins once, and loses nothing when it is fixed."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlmodel import col, select

from bot.channels import slack as slack_channel
from bot.channels import teams as teams_channel
from bot.channels.slack import SlackSender
from handlers.chat.context import AppContext
from handlers.plans.people import assign, make_admin
from models.db import transaction
from models.tables import Outbox, PlatformAccess
from reminders.delivery import deliver
from reminders.policy import Policy
from reminders.sweep import sweep
from tests.conftest import CHAIR, SAM
from tests.fakes import slack_api, teams_connector
from tests.slack_harness import SlackBot, slack_bot
from tests.teams_harness import TeamsBot, teams_bot

SAM_AAD = "6b0a3c1e-0000-4000-8000-00000000053a"
SAM_SLACK = "U0SAM"
CHAIR_SLACK = "U0CHAIR"
ROLE = "Community Engagement & Partnership Manager"


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries a tenth as far apart: what is counted is the same."""
    monkeypatch.setattr(teams_channel, "BACK_OFF", 0.05)
    monkeypatch.setattr(slack_channel, "BACK_OFF", 0.05)


@pytest.fixture
def teams(blackpool: AppContext, quick: None) -> Iterator[TeamsBot]:
    with transaction(blackpool.engine) as session:
        assign(session, ROLE, email=SAM, chat={"teams": SAM_AAD})
        make_admin(session, "blackpool-audit-2019", email=CHAIR)
        assign(session, "Director of Public Health", email=CHAIR, chat={"slack": CHAIR_SLACK})
    with teams_bot(blackpool) as bot:
        yield bot


@pytest.fixture
def slack(blackpool: AppContext, quick: None) -> Iterator[SlackBot]:
    with transaction(blackpool.engine) as session:
        assign(session, ROLE, email=SAM, chat={"slack": SAM_SLACK})
    with slack_bot(blackpool) as bot:
        yield bot


def outbox(ctx: AppContext, kind: str) -> list[Outbox]:
    with transaction(ctx.engine) as session:
        query = select(Outbox).where(Outbox.kind == kind).order_by(col(Outbox.id))
        return list(session.exec(query).all())


def test_a_reply_teams_refuses_once_is_retried(teams: TeamsBot) -> None:
    teams.teams.fail("send", teams_connector.Failure(503))
    assert teams.say(SAM_AAD, "my actions").status_code == 202
    refused, answer = teams.teams.wait_for("send", 2)
    assert (refused.status, answer.status) == (503, 201)
    assert "You have 7 open actions" in answer.text


def test_a_reply_teams_keeps_refusing_is_kept_and_delivered_later(
    teams: TeamsBot, blackpool: AppContext, caplog: pytest.LogCaptureFixture
) -> None:
    teams.teams.fail("send", *[teams_connector.Failure(503)] * teams_channel.TRIES)
    with caplog.at_level(logging.WARNING):
        assert teams.say(SAM_AAD, "my actions").status_code == 202
        teams.teams.wait_for("send", teams_channel.TRIES)
        kept = _wait_for_outbox(blackpool, "reply")
    assert [(r.sent_at, r.problem) for r in kept] == [(None, "Teams said HTTP 503")]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert "kept in the outbox for delivery" in caplog.text
    assert deliver(blackpool, teams.sender()).sent == 1
    [answer] = teams.teams.delivered()
    assert answer.conversation == f"a:personal-{SAM_AAD}"
    assert "You have 7 open actions" in answer.text
    assert outbox(blackpool, "reply")[0].sent_at is not None


def test_a_slack_reply_refused_every_time_is_kept_and_delivered_later(
    slack: SlackBot, blackpool: AppContext
) -> None:
    failure = slack_api.Failure(503, {"ok": False, "error": "service_unavailable"})
    slack.slack.fail("chat.postMessage", *[failure] * 4)  # the post and its three retries
    slack.dm(SAM_SLACK, "my actions")
    slack.slack.wait_for("chat.postMessage", 4)
    kept = _wait_for_outbox(blackpool, "reply")
    assert [r.problem for r in kept] == ["Slack said service_unavailable"]
    assert deliver(blackpool, SlackSender(slack.channel.client)).sent == 1
    [answer] = slack.slack.delivered()
    assert answer.params["channel"] == "D0SAM" and "7 open actions" in answer.params["text"]


def test_a_401_from_teams_holds_the_reminders_tells_everyone_once_and_loses_nothing(
    teams: TeamsBot, blackpool: AppContext, caplog: pytest.LogCaptureFixture
) -> None:
    teams.install(SAM_AAD)
    teams.teams.wait_for("send")
    sweep(blackpool, Policy(), "teams")
    teams.teams.fail("send", *[teams_connector.Failure(401)] * 3)  # the client secret expired
    with caplog.at_level(logging.WARNING):
        first = deliver(blackpool, teams.sender(), ["slack"])
        second = deliver(blackpool, teams.sender(), ["slack"])
    assert "Teams refused engagebot's credentials (HTTP 401" in first.refused
    assert "TEAMS_APP_PASSWORD" in first.refused
    assert second.refused and first.sent == second.sent == 0
    assert len(teams.teams.of("send")) == 3  # the welcome, then one try a run: no flood
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "Messages are held, not lost" in errors[0].getMessage()
    reminders = outbox(blackpool, "reminder")
    sams = [r for r in reminders if "Good morning Sam" in r.reply["text"]]
    assert [(r.sent_at, r.failures) for r in sams] == [(None, 0)]  # kept, not penalised
    notices = [n for n in outbox(blackpool, "notice") if "credentials" in n.reply["text"]]
    assert [n.via for n in notices] == ["slack"]  # to the chair, where Teams is not needed
    assert "Teams is refusing engagebot's own credentials" in notices[0].reply["text"]
    with transaction(blackpool.engine) as session:
        assert [a.platform for a in session.exec(select(PlatformAccess))] == ["teams"]
    teams.teams.recover("send")  # IT renewed the secret
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert deliver(blackpool, teams.sender(), ["slack"]).sent == 1
    assert "Teams accepts engagebot's credentials again" in caplog.text
    assert "Good morning Sam" in teams.teams.delivered()[-1].text
    with transaction(blackpool.engine) as session:
        assert session.exec(select(PlatformAccess)).all() == []


def _wait_for_outbox(ctx: AppContext, kind: str, timeout: float = 10.0) -> list[Outbox]:
    """The channel keeps what failed after it has retried: a moment after the last try."""
    import time

    deadline = time.monotonic() + timeout
    while not (found := outbox(ctx, kind)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found

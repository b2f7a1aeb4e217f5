"""Every status a platform can answer a message with, read by its meaning (the issue's words:
ours to fix, theirs to retry, the person's), and what delivery then does with the message.

First every HTTP status (and Slack's error codes, and the Bot Connector's codes that change a
status's meaning) against the real senders and the fake platforms: what each raises must be
what its meaning says. Then one message per meaning through a delivery run: sent; theirs to
retry (kept, tried again, sent); ours, credentials (kept unpenalised, admins told once, sent
when accepted); ours, the message (kept, ERROR logged, sent by a fixed release); the person's
(held, admins told, sent when they write). Lost and duplicated are counted from the fakes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from enum import StrEnum
from functools import partial
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import col, select

from bot.channels import teams as teams_channel
from bot.channels.slack import SlackSender, make_client
from bot.channels.teams import TRIES, TeamsSender
from handlers.chat import addresses
from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from handlers.chat.messages import Reply
from handlers.chat.outbound import (
    CredentialsRefused,
    Recipient,
    Rejected,
    Sender,
    SendError,
    Unreachable,
)
from handlers.chat.outbox import HELD, release
from handlers.plans.people import make_admin
from models.db import transaction
from models.tables import Outbox
from reminders.delivery import deliver
from reminders.policy import Policy
from reminders.sweep import sweep
from tests.fakes import slack_api, teams_connector
from tests.fakes.slack_api import FakeSlack
from tests.fakes.teams_connector import FakeConnector
from tests.reliability.officers import make_officers
from tests.reliability.profile import examples
from tests.reliability.tally import TALLY
from tests.teams_harness import ANONYMOUS


class Meaning(StrEnum):
    """The issue's meanings, written out here as the specification the code must meet."""

    SENT = "sent"
    RETRY = "theirs to retry"
    CREDENTIALS = "ours to fix: credentials"
    MESSAGE = "ours to fix: the message"
    PERSON = "the person's"


def teams_should(status: int, code: str = "") -> Meaning:
    """What a Bot Connector answer means (learn.microsoft.com, "Bot API error codes")."""
    if 200 <= status < 300:
        return Meaning.SENT
    if status == 401 or (status == 403 and code == "BotDisabledByAdmin"):
        return Meaning.CREDENTIALS  # our token refused; the tenant's admin disabled the bot
    if status in (403, 404, 410):
        return Meaning.PERSON  # not in the roster, blocked, conversation gone
    if status >= 500 or status in (408, 409, 412, 425, 429) or 300 <= status < 400:
        return Meaning.RETRY
    return Meaning.MESSAGE  # 400, 413 and every other 4xx: we sent something wrong


SLACK_CODES = {
    "invalid_auth": Meaning.CREDENTIALS,
    "not_authed": Meaning.CREDENTIALS,
    "token_revoked": Meaning.CREDENTIALS,
    "token_expired": Meaning.CREDENTIALS,
    "account_inactive": Meaning.CREDENTIALS,
    "missing_scope": Meaning.CREDENTIALS,
    "no_permission": Meaning.CREDENTIALS,
    "not_allowed_token_type": Meaning.CREDENTIALS,
    "team_access_not_granted": Meaning.CREDENTIALS,
    "user_not_found": Meaning.PERSON,
    "user_disabled": Meaning.PERSON,
    "cannot_dm_bot": Meaning.PERSON,
    "channel_not_found": Meaning.PERSON,
    "is_archived": Meaning.PERSON,
    "not_in_channel": Meaning.PERSON,
    "messages_tab_disabled": Meaning.PERSON,
    "restricted_action": Meaning.PERSON,
    "ratelimited": Meaning.RETRY,
    "fatal_error": Meaning.RETRY,
    "internal_error": Meaning.RETRY,
    "service_unavailable": Meaning.RETRY,
    "request_timeout": Meaning.RETRY,
    "invalid_blocks": Meaning.MESSAGE,
    "msg_too_long": Meaning.MESSAGE,
    "no_text": Meaning.MESSAGE,
    "invalid_arguments": Meaning.MESSAGE,
    "too_many_attachments": Meaning.MESSAGE,
    "a_code_slack_adds_next_year": Meaning.MESSAGE,
}


def slack_should(status: int, code: str) -> Meaning:
    """What a Web API answer means: its code where it has one Slack documents, else its
    status (Slack answers most failures with 200 and a code: a snake_case word)."""
    code = code if re.fullmatch(r"[a-z0-9_]+", code) else ""
    if status in (204, 205, 304):
        code = ""  # these answers carry no body: a code cannot arrive with them
    if status in (401, 403) or SLACK_CODES.get(code) == Meaning.CREDENTIALS:
        return Meaning.CREDENTIALS
    if code in SLACK_CODES and SLACK_CODES[code] != Meaning.MESSAGE:
        return SLACK_CODES[code]
    if status >= 500 or status in (408, 409, 412, 425, 429) or 300 <= status < 400:
        return Meaning.RETRY
    if 400 <= status < 500:
        return Meaning.MESSAGE
    return Meaning.MESSAGE if code else Meaning.RETRY


def meaning_of(outcome: object) -> Meaning:
    """What the sender did, as a meaning."""
    if isinstance(outcome, CredentialsRefused):
        return Meaning.CREDENTIALS
    if isinstance(outcome, Unreachable):
        return Meaning.PERSON
    if isinstance(outcome, Rejected):
        return Meaning.MESSAGE
    if isinstance(outcome, SendError):
        return Meaning.RETRY
    return Meaning.SENT


# Every status HTTP names from 200 on (1xx are not final answers), and some it does not.
STATUSES = sorted({s.value for s in HTTPStatus if s.value >= 200} | {299, 420, 452, 499, 599})
TEAMS_CODES = ["", "BotNotInConversationRoster", "ConversationBlockedByUser", "BotDisabledByAdmin"]


async def _at_once(seconds: float) -> None:
    """The senders' back-off, skipped: what is counted is the same."""


@pytest.fixture(scope="module")
def teams_fake() -> Iterator[tuple[FakeConnector, TeamsSender]]:
    """One try per send: how often a sender retries is tried elsewhere; here, meanings."""
    with pytest.MonkeyPatch.context() as patch, FakeConnector() as connector:
        patch.setattr(teams_channel, "TRIES", 1)
        address = {
            "scope": "personal",
            "service_url": connector.service_url,
            "conversation": "a:personal-someone",
            "tenant": "t",
            "user": "29:someone",
        }
        sender = TeamsSender(ANONYMOUS, lambda owner: address)
        sender.sleep = _at_once
        try:
            yield connector, sender
        finally:
            sender.close()


@pytest.fixture(scope="module")
def slack_fake() -> Iterator[tuple[FakeSlack, SlackSender]]:
    with FakeSlack() as slack:
        client = make_client("xoxb-test", slack.api_url)
        client.retry_handlers = []  # in-process retries are tried elsewhere: here, meanings
        yield slack, SlackSender(client)


def teams_outcome(fake: FakeConnector, sender: TeamsSender, status: int, code: str) -> Meaning:
    body = {"error": {"code": code, "message": "from the test"}} if code else {}
    fake.recover("send")
    fake.fail("send", *[teams_connector.Failure(status, body=body)] * teams_channel.TRIES)
    try:
        outcome: object = sender.send(Recipient("Someone", user_id="29:someone"), Reply("hi"))
    except SendError as err:
        outcome = err
    fake.recover("send")
    return meaning_of(outcome)


def slack_outcome(fake: FakeSlack, sender: SlackSender, status: int, code: str) -> Meaning:
    body = {"ok": False, "error": code} if code else {"ok": False}
    if 200 <= status < 300 and not code and status != 200:
        body = {"ok": True}  # a 2xx that says it worked
    fake.recover("chat.postMessage")
    fake.fail("chat.postMessage", slack_api.Failure(status, body))
    to = Recipient("Someone", user_id="U0SOMEONE", workspace="T0COUNCIL")
    try:
        outcome: object = sender.send(to, Reply("hi"))
    except SendError as err:
        outcome = err
    return meaning_of(outcome)


def _check(category: str, got: Meaning, wanted: Meaning, what: str) -> None:
    TALLY.record(category, tried=1, failed=int(got != wanted))
    assert got == wanted, f"{what}: {got} (should be: {wanted})"


TEAMS_FAMILY = "fault: every Teams status, by meaning"
SLACK_FAMILY = "fault: every Slack status and error, by meaning"


def test_every_teams_status_means_what_it_should(
    teams_fake: tuple[FakeConnector, TeamsSender],
) -> None:
    fake, sender = teams_fake
    wrong = []
    for status in STATUSES:
        codes = TEAMS_CODES if status in (403, 404) else [""]
        for code in codes:
            got, wanted = teams_outcome(fake, sender, status, code), teams_should(status, code)
            TALLY.record(TEAMS_FAMILY, tried=1, failed=int(got != wanted))
            if got != wanted:
                wrong.append(f"{status} {code}: {got} (should be: {wanted})")
    assert wrong == []


def test_every_slack_status_and_error_means_what_it_should(
    slack_fake: tuple[FakeSlack, SlackSender],
) -> None:
    fake, sender = slack_fake
    cases = [(200, code) for code in SLACK_CODES] + [(200, "")]
    cases += [(status, "") for status in STATUSES if status != 200]
    cases += [(429, "ratelimited"), (500, "internal_error"), (503, "service_unavailable")]
    wrong = []
    for status, code in cases:
        got, wanted = slack_outcome(fake, sender, status, code), slack_should(status, code)
        TALLY.record(SLACK_FAMILY, tried=1, failed=int(got != wanted))
        if got != wanted:
            wrong.append(f"{status} {code}: {got} (should be: {wanted})")
    assert wrong == []


@examples(10, 400)
@given(status=st.integers(200, 599), code=st.sampled_from([*TEAMS_CODES, "Anything"]))
def test_any_teams_status(
    teams_fake: tuple[FakeConnector, TeamsSender], status: int, code: str
) -> None:
    fake, sender = teams_fake
    got = teams_outcome(fake, sender, status, code)
    _check(TEAMS_FAMILY, got, teams_should(status, code), f"{status} {code}")


@examples(10, 400)
@given(
    status=st.integers(200, 599), code=st.sampled_from([*SLACK_CODES, ""]) | st.text(max_size=12)
)
def test_any_slack_status(
    slack_fake: tuple[FakeSlack, SlackSender], status: int, code: str
) -> None:
    fake, sender = slack_fake
    got = slack_outcome(fake, sender, status, code)
    _check(SLACK_FAMILY, got, slack_should(status, code), f"{status} {code!r}")


# -- what delivery does with a message, for each meaning -----------------------------------------


REPRESENTATIVE = {  # one answer of each meaning, per platform: (status, code)
    "teams": {
        Meaning.RETRY: (503, ""),
        Meaning.CREDENTIALS: (401, ""),
        Meaning.MESSAGE: (413, "MessageSizeTooBig"),
        Meaning.PERSON: (403, "BotNotInConversationRoster"),
    },
    "slack": {
        Meaning.RETRY: (200, "fatal_error"),
        Meaning.CREDENTIALS: (200, "token_revoked"),
        Meaning.MESSAGE: (200, "invalid_blocks"),
        Meaning.PERSON: (200, "user_not_found"),
    },
}


@contextmanager
def platform(name: str, ctx: AppContext) -> Iterator[tuple[Any, Sender, Callable[[], int]]]:
    """A fake platform, a sender to it, and how many messages it has taken."""
    if name == "slack":
        with FakeSlack() as slack:
            client = make_client("xoxb-test", slack.api_url)
            client.retry_handlers = []
            yield slack, SlackSender(client), lambda: len(slack.delivered("chat.postMessage"))
        return
    with FakeConnector() as connector:
        sender = TeamsSender(ANONYMOUS, partial(addresses.load, ctx, "teams"))
        sender.sleep = _at_once
        try:
            yield connector, sender, lambda: len(connector.delivered("send"))
        finally:
            sender.close()


def _refuse(name: str, fake: Any, status: int, code: str, times: int) -> None:
    if name == "slack":
        fake.fail(
            "chat.postMessage", *[slack_api.Failure(status, {"ok": False, "error": code})] * times
        )
    else:
        body = {"error": {"code": code, "message": "from the test"}}
        fake.fail("send", *[teams_connector.Failure(status, body=body)] * times)


@pytest.mark.parametrize("name", ["teams", "slack"])
@pytest.mark.parametrize("meaning", [m for m in Meaning if m != Meaning.SENT])
def test_delivery_keeps_each_message_until_it_can_go(
    ctx: AppContext,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    name: str,
    meaning: Meaning,
) -> None:
    with platform(name, ctx) as (fake, sender, taken):
        service_url = fake.base_url + "/" if name == "teams" else ""
        [officer] = make_officers(ctx, tmp_path, 1, name, service_url)
        with transaction(ctx.engine) as session:  # the plan's admin, to be told
            make_admin(session, "officers", email="chair@example.org", name="Chair")
        assert isinstance(ctx.clock, FixedClock)
        ctx.clock.advance(timedelta(days=7))
        assert sweep(ctx, Policy(), name).queued == 1
        status, code = REPRESENTATIVE[name][meaning]
        _refuse(name, fake, status, code, 2 * TRIES)  # every try of both runs below
        with caplog.at_level(logging.WARNING):
            first = deliver(ctx, sender)
            deliver(ctx, sender)  # a second run straight after changes nothing
        row = _reminder(ctx)
        told = _notices(ctx)
        ok = row.sent_at is None and bool(row.problem) and taken() == 0
        if meaning == Meaning.RETRY:
            ok = ok and 0 < row.failures < HELD and told == 0
        elif meaning == Meaning.CREDENTIALS:
            ok = ok and row.failures == 0 and bool(first.refused) and told == 1
            ok = ok and "refused engagebot's" in caplog.text
        elif meaning == Meaning.MESSAGE:
            errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
            ok = ok and 0 < row.failures < HELD and len(errors) == 1 and told == 0
        else:
            ok = ok and row.failures >= HELD and told == 1
            with transaction(ctx.engine) as session:  # they write to the bot again
                release(session, name, row.person_id or 0)
                if name == "teams":
                    addresses.save(
                        session, "teams", officer.chat_id, _address(officer, fake), ctx.now()
                    )
        fake.recover("chat.postMessage" if name == "slack" else "send")
        for _ in range(4):  # later runs, past the longest back-off
            ctx.clock.advance(timedelta(minutes=31))
            deliver(ctx, sender)
        lost, duplicated = int(taken() == 0), max(taken() - 1, 0)
        TALLY.record(
            f"fault: one message per meaning, through delivery ({name})",
            tried=1,
            failed=int(not ok),
            lost=lost,
            duplicated=duplicated,
        )
        assert ok, (meaning, row, told, caplog.text[-2000:])
        assert (lost, duplicated) == (0, 0)


def _reminder(ctx: AppContext) -> Outbox:
    with transaction(ctx.engine) as session:
        query = select(Outbox).where(Outbox.kind == "reminder").order_by(col(Outbox.id))
        return session.exec(query).one()


def _notices(ctx: AppContext) -> int:
    with transaction(ctx.engine) as session:
        return len(session.exec(select(Outbox).where(Outbox.kind == "notice")).all())


def _address(officer: Any, fake: FakeConnector) -> dict[str, str]:
    return {
        "scope": "personal",
        "service_url": fake.service_url,
        "conversation": officer.place,
        "tenant": "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "user": officer.chat_id,
    }

"""Each platform's credentials expire, and come back: a Teams client secret the token service
will no longer honour, a token the Bot Connector refuses (401), a Slack token revoked.

Reminders are swept for every officer and delivery runs every few minutes through the outage:
nothing is sent, nothing is lost or penalised, the run stops at the first refusal (no flood of
calls), and the plans' admin hears once, on the platform that still works. When the
credentials work again, every officer's reminder arrives exactly once. Counted from the fakes
and the outbox: lost, duplicated, and failed (a run that fell over, an admin told more or
less than once, a run that kept calling a platform refusing it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlmodel import select

from bot.channels.slack import SlackSender, make_client
from bot.channels.teams import TeamsSender
from handlers.chat import addresses
from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from handlers.plans.people import link, make_admin
from models.db import transaction
from models.tables import Outbox
from reminders.delivery import Sender, deliver
from reminders.policy import Policy
from reminders.sweep import sweep
from tests.fakes import slack_api, teams_connector
from tests.fakes.ms_tokens import TokenService
from tests.fakes.slack_api import FakeSlack
from tests.fakes.teams_connector import FakeConnector
from tests.reliability.officers import make_officers, unsent
from tests.reliability.profile import scale
from tests.reliability.tally import TALLY
from tests.teams_harness import ANONYMOUS

CHAIR = "chair@example.org"


@dataclass
class Outage:
    """A platform whose credentials can be made to fail, and how to count what it took."""

    platform: str
    sender: Sender
    calls: Callable[[], int]  # attempts to post a message
    taken: Callable[[], list[str]]  # where each message it took landed
    expire: Callable[[], None]
    renew: Callable[[], None]
    other: str  # the platform the admin is also on, which keeps working


async def _at_once(seconds: float) -> None:
    pass


@contextmanager
def outage(kind: str, ctx: AppContext) -> Iterator[tuple[Outage, str]]:
    """(the outage, the fake's base URL for officers' addresses)."""
    if kind == "slack: token revoked":
        with FakeSlack() as slack:
            client = make_client("xoxb-test", slack.api_url)
            revoked = slack_api.Failure(200, {"ok": False, "error": "token_revoked"})
            yield (
                Outage(
                    "slack",
                    SlackSender(client),
                    lambda: len(slack.of("chat.postMessage")),
                    lambda: [str(c.params["channel"]) for c in slack.delivered()],
                    lambda: slack.fail("chat.postMessage", *[revoked] * 1000),
                    lambda: slack.recover("chat.postMessage"),
                    "teams",
                ),
                slack.base_url,
            )
        return
    with FakeConnector() as connector:
        sender = TeamsSender(ANONYMOUS, partial(addresses.load, ctx, "teams"))
        sender.sleep = _at_once
        tokens = TokenService()
        sender.provider = tokens  # type: ignore[assignment]
        if kind == "teams: client secret expired":
            expire = partial(setattr, tokens, "refusing", True)
            renew = partial(setattr, tokens, "refusing", False)
        else:  # the Bot Connector refuses the token it is given
            refused = teams_connector.Failure(401)
            expire = partial(connector.fail, "send", *[refused] * 1000)
            renew = partial(connector.recover, "send")
        try:
            yield (
                Outage(
                    "teams",
                    sender,
                    lambda: len(connector.of("send")),
                    lambda: [c.conversation for c in connector.delivered("send")],
                    expire,
                    renew,
                    "slack",
                ),
                connector.base_url + "/",
            )
        finally:
            sender.close()


KINDS = ["teams: client secret expired", "teams: 401 from the connector", "slack: token revoked"]


@pytest.mark.parametrize("kind", KINDS)
def test_credentials_expire_and_come_back_and_nothing_is_lost(
    ctx: AppContext, tmp_path: Path, kind: str
) -> None:
    with outage(kind, ctx) as (down, base_url):
        officers = make_officers(ctx, tmp_path, scale(3, 20), down.platform, base_url)
        with transaction(ctx.engine) as session:  # the chair, also on the other platform
            chair = make_admin(session, "officers", email=CHAIR, name="Chair")
            link(session, chair, down.other, "OTHER-CHAIR")
        assert isinstance(ctx.clock, FixedClock)
        ctx.clock.advance(timedelta(days=7))
        sweep(ctx, Policy(), down.platform)
        owed = {o.place for o in officers}
        down.expire()
        crashed, runs = 0, scale(4, 24)  # an hour of runs; the long form, six hours
        for _ in range(runs):
            try:
                report = deliver(ctx, down.sender, [down.other])
                crashed += int(not report.refused)
            except Exception:
                crashed += 1
            ctx.clock.advance(timedelta(minutes=15))
        flooded = down.calls() > runs  # one try a run, no more
        told = _credential_notices(ctx)
        penalised = _penalised(ctx)
        down.renew()
        for _ in range(3):
            deliver(ctx, down.sender, [down.other])
            ctx.clock.advance(timedelta(minutes=15))
        reached = [place for place in down.taken() if place in owed]
        lost = len(owed - set(reached))
        duplicated = len(reached) - len(set(reached))
        failed = crashed + int(flooded) + int(told != [down.other]) + int(penalised > 0)
        TALLY.record(
            f"fault: credentials expire and come back ({kind})",
            tried=len(officers),
            failed=failed,
            lost=lost,
            duplicated=duplicated,
            note="admins told once, on the other platform" if told == [down.other] else "",
        )
        assert (crashed, flooded, told, penalised) == (0, False, [down.other], 0)
        assert (lost, duplicated) == (0, 0)
        assert unsent(ctx) == 1  # only the chair's notice, waiting for the other platform


def _credential_notices(ctx: AppContext) -> list[str]:
    """The platforms the admins' notices of the refusal were queued for."""
    with transaction(ctx.engine) as session:
        rows = session.exec(select(Outbox).where(Outbox.kind == "notice")).all()
        return [r.via for r in rows if "credentials" in r.reply.get("text", "")]


def _penalised(ctx: AppContext) -> int:
    """Reminders counted as failing (or held) for what was not their fault."""
    with transaction(ctx.engine) as session:
        rows = session.exec(select(Outbox).where(Outbox.kind == "reminder")).all()
        return sum(1 for r in rows if r.failures)

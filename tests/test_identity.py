"""Identity follows the person: the Teams or Slack id they actually write from replaces a stale
one (matched by e-mail, or said by an admin), their history kept; a reminder that could not
reach them is held, shown to the admins and in `remind --dry-run`, and goes out when they
next write."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlmodel import Session, select
from typer.testing import Result

from handlers.chat import addresses
from handlers.chat.context import AppContext
from handlers.plans.people import assign, identify
from models.db import transaction
from models.tables import ChatIdentity, DeliveryAddress, Outbox, Person
from reminders.delivery import deliver
from reminders.policy import Policy
from reminders.sweep import sweep
from tests.conftest import RUTH, SAM
from tests.teams_harness import TeamsBot, teams_bot

Cli = Callable[..., Result]
SAM_ROLE = "Community Engagement & Partnership Manager"
STALE = "29:1sam"  # typed in by hand, as the demo's ids are
SAM_AAD = "6b0a3c1e-0000-4000-8000-00000000053a"  # the id Teams gives Sam's messages


@pytest.fixture
def bot(blackpool: AppContext) -> Iterator[TeamsBot]:
    with transaction(blackpool.engine) as session:
        assign(session, SAM_ROLE, email=SAM, chat={"teams": STALE})
    with teams_bot(blackpool) as running:
        running.teams.members[f"29:{SAM_AAD}"] = {"email": SAM, "name": "Sam Patel"}
        yield running


def reminders_to(bot: TeamsBot, user: str) -> list[str]:
    return [c.text for c in bot.teams.delivered() if c.conversation == f"a:personal-{user}"]


def test_the_id_sam_writes_from_replaces_the_stale_one_and_reminders_reach_him(
    bot: TeamsBot, blackpool: AppContext
) -> None:
    with transaction(blackpool.engine) as session:  # a chat once held under the stale id
        addresses.save(session, "teams", STALE, {"scope": "personal"}, blackpool.now())
    bot.say(SAM_AAD, "my actions")
    [listing] = bot.teams.wait_for("send")
    assert "You have 7 open actions" in listing.text  # matched by e-mail
    with transaction(blackpool.engine) as session:
        sam = identify(session, "teams", SAM_AAD)
        assert sam is not None and sam.email == SAM
        assert identify(session, "teams", STALE) is None  # never pointing at two ids
        ids = session.exec(select(ChatIdentity).where(ChatIdentity.person_id == sam.id)).all()
        assert [i.user_id for i in ids] == [SAM_AAD]
        owners = {a.owner for a in session.exec(select(DeliveryAddress))}
        assert SAM_AAD in owners and STALE not in owners
    sweep(blackpool, Policy(), "teams")
    report = deliver(blackpool, bot.sender())
    assert not [p for p in report.unreachable if "Sam Patel" in p]
    bot.teams.wait_for("send", 2)
    assert "Good morning Sam. 7 actions need your update" in reminders_to(bot, SAM_AAD)[-1]


def test_a_reminder_sam_could_not_get_is_held_shown_and_sent_when_he_next_writes(
    bot: TeamsBot, blackpool: AppContext, cli: Cli
) -> None:
    sweep(blackpool, Policy(), "teams")
    report = deliver(blackpool, bot.sender())  # Sam has never written from his real id
    assert any("Sam Patel can't be reached in Teams yet" in p for p in report.unreachable)
    assert reminders_to(bot, SAM_AAD) == []
    waiting = cli("remind", "--dry-run").output
    assert "Sam Patel (reminder, teams): Sam Patel can't be reached in Teams yet" in waiting
    assert "held until they next write; their plan admins were told" in waiting
    with transaction(blackpool.engine) as session:  # not called sent; the chair is told
        notices = session.exec(select(Outbox).where(Outbox.kind == "notice")).all()
        assert any("I can't reach Sam Patel" in n.reply["text"] for n in notices)
        held = session.exec(select(Outbox).where(Outbox.kind == "reminder")).all()
        assert [(r.sent_at, r.problem[:40]) for r in held if r.person_id == _id(session, SAM)] == [
            (None, "Sam Patel can't be reached in Teams yet:")
        ]
    bot.say(SAM_AAD, "hello")
    bot.teams.wait_for("send")
    assert deliver(blackpool, bot.sender()).sent >= 1
    [reminder] = [t for t in reminders_to(bot, SAM_AAD) if "Good morning Sam" in t]
    assert "7 actions need your update" in reminder
    assert deliver(blackpool, bot.sender()).sent == 0  # and only once


def test_an_admin_gives_sam_his_new_teams_id(
    bot: TeamsBot, blackpool: AppContext, cli: Cli
) -> None:
    result = cli("people", "assign", SAM_ROLE, "--email", SAM, "--teams", SAM_AAD)
    assert result.exit_code == 0, result.output
    assert f"Sam Patel's Teams id is now {SAM_AAD} (was {STALE})" in result.output
    with transaction(blackpool.engine) as session:
        assert identify(session, "teams", SAM_AAD) is not None
        assert identify(session, "teams", STALE) is None


def test_an_id_is_never_given_to_two_people(bot: TeamsBot, blackpool: AppContext, cli: Cli) -> None:
    with transaction(blackpool.engine) as session:
        assign(session, "Director of Public Health", email=RUTH, chat={"teams": "29:ruth"})
    result = cli("people", "assign", SAM_ROLE, "--email", SAM, "--teams", "29:ruth")
    assert result.exit_code == 1
    assert "belong to different people already (Dr Ruth Okafor and Sam Patel)" in result.output
    with transaction(blackpool.engine) as session:
        assert _person(session, "29:ruth") == RUTH


def _id(session: Session, email: str) -> int | None:
    return session.exec(select(Person).where(Person.email == email)).one().id


def _person(session: Session, user: str) -> str | None:
    person = identify(session, "teams", user)
    return person.email if person else None

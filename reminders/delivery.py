"""Delivering the outbox: each queued message is sent once, and a failed send is tried again.

Messages are claimed one at a time, just before each is sent (claimed_at set), and marked sent
after. If the process dies in between, only that message's claim goes stale (10 minutes) and a
later run sends it again: it may then arrive twice, but is never lost. Everything the dead run
had not reached is still unclaimed, for the next run.

What a failure means decides what happens (bot/channels/statuses.py reads the platforms'
answers); nothing undelivered is ever called sent, and each message keeps why it last failed:
- theirs to retry (SendError): tried again after a back-off growing to half an hour; after 24
  failures (half a day or more) the plan admins are told once;
- ours to fix, the message (Rejected): the same, logged at ERROR: a bug;
- ours to fix, credentials (CredentialsRefused): the run stops (every message would be
  refused alike); messages keep their place, unpenalised, and the next run tries again; the
  operators (one ERROR line) and the plans' admins (on another platform, else the console)
  are told once per outage;
- the person's (Unreachable): held until they next write (handlers/chat/outbox.py `release`),
  and their plans' admins told once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlmodel import Session, col

from handlers.chat import addresses, state
from handlers.chat.context import AppContext
from handlers.chat.messages import reply_from_json
from handlers.chat.outbound import (
    CredentialsRefused,
    Recipient,
    Rejected,
    Sender,
    SendError,
    Sent,
    Unreachable,
)
from handlers.chat.outbox import HELD, queue
from handlers.plans import platform_access
from handlers.plans.people import admins_for, chat_id, room_admins
from handlers.plans.reminder_messages import (
    notice_room_refused,
    notice_undelivered,
    notice_unreachable,
)
from models.db import transaction
from models.scoping import ALL
from models.tables import OrgBinding, Outbox, Person, ReminderSetting

log = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=10)
BACK_OFF_STEP = timedelta(minutes=5)  # after the nth failure, wait n steps…
BACK_OFF_MOST = timedelta(minutes=30)  # …but never longer than this
TELL_ADMINS_AFTER = 24  # failures: half a day or more, as the back-off grows

__all__ = [
    "CredentialsRefused",
    "DeliveryReport",
    "Rejected",
    "SendError",
    "Sender",
    "Unreachable",
    "deliver",
]


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    unreachable: list[str] = field(default_factory=list)
    refused: str = ""  # the platform refused our credentials: why (the run stopped there)
    reached: set[str] = field(default_factory=set)  # the workspaces messages went to
    # Workspaces whose own token was refused (installed by link): their messages wait, the
    # others' go on.
    refused_workspaces: set[str] = field(default_factory=set)


def deliver(ctx: AppContext, sender: Sender, others: Sequence[str] = ()) -> DeliveryReport:
    """Send every queued message for this platform that nobody else is sending. `others` are
    the platforms that can send besides this one: where admins hear if this one refuses our
    credentials."""
    report = DeliveryReport()
    after = 0
    while (candidate := _next_due(ctx, sender.via, after)) is not None:
        after = candidate
        if _claim(ctx, sender.via, candidate):
            _deliver_one(ctx, sender, candidate, report, others)
            if report.refused and not report.refused_workspaces:
                break  # the deployment's own credentials: every message would be refused
    if report.reached:
        _credentials_accepted(ctx, sender.via, report.reached)
    return report


def _claimable(via: str, now: datetime) -> list[Any]:
    return [
        col(Outbox.via) == via,
        col(Outbox.sent_at).is_(None),
        col(Outbox.failures) < HELD,
        or_(col(Outbox.claimed_at).is_(None), col(Outbox.claimed_at) < now - STALE_CLAIM),
        _not_held(now),
    ]


def _not_held(now: datetime) -> Any:
    """A person's messages wait for the time of day they chose for their reminders."""
    later = select(col(ReminderSetting.person_id)).where(
        col(ReminderSetting.remind_at) > now.time()
    )
    return or_(col(Outbox.person_id).is_(None), col(Outbox.person_id).not_in(later))


def _next_due(ctx: AppContext, via: str, after: int) -> int | None:
    """The next message (by id, after `after`) that is waiting and nobody is sending."""
    with transaction(ctx.engine, ALL) as session:
        query = select(col(Outbox.id)).where(col(Outbox.id) > after, *_claimable(via, ctx.now()))
        found = session.execute(query.order_by(col(Outbox.id)).limit(1)).scalar()
        return int(found) if found is not None else None


def _claim(ctx: AppContext, via: str, outbox_id: int) -> bool:
    """Claim one message just before sending it; False if another deliverer got there first
    (the conditions are checked again in the UPDATE, so two never claim the same one)."""
    now = ctx.now()
    with transaction(ctx.engine, ALL) as session:
        statement = (
            update(Outbox)
            .where(col(Outbox.id) == outbox_id, *_claimable(via, now))
            .values(claimed_at=now)
            .returning(col(Outbox.id))
        )
        return session.execute(statement).first() is not None


def _deliver_one(
    ctx: AppContext,
    sender: Sender,
    outbox_id: int,
    report: DeliveryReport,
    others: Sequence[str],
) -> None:
    with transaction(ctx.engine, ALL) as session:
        row = session.get(Outbox, outbox_id)
        if row is None:
            return
        person = session.get(Person, row.person_id) if row.person_id else None
        to = Recipient(
            name=person.name if person else row.chat_channel,
            user_id=chat_id(session, person, sender.via) if person else None,
            email=person.email if person else None,
            chat_channel=row.chat_channel,
            workspace=_workspace(session, person.org_id, sender.via) if person else None,
        )
        reply, follow_up, kind = reply_from_json(row.reply), row.follow_up, row.kind
    if to.workspace and to.workspace in report.refused_workspaces:
        _kept_in_place(ctx, outbox_id, report.refused)  # not tried again in this run
        return
    try:
        sent = sender.send(to, reply)
    except Unreachable as err:
        report.unreachable.append(str(err))
        _failed(ctx, outbox_id, str(err), held=True)
        if person is not None:
            _tell_admins(ctx, sender.via, person, to.user_id, str(err))
        elif person is None and to.chat_channel:
            _tell_room_admins(ctx, sender.via, to.chat_channel, kind, str(err))
        return
    except CredentialsRefused as err:
        report.refused = str(err)
        if err.workspace:
            report.refused_workspaces.add(err.workspace)
        _kept_in_place(ctx, outbox_id, str(err))
        _credentials_refused(ctx, sender.via, err, others)
        return
    except SendError as err:
        if isinstance(err, Rejected):
            log.error("outbox %s was refused by %s as it stands: %s", outbox_id, sender.via, err)
        else:
            log.warning("delivery of outbox %s failed: %s", outbox_id, err)
        report.failed += 1
        if _failed(ctx, outbox_id, str(err)) == TELL_ADMINS_AFTER and person is not None:
            _tell_admins_of_failures(ctx, sender.via, person, str(err))
        return
    _mark_sent(ctx, outbox_id, sent, follow_up)
    report.sent += 1
    report.reached.add(to.workspace or "")


def _credentials_refused(
    ctx: AppContext, via: str, err: CredentialsRefused, others: Sequence[str]
) -> None:
    """Tell the operators (one ERROR line) and the admins, once per outage."""
    with transaction(ctx.engine, ALL) as session:
        news = platform_access.refused(
            session, via, str(err), ctx.now(), workspace=err.workspace, others=others
        )
    if news:
        log.error(
            "%s. Messages are held, not lost, and go out once %s accepts engagebot's "
            "credentials again; the plans' admins have been told.",
            str(err).rstrip("."),
            via.capitalize(),
        )


def _credentials_accepted(ctx: AppContext, via: str, workspaces: set[str]) -> None:
    """Messages went out: if the platform had been refusing our credentials, that is over."""
    with transaction(ctx.engine, ALL) as session:
        ended = [platform_access.accepted(session, via, w) for w in sorted(workspaces | {""})]
    for since in filter(None, ended):
        log.warning(
            "%s accepts engagebot's credentials again (refused since %s): held messages are "
            "going out.",
            via.capitalize(),
            since.isoformat(timespec="minutes"),
        )


def _workspace(session: Session, org_id: int | None, via: str) -> str | None:
    """The organisation's one workspace on `via`; None when it has none or several."""
    query = select(col(OrgBinding.external_id)).where(
        col(OrgBinding.org_id) == org_id, col(OrgBinding.platform) == via
    )
    bound = session.execute(query).scalars().all()
    return bound[0] if len(bound) == 1 else None


def _tell_admins(
    ctx: AppContext, via: str, person: Person, user_id: str | None, reason: str
) -> None:
    """Stop chasing someone the platform refused, and tell their plans' admins once: when
    their first message is held (until they write again, and are held again)."""
    now = ctx.now()
    with transaction(ctx.engine, ALL) as session:
        if user_id:
            addresses.mark_unreachable(session, via, user_id, now)
        held = select(func.count()).where(
            col(Outbox.person_id) == person.id,
            col(Outbox.via) == via,
            col(Outbox.sent_at).is_(None),
            col(Outbox.failures) >= HELD,
        )
        if int(session.execute(held).scalar() or 0) > 1:
            return  # told when the first of them was held
        notice = notice_unreachable(person, reason)
        for admin in admins_for(session, person):
            queue(session, notice, via=via, kind="notice", now=now, person_id=admin)


def _mark_sent(
    ctx: AppContext, outbox_id: int, sent: Sent, follow_up: dict[str, Any] | None
) -> None:
    """Sent: remember where it landed, and leave that conversation waiting for the reply."""
    with transaction(ctx.engine, ALL) as session:
        row = session.get(Outbox, outbox_id)
        if row is not None:
            row.sent_at, row.message_id, row.problem = ctx.now(), sent.message_id, ""
            session.add(row)
        if row is not None and sent.key is not None and follow_up:
            state.save_json(session, sent.key, follow_up, ctx.now(), row.org_id)


def _failed(ctx: AppContext, outbox_id: int, problem: str, *, held: bool = False) -> int:
    """Count a failure and say why; the claim is held until the back-off ends (or, for a
    message `held` until its person writes, for good). Returns the count."""
    with transaction(ctx.engine, ALL) as session:
        row = session.get(Outbox, outbox_id)
        if row is None:
            return 0
        row.failures = HELD if held else row.failures + 1
        row.problem = problem[:1000]
        wait = min(BACK_OFF_STEP * row.failures, BACK_OFF_MOST)
        row.claimed_at = ctx.now() - STALE_CLAIM + wait  # claimable again once `wait` is over
        session.add(row)
        return row.failures


def _tell_room_admins(ctx: AppContext, via: str, room: str, kind: str, reason: str) -> None:
    """A post to a room (a scheduled summary, an escalation) was refused: the admins of the
    plans that post there hear of it once, with what to do; the post is not tried again."""
    log.warning("a %s for room %s was refused: %s", kind or "message", room, reason)
    now = ctx.now()
    with transaction(ctx.engine, ALL) as session:
        notice = notice_room_refused(room, kind, reason)
        for admin in room_admins(session, room):
            queue(session, notice, via=via, kind="notice", now=now, person_id=admin)


def _kept_in_place(ctx: AppContext, outbox_id: int, problem: str) -> None:
    """Not the message's fault: no failure counted, its claim let go for the next run."""
    with transaction(ctx.engine, ALL) as session:
        row = session.get(Outbox, outbox_id)
        if row is not None:
            row.claimed_at, row.problem = None, problem[:1000]
            session.add(row)


def _tell_admins_of_failures(ctx: AppContext, via: str, person: Person, reason: str) -> None:
    """A message has failed for half a day or more: the admins hear of it once (and the log)."""
    log.warning("a message to %s has failed %s times: %s", person.name, TELL_ADMINS_AFTER, reason)
    now = ctx.now()
    notice = notice_undelivered(person, reason)
    with transaction(ctx.engine, ALL) as session:
        for admin in admins_for(session, person):
            queue(session, notice, via=via, kind="notice", now=now, person_id=admin)

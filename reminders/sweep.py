"""The reminder sweep: what is due is derived from the database, claimed once, then queued.

One sweep:
  1. reads the actions whose `next_nudge_on` has come (an index: the cost follows what is
     due, not the size of the plans) and works out each one's nudge for today, taking the
     newest one missed while the bot was down;
  2. claims each nudge by inserting its unique key (action, occurrence, kind, person) — a
     second process sweeping the same database inserts nothing and sends nothing;
  3. in the same transaction, queues one message per officer (all their due actions) and
     one per chair for escalations in the outbox, and moves `next_nudge_on` on.
Delivery (reminders/delivery.py) then sends the outbox. A crash after the claim leaves the
message in the outbox, and the next delivery run sends it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from handlers.chat.context import AppContext
from handlers.chat.messages import Reply
from handlers.chat.outbox import queue
from handlers.flows.reminder_reply import awaiting_reply
from handlers.language.quantities import due_in, overdue
from handlers.plans.actions import describe_target, prefetch_revisions, qualified_ref
from handlers.plans.people import chat_ids, prefetch_owners
from handlers.plans.reminder_messages import (
    consultation_message,
    escalation_message,
    officer_message,
)
from models.db import transaction
from models.scoping import ALL
from models.tables import (
    Action,
    ActionOwner,
    Consultation,
    Person,
    Plan,
    PlanAdmin,
    ProgressNote,
    ReminderResponse,
    ReminderSetting,
    RoleHolder,
    SentReminder,
    Status,
)
from reminders.policy import ESCALATE, Policy, Slot, due_and_next

BATCH = 2000


@dataclass(frozen=True)
class Nudge:
    """One nudge for one person (or a chair's channel) about one action or consultation."""

    key: str
    kind: str
    slot: Slot
    action_id: int | None
    person_id: int | None
    chat_channel: str = ""
    consultation_id: int | None = None
    late: bool = False  # missed while the bot was down: sent as a catch-up


@dataclass
class SweepReport:
    due: list[tuple[Nudge, str]] = field(default_factory=list)  # nudge, why
    claimed: int = 0
    queued: int = 0
    unreachable: list[str] = field(default_factory=list)  # roles with nobody to nudge
    skipped: str = ""


def sweep(
    ctx: AppContext, policy: Policy, via: str, *, dry_run: bool = False, any_hour: bool = False
) -> SweepReport:
    """Work out today's nudges; unless dry_run, claim them and queue their messages.

    `any_hour` ignores the sending hours: for the demo, which shows reminders whenever it runs.
    """
    local = ctx.now()
    report = SweepReport()
    if not (dry_run or any_hour) and not policy.may_send_at(local):
        report.skipped = f"not sending at {local:%A %H:%M}: working days, " + (
            f"{policy.send_from:%H:%M}–{policy.send_until:%H:%M} only"
        )
        return report
    today = local.date()
    with transaction(ctx.engine, ALL) as session:
        actions = _candidates(session, today)
        due, schedule = _due_nudges(session, actions, today, policy, report)
        due += _consultation_nudges(session, today, policy)
        due += _we_did_nudges(session, today, policy)
        due = _not_snoozed(session, due, today)
        if dry_run:
            report.due = [(n, why(session, n, today)) for n in due]
            return report
    loaded = {a.id or 0: a for a in actions}
    # Claims, messages and the new schedule commit together: all of a sweep's work, or none.
    with transaction(ctx.engine, ALL) as session:
        claimed = _claim(session, due, local)
        _reschedule(session, schedule)
        prefetch_revisions(session, [n.action_id for n in claimed if n.action_id])
        prefetch_owners(session, [n.action_id for n in claimed if n.action_id])
        report.claimed = len(claimed)
        report.queued = _queue(session, claimed, loaded, today, local, via)
    report.due = [(n, "") for n in due]
    return report


# -- what is due ------------------------------------------------------------------------------


def _candidates(session: Session, today: date) -> list[Action]:
    closed = [Status.COMPLETE, Status.WITHDRAWN]
    query = select(Action).where(
        or_(col(Action.next_nudge_on) <= today, col(Action.next_nudge_on).is_(None)),
        col(Action.status).not_in(closed),
    )
    return list(session.exec(query).all())


def _due_nudges(
    session: Session, actions: list[Action], today: date, policy: Policy, report: SweepReport
) -> tuple[list[Nudge], dict[int, date | None]]:
    """Today's nudges, and each action's next nudge day (later if snoozed)."""
    snoozed = _snooze_ends(session, [a.id or 0 for a in actions], today)
    recipients = _recipients(session, actions)
    chairs = _chairs(session, {a.plan_id for a in actions})
    woken = _snoozes_ended(session, [a.id or 0 for a in actions], today)
    updated = _last_updates(session, [a.id or 0 for a in actions])
    nudges: list[Nudge] = []
    schedule: dict[int, date | None] = {}
    for action in actions:
        # Never looked at before (just imported or changed): the last week counts, so an
        # action already overdue is nudged on the first sweep rather than up to a week later.
        since = action.next_nudge_on or today - timedelta(days=policy.overdue_every_days - 1)
        slots, upcoming = due_and_next(action, today, since, policy, updated.get(action.id or 0))
        until = snoozed.get(action.id or 0)
        schedule[action.id or 0] = max(until, upcoming) if until and upcoming else upcoming
        if until:
            continue
        if not slots and action.id in woken:  # a snooze is over: remind, as promised
            slots = [Slot(today, "snoozed", woken[action.id or 0])]
        for slot in slots:
            # "Missed while offline" only if the bot was already chasing this action.
            late = slot.on < today and slot.kind != "snoozed" and action.next_nudge_on is not None
            if slot.kind == ESCALATE:
                nudges += _to_chairs(action, slot, chairs.get(action.plan_id, ([], "")), late)
                continue
            people = recipients.get(action.id or 0, [])
            if not people:
                report.unreachable.append(f"{action.ref}: nobody holds its role")
            nudges += [
                Nudge(f"{slot.key(action.id or 0)}:p{p}", slot.kind, slot, action.id, p, late=late)
                for p in people
            ]
    return nudges, schedule


def _not_snoozed(session: Session, nudges: list[Nudge], today: date) -> list[Nudge]:
    """Nudges for people who snoozed their reminders are dropped, not saved up: an action's
    next nudge after the snooze still comes, a consultation's is sent once it is over."""
    query = select(ReminderSetting.person_id).where(col(ReminderSetting.snoozed_until) > today)
    snoozed = set(session.exec(query).all())
    return [n for n in nudges if n.person_id is None or n.person_id not in snoozed]


def _to_chairs(
    action: Action, slot: Slot, chairs: tuple[list[int], str], late: bool
) -> list[Nudge]:
    people, channel = chairs
    key = slot.key(action.id or 0)
    found = [Nudge(f"{key}:p{p}", ESCALATE, slot, action.id, p, late=late) for p in people]
    if channel:
        to_channel = Nudge(f"{key}:c{channel}", ESCALATE, slot, action.id, None, channel, late=late)
        found.append(to_channel)
    return found


def _last_updates(session: Session, action_ids: list[int]) -> dict[int, date]:
    """The day of each action's latest progress note, for recurring targets' occurrences."""
    found: dict[int, date] = {}
    for chunk in _chunks(action_ids):
        query = (
            select(ProgressNote.action_id, func.max(ProgressNote.created_at))
            .where(col(ProgressNote.action_id).in_(chunk))
            .group_by(col(ProgressNote.action_id))
        )
        for action_id, when in session.exec(query).all():
            if when is not None:
                found[action_id] = when.date()
    return found


def _snoozes_ended(session: Session, action_ids: list[int], today: date) -> dict[int, date]:
    """Actions whose snooze ends today (or ended while the bot was down): id -> end day."""
    ended: dict[int, date] = {}
    for chunk in _chunks(action_ids):
        query = select(col(ReminderResponse.action_id), col(ReminderResponse.until)).where(
            col(ReminderResponse.action_id).in_(chunk),
            ReminderResponse.kind == "snooze",
            col(ReminderResponse.until) <= today,
            col(ReminderResponse.until) > today - timedelta(days=7),
        )
        for action_id, until in session.exec(query).all():
            if until is not None:
                ended[action_id] = max(until, ended.get(action_id, until))
    return ended


def _recipients(session: Session, actions: list[Action]) -> dict[int, list[int]]:
    """Action id -> ids of the people to nudge: role holders, or deputies if there are none."""
    owners: dict[int, list[int]] = defaultdict(list)
    for chunk in _chunks([a.id or 0 for a in actions]):
        rows = session.exec(
            select(ActionOwner.action_id, ActionOwner.role_id).where(
                col(ActionOwner.action_id).in_(chunk)
            )
        ).all()
        for action_id, role_id in rows:
            owners[action_id].append(role_id)
    people_of = _people_of_roles(session, {r for roles in owners.values() for r in roles})
    return {
        action_id: list(dict.fromkeys(p for r in roles for p in people_of.get(r, [])))
        for action_id, roles in owners.items()
    }


def _people_of_roles(session: Session, role_ids: set[int]) -> dict[int, list[int]]:
    """Role id -> the people holding it, or its deputies when nobody holds it."""
    holding: dict[int, list[int]] = defaultdict(list)
    deputies: dict[int, list[int]] = defaultdict(list)
    for chunk in _chunks(sorted(role_ids)):
        query = select(RoleHolder.role_id, RoleHolder.person_id, RoleHolder.deputy).where(
            col(RoleHolder.role_id).in_(chunk)
        )
        for role_id, person_id, deputy in session.exec(query.order_by(col(RoleHolder.person_id))):
            (deputies if deputy else holding)[role_id].append(person_id)
    return {r: holding.get(r) or deputies.get(r, []) for r in role_ids}


def _chairs(session: Session, plan_ids: set[int]) -> dict[int, tuple[list[int], str]]:
    """Plan id -> (admins' person ids, the plan's chat channel) for escalations."""
    found: dict[int, tuple[list[int], str]] = {}
    for plan_id in plan_ids:
        plan = session.get(Plan, plan_id)
        admins = session.exec(select(PlanAdmin.person_id).where(PlanAdmin.plan_id == plan_id))
        found[plan_id] = (list(admins.all()), plan.chat_channel if plan else "")
    return found


def _consultation_nudges(session: Session, today: date, policy: Policy) -> list[Nudge]:
    """A consultation that has closed: record what was heard, and publish the feedback."""
    window = today - timedelta(days=policy.feedback_within_days + 14)
    query = select(Consultation).where(
        col(Consultation.planned_end) < today,
        col(Consultation.planned_end) >= window,
        col(Consultation.status).in_(["open", "closed"]),
        col(Consultation.lead_id).is_not(None),
    )
    nudges = []
    for c in session.exec(query).all():
        assert c.planned_end is not None
        closed_on = policy.calendar.on_or_after(c.planned_end + timedelta(days=1))
        deadline = c.planned_end + timedelta(days=policy.feedback_within_days)
        reminder_on = policy.calendar.on_or_before(deadline - timedelta(days=7))
        for kind, on in (("closed", closed_on), ("feedback", reminder_on)):
            if (kind == "closed" and c.findings.strip()) or c.you_said_we_did.strip():
                continue  # already recorded: nothing to ask for
            if on <= today:
                slot = Slot(on, kind, c.planned_end)
                key = f"consultation:{c.id}:{c.planned_end.isoformat()}:{kind}:p{c.lead_id}"
                nudges.append(
                    Nudge(key, kind, slot, None, c.lead_id, consultation_id=c.id, late=on < today)
                )
    return nudges


WE_DID, WE_DID_AGAIN = "we-did", "we-did-again"


def _we_did_nudges(session: Session, today: date, policy: Policy) -> list[Nudge]:
    """A published activity that has closed with no "we did" on the public page: its lead is
    asked once when the feedback is due (at once, for one closed without an end date), then
    once more `we_did_again_days` later if it is still missing."""
    query = select(Consultation).where(
        col(Consultation.published),
        col(Consultation.you_said_we_did) == "",
        col(Consultation.lead_id).is_not(None),
        or_(
            col(Consultation.status) == "closed",
            (col(Consultation.status) == "open") & (col(Consultation.planned_end) < today),
        ),
    )
    nudges = []
    for c in session.exec(query).all():
        ended = c.planned_end if c.planned_end and c.planned_end < today else None
        first_on = (
            policy.calendar.on_or_after(ended + timedelta(days=policy.feedback_within_days))
            if ended
            else today
        )
        first = f"consultation:{c.id}:{WE_DID}:p{c.lead_id}"
        claimed = session.exec(select(SentReminder).where(SentReminder.key == first)).first()
        sent = claimed.due_on if claimed is not None else None
        if claimed is None and first_on <= today:
            slot = Slot(first_on, WE_DID, ended or today)
            nudges.append(Nudge(first, WE_DID, slot, None, c.lead_id, consultation_id=c.id))
        elif sent is not None:
            again_on = policy.calendar.on_or_after(sent + timedelta(days=policy.we_did_again_days))
            if again_on <= today:
                key = f"consultation:{c.id}:{WE_DID_AGAIN}:p{c.lead_id}"
                slot = Slot(again_on, WE_DID_AGAIN, ended or sent)
                nudges.append(Nudge(key, WE_DID_AGAIN, slot, None, c.lead_id, consultation_id=c.id))
    return nudges


def why(session: Session, nudge: Nudge, today: date) -> str:
    """Why a nudge is due, in words, for --dry-run."""
    if nudge.kind in (WE_DID, WE_DID_AGAIN):
        return f"closed, on the public page with no 'we did' ({nudge.kind})"
    if nudge.consultation_id is not None:
        return f"consultation ended {nudge.slot.occurrence:%d/%m/%Y} ({nudge.kind})"
    action = session.get(Action, nudge.action_id)
    target = describe_target(session, action) if action else "?"
    late = f", missed on {nudge.slot.on:%d/%m/%Y}" if nudge.late else ""
    return f"{_kind_words(nudge, today)}: target {target}{late}"


def _kind_words(nudge: Nudge, today: date) -> str:
    """'due in 2 weeks', 'weekly overdue reminder, 2 years overdue', 'told the chair'."""
    kind, occurrence = nudge.kind, nudge.slot.occurrence
    if kind.startswith("lead-"):
        return f"{due_in((occurrence - today).days)} ({kind[5:]} working days' notice)"
    if kind == "due":
        return "due today"
    if kind.startswith("overdue"):
        return f"weekly reminder, {overdue((today - occurrence).days)}"
    if kind == ESCALATE:
        return f"two reminders unanswered: the chair is told, {overdue((today - occurrence).days)}"
    if kind == "check":
        return "ongoing: the quarterly progress check"
    if kind == "snoozed":
        return "snoozed a week ago"
    return kind


# -- claiming and queueing ----------------------------------------------------------------------


def _claim(session: Session, nudges: list[Nudge], now: datetime) -> list[Nudge]:
    """Insert each nudge's key; only the ones this process inserted are its to send.

    This must be the first statement of its transaction: SQLite then waits for a concurrent
    sweep's write lock instead of failing on a stale snapshot.
    """
    if not nudges:
        return []
    bind = session.get_bind()
    insert = pg_insert if bind.dialect.name == "postgresql" else sqlite_insert
    mine: set[str] = set()
    statement = (
        insert(SentReminder.__table__)  # type: ignore[attr-defined]
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(SentReminder.__table__.c.key)  # type: ignore[attr-defined]
    )
    connection = session.connection()
    for chunk in _chunks(nudges):
        rows = [_claim_row(n, now) for n in chunk]
        mine |= set(connection.execute(statement, rows).scalars().all())
    return [n for n in nudges if n.key in mine]


def _claim_row(nudge: Nudge, now: datetime) -> dict[str, Any]:
    return {
        "key": nudge.key,
        "kind": nudge.kind,
        "action_id": nudge.action_id,
        "consultation_id": nudge.consultation_id,
        "person_id": nudge.person_id,
        "due_on": nudge.slot.on,
        "claimed_at": now,
        "sent_at": now,  # handed to the outbox in this same sweep; delivery is tracked there
    }


def _snooze_ends(session: Session, ids: list[int], today: date) -> dict[int, date]:
    ends: dict[int, date] = {}
    for chunk in _chunks(ids):
        query = select(col(ReminderResponse.action_id), col(ReminderResponse.until)).where(
            col(ReminderResponse.action_id).in_(chunk),
            ReminderResponse.kind == "snooze",
            col(ReminderResponse.until) > today,
        )
        for action_id, until in session.exec(query).all():
            if until is not None:
                ends[action_id] = max(until, ends.get(action_id, until))
    return ends


def _reschedule(session: Session, schedule: dict[int, date | None]) -> None:
    """Each action's next look, in one statement run for every row (by primary key)."""
    # A never-again action gets a far date, not NULL: NULL means "work it out again".
    rows = [{"id": i, "next_nudge_on": day or date(9999, 12, 31)} for i, day in schedule.items()]
    if rows:
        session.execute(update(Action), rows)


def _queue(
    session: Session,
    claimed: list[Nudge],
    loaded: dict[int, Action],
    today: date,
    now: datetime,
    via: str,
) -> int:
    """One outbox message per person (and per chair channel), listing all their nudges."""
    by_target: dict[tuple[int | None, str, str], list[Nudge]] = defaultdict(list)
    for nudge in claimed:
        group = (
            "escalation"
            if nudge.kind == ESCALATE
            else "consultation"
            if nudge.consultation_id is not None
            else "reminder"
        )
        by_target[(nudge.person_id, nudge.chat_channel, group)].append(nudge)
    people = _people(session, {p for p, _, _ in by_target if p})
    for (person_id, channel, group), nudges in by_target.items():
        person = people.get(person_id or 0)
        reply, refs = _message(session, person, nudges, loaded, today, group == "escalation")
        queue(
            session,
            reply,
            via=_platform(session, person, via),
            kind=group,
            now=now,
            person_id=person_id,
            chat_channel=channel,
            follow_up=awaiting_reply(refs) if refs else None,
            org_id=None if person else _org_of(session, nudges, loaded),
        )
    return len(by_target)


def _org_of(session: Session, nudges: list[Nudge], loaded: dict[int, Action]) -> int | None:
    """The organisation of a room's message: that of its actions' plan (plans never mix)."""
    for nudge in nudges:
        action = loaded.get(nudge.action_id or 0)
        plan = session.get(Plan, action.plan_id) if action is not None else None
        if plan is not None:
            return plan.org_id
    return None


def _platform(session: Session, person: Person | None, via: str) -> str:
    """`via` may list platforms in order of preference ("slack,teams"): a person's message goes
    by the first they have a chat id on, else by the first; a room's always by the first."""
    choices = [v.strip() for v in via.split(",") if v.strip()]
    if len(choices) > 1 and person is not None:
        known = chat_ids(session, person)
        for choice in choices:
            if choice in known:
                return choice
    return choices[0] if choices else via


def _people(session: Session, ids: set[int]) -> dict[int, Person]:
    found: dict[int, Person] = {}
    for chunk in _chunks(sorted(ids)):
        for person in session.exec(select(Person).where(col(Person.id).in_(chunk))).all():
            found[person.id or 0] = person
    return found


def _message(
    session: Session,
    person: Person | None,
    nudges: list[Nudge],
    loaded: dict[int, Action],
    today: date,
    escalation: bool,
) -> tuple[Reply, list[str]]:
    consultations = [n for n in nudges if n.consultation_id is not None]
    action_nudges = [n for n in nudges if n.action_id is not None]
    actions = [(loaded.get(n.action_id or 0), n) for n in action_nudges]
    pairs = [(a, n.kind, n.late) for a, n in actions if a is not None]
    refs = [qualified_ref(session, a) for a, _, _ in pairs]
    if escalation:
        return escalation_message(session, pairs, today), refs
    if consultations and not pairs:
        found = [session.get(Consultation, n.consultation_id) for n in consultations]
        kinds = [n.kind for n in consultations]
        return consultation_message(person, [c for c in found if c], kinds), []
    return officer_message(session, person, pairs, today), refs


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[i : i + BATCH] for i in range(0, len(items), BATCH)]

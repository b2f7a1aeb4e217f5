"""Subject access and erasure: everything the bot holds, as JSON, and forgetting a person.

Councils answer subject-access requests ("what do you hold about me?") and erasure requests
under UK GDPR. The export is built table by table so a reader can follow it; a test checks
every table is either exported or named in `NOT_EXPORTED`, so a new table cannot be missed.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import or_
from sqlmodel import Session, SQLModel, col, select

from handlers.plans.people import chat_ids, roles_of
from handlers.plans.register import touch
from models.db import overwrite_deleted
from models.scoping import org_of
from models.tables import (
    Action,
    ActionOwner,
    ChatIdentity,
    Consultation,
    ConversationState,
    DeliveryAddress,
    Document,
    FlowchartWalk,
    HealthCheck,
    Organisation,
    OrgBinding,
    Outbox,
    Person,
    Plan,
    PlanAdmin,
    ProgressNote,
    ReminderResponse,
    ReminderSetting,
    Role,
    RoleAlias,
    RoleHolder,
    ScheduledSummary,
    SentReminder,
    TargetRevision,
    Theme,
)

T = TypeVar("T", bound=SQLModel)
N = TypeVar("N", ProgressNote, TargetRevision)

FORMER_OFFICER = "a former officer"  # how an erased author is shown on the notes they wrote

# Bookkeeping that says nothing a council would be asked for: how far conversations and
# deliveries have got, which platform events were seen, which platform refuses our
# credentials, and copies of sent messages with buttons (kept 90 days to show a pressed one
# answered; the data they show is exported anyway).
NOT_EXPORTED = frozenset(
    {
        "handledevent",
        "conversationstate",
        "outbox",
        "summarypost",
        "deliveryaddress",
        "platformaccess",
        "card",
    }
    # the deployment's, not a council's: chat app tokens (secrets), installs in progress
    | {"chatinstallation", "oauthstate", "workspacerequest"}
)


def _plain(row: SQLModel, *, without: tuple[str, ...] = ()) -> dict[str, Any]:
    """A row as JSON-ready values: dates as ISO text, enums as their words."""
    return {k: _value(v) for k, v in row.model_dump().items() if k not in without}


def _value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def export_everything(session: Session, exported_at: datetime) -> dict[str, Any]:
    """Every plan with its actions and history, the people and roles, and the register.

    A few queries per plan and per table, never per action or per person: an export of a
    hundred thousand actions is read in minutes, not hours."""
    return {
        "exported_at": exported_at.isoformat(),
        "organisation": _organisation(session),
        "plans": [_plan(session, plan) for plan in _all(session, Plan)],
        "roles": [_plain(role) for role in _all(session, Role)],
        "role_spellings": [_plain(row) for row in _all(session, RoleAlias)],
        "people": _people(session),
        "register": [_plain(row) for row in _all(session, Consultation)],
        # what each file is; the bytes are in the database (and its backups), not in JSON
        "documents": [_plain(row, without=("content",)) for row in _all(session, Document)],
        "flowchart_walks": [_plain(row) for row in _all(session, FlowchartWalk)],
        "health_checks": [_plain(row) for row in _all(session, HealthCheck)],
        "scheduled_summaries": [_plain(row) for row in _all(session, ScheduledSummary)],
        "reminders_sent": [_plain(row) for row in _all(session, SentReminder)],
        "reminder_responses": [_plain(row) for row in _all(session, ReminderResponse)],
        "reminder_settings": [_plain(row) for row in _all(session, ReminderSetting)],
    }


def _organisation(session: Session) -> dict[str, Any] | None:
    """The organisation exported, with the chat workspaces bound to it."""
    org = session.get(Organisation, org_of(session) or 0)
    if org is None:
        return None
    bindings = _rows(session, OrgBinding, OrgBinding.org_id, org.id)
    return {**_plain(org), "bindings": [_plain(b, without=("org_id",)) for b in bindings]}


def _all(session: Session, table: type[T]) -> list[T]:
    """Every row of `table`, oldest first."""
    return list(session.exec(select(table).order_by(table.id)))  # type: ignore[attr-defined]


def _plan(session: Session, plan: Plan) -> dict[str, Any]:
    themes = _rows(session, Theme, Theme.plan_id, plan.id)
    actions = _rows(session, Action, Action.plan_id, plan.id)
    admins = session.exec(select(PlanAdmin.person_id).where(PlanAdmin.plan_id == plan.id))
    owners: dict[int, list[int]] = defaultdict(list)
    in_plan = col(Action.plan_id) == plan.id
    query = select(ActionOwner.action_id, ActionOwner.role_id).join(Action).where(in_plan)
    for action_id, role_id in session.exec(query.order_by(col(ActionOwner.position))):
        owners[action_id].append(role_id)
    notes = _by_action(session, ProgressNote, in_plan)
    revisions = _by_action(session, TargetRevision, in_plan)
    return {
        **_plain(plan),
        "admins": list(admins),
        "themes": [_plain(t) for t in sorted(themes, key=lambda t: t.position)],
        "actions": [
            {
                **_plain(a),
                "owner_role_ids": owners.get(a.id or 0, []),
                "progress": [_plain(n, without=("source_key",)) for n in notes.get(a.id or 0, [])],
                "target_revisions": [_plain(r) for r in revisions.get(a.id or 0, [])],
            }
            for a in sorted(actions, key=lambda a: a.position)
        ],
    }


def _by_action(session: Session, table: type[N], in_plan: Any) -> dict[int, list[N]]:
    """A plan's notes (or revisions) in one query, by action, in the order they were written."""
    found: dict[int, list[N]] = defaultdict(list)
    query = select(table).join(Action).where(in_plan).order_by(col(table.id))
    for row in session.exec(query):
        found[row.action_id].append(row)
    return found


def _people(session: Session) -> list[dict[str, Any]]:
    ids: dict[int, dict[str, str]] = defaultdict(dict)
    for identity in _all(session, ChatIdentity):
        ids[identity.person_id][identity.platform] = identity.user_id
    holds: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for held in session.exec(select(RoleHolder).order_by(col(RoleHolder.role_id))):
        holds[held.person_id].append({"role_id": held.role_id, "deputy": held.deputy})
    return [
        {**_plain(p), "chat_ids": ids.get(p.id or 0, {}), "roles": holds.get(p.id or 0, [])}
        for p in _all(session, Person)
    ]


def _person(session: Session, person: Person) -> dict[str, Any]:
    holds = session.exec(select(RoleHolder).where(RoleHolder.person_id == person.id))
    return {
        **_plain(person),
        "chat_ids": chat_ids(session, person),
        "roles": [{"role_id": h.role_id, "deputy": h.deputy} for h in holds],
    }


def export_person(session: Session, person: Person, exported_at: datetime) -> dict[str, Any]:
    """What the bot holds about one person: a subject-access request's answer."""
    pid = person.id
    admin_of = select(Plan.name).join(PlanAdmin).where(PlanAdmin.person_id == pid)
    return {
        "exported_at": exported_at.isoformat(),
        "person": _person(session, person),
        "roles": [r.name for r in roles_of(session, person)],
        "admin_of_plans": list(session.exec(admin_of)),
        "progress_notes_written": [
            _plain(n, without=("source_key",))
            for n in _rows(session, ProgressNote, ProgressNote.author_id, pid)
        ],
        "target_changes_made": [_plain(r) for r in _revisions_by(session, person)],
        "consultations_led": _dump(session, Consultation, Consultation.lead_id, pid),
        "flowchart_walks": _dump(session, FlowchartWalk, FlowchartWalk.person_id, pid),
        "health_checks": _dump(session, HealthCheck, HealthCheck.person_id, pid),
        "reminders_sent": _dump(session, SentReminder, SentReminder.person_id, pid),
        "reminder_responses": _dump(session, ReminderResponse, ReminderResponse.person_id, pid),
        "reminder_settings": _dump(session, ReminderSetting, ReminderSetting.person_id, pid),
        "messages_queued": _dump(session, Outbox, Outbox.person_id, pid),
    }


def _rows(session: Session, table: type[T], column: Any, value: Any) -> list[T]:
    """The rows of `table` whose `column` equals `value`, in the order they were written."""
    query = select(table).where(column == value).order_by(table.id)  # type: ignore[attr-defined]
    return list(session.exec(query))


def _dump(session: Session, table: type[SQLModel], column: Any, value: Any) -> list[dict[str, Any]]:
    return [_plain(row) for row in _rows(session, table, column, value)]


def _revisions_by(session: Session, person: Person) -> list[TargetRevision]:
    """Target changes the person made: linked to their note, or signed with their name."""
    their_notes = select(ProgressNote.id).where(ProgressNote.author_id == person.id)
    signed = [col(TargetRevision.by_name) == person.name] if person.name else []
    query = select(TargetRevision).where(or_(col(TargetRevision.note_id).in_(their_notes), *signed))
    return list(session.exec(query))


@dataclass
class Forgotten:
    """What erasing a person changed, table by table, to tell the operator."""

    name: str
    email: str
    removed: Counter[str] = field(default_factory=Counter)  # table: rows deleted
    cleared: Counter[str] = field(default_factory=Counter)  # table: rows kept, details taken out
    roles_left: list[str] = field(default_factory=list)
    notes_naming_them: list[str] = field(default_factory=list)  # action refs, to check by hand

    @property
    def notes_anonymised(self) -> int:
        return self.cleared["progressnote"]

    @property
    def revisions_anonymised(self) -> int:
        return self.cleared["targetrevision"]

    def tables(self) -> list[str]:
        """The tables touched, in order."""
        return sorted(
            table for table in set(self.removed) | set(self.cleared) if self.touched(table)
        )

    def touched(self, table: str) -> bool:
        return bool(self.removed[table] or self.cleared[table])


def forget(session: Session, person: Person, now: datetime | None = None) -> Forgotten:
    """Erase a person: their identity goes; the notes they wrote stay, their author anonymised.

    Notes and target revisions are otherwise never changed: erasure is the one exception the
    law requires. Note text is not rewritten; notes that mention the name are listed instead.
    Every other trace goes too: messages about them queued or sent to others, a room's chat
    address naming them, conversations that held their words. The rows deleted are
    overwritten in the file, not only unlinked (`overwrite_deleted`); the caller compacts the
    database after the commit (`models.db.compact`), so no free page or log keeps them.
    """
    overwrite_deleted(session)
    pid = person.id
    done = Forgotten(person.name, person.email or "")
    marks = identifiers(session, person)
    done.roles_left = [r.name for r in roles_of(session, person)]
    done.cleared["targetrevision"] = _anonymise_revisions(session, person)
    done.cleared["progressnote"] = _anonymise_notes(session, person)
    done.notes_naming_them = _notes_naming(session, person.name)
    for lead in session.exec(select(Consultation).where(Consultation.lead_id == pid)):
        lead.lead_id, lead.lead_name = None, FORMER_OFFICER
        session.add(lead)
        done.cleared["consultation"] += 1
    done.cleared["consultation"] += _off_the_public_page(session, person, now or datetime.now(UTC))
    for walk in session.exec(select(FlowchartWalk).where(FlowchartWalk.person_id == pid)):
        walk.person_id, walk.who_name = None, ""
        session.add(walk)
        done.cleared["flowchartwalk"] += 1
    for check in session.exec(select(HealthCheck).where(HealthCheck.person_id == pid)):
        check.person_id, check.who_name = None, ""
        session.add(check)
        done.cleared["healthcheck"] += 1
    _unlink(session, person, done)
    _traces(session, marks, done)
    session.delete(person)
    done.removed["person"] += 1
    session.flush()
    return done


def identifiers(session: Session, person: Person) -> list[str]:
    """What names the person in the bot's own records: their e-mail, their ids on each chat
    platform, and their name when it is long enough not to match other words."""
    found = [person.email or "", *chat_ids(session, person).values()]
    if len(person.name.strip()) >= 5:
        found.append(person.name.strip())
    return [mark.lower() for mark in found if mark]


def _mentions(value: object, marks: list[str]) -> bool:
    """`value` (any JSON) names one of `marks` as a whole word: "29:<id>" and "a:personal-<id>"
    name <id>, but U0SAMANTHA does not name U0SAM."""
    text = json.dumps(value, ensure_ascii=False).lower()
    return any(re.search(rf"(?<![a-z0-9]){re.escape(mark)}(?![a-z0-9])", text) for mark in marks)


def _traces(session: Session, marks: list[str], done: Forgotten) -> None:
    """The bookkeeping that still names them: messages to others about them (a notice that
    they can't be reached, that an action is "not mine"), a room's chat address holding their
    id as its last writer, another conversation holding their words."""
    for message in session.exec(select(Outbox)):
        if _mentions([message.reply, message.follow_up, message.message_id], marks):
            session.delete(message)
            done.removed["outbox"] += 1
    for place in session.exec(select(DeliveryAddress)):
        if _mentions(place.owner, marks):
            session.delete(place)
            done.removed["deliveryaddress"] += 1
        elif _mentions(place.address, marks):
            place.address = {k: "" if _mentions(v, marks) else v for k, v in place.address.items()}
            session.add(place)
            done.cleared["deliveryaddress"] += 1
    for talk in session.exec(select(ConversationState)):
        if _mentions([talk.user, talk.conversation, talk.data], marks):
            session.delete(talk)
            done.removed["conversationstate"] += 1


def _off_the_public_page(session: Session, person: Person, now: datetime) -> int:
    """Where they are an activity's public contact, by name or e-mail, that contact goes."""
    changed = 0
    for entry in session.exec(select(Consultation)):
        named = bool(person.name) and entry.contact_name.strip().lower() == person.name.lower()
        mailed = bool(person.email) and entry.contact_email.lower() == (person.email or "").lower()
        if named or mailed:
            entry.contact_name = "" if named else entry.contact_name
            entry.contact_email = "" if mailed else entry.contact_email
            touch(entry, now)  # the page shows the change at once
            session.add(entry)
            changed += 1
    return changed


def _anonymise_notes(session: Session, person: Person) -> int:
    notes = list(session.exec(select(ProgressNote).where(ProgressNote.author_id == person.id)))
    for note in notes:
        note.author_id, note.author_name = None, FORMER_OFFICER
        session.add(note)
    return len(notes)


def _anonymise_revisions(session: Session, person: Person) -> int:
    revisions = _revisions_by(session, person)
    for revision in revisions:
        revision.by_name = FORMER_OFFICER
        session.add(revision)
    return len(revisions)


def _notes_naming(session: Session, name: str) -> list[str]:
    """Refs of actions whose notes mention the name in their text."""
    if len(name.strip()) < 3:
        return []
    query = (
        select(Plan.name, Action.ref)
        .join(Action, col(Action.plan_id) == Plan.id)
        .join(ProgressNote, col(ProgressNote.action_id) == Action.id)
        .where(col(ProgressNote.text).contains(name.strip()))
        .distinct()
    )
    return [f"{plan} {ref}" for plan, ref in session.exec(query)]


def _unlink(session: Session, person: Person, done: Forgotten) -> None:
    """Remove every row that only says who the person is or how to reach them."""
    pid = person.id
    users = list(session.exec(select(ChatIdentity).where(ChatIdentity.person_id == pid)))
    for identity in users:
        for gone in session.exec(
            select(DeliveryAddress).where(
                DeliveryAddress.platform == identity.platform,
                DeliveryAddress.owner == identity.user_id,
            )
        ):
            session.delete(gone)
            done.removed["deliveryaddress"] += 1
        for gone_state in session.exec(
            select(ConversationState).where(
                ConversationState.channel == identity.platform,
                ConversationState.user == identity.user_id,
            )
        ):
            session.delete(gone_state)
            done.removed["conversationstate"] += 1
        session.delete(identity)
        done.removed["chatidentity"] += 1
    for table in (RoleHolder, PlanAdmin, ReminderSetting):
        for row in session.exec(select(table).where(table.person_id == pid)):
            session.delete(row)
            done.removed[table.__name__.lower()] += 1
    for message in session.exec(select(Outbox).where(Outbox.person_id == pid)):
        session.delete(message)  # its text greets them by name; the sent log keeps the facts
        done.removed["outbox"] += 1
    for sent in _rows(session, SentReminder, SentReminder.person_id, pid):
        sent.person_id = None
        session.add(sent)
        done.cleared["sentreminder"] += 1
    for response in _rows(session, ReminderResponse, ReminderResponse.person_id, pid):
        response.person_id = None
        session.add(response)
        done.cleared["reminderresponse"] += 1
    for order in _rows(session, ScheduledSummary, ScheduledSummary.created_by_id, pid):
        order.created_by_id = None
        session.add(order)
        done.cleared["scheduledsummary"] += 1
    session.flush()

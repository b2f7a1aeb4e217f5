"""Finding actions and describing them: "my actions", "R4", the CLI's list."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from handlers.chat import intents
from handlers.chat.messages import Choice, Field, Item
from handlers.language.quantities import overdue
from handlers.language.targets import Recurrence, format_date
from handlers.plans.people import owner_roles, prefetch_owners, role_key
from models.tables import (
    Action,
    ActionOwner,
    Person,
    Plan,
    ProgressNote,
    Role,
    RoleHolder,
    Status,
    TargetKind,
    TargetRevision,
    Theme,
)


@dataclass(frozen=True)
class Filters:
    plan: str | None = None
    owner: str | None = None
    status: Status | None = None


def actions_of(session: Session, person: Person, *, include_closed: bool = False) -> list[Action]:
    """Actions owned by roles the person holds or deputises for, soonest due first."""
    # A subquery rather than DISTINCT over the rows: PostgreSQL cannot compare JSON columns.
    owned = (
        select(ActionOwner.action_id)
        .join(RoleHolder, col(RoleHolder.role_id) == col(ActionOwner.role_id))
        .where(RoleHolder.person_id == person.id)
    )
    query = select(Action).where(col(Action.id).in_(owned))
    actions = list(session.exec(query).all())
    if not include_closed:
        actions = [a for a in actions if not a.status.is_closed]
    return sorted(actions, key=due_order)


def due_order(action: Action) -> tuple[int, date, int, int]:
    """Dated actions first by date; undated (ongoing, unclear) after them, in plan order."""
    if action.target_date is None:
        return (1, date.max, action.plan_id, action.position)
    return (0, action.target_date, action.plan_id, action.position)


def button_key(action: Action) -> str:
    """How buttons name an action: by its id, which no plan name can break ("#15")."""
    return f"#{action.id}"


def find_by_ref(session: Session, ref: str) -> list[Action]:
    """Actions whose reference is `ref`, or `plan:ref` for one plan (case does not matter), or
    the one action `#id` names. Who may act on what is found is for the caller to check."""
    key = ref.strip()
    if re.fullmatch(r"#[0-9]{1,18}", key):
        found = session.get(Action, int(key[1:]))
        return [found] if found is not None else []
    plan_name, _, bare = ref.rpartition(":")
    query = select(Action).where(func.lower(Action.ref) == bare.strip().lower())
    if plan_name:
        query = query.join(Plan).where(func.lower(Plan.name) == plan_name.strip().lower())
    return list(session.exec(query).all())


def list_actions(session: Session, filters: Filters) -> list[Action]:
    query = select(Action).order_by(col(Action.plan_id), col(Action.position))
    if filters.plan:
        query = query.join(Plan).where(func.lower(Plan.name) == filters.plan.lower())
    if filters.status:
        query = query.where(Action.status == filters.status)
    actions = list(session.exec(query).all())
    prefetch_owners(session, [a.id or 0 for a in actions])
    if filters.owner:
        wanted = role_key(filters.owner)
        actions = [a for a in actions if any(wanted in r.key for r in owner_roles(session, a))]
    return actions


def qualified_ref(session: Session, action: Action) -> str:
    """'blackpool-audit-2019:R4': unique across plans, for buttons and commands."""
    plan = plan_of(session, action.plan_id)
    return f"{plan.name}:{action.ref}" if plan and plan.name else action.ref


def plan_of(session: Session, plan_id: int) -> Plan | None:
    """A plan, read once per unit of work however many of its actions are listed (the
    session's own identity map forgets rows nobody holds, and would read it again)."""
    plans: dict[int, Plan | None] = session.info.setdefault("plans", {})
    if plan_id not in plans:
        plans[plan_id] = session.get(Plan, plan_id)
    return plans[plan_id]


def prefetch(session: Session, actions: list[Action]) -> None:
    """Everything listing these actions reads, in a few queries rather than a few per action:
    their plans, owners and first target revisions."""
    plans: dict[int, Plan | None] = session.info.setdefault("plans", {})
    wanted = sorted({a.plan_id for a in actions} - set(plans))
    if wanted:
        found = {p.id: p for p in session.exec(select(Plan).where(col(Plan.id).in_(wanted)))}
        plans.update((i, found.get(i)) for i in wanted)
    ids = [a.id or 0 for a in actions]
    prefetch_owners(session, ids)
    prefetch_revisions(session, ids)


def describe_target(session: Session, action: Action) -> str:
    """The target as a board would read it: '31 March 2019, revised to 31 March 2020'."""
    if action.target_kind == TargetKind.RECURRING and action.recurrence:
        text = Recurrence.from_text(action.recurrence).describe()
        return f"{text} (next {format_date(action.target_date)})" if action.target_date else text
    if action.target_kind == TargetKind.ONGOING:
        return "ongoing"
    if action.target_date is None:
        return action.target_text or "no target date"
    first = first_revision(session, action)
    if first is not None and first.old_date and first.old_date != action.target_date:
        return f"{format_date(first.old_date)}, revised to {format_date(action.target_date)}"
    return format_date(action.target_date)


def first_revision(session: Session, action: Action) -> TargetRevision | None:
    cached: dict[int, TargetRevision | None] = session.info.get("first_revision", {})
    if action.id in cached:
        return cached[action.id]
    query = select(TargetRevision).where(TargetRevision.action_id == action.id)
    return session.exec(query.order_by(col(TargetRevision.id))).first()


def prefetch_revisions(session: Session, action_ids: list[int]) -> None:
    """Load the first revision of many actions in one query, for describe_target in bulk."""
    cached: dict[int, TargetRevision | None] = session.info.setdefault("first_revision", {})
    for start in range(0, len(action_ids), 2000):
        chunk = action_ids[start : start + 2000]
        cached.update(dict.fromkeys(chunk))
        query = (
            select(TargetRevision)
            .where(col(TargetRevision.action_id).in_(chunk))
            .order_by(col(TargetRevision.id).desc())
        )
        for revision in session.exec(query).all():  # newest first: the first one wins last
            cached[revision.action_id] = revision


def latest_note(session: Session, action: Action) -> ProgressNote | None:
    query = select(ProgressNote).where(ProgressNote.action_id == action.id)
    return session.exec(query.order_by(col(ProgressNote.id).desc())).first()


def history(session: Session, action: Action) -> list[ProgressNote]:
    query = select(ProgressNote).where(ProgressNote.action_id == action.id)
    return list(session.exec(query.order_by(col(ProgressNote.id))).all())


def short(text: str, limit: int = 200) -> str:
    """First `limit` characters on one line, cut at a word with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def action_item(session: Session, action: Action, today: date, *, button: bool = True) -> Item:
    """One action as a list entry, with an 'Add update' button (`prefetch` a list first)."""
    plan = plan_of(session, action.plan_id)
    owners = ", ".join(r.name for r in owner_roles(session, action)) or "no owner"
    fields = [
        Field("Status", status_text(action, today)),
        Field("Target", describe_target(session, action)),
        Field("Owner", owners),
    ]
    choices = (Choice("Add update", intents.add_update(button_key(action)), "primary"),)
    return Item(
        heading=f"{action.ref} · {plan.title or plan.name if plan else ''}",
        body=short(action.recommendation or action.action),
        fields=tuple(fields),
        choices=choices if button else (),
    )


def status_text(action: Action, today: date) -> str:
    label = action.status.label
    if action.status.is_closed or action.target_date is None or action.target_date >= today:
        return label
    return f"{label} — {overdue((today - action.target_date).days)}"


def action_json(session: Session, action: Action) -> dict[str, Any]:
    """The fields `engagebot actions list --json` promises, for scripts and spreadsheets."""
    plan = plan_of(session, action.plan_id)
    themes: dict[int, Theme] | None = session.info.get("themes")
    if themes is None:  # every theme at once: a list of actions names many
        themes = {t.id or 0: t for t in session.exec(select(Theme))}
        session.info["themes"] = themes
    theme = themes.get(action.theme_id) if action.theme_id else None
    return {
        "plan": plan.name if plan else None,
        "ref": action.ref,
        "theme": theme.title if theme else None,
        "recommendation": action.recommendation,
        "action": action.action,
        "owners": [r.name for r in owner_roles(session, action)],
        "priority": action.priority,
        "status": action.status.value,
        "target_text": action.target_text,
        "target_kind": action.target_kind.value,
        "target_date": action.target_date.isoformat() if action.target_date else None,
        "target_start": action.target_start.isoformat() if action.target_start else None,
        "target_problem": action.target_problem or None,
        "recurrence": action.recurrence or None,
        "milestones": list(action.milestones),
        "measure": action.measure,
    }


def role_names(session: Session) -> list[str]:
    return [r.name for r in session.exec(select(Role).order_by(col(Role.name))).all()]

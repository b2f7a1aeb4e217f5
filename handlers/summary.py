"""The chair's status summary: what a steering group wants to know before a meeting.

Every figure is computed from the database with a handful of queries over plain columns (no
ORM objects per action), so a summary of 10,000 actions stays fast.

Buckets (each action in exactly one): complete, withdrawn; otherwise overdue if its target has
passed; otherwise by status: delayed, partially complete, on track (in progress), not started.
"No owner" counts open actions whose roles nobody holds, across the buckets.

RAG rule, for a plan and for each theme:
  red    if a quarter or more of the open actions are overdue, or one is over 90 days overdue;
  amber  if any action is overdue or delayed, or an open action has nobody to chase;
  green  otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from handlers.actions import short
from handlers.targets import format_date
from models.tables import (
    Action,
    ActionOwner,
    Plan,
    ProgressNote,
    Role,
    RoleHolder,
    Status,
    TargetRevision,
    Theme,
)

BUCKETS = (
    "complete",
    "on track",
    "partially complete",
    "delayed",
    "overdue",
    "not started",
    "withdrawn",
)
DUE_SOON_DAYS = 30
STALE_DAYS = 90
RED_SHARE = 0.25
RED_DAYS = 90


@dataclass(frozen=True)
class Line:
    """One action in one of the summary's lists."""

    ref: str
    text: str
    owners: str
    detail: str


@dataclass(frozen=True)
class ThemeProgress:
    title: str
    total: int
    closed: int
    overdue: int
    counts: dict[str, int]
    rag: str


@dataclass
class Summary:
    title: str
    plans: list[str]
    today: date
    since: datetime | None
    total: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    no_owner: int = 0
    overdue: list[Line] = field(default_factory=list)
    due_soon: list[Line] = field(default_factory=list)
    revised: list[Line] = field(default_factory=list)
    stale: list[Line] = field(default_factory=list)
    unheld_roles: list[str] = field(default_factory=list)
    themes: list[ThemeProgress] = field(default_factory=list)
    rag: str = "green"
    rag_reason: str = ""


@dataclass(frozen=True)
class _Row:
    id: int
    plan_id: int
    ref: str
    text: str
    theme_id: int | None
    status: Status
    target_date: date | None
    created_at: datetime


def bucket(status: Status, target: date | None, today: date) -> str:
    if status in (Status.COMPLETE, Status.WITHDRAWN):
        return status.value
    if target is not None and target < today:
        return "overdue"
    return {
        Status.DELAYED: "delayed",
        Status.PARTIALLY_COMPLETE: "partially complete",
        Status.IN_PROGRESS: "on track",
    }.get(status, "not started")


def rag_of(open_count: int, overdue_days: list[int], delayed: int, unheld: int) -> tuple[str, str]:
    """The documented RAG rule, with the reason in words."""
    overdue = len(overdue_days)
    if open_count and (
        overdue / open_count >= RED_SHARE or max(overdue_days, default=0) > RED_DAYS
    ):
        worst = max(overdue_days, default=0)
        return "red", f"{overdue} of {open_count} open actions overdue, the worst by {worst} days"
    if overdue or delayed or unheld:
        parts = [f"{overdue} overdue"] if overdue else []
        parts += [f"{delayed} delayed"] if delayed else []
        parts += [f"{unheld} with nobody to chase"] if unheld else []
        return "amber", ", ".join(parts)
    return "green", "nothing overdue or delayed"


def summarise(
    session: Session, plans: list[Plan], today: date, since: datetime | None, now: datetime
) -> Summary:
    """Every figure of the summary for these plans, as of `today`."""
    title = plans[0].title or plans[0].name if len(plans) == 1 else "All plans"
    summary = Summary(title=title, plans=[p.name for p in plans], today=today, since=since)
    plan_ids = [p.id or 0 for p in plans]
    rows = _rows(session, plan_ids)
    if not rows:
        return summary
    owners = _owners(session, plan_ids)
    held = _held_roles(session)
    last_note = _last_notes(session, plan_ids)
    names = {p.id: p.name for p in plans}
    prefix = len(plans) > 1

    def ref(row: _Row) -> str:
        return f"{names[row.plan_id]}:{row.ref}" if prefix else row.ref

    def owner_text(row: _Row) -> str:
        return ", ".join(name for name, _ in owners.get(row.id, [])) or "no owner"

    summary.total = len(rows)
    unheld_roles: set[str] = set()
    for row in rows:
        kind = bucket(row.status, row.target_date, today)
        summary.counts[kind] += 1
        if row.status.is_closed:
            continue
        roles = owners.get(row.id, [])
        if not any(role_id in held for _, role_id in roles):
            summary.no_owner += 1
            unheld_roles |= {name for name, role_id in roles if role_id not in held}
        if kind == "overdue" and row.target_date:
            days = (today - row.target_date).days
            summary.overdue.append(
                Line(ref(row), row.text, owner_text(row), f"overdue by {days} days")
            )
        elif row.target_date and row.target_date <= today + timedelta(days=DUE_SOON_DAYS):
            when = format_date(row.target_date)
            summary.due_soon.append(Line(ref(row), row.text, owner_text(row), f"due {when}"))
        latest = last_note.get(row.id) or row.created_at
        if latest < now - timedelta(days=STALE_DAYS):
            quiet = (now - latest).days
            summary.stale.append(
                Line(ref(row), row.text, owner_text(row), f"no update for {quiet} days")
            )
    summary.overdue.sort(key=lambda line: -int(line.detail.split()[2]))
    summary.unheld_roles = sorted(unheld_roles)
    summary.revised = _revisions(session, plan_ids, since, {r.id: r for r in rows}, ref, owner_text)
    summary.themes = _themes(session, plan_ids, rows, today, owners, held)
    open_rows = [r for r in rows if not r.status.is_closed]
    overdue_days = [
        (today - r.target_date).days for r in open_rows if r.target_date and r.target_date < today
    ]
    summary.rag, summary.rag_reason = rag_of(
        len(open_rows), overdue_days, summary.counts["delayed"], summary.no_owner
    )
    return summary


def _rows(session: Session, plan_ids: list[int]) -> list[_Row]:
    query = (
        select(
            Action.id,
            Action.plan_id,
            Action.ref,
            Action.recommendation,
            Action.action,
            Action.theme_id,
            Action.status,
            Action.target_date,
            Action.created_at,
        )
        .where(col(Action.plan_id).in_(plan_ids))
        .order_by(col(Action.plan_id), col(Action.position))
    )
    return [
        _Row(i or 0, p, ref, short(rec or act, 120), theme, status, target, created)
        for i, p, ref, rec, act, theme, status, target, created in session.exec(query).all()
    ]


def _owners(session: Session, plan_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    query = (
        select(ActionOwner.action_id, Role.name, Role.id)
        .join(Role, col(Role.id) == col(ActionOwner.role_id))
        .join(Action, col(Action.id) == col(ActionOwner.action_id))
        .where(col(Action.plan_id).in_(plan_ids))
    )
    owners: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for action_id, name, role_id in session.exec(query).all():
        owners[action_id].append((name, role_id or 0))
    return owners


def _held_roles(session: Session) -> set[int]:
    return set(session.exec(select(RoleHolder.role_id).distinct()).all())


def _last_notes(session: Session, plan_ids: list[int]) -> dict[int, datetime]:
    query = (
        select(ProgressNote.action_id, func.max(ProgressNote.created_at))
        .join(Action, col(Action.id) == col(ProgressNote.action_id))
        .where(col(Action.plan_id).in_(plan_ids))
        .group_by(col(ProgressNote.action_id))
    )
    return {action_id: when for action_id, when in session.exec(query).all() if when}


def _revisions(
    session: Session,
    plan_ids: list[int],
    since: datetime | None,
    rows: dict[int, _Row],
    ref: Callable[[_Row], str],
    owner_text: Callable[[_Row], str],
) -> list[Line]:
    """Targets moved since the last summary: how many times, and by how much in all."""
    query = (
        select(TargetRevision.action_id, TargetRevision.old_date, TargetRevision.new_date)
        .join(Action, col(Action.id) == col(TargetRevision.action_id))
        .where(col(Action.plan_id).in_(plan_ids))
    )
    if since is not None:
        query = query.where(col(TargetRevision.revised_at) > since)
    moved: dict[int, list[int]] = defaultdict(list)
    for action_id, old, new in session.exec(query).all():
        moved[action_id].append((new - old).days if old and new else 0)
    lines = []
    for action_id, shifts in moved.items():
        row = rows[action_id]
        times = f"{len(shifts)} time{'s' if len(shifts) != 1 else ''}"
        lines.append(
            Line(
                ref(row),
                row.text,
                owner_text(row),
                f"revised {times}, by {sum(shifts)} days in all",
            )
        )
    return lines


def _themes(
    session: Session,
    plan_ids: list[int],
    rows: list[_Row],
    today: date,
    owners: dict[int, list[tuple[str, int]]],
    held: set[int],
) -> list[ThemeProgress]:
    themes = session.exec(
        select(Theme)
        .where(col(Theme.plan_id).in_(plan_ids))
        .order_by(col(Theme.plan_id), col(Theme.position))
    ).all()
    by_theme: dict[int | None, list[_Row]] = defaultdict(list)
    for row in rows:
        by_theme[row.theme_id].append(row)
    found = []
    for theme in themes:
        members = by_theme.get(theme.id, [])
        if members:
            found.append(_theme_progress(theme.title, members, today, owners, held))
    return found


def _theme_progress(
    title: str,
    rows: list[_Row],
    today: date,
    owners: dict[int, list[tuple[str, int]]],
    held: set[int],
) -> ThemeProgress:
    counts = dict.fromkeys(BUCKETS, 0)
    for row in rows:
        counts[bucket(row.status, row.target_date, today)] += 1
    open_rows = [r for r in rows if not r.status.is_closed]
    overdue_days = [
        (today - r.target_date).days for r in open_rows if r.target_date and r.target_date < today
    ]
    unheld = sum(1 for r in open_rows if not any(rid in held for _, rid in owners.get(r.id, [])))
    rag, _ = rag_of(len(open_rows), overdue_days, counts["delayed"], unheld)
    closed = counts["complete"] + counts["withdrawn"]
    return ThemeProgress(title, len(rows), closed, len(overdue_days), counts, rag)

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple, overload

from sqlalchemy import String, func, type_coerce
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from handlers.language.quantities import overdue as overdue_text
from handlers.language.quantities import span, times
from handlers.language.targets import format_date
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


class Line(NamedTuple):
    """One action in one of the summary's lists."""

    ref: str
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
    overdue: LineList = field(default_factory=lambda: LineList())
    due_soon: LineList = field(default_factory=lambda: LineList())
    revised: LineList = field(default_factory=lambda: LineList())
    stale: LineList = field(default_factory=lambda: LineList())
    unheld_roles: list[str] = field(default_factory=list)
    themes: list[ThemeProgress] = field(default_factory=list)
    rag: str = "green"
    rag_reason: str = ""


class _Row(NamedTuple):  # a tuple, not a dataclass: 10,000 of them are made per summary
    id: int
    plan_id: int
    ref: str
    theme_id: int | None
    status: Status
    target_date: date | None
    last_activity: str  # when it last had a note (or was added), as stored: UTC ISO text


_OPEN_BUCKETS = {
    Status.DELAYED: "delayed",
    Status.PARTIALLY_COMPLETE: "partially complete",
    Status.IN_PROGRESS: "on track",
}


def bucket(status: Status, target: date | None, today: date) -> str:
    if status is Status.COMPLETE or status is Status.WITHDRAWN:
        return status.value
    if target is not None and target < today:
        return "overdue"
    return _OPEN_BUCKETS.get(status, "not started")


def rag_of(open_count: int, overdue_days: list[int], delayed: int, unheld: int) -> tuple[str, str]:
    """The documented RAG rule, with the reason in words."""
    overdue = len(overdue_days)
    if open_count and (
        overdue / open_count >= RED_SHARE or max(overdue_days, default=0) > RED_DAYS
    ):
        worst = max(overdue_days, default=0)
        return (
            "red",
            f"{overdue} of {open_count} open actions overdue, the worst {overdue_text(worst)}",
        )
    if overdue or delayed or unheld:
        parts = [f"{overdue} overdue"] if overdue else []
        parts += [f"{delayed} delayed"] if delayed else []
        parts += [f"{unheld} with nobody to chase"] if unheld else []
        return "amber", ", ".join(parts)
    return "green", "nothing overdue or delayed"


CLOSED = frozenset({Status.COMPLETE, Status.WITHDRAWN})


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
    kinds = [bucket(r.status, r.target_date, today) for r in rows]
    chased = {aid for aid, roles in owners.items() if any(rid in held for rid in roles)}
    names = _role_names(session)
    lines = _Lines(owners, names, {p.id or 0: p.name for p in plans} if len(plans) > 1 else {})
    summary.total = len(rows)
    for kind in kinds:
        summary.counts[kind] += 1
    open_rows = [(r, k) for r, k in zip(rows, kinds, strict=True) if r.status not in CLOSED]
    _fill_lists(summary, open_rows, today, lines, now)
    unheld = [r for r, _ in open_rows if r.id not in chased]
    summary.no_owner = len(unheld)
    summary.unheld_roles = sorted(
        {names[rid] for r in unheld for rid in owners.get(r.id, []) if rid not in held}
    )
    summary.revised = _revisions(session, plan_ids, since, {r.id: r for r in rows}, lines)
    summary.themes = _themes(session, plan_ids, rows, kinds, chased, today)
    overdue_days = [
        (today - r.target_date).days for r, k in open_rows if k == "overdue" and r.target_date
    ]
    summary.rag, summary.rag_reason = rag_of(
        len(open_rows), overdue_days, summary.counts["delayed"], summary.no_owner
    )
    return summary


class _Lines:
    """Makes the summary's list lines, naming plans only when several are summarised."""

    def __init__(
        self, owners: dict[int, list[int]], roles: dict[int, str], plan_names: dict[int, str]
    ) -> None:
        self.owners, self.roles, self.plan_names = owners, roles, plan_names

    def __call__(self, row: _Row, detail: str) -> Line:
        name = self.plan_names.get(row.plan_id)
        ref = f"{name}:{row.ref}" if name else row.ref
        owners = ", ".join(self.roles[r] for r in self.owners.get(row.id, [])) or "no owner"
        return Line(ref, owners, detail)


class LineList(Sequence[Line]):
    """A summary list whose lines are made when read: chat shows five of thousands."""

    def __init__(self, make: _Lines | None = None) -> None:
        self.make = make
        self.entries: list[tuple[_Row, str]] = []

    def add(self, row: _Row, detail: str) -> None:
        self.entries.append((row, detail))

    def __len__(self) -> int:
        return len(self.entries)

    @overload
    def __getitem__(self, index: int) -> Line: ...
    @overload
    def __getitem__(self, index: slice) -> list[Line]: ...
    def __getitem__(self, index: int | slice) -> Line | list[Line]:
        assert self.make is not None
        if isinstance(index, slice):
            return [self.make(row, detail) for row, detail in self.entries[index]]
        row, detail = self.entries[index]
        return self.make(row, detail)

    def __eq__(self, other: object) -> bool:
        return list(self) == other

    __hash__ = None  # type: ignore[assignment]


def _fill_lists(
    summary: Summary,
    open_rows: list[tuple[_Row, str]],
    today: date,
    line: _Lines,
    now: datetime,
) -> None:
    """Overdue (most overdue first), due in the next 30 days, and quiet for 90 days."""
    soon = today + timedelta(days=DUE_SOON_DAYS)
    quiet_days = _Quiet(now).days
    summary.overdue, summary.due_soon, summary.stale = (
        LineList(line),
        LineList(line),
        LineList(line),
    )
    overdue: list[tuple[int, _Row]] = []
    for row, kind in open_rows:
        due = row.target_date
        if kind == "overdue" and due:
            overdue.append(((today - due).days, row))
        elif due and due <= soon:
            summary.due_soon.add(row, f"due {format_date(due)}")
        quiet = quiet_days(row)
        if quiet is not None:
            summary.stale.add(row, f"no update for {span(quiet)}")
    overdue.sort(key=lambda pair: -pair[0])
    for days, row in overdue:
        summary.overdue.add(row, overdue_text(days))


def _rows(session: Session, plan_ids: list[int]) -> list[_Row]:
    notes = (
        core_select(
            col(ProgressNote.action_id), func.max(col(ProgressNote.created_at)).label("last")
        )
        .group_by(col(ProgressNote.action_id))
        .subquery()
    )
    last = func.coalesce(notes.c.last, Action.created_at)
    query = (
        core_select(
            col(Action.id),
            col(Action.plan_id),
            col(Action.ref),
            col(Action.theme_id),
            # Read as text and converted here: SQLAlchemy's per-row type processing of enums,
            # dates and timestamps was the largest cost of a 10,000-action summary.
            type_coerce(Action.status, String),
            type_coerce(Action.target_date, String),
            type_coerce(last, String),
        )
        .outerjoin(notes, notes.c.action_id == Action.id)
        .where(col(Action.plan_id).in_(plan_ids))
        .order_by(col(Action.plan_id), col(Action.position))
    )
    statuses = {s.name: s for s in Status}
    found = _core(session, query)
    if session.get_bind().dialect.name == "sqlite":  # text already: the fast path
        day = date.fromisoformat
        return [
            _Row(i or 0, p, ref, theme, statuses[status], day(target) if target else None, when)
            for i, p, ref, theme, status, target, when in found
        ]
    return [
        _Row(i or 0, p, ref, theme, statuses[status], _day(target), _utc_text(when))
        for i, p, ref, theme, status, target, when in found
    ]


def _day(value: str | date | None) -> date | None:
    """SQLite gives dates back as text even so; PostgreSQL's driver gives dates."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _utc_text(value: str | datetime | None) -> str:
    """A timestamp as UTC ISO text, as SQLite stores it (PostgreSQL's driver gives datetimes)."""
    if isinstance(value, datetime):
        utc = value.astimezone(UTC) if value.tzinfo else value
        return utc.replace(tzinfo=None).isoformat(sep=" ")
    return value or ""


def _owners(session: Session, plan_ids: list[int]) -> dict[int, list[int]]:
    """Action id -> ids of the roles that own it."""
    query = (
        core_select(col(ActionOwner.action_id), col(ActionOwner.role_id))
        .join(Action, col(Action.id) == col(ActionOwner.action_id))
        .where(col(Action.plan_id).in_(plan_ids))
    )
    owners: dict[int, list[int]] = defaultdict(list)
    for action_id, role_id in _core(session, query):
        owners[action_id].append(role_id)
    return owners


def _role_names(session: Session) -> dict[int, str]:
    return {
        role_id: name for role_id, name in _core(session, core_select(col(Role.id), col(Role.name)))
    }


def _held_roles(session: Session) -> set[int]:
    return {row[0] for row in _core(session, core_select(col(RoleHolder.role_id)).distinct())}


def _core(session: Session, query: Any) -> list[Any]:
    """Plain rows through SQLAlchemy Core: several times faster than ORM loading for 10,000."""
    return list(session.connection().execute(query).all())


class _Quiet:
    """Days since an action's last note (or since it was added), when 90 or more."""

    def __init__(self, now: datetime) -> None:
        self.now = now.astimezone(UTC).replace(tzinfo=None)
        self.cutoff = (self.now - timedelta(days=STALE_DAYS)).isoformat(sep=" ")

    def days(self, row: _Row) -> int | None:
        if not row.last_activity or row.last_activity >= self.cutoff:  # ISO text sorts as time
            return None
        return (self.now - datetime.fromisoformat(row.last_activity[:19])).days


def _revisions(
    session: Session,
    plan_ids: list[int],
    since: datetime | None,
    rows: dict[int, _Row],
    line: _Lines,
) -> LineList:
    """Targets moved since the last summary: how many times, and by how much in all."""
    query = (
        core_select(
            col(TargetRevision.action_id),
            col(TargetRevision.old_date),
            col(TargetRevision.new_date),
        )
        .join(Action, col(Action.id) == col(TargetRevision.action_id))
        .where(col(Action.plan_id).in_(plan_ids))
    )
    if since is not None:
        query = query.where(col(TargetRevision.revised_at) > since)
    moved: dict[int, list[int]] = defaultdict(list)
    for action_id, old, new in _core(session, query):
        moved[action_id].append((new - old).days if old and new else 0)
    lines = LineList(line)
    for action_id, shifts in moved.items():
        moved_by = sum(shifts)
        later = "later" if moved_by >= 0 else "earlier"
        lines.add(rows[action_id], f"revised {times(len(shifts))}, {span(moved_by)} {later} in all")
    return lines


def _themes(
    session: Session,
    plan_ids: list[int],
    rows: list[_Row],
    kinds: list[str],
    chased: set[int],
    today: date,
) -> list[ThemeProgress]:
    themes = session.exec(
        select(Theme)
        .where(col(Theme.plan_id).in_(plan_ids))
        .order_by(col(Theme.plan_id), col(Theme.position))
    ).all()
    by_theme: dict[int | None, list[tuple[_Row, str]]] = defaultdict(list)
    for row, kind in zip(rows, kinds, strict=True):
        by_theme[row.theme_id].append((row, kind))
    return [
        _theme_progress(theme.title, by_theme[theme.id], chased, today)
        for theme in themes
        if by_theme.get(theme.id)
    ]


def _theme_progress(
    title: str, rows: list[tuple[_Row, str]], chased: set[int], today: date
) -> ThemeProgress:
    counts = dict.fromkeys(BUCKETS, 0)
    for _, kind in rows:
        counts[kind] += 1
    open_rows = [row for row, _ in rows if row.status not in CLOSED]
    overdue = [
        (today - row.target_date).days for row, k in rows if k == "overdue" and row.target_date
    ]
    unheld = sum(1 for row in open_rows if row.id not in chased)
    rag, _ = rag_of(len(open_rows), overdue, counts["delayed"], unheld)
    closed = counts["complete"] + counts["withdrawn"]
    return ThemeProgress(title, len(rows), closed, len(overdue), counts, rag)

"""The chair's status summary: what a steering group wants to know before a meeting.

Every figure is computed in the database: the counts by SQL aggregates over plain columns,
and only the actions in a list are read out (no ORM objects per action), so a summary of
100,000 actions costs a few queries.

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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any, NamedTuple, overload

from sqlalchemy import String, case, func, type_coerce
from sqlalchemy import select as core_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from handlers.language.quantities import overdue as overdue_text
from handlers.language.quantities import span, times
from handlers.language.targets import format_date
from models.db import transaction
from models.scoping import ALL, org_of
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


def rag_of(
    open_count: int, overdue: int, worst_days: int, delayed: int, unheld: int
) -> tuple[str, str]:
    """The documented RAG rule, with the reason in words (`worst_days`: the most overdue)."""
    if open_count and (overdue / open_count >= RED_SHARE or worst_days > RED_DAYS):
        return (
            "red",
            f"{overdue} of {open_count} open actions overdue, the worst {overdue_text(worst_days)}",
        )
    if overdue or delayed or unheld:
        parts = [f"{overdue} overdue"] if overdue else []
        parts += [f"{delayed} delayed"] if delayed else []
        parts += [f"{unheld} with nobody to chase"] if unheld else []
        return "amber", ", ".join(parts)
    return "green", "nothing overdue or delayed"


CLOSED = frozenset({Status.COMPLETE, Status.WITHDRAWN})


def summarise(
    session: Session,
    plans: list[Plan],
    today: date,
    since: datetime | None,
    now: datetime,
    *,
    lists: bool = True,
) -> Summary:
    """Every figure of the summary for these plans, as of `today` (without `lists`, only the
    counts and ratings: for reports that show no lists).

    The counts come from SQL (grouped by theme and bucket), and only the actions in a list are
    read into Python: at 100,000 actions the figures cost a few queries, not a loop per action.
    """
    title = plans[0].title or plans[0].name if len(plans) == 1 else "All plans"
    summary = Summary(title=title, plans=[p.name for p in plans], today=today, since=since)
    plan_ids = [p.id or 0 for p in plans]
    groups = _groups(session, plan_ids, today)
    if not groups:
        return summary
    summary.total = sum(g.size for g in groups)
    for group in groups:
        summary.counts[group.bucket] += group.size
    summary.no_owner = sum(g.unchased for g in groups if g.open)
    summary.themes = _themes(session, plan_ids, groups, today)
    summary.rag, summary.rag_reason = _rag(groups, today)
    if lists:
        reader = _Reader(session, plan_ids, today, now)
        names = {p.id or 0: p.name for p in plans} if len(plans) > 1 else {}
        lines = _Lines(reader, names)
        overdue = sum(g.size for g in groups if g.bucket == "overdue")
        due_soon, stale = reader.counts()
        summary.overdue = LineList(lines, overdue, partial(reader.rows, "overdue"))
        summary.due_soon = LineList(lines, due_soon, partial(reader.rows, "due soon"))
        summary.stale = LineList(lines, stale, partial(reader.rows, "stale"))
        summary.unheld_roles = _unheld_roles(session, plan_ids)
        summary.revised = _revisions(session, plan_ids, since, lines)
        for listed in (summary.overdue, summary.due_soon, summary.stale, summary.revised):
            listed[:PREFETCH]  # read now, in this transaction: what chat shows of each
        reader.detach()
    return summary


class _Group(NamedTuple):
    """The actions of one theme in one bucket: how many, how many nobody holds a role of,
    and the earliest target among them."""

    theme_id: int | None
    bucket: str
    size: int
    unchased: int
    earliest: date | None

    @property
    def open(self) -> bool:
        return self.bucket not in ("complete", "withdrawn")


def _bucket_of(today: date) -> Any:
    """An action's bucket (the rule at the top of this module), in SQL."""
    status = col(Action.status)
    return case(
        (status == Status.COMPLETE, "complete"),
        (status == Status.WITHDRAWN, "withdrawn"),
        (col(Action.target_date) < today, "overdue"),
        (status == Status.DELAYED, "delayed"),
        (status == Status.PARTIALLY_COMPLETE, "partially complete"),
        (status == Status.IN_PROGRESS, "on track"),
        else_="not started",
    )


def _chased() -> Any:
    """True for an action with at least one owning role that somebody holds (or deputises)."""
    return (
        core_select(col(ActionOwner.action_id))
        .join(RoleHolder, col(RoleHolder.role_id) == col(ActionOwner.role_id))
        .where(col(ActionOwner.action_id) == col(Action.id))
        .exists()
    )


def _groups(session: Session, plan_ids: list[int], today: date) -> list[_Group]:
    bucket = _bucket_of(today).label("bucket")
    unchased = func.sum(case((~_chased(), 1), else_=0))
    query = (
        core_select(
            col(Action.theme_id),
            bucket,
            func.count(),
            unchased,
            type_coerce(func.min(col(Action.target_date)), String),
        )
        .where(col(Action.plan_id).in_(plan_ids))
        .group_by(col(Action.theme_id), bucket)
    )
    return [
        _Group(theme, kind, count, int(unheld or 0), _day(earliest))
        for theme, kind, count, unheld, earliest in _core(session, query)
    ]


def _rag(groups: list[_Group], today: date) -> tuple[str, str]:
    open_count = sum(g.size for g in groups if g.open)
    overdue = [g for g in groups if g.bucket == "overdue"]
    earliest = min((g.earliest for g in overdue if g.earliest), default=None)
    worst = (today - earliest).days if earliest else 0
    delayed = sum(g.size for g in groups if g.bucket == "delayed")
    unheld = sum(g.unchased for g in groups if g.open)
    return rag_of(open_count, sum(g.size for g in overdue), worst, delayed, unheld)


class _Lines:
    """Makes the summary's list lines, naming plans only when several are summarised; the
    owners of the actions shown are read in one query per batch of lines."""

    def __init__(self, reader: _Reader, plan_names: dict[int, str]) -> None:
        self.reader, self.plan_names = reader, plan_names
        self.owners: dict[int, list[str]] = {}

    def many(self, entries: list[tuple[_Row, str]]) -> list[Line]:
        missing = list({row.id for row, _ in entries if row.id not in self.owners})
        self.owners.update(self.reader.owners(missing))
        return [self._line(row, detail) for row, detail in entries]

    def _line(self, row: _Row, detail: str) -> Line:
        name = self.plan_names.get(row.plan_id)
        ref = f"{name}:{row.ref}" if name else row.ref
        owners = ", ".join(self.owners.get(row.id, [])) or "no owner"
        return Line(ref, owners, detail)


class LineList(Sequence[Line]):
    """A summary list: how long it is, and its lines, read when they are asked for. Chat shows
    five of thousands: those come with the summary (`PREFETCH`); more, for the full list, are
    read from the database then, in the summary's transaction or one of their own."""

    def __init__(
        self,
        make: _Lines | None = None,
        size: int = 0,
        more: Callable[[int, int], list[tuple[_Row, str]]] | None = None,
    ) -> None:
        self.make, self.size, self.more = make, size, more
        self.entries: list[tuple[_Row, str]] = []

    def add(self, row: _Row, detail: str) -> None:
        self.entries.append((row, detail))
        self.size += 1

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, index: int) -> Line: ...
    @overload
    def __getitem__(self, index: slice) -> list[Line]: ...
    def __getitem__(self, index: int | slice) -> Line | list[Line]:
        if isinstance(index, int):
            found = self[index : index + 1] if index >= 0 else self[index:][:1]
            if not found:
                raise IndexError(index)
            return found[0]
        start, stop, step = index.indices(self.size)
        if stop > len(self.entries) and self.more is not None:
            self.entries += self.more(len(self.entries), stop)
        assert self.make is not None or not self.entries
        chosen = self.entries[start:stop:step]
        return self.make.many(chosen) if self.make is not None else []

    def __iter__(self) -> Iterator[Line]:
        return iter(self[:])

    def __eq__(self, other: object) -> bool:
        return list(self) == other

    __hash__ = None  # type: ignore[assignment]


PREFETCH = 20  # lines of each list read with the summary: more than chat shows at once


class _Reader:
    """Reads the summary's lists and the owners of their actions: in the summary's own
    session while it is being made, then (`detach`) each time in a short transaction of its
    own, so a list read after the summary's transaction ended (the command line, a test) still
    reads the same organisation's rows."""

    def __init__(self, session: Session, plan_ids: list[int], today: date, now: datetime) -> None:
        self.session: Session | None = session
        bind = session.get_bind()
        self.engine = bind if isinstance(bind, Engine) else bind.engine
        self.org = org_of(session)
        self.plan_ids, self.today, self.now = plan_ids, today, now
        self.soon = today + timedelta(days=DUE_SOON_DAYS)
        self.cutoff = now.astimezone(UTC) - timedelta(days=STALE_DAYS)
        self.quiet = _Quiet(now)

    def detach(self) -> None:
        self.session = None

    def _read(self, query: Any) -> list[Any]:
        if self.session is not None:
            return _core(self.session, query)
        with transaction(self.engine, ALL if self.org is None else self.org) as session:
            return _core(session, query)

    def _open(self) -> list[Any]:
        return [col(Action.plan_id).in_(self.plan_ids), col(Action.status).not_in(CLOSED)]

    def _stale(self) -> Any:
        return _last_activity() < self.cutoff

    def counts(self) -> tuple[int, int]:
        """How many are due in the next 30 days, and how many have had no update for 90."""
        due = col(Action.target_date).between(self.today, self.soon)
        query = core_select(
            func.sum(case((due, 1), else_=0)), func.sum(case((self._stale(), 1), else_=0))
        ).where(*self._open())
        [(due_soon, stale)] = self._read(query)
        return int(due_soon or 0), int(stale or 0)

    def rows(self, which: str, start: int, stop: int) -> list[tuple[_Row, str]]:
        """Lines `start` to `stop` of a list: overdue (most overdue first), due soon, stale."""
        query = core_select(
            col(Action.id),
            col(Action.plan_id),
            col(Action.ref),
            col(Action.theme_id),
            # Read as text and converted here: SQLAlchemy's per-row type processing of enums,
            # dates and timestamps was the largest cost of a big summary.
            type_coerce(Action.status, String),
            type_coerce(Action.target_date, String),
            type_coerce(_last_activity(), String),
        ).where(*self._open())
        in_plan_order = (col(Action.plan_id), col(Action.position))
        if which == "overdue":
            query = query.where(col(Action.target_date) < self.today)
            query = query.order_by(col(Action.target_date), *in_plan_order)
        elif which == "due soon":
            query = query.where(col(Action.target_date).between(self.today, self.soon))
            query = query.order_by(*in_plan_order)
        else:
            query = query.where(self._stale()).order_by(*in_plan_order)
        statuses = {s.name: s for s in Status}
        rows = [
            _Row(i or 0, p, ref, theme, statuses[status], _day(target), _utc_text(when))
            for i, p, ref, theme, status, target, when in self._read(
                query.offset(start).limit(stop - start)
            )
        ]
        return [(row, self._detail(which, row)) for row in rows]

    def _detail(self, which: str, row: _Row) -> str:
        if which == "overdue" and row.target_date:
            return overdue_text((self.today - row.target_date).days)
        if which == "due soon" and row.target_date:
            return f"due {format_date(row.target_date)}"
        return f"no update for {span(self.quiet.days(row) or 0)}"

    def owners(self, action_ids: list[int]) -> dict[int, list[str]]:
        """The names of these actions' owning roles, in the plan's order."""
        found: dict[int, list[str]] = {}
        for start in range(0, len(action_ids), 2000):
            chunk = action_ids[start : start + 2000]
            query = (
                core_select(col(ActionOwner.action_id), col(Role.name))
                .join(Role, col(Role.id) == col(ActionOwner.role_id))
                .where(col(ActionOwner.action_id).in_(chunk))
                .order_by(col(ActionOwner.action_id), col(ActionOwner.position), col(Role.name))
            )
            for action_id, name in self._read(query):
                found.setdefault(action_id, []).append(name)
        return found


def _last_activity() -> Any:
    """When an action last had a note, or else when it was added."""
    last_note = (
        core_select(func.max(col(ProgressNote.created_at)))
        .where(col(ProgressNote.action_id) == col(Action.id))
        .scalar_subquery()
    )
    return func.coalesce(last_note, Action.created_at)


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


def _unheld_roles(session: Session, plan_ids: list[int]) -> list[str]:
    """The roles of open actions that nobody holds a role of: whom to appoint."""
    query = (
        core_select(col(Role.name))
        .join(ActionOwner, col(ActionOwner.role_id) == col(Role.id))
        .join(Action, col(Action.id) == col(ActionOwner.action_id))
        .where(col(Action.plan_id).in_(plan_ids), col(Action.status).not_in(CLOSED), ~_chased())
        .distinct()
    )
    return sorted(name for (name,) in _core(session, query))


def _core(session: Session, query: Any) -> list[Any]:
    """The driver's own rows (tuples), through SQLAlchemy Core: no ORM objects and no per-row
    result processing (every column read here is plain, or coerced to text and converted by
    the caller), which was most of a big summary's cost."""
    result = session.connection().execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


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
    session: Session, plan_ids: list[int], since: datetime | None, line: _Lines
) -> LineList:
    """Targets moved since the last summary: how many times, and by how much in all."""
    query = (
        core_select(
            col(Action.id),
            col(Action.plan_id),
            col(Action.ref),
            col(TargetRevision.old_date),
            col(TargetRevision.new_date),
        )
        .join(Action, col(Action.id) == col(TargetRevision.action_id))
        .where(col(Action.plan_id).in_(plan_ids))
        .order_by(col(TargetRevision.id))
    )
    if since is not None:
        query = query.where(col(TargetRevision.revised_at) > since)
    moved: dict[int, list[int]] = defaultdict(list)
    rows: dict[int, _Row] = {}
    for action_id, plan_id, ref, was, now in _core(session, query):
        old, new = _day(was), _day(now)
        moved[action_id].append((new - old).days if old and new else 0)
        rows[action_id] = _Row(action_id, plan_id, ref, None, Status.NOT_STARTED, None, "")
    lines = LineList(line)
    for action_id, shifts in moved.items():
        moved_by = sum(shifts)
        later = "later" if moved_by >= 0 else "earlier"
        lines.add(rows[action_id], f"revised {times(len(shifts))}, {span(moved_by)} {later} in all")
    return lines


def _themes(
    session: Session, plan_ids: list[int], groups: list[_Group], today: date
) -> list[ThemeProgress]:
    themes = session.exec(
        select(Theme)
        .where(col(Theme.plan_id).in_(plan_ids))
        .order_by(col(Theme.plan_id), col(Theme.position))
    ).all()
    by_theme: dict[int | None, list[_Group]] = defaultdict(list)
    for group in groups:
        by_theme[group.theme_id].append(group)
    return [
        _theme_progress(theme.title, by_theme[theme.id], today)
        for theme in themes
        if by_theme.get(theme.id)
    ]


def _theme_progress(title: str, groups: list[_Group], today: date) -> ThemeProgress:
    counts = dict.fromkeys(BUCKETS, 0)
    for group in groups:
        counts[group.bucket] += group.size
    rag, _ = _rag(groups, today)
    closed = counts["complete"] + counts["withdrawn"]
    return ThemeProgress(title, sum(counts.values()), closed, counts["overdue"], counts, rag)

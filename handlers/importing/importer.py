"""Importing an action plan from a sheet: new rows added, known rows updated, all or nothing.

Rows are matched to actions by their reference, so importing the same file again updates the
plan instead of duplicating it. A progress cell becomes a dated note (only when it changed), and
"Revised date 31st March 2020" in it becomes a target revision the board can see.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from handlers.chat.context import AppContext
from handlers.importing.layout import Idea, ParsedSheet, PlanRow, parse_sheet
from handlers.importing.sheets import read_rows
from handlers.importing.starts import StartChange, set_start
from handlers.importing.stored_targets import retarget, target_columns
from handlers.importing.target_cells import read_target, waits_for_start
from handlers.language.targets import Target, parse_target
from handlers.plans.people import get_or_create_role
from handlers.plans.progress import leading_status, move_target, revision_row
from handlers.plans.roles import AlikeRoles, alike_roles
from models.db import transaction
from models.tables import (
    Action,
    ActionOwner,
    Plan,
    ProgressNote,
    Status,
    TargetKind,
    TargetRevision,
    Theme,
    id_of,
)

IMPORT_SOURCE = "import"
_REVISED = re.compile(
    r"revised\s+(?:target\s+)?(?:date\s*)?(?:to\s*)?[:\-–]?\s*([^.\n;]{4,40})", re.I
)


@dataclass
class ImportReport:
    plan: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes_added: int = 0
    themes: int = 0
    unclear_targets: list[tuple[str, str, str]] = field(default_factory=list)  # ref, text, why
    # "Year 1" targets that wait for the plan's start: (ref, sheet row, text)
    waiting_for_start: list[tuple[str, int, str]] = field(default_factory=list)
    starts_on: date | None = None
    start_changes: list[StartChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Roles whose names look like one role spelled differently: reported, merged only when
    # someone confirms (handlers/plans/roles.py).
    alike_roles: list[AlikeRoles] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def plan_name_for(path: Path) -> str:
    """A plan name from a file name: 'Blackpool Audit 2019.xlsx' -> 'blackpool-audit-2019'."""
    return "-".join(re.findall(r"[a-z0-9]+", path.stem.lower())) or "plan"


def import_file(
    ctx: AppContext,
    path: Path,
    *,
    plan_name: str | None = None,
    title: str | None = None,
    overrides: dict[str, Idea] | None = None,
    starts: date | None = None,
) -> ImportReport:
    """Read, check and store a plan file in one transaction (SheetError if it can't be read).

    `starts` is the first day of the plan's first year, for targets such as "Year 1"; without
    it the plan keeps the start it was given before, if any.
    """
    parsed = parse_sheet(read_rows(path), overrides=overrides)
    name = plan_name or plan_name_for(path)
    with transaction(ctx.engine, ctx.org) as session:
        return store_plan(
            session,
            parsed,
            name=name,
            title=title or _title_from(parsed, name),
            source=path.name,
            now=ctx.now(),
            starts=starts,
        )


def store_plan(
    session: Session,
    parsed: ParsedSheet,
    *,
    name: str,
    title: str,
    source: str,
    now: datetime,
    starts: date | None = None,
) -> ImportReport:
    plan = _plan(session, name, title, source, now)
    # A new start first re-reads the targets already stored, so the rows below compare alike.
    start_changes = set_start(session, plan, starts, now) if starts is not None else []
    # In the sheet's own order, so the board report shows the columns as the committee knows them.
    plan.columns = {
        idea.value: parsed.headers[index] or idea.value.capitalize()
        for idea, index in sorted(parsed.columns.items(), key=lambda pair: pair[1])
        if index < len(parsed.headers)
    }
    report = ImportReport(plan=name, warnings=list(parsed.warnings), starts_on=plan.starts_on)
    report.start_changes = start_changes
    themes = _themes(session, plan, parsed)
    report.themes = len(themes)
    existing = {
        a.ref.lower(): a for a in session.exec(select(Action).where(Action.plan_id == plan.id))
    }
    today = now.date()
    targets = {
        row.ref: read_target(row.target, today=today, plan_start=plan.starts_on)
        for row in parsed.rows
    }
    new_rows = [row for row in parsed.rows if row.ref.lower() not in existing]
    for row in parsed.rows:
        if row.ref.lower() in existing:
            changed = _update_action(
                session, existing[row.ref.lower()], row, themes, targets[row.ref], now
            )
            report.updated += changed
            report.unchanged += not changed
    _insert_actions(session, plan, new_rows, themes, targets, now)
    report.created = len(new_rows)
    actions = {a.ref: a for a in session.exec(select(Action).where(Action.plan_id == plan.id))}
    _set_owners(
        session,
        [(actions[r.ref], r.owners) for r in parsed.rows],
        only_new={r.ref for r in new_rows},
    )
    pairs = [(actions[r.ref], r) for r in parsed.rows]
    report.notes_added = _progress_notes(session, plan, pairs, source, now)
    report.warnings += [
        f"{ref}: target read, but {t.problem}."
        for ref, t in targets.items()
        if t.kind != "unclear" and t.problem and t.problem.startswith("not a date")
    ]
    report.unclear_targets = [
        (ref, t.text, t.problem or "")
        for ref, t in targets.items()
        if t.kind == "unclear" and not waits_for_start(t)
    ]
    report.waiting_for_start = [
        (row.ref, row.row, row.target) for row in parsed.rows if waits_for_start(targets[row.ref])
    ]
    report.alike_roles = alike_roles(session, among={o for r in parsed.rows for o in r.owners})
    return report


def _plan(session: Session, name: str, title: str, source: str, now: datetime) -> Plan:
    plan = session.exec(select(Plan).where(Plan.name == name)).first()
    if plan is None:
        plan = Plan(name=name, title=title, source_file=source, created_at=now)
    plan.source_file = source
    plan.title = title or plan.title
    session.add(plan)
    session.flush()
    return plan


def _title_from(parsed: ParsedSheet, name: str) -> str:
    """The most telling title line above the header, else the plan name in words."""
    lines = [t for t in parsed.title_lines if len(t) > 15]
    return max(lines, key=len) if lines else name.replace("-", " ").capitalize()


def _themes(session: Session, plan: Plan, parsed: ParsedSheet) -> dict[str, int]:
    known = {t.title: t for t in session.exec(select(Theme).where(Theme.plan_id == plan.id))}
    for position, row in enumerate(parsed.themes, start=1):
        theme = known.get(row.title) or Theme(
            plan_id=id_of(plan), title=row.title, position=position
        )
        theme.position, theme.description = position, row.description
        session.add(theme)
        known[row.title] = theme
    session.flush()
    return {title: t.id for title, t in known.items() if t.id is not None}


def _content_columns(row: PlanRow, themes: dict[str, int]) -> dict[str, Any]:
    return {
        "theme_id": themes.get(row.theme) if row.theme else None,
        "ref_generated": row.ref_generated,
        "position": row.row,
        "recommendation": row.recommendation,
        "action": row.action,
        "priority": row.priority,
        "measure": row.measure,
        "extra": dict(row.extra),
    }


def _insert_actions(
    session: Session,
    plan: Plan,
    rows: list[PlanRow],
    themes: dict[str, int],
    targets: dict[str, Target],
    now: datetime,
) -> None:
    """New actions in one statement: a 10,000-row plan must import in seconds."""
    if not rows:
        return
    values = [
        {
            "plan_id": plan.id,
            "ref": row.ref,
            "status": Status.NOT_STARTED,
            "created_at": now,
            "updated_at": now,
            **_content_columns(row, themes),
            **target_columns(targets[row.ref]),
        }
        for row in rows
    ]
    session.execute(insert(Action), values)


def _update_action(
    session: Session,
    action: Action,
    row: PlanRow,
    themes: dict[str, int],
    target: Target,
    now: datetime,
) -> bool:
    """Bring an action in line with its row; a changed target is recorded as a revision."""
    changed = False
    for name, value in _content_columns(row, themes).items():
        if getattr(action, name) != value:
            setattr(action, name, value)
            changed = True
    # The same words now understood (a plan read before its start was given, or by an older
    # engagebot) are read again too.
    newly_read = action.target_kind == TargetKind.UNCLEAR and target.kind != "unclear"
    if target.text != action.target_text or newly_read:
        retarget(session, action, target, by="imported", now=now)
        changed = True
    if changed:
        action.updated_at = now
        session.add(action)
    return changed


def _set_owners(
    session: Session, pairs: Iterable[tuple[Action, tuple[str, ...]]], only_new: set[str]
) -> None:
    """Link actions to their roles, in the plan's order; changed links are replaced."""
    roles: dict[str, int] = {}
    current = _current_owners(session, [a.id or 0 for a, _ in pairs if a.ref not in only_new])
    stale: list[int] = []
    links: list[dict[str, int]] = []
    for action, owners in pairs:
        wanted = list(dict.fromkeys(_role_id(session, roles, name) for name in owners))
        if action.ref not in only_new:
            if current.get(action.id or 0, []) == wanted:
                continue
            stale.append(action.id or 0)
        links += [
            {"action_id": action.id or 0, "role_id": r, "position": i} for i, r in enumerate(wanted)
        ]
    table = ActionOwner.__table__  # type: ignore[attr-defined]
    connection = session.connection()
    for start in range(0, len(stale), 2000):
        chunk = stale[start : start + 2000]
        connection.execute(delete(table).where(table.c.action_id.in_(chunk)))
    if links:
        connection.execute(insert(table), links)


def _current_owners(session: Session, action_ids: list[int]) -> dict[int, list[int]]:
    table = ActionOwner.__table__  # type: ignore[attr-defined]
    found: dict[int, list[int]] = {}
    for start in range(0, len(action_ids), 2000):
        chunk = action_ids[start : start + 2000]
        query = (
            select(table.c.action_id, table.c.role_id)
            .where(table.c.action_id.in_(chunk))
            .order_by(table.c.action_id, table.c.position)
        )
        for action_id, role_id in session.connection().execute(query):
            found.setdefault(action_id, []).append(role_id)
    return found


def _role_id(session: Session, cache: dict[str, int], name: str) -> int:
    if name not in cache:
        role = get_or_create_role(session, name)
        cache[name] = role.id or 0
    return cache[name]


def _progress_notes(
    session: Session, plan: Plan, pairs: list[tuple[Action, PlanRow]], source: str, now: datetime
) -> int:
    """A changed progress cell becomes a new note; its status and revised date are applied.

    Written with Core inserts: ten thousand ORM objects would take seconds to build.
    """
    last = _last_imported_notes(session, plan)
    author = f"imported from {source}"
    changed = [
        (action, row, row.progress.strip())
        for action, row in pairs
        if row.progress.strip() and last.get(action.id or 0) != row.progress.strip()
    ]
    rows: list[dict[str, Any]] = [
        {
            "action_id": id_of(action),
            "created_at": now,
            "author_name": author,
            "text": text,
            "status": _status_of(row) or Status.IN_PROGRESS,
            "revised_target": _revised_date(text, now.date()),
            "source": IMPORT_SOURCE,
        }
        for action, row, text in changed
    ]
    if not rows:
        return 0
    table = ProgressNote.__table__  # type: ignore[attr-defined]
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids = list(session.connection().execute(statement, rows).scalars())
    revisions = []
    for (action, _, _), note, note_id in zip(changed, rows, ids, strict=True):
        action.status = note["status"]
        new_date = note["revised_target"]
        if new_date and new_date != action.target_date:
            revisions.append(revision_row(action, new_date, note_id=note_id, by=author, now=now))
            move_target(action, new_date)
        session.add(action)
    if revisions:
        session.connection().execute(insert(TargetRevision.__table__), revisions)  # type: ignore[attr-defined]
    return len(rows)


def _status_of(row: PlanRow) -> Status | None:
    return leading_status(row.status) if row.status else leading_status(row.progress)


def _revised_date(text: str, today: date) -> date | None:
    """The date after "revised date", read from the longest run of words that is a date."""
    match = _REVISED.search(text)
    if not match:
        return None
    words = match.group(1).split()
    for length in range(min(len(words), 6), 0, -1):
        target = parse_target(" ".join(words[:length]), today=today)
        if target.kind == "date":
            return target.due
    return None


def _last_imported_notes(session: Session, plan: Plan) -> dict[int, str]:
    query = (
        select(ProgressNote.action_id, ProgressNote.text)
        .join(Action, col(Action.id) == col(ProgressNote.action_id))
        .where(Action.plan_id == plan.id, ProgressNote.source == IMPORT_SOURCE)
        .order_by(col(ProgressNote.id))
    )
    return {action_id: text for action_id, text in session.exec(query)}

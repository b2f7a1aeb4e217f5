"""A plan's start: read as people write it, and applied to the plan's "Year N" targets.

Targets written as years of the plan ("Year 1", "Years 1, 2 and 3") wait, unclear, until the
plan's start is known. Giving it (at import with `--starts 2010-04`, or later with
`engagebot plans set-start`) reads them again; each change is reported. A date that moves is
kept in the action's revision history, and a target revised since it was read (in chat, or by
a progress note) is left as it is and reported, not overwritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from handlers.importing.stored_targets import retarget
from handlers.importing.target_cells import read_target
from handlers.language.targets import (
    MONTH_NAMES,
    MONTHS,
    YEAR_MAX,
    YEAR_MIN,
    Target,
    format_date,
)
from models.tables import Action, Plan

_ISO = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")
_NUMERIC = re.compile(r"(?:(\d{1,2})[/.])?(\d{1,2})[/.](\d{4})")
_MONTH_YEAR = re.compile(r"(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?([a-z]+)\.?,?\s+(\d{4})")
_FINANCIAL_YEAR = re.compile(r"(?:fy\s*)?(\d{4})\s*[/-]\s*(\d{2}|\d{4})")
# Only cells that mention years of the plan are read again when the start changes.
_MENTIONS_YEARS = re.compile(r"\by(?:ea)?rs?\b", re.IGNORECASE)
EXAMPLES = "2010-04, April 2010, 01/04/2010 or 2010/11"


def parse_start(text: str) -> date:
    """'2010-04', 'April 2010', '1/4/2010', '2010/11' (a financial year: 1 April 2010).

    ValueError, saying what is wanted, for anything else.
    """
    s = " ".join(text.lower().split())
    try:
        day = _start_of(s)
    except ValueError:
        day = None
    if day is None or not YEAR_MIN <= day.year <= YEAR_MAX:
        raise ValueError(
            f"'{text}' is not a start date I can read. Give the month the plan's first year "
            f"starts, for example {EXAMPLES}."
        )
    return day


def _start_of(s: str) -> date | None:
    if m := _ISO.fullmatch(s):
        return date(int(m[1]), int(m[2]), int(m[3] or 1))
    if m := _NUMERIC.fullmatch(s):
        return date(int(m[3]), int(m[2]), int(m[1] or 1))
    if (m := _MONTH_YEAR.fullmatch(s)) and m[2] in MONTHS:
        return date(int(m[3]), MONTHS[m[2]], int(m[1] or 1))
    if m := _FINANCIAL_YEAR.fullmatch(s):
        first, second = int(m[1]), int(m[2])
        if second % 100 == (first + 1) % 100:
            return date(first, 4, 1)
    return None


def describe_start(day: date) -> str:
    """'April 2010' for the first of a month (as people give it), else '15 April 2010'."""
    return f"{MONTH_NAMES[day.month]} {day.year}" if day.day == 1 else format_date(day)


@dataclass(frozen=True)
class StartChange:
    """One action whose target reads differently with the plan's new start."""

    ref: str
    text: str  # the target as written
    before: str  # what it was understood as
    after: str  # what it is understood as now
    kept: bool = False  # its date was revised since it was read: left as it is


def set_start(session: Session, plan: Plan, start: date, now: datetime) -> list[StartChange]:
    """Give `plan` its start, and read its plan-year targets again (see the module docstring)."""
    before = plan.starts_on
    plan.starts_on = start
    session.add(plan)
    if before == start:
        return []
    by = f"plan start set to {describe_start(start)}"
    query = select(Action).where(Action.plan_id == plan.id).order_by(col(Action.position))
    changes: list[StartChange] = []
    for action in session.exec(query):
        if not _MENTIONS_YEARS.search(action.target_text):
            continue
        old = read_target(action.target_text, today=now.date(), plan_start=before)
        new = read_target(action.target_text, today=now.date(), plan_start=start)
        if _reading(old) == _reading(new):
            continue
        revised_since = old.kind != "recurring" and action.target_date != old.due
        if revised_since:
            changes.append(
                StartChange(action.ref, action.target_text, _kept(action), _shown(new), kept=True)
            )
            continue
        changes.append(StartChange(action.ref, action.target_text, _shown(old), _shown(new)))
        retarget(session, action, new, by=by, now=now)
        session.add(action)
    return changes


def _reading(target: Target) -> tuple[object, ...]:
    return (target.kind, target.due, target.start, target.milestones, target.recurrence)


def _shown(target: Target) -> str:
    if target.kind == "unclear":
        return "waiting for the plan's start"
    return target.describe()


def _kept(action: Action) -> str:
    return format_date(action.target_date) if action.target_date else "no date"

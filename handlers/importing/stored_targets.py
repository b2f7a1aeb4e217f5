"""Storing what was understood of a target on its action, and moving it when that changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from handlers.language.targets import Target
from handlers.plans.progress import revise_target
from models.tables import Action, TargetKind


def target_columns(target: Target) -> dict[str, Any]:
    """The action's target columns for `target`."""
    return {
        "target_text": target.text,
        "target_kind": TargetKind(target.kind),
        "target_date": target.due,
        "target_start": target.start,
        "recurrence": target.recurrence.to_text() if target.recurrence else "",
        "milestones": [d.isoformat() for d in target.milestones],
        "target_problem": target.problem or "",
    }


def retarget(session: Session, action: Action, target: Target, *, by: str, now: datetime) -> None:
    """Give `action` the target `target`; a date that moves is kept in its revision history."""
    old_date, old_text = action.target_date, action.target_text
    for name, value in target_columns(target).items():
        setattr(action, name, value)
    action.next_nudge_on = None  # the reminder schedule is worked out again
    if old_date is not None and target.due is not None and old_date != target.due:
        action.target_date, action.target_text = old_date, old_text
        revise_target(session, action, target.due, note=None, by=by, now=now)
        action.target_text = target.text

"""Recording progress: a note, a status, a revised target, all in the caller's transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from handlers.language.targets import format_date
from handlers.language.text import readable
from models.tables import Action, Person, ProgressNote, Status, TargetKind, TargetRevision, id_of

MAX_NOTE_CHARS = 4000  # about a page; longer belongs in a document the note can point to

# Words officers use for each status, most specific first ("partially complete" before "complete").
_STATUS_WORDS: list[tuple[Status, str]] = [
    (Status.PARTIALLY_COMPLETE, r"partial(ly)?[\s-]*(complete|completed|done)|part[\s-]*complete"),
    (Status.NOT_STARTED, r"not[\s-]*(yet[\s-]*)?started"),
    (Status.WITHDRAWN, r"withdrawn|no longer (part of|required|needed)|dropped|cancell?ed"),
    (Status.DELAYED, r"delayed|behind|slipp(ed|ing)|on hold|stalled|late"),
    (Status.COMPLETE, r"complete[d]?|done|finished|achieved|closed"),
    (
        Status.IN_PROGRESS,
        r"in[\s-]*progress|on[\s-]*going|on[\s-]*track|underway|under way|started",
    ),
]


class UpdateError(ValueError):
    """An update that cannot be saved, with the reason in words the officer can act on."""


@dataclass(frozen=True)
class Update:
    status: Status | None
    note: str
    new_date: date | None


def parse_status(text: str) -> Status | None:
    """A status named in a short answer ("complete", "on going", "partially done")."""
    lowered = text.lower().strip()
    for status in Status:
        if lowered in (status.value, status.name.lower()):
            return status
    for status, pattern in _STATUS_WORDS:
        if re.search(rf"\b({pattern})\b", lowered):
            return status
    return None


def leading_status(text: str) -> Status | None:
    """The status a progress cell opens with ("Partially Complete – Revised date ...")."""
    lowered = text.lower()
    for status, pattern in _STATUS_WORDS:
        if re.match(rf"\s*({pattern})\b", lowered):
            return status
    return None


def check_note(note: str) -> str:
    """The note as it will be stored, or an UpdateError saying what is wrong with it."""
    cleaned = readable(note).strip()  # NUL can't be stored, nor other controls opened in Word
    if len(cleaned) > MAX_NOTE_CHARS:
        raise UpdateError(
            f"That note is {len(cleaned):,} characters; the limit is {MAX_NOTE_CHARS:,}. "
            "Please shorten it, or split it into two updates."
        )
    return cleaned


def check_new_date(new_date: date, today: date) -> None:
    if new_date < today:
        raise UpdateError(
            f"{format_date(new_date)} is in the past. A revised target must be today or later."
        )


def record_update(
    session: Session,
    action: Action,
    update: Update,
    *,
    author: Person | None,
    now: datetime,
    source: str,
    source_key: str | None = None,
) -> ProgressNote | None:
    """Append the note and apply its status and date. Returns None if this event was seen."""
    if source_key and already_recorded(session, source_key):
        return None
    note = ProgressNote(
        action_id=id_of(action),
        created_at=now,
        author_id=author.id if author else None,
        author_name=author.name if author else "",
        text=check_note(update.note),
        status=update.status,
        revised_target=update.new_date,
        source=source,
        source_key=source_key,
    )
    session.add(note)
    session.flush()
    if update.status is not None:
        action.status = update.status
    if update.new_date is not None and update.new_date != action.target_date:
        revise_target(session, action, update.new_date, note=note, by=note.author_name, now=now)
    action.updated_at = now
    session.add(action)
    return note


def revise_target(
    session: Session,
    action: Action,
    new_date: date,
    *,
    note: ProgressNote | None,
    by: str,
    now: datetime,
) -> None:
    """Move the target and keep the old one in the revision history."""
    row = revision_row(action, new_date, note_id=note.id if note else None, by=by, now=now)
    session.add(TargetRevision(**row))
    move_target(action, new_date)


def revision_row(
    action: Action, new_date: date, *, note_id: int | None, by: str, now: datetime
) -> dict[str, Any]:
    """The history row for moving `action`'s target to `new_date` (before it is moved)."""
    return {
        "action_id": id_of(action),
        "revised_at": now,
        "old_date": action.target_date,
        "new_date": new_date,
        "old_text": action.target_text,
        "new_text": format_date(new_date),
        "note_id": note_id,
        "by_name": by,
    }


def move_target(action: Action, new_date: date) -> None:
    action.target_date = new_date
    action.next_nudge_on = None  # the reminder schedule is worked out again
    if action.target_kind in (TargetKind.NONE, TargetKind.UNCLEAR, TargetKind.ONGOING):
        action.target_kind = TargetKind.DATE
        action.target_problem = ""


def already_recorded(session: Session, source_key: str) -> bool:
    query = select(ProgressNote.id).where(ProgressNote.source_key == source_key)
    return session.exec(query).first() is not None

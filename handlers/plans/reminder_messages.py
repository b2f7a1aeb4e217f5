"""The words of reminders: one message per officer listing every action that needs them."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from handlers.chat import intents
from handlers.chat.messages import Choice, Field, Item, Reply
from handlers.language.quantities import overdue, plural, span
from handlers.language.targets import format_date
from handlers.language.text import given_name
from handlers.plans.actions import (
    button_key,
    describe_target,
    qualified_ref,
    short,
    status_text,
)
from handlers.plans.people import owner_roles
from models.tables import Action, Consultation, Person

REPLY_HINT = (
    "Reply here in your own words, e.g. 'R1 drafted and out for feedback, new date end of "
    "March', or use the buttons."
)


def reminder_choices(key: str) -> tuple[Choice, ...]:
    """A reminder's buttons for the action `key` names (`button_key`)."""
    return (
        Choice("Add update", intents.add_update(key), "primary"),
        Choice("Mark complete", intents.reminder("complete", key)),
        Choice("Needs a new date", intents.reminder("newdate", key)),
        Choice("Snooze a week", intents.reminder("snooze", key)),
        Choice("Not mine", intents.reminder("notmine", key), "danger"),
    )


def when_text(kind: str, action: Action, today: date) -> str:
    """'Due 30 September 2020 (in 3 weeks)', 'Due today', '2 years overdue', 'Ongoing: …'."""
    if kind == "check":
        return "Ongoing: time for a progress check"
    due = action.target_date
    if kind.startswith("lead-") and due:
        days = (due - today).days
        return f"Due {format_date(due)} (in {span(days)})"
    if kind == "due":
        return "Due today" if due == today else f"Due {format_date(due) if due else ''}"
    if due and due < today:
        return overdue((today - due).days).capitalize()
    return "Needs an update"


def _item(session: Session, action: Action, kind: str, today: date) -> Item:
    return Item(
        heading=f"{action.ref}: {when_text(kind, action, today)}",
        body=short(action.recommendation or action.action, 200),
        fields=(
            Field("Status", status_text(action, today)),
            Field("Target", describe_target(session, action)),
        ),
        choices=reminder_choices(button_key(action)),
    )


def officer_message(
    session: Session,
    person: Person | None,
    nudges: list[tuple[Action, str, bool]],
    today: date,
) -> Reply:
    """All of one officer's due actions in one message; missed ones are said to be late."""
    name = given_name(person.name) if person else ""
    late = any(was_late for _, _, was_late in nudges)
    need = "needs" if len(nudges) == 1 else "need"
    greeting = f"Good morning{' ' + name if name else ''}."
    opening = f"{greeting} {plural(len(nudges), 'action')} {need} your update"
    if late:
        opening += " (some came due while I was offline)"
    items = tuple(_item(session, a, kind, today) for a, kind, _ in nudges)
    return Reply(f"{opening}.", items=items, note=REPLY_HINT, private=True)


def escalation_message(
    session: Session, nudges: list[tuple[Action, str, bool]], today: date
) -> Reply:
    """For the chair: overdue actions whose officers have not answered two nudges."""
    items = []
    for action, _, _ in nudges:
        owners = ", ".join(r.name for r in owner_roles(session, action)) or "no owner"
        items.append(
            Item(
                heading=f"{qualified_ref(session, action)}: {when_text('overdue', action, today)}",
                body=short(action.recommendation or action.action, 200),
                fields=(Field("Owner", owners), Field("Status", action.status.label)),
            )
        )
    count = len(items)
    text = (
        f"{count} overdue action{'s have' if count != 1 else ' has'} had no answer to two "
        "reminders. You may want to raise them with the officers or at the next meeting."
    )
    return Reply(text, items=tuple(items))


_WE_DID = (
    "It is on the public engagement page, and residents can see that 'we did' is missing. "
    'Please add what was decided: engagebot consultations update {id} --you-said-we-did "…"'
)
_CONSULTATION_ASKS = {
    "closed": "Please record what was heard (participation, findings) and plan the feedback.",
    "feedback": "The feedback ('you said, we did') is due within a week: please publish it.",
    "we-did": _WE_DID,
    "we-did-again": "A second reminder. " + _WE_DID,
}


def consultation_message(
    person: Person | None, consultations: list[Consultation], kinds: list[str]
) -> Reply:
    """For a consultation's lead: it has closed, so record what was heard and feed back."""
    items = []
    for consultation, kind in zip(consultations, kinds, strict=False):
        ended = format_date(consultation.planned_end) if consultation.planned_end else "recently"
        ask = _CONSULTATION_ASKS.get(kind, _CONSULTATION_ASKS["feedback"]).format(
            id=consultation.id
        )
        where = "on the public page" if kind.startswith("we-did") else f"ended {ended}"
        items.append(Item(heading=f"{consultation.title} ({where})", body=ask))
    name = given_name(person.name) if person else ""
    text = f"Hello{' ' + name if name else ''}. A consultation you lead has closed."
    return Reply(text, items=tuple(items), private=True)


def notice_not_mine(session: Session, action: Action, who: Person | None) -> Reply:
    owners = ", ".join(r.name for r in owner_roles(session, action)) or "no owner"
    name = who.name if who else "Someone"
    return Reply(
        f"{name} says {qualified_ref(session, action)} is not theirs. It is owned by: {owners}. "
        "The role may be wrong or held by someone else now: check with "
        "`engagebot people assign`.",
        items=(Item(heading=action.ref, body=short(action.recommendation or action.action)),),
    )


def notice_unreachable(who: Person, reason: str) -> Reply:
    """For a plan's admins: an officer the bot can no longer reach, and what to do."""
    return Reply(
        f"I can't reach {who.name or who.email or 'an officer'} for their reminders: {reason}. "
        "Please ask them to write to the bot, or chase them another way."
    )


def notice_undelivered(who: Person, reason: str) -> Reply:
    """For a plan's admins: a reminder that has kept failing to go out for many hours."""
    return Reply(
        f"A reminder to {who.name or who.email or 'an officer'} has not gone out for many hours "
        f"({reason}). I keep trying; meanwhile you may want to chase them another way."
    )


ROOM_POSTS = {"summary": "The scheduled summary", "escalation": "An escalation"}


def notice_room_refused(room: str, kind: str, reason: str) -> Reply:
    """For a plan's admins: a post to the plan's room was refused, and what to do about it."""
    what = ROOM_POSTS.get(kind, "A message")
    return Reply(
        f"{what} for channel {room} wasn't posted: {reason}. "
        "Once that is fixed, the next one will go there as usual."
    )

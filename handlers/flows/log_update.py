"""Log a message as a progress update: the update form, filled in from someone's words.

A channel that can turn a message into an update (Slack's message shortcut "Log as progress
update") opens this form with the message's text. The text becomes the note, and the action,
status and new date are read from it as a reminder reply would be (handlers/language/replies.py);
what cannot be read is left for the person to pick. Nothing is saved until they press Save,
through the update form's own checks. In a chat without forms, "log as update: …" does the
same through the update conversation's confirmation.
"""

from __future__ import annotations

from pydantic import BaseModel

from handlers.chat.flow import Flow, FormHandlers, command
from handlers.chat.messages import Choice, Form, Input, Submitted, Turn, say
from handlers.chat.request import Request
from handlers.flows import update
from handlers.flows.commands import UNKNOWN_PERSON
from handlers.language.replies import Candidate, ParsedReply, parse_reply
from handlers.language.targets import format_date
from handlers.plans.actions import actions_of, button_key, short
from handlers.plans.progress import MAX_NOTE_CHARS, Update, UpdateError, check_note
from models.tables import Action

NAME = "log"
MAX_OPTIONS = 100  # a longer list of actions is cut: the soonest due come first


def open_form(req: Request, text: str) -> Form | Turn:
    """The update form with `text` as its note and the action it is about picked, if clear."""
    if req.who is None:
        return say(UNKNOWN_PERSON, private=True)
    actions = actions_of(req.session, req.who)[:MAX_OPTIONS]
    if not actions:
        return say("You have no open actions to log this against.", private=True)
    words = text.strip()
    if not words:
        return say("That message has no words to log as an update.", private=True)
    reading = _reading(req, actions, words)
    action = next((a for a in actions if a.ref == reading.ref), None) if reading.ref else None
    status = reading.status or (action.status if action else None)
    certain = reading.new_date is not None and not (
        reading.ask_date or reading.date_needs_confirmation
    )
    found = (
        f"It looks like {action.ref}: check it, then Save."
        if action
        else "Pick the action it is about."
    )
    return Form(
        name=NAME,
        key="",
        title="Log as update",
        submit="Save",
        intro=f"{found} Nothing is saved until you press Save.",
        inputs=(
            Input(
                "action",
                "Action",
                "select",
                _options(actions),
                initial=button_key(action) if action else "",
            ),
            Input(
                "status",
                "Status",
                "select",
                update.FORM_STATUS_CHOICES,
                initial=status.value if status else "",
            ),
            Input(
                "note",
                "Progress",
                "long_text",
                optional=True,
                initial=words[:MAX_NOTE_CHARS],
                max_length=MAX_NOTE_CHARS,
            ),
            Input(
                "new_date",
                "New target date",
                "date",
                optional=True,
                initial=reading.new_date.isoformat() if certain and reading.new_date else "",
                hint="Only if the target has moved.",
            ),
        ),
    )


def submit(req: Request, key: str, values: dict[str, str], submission_id: str) -> Submitted:
    """The chosen action's update, checked and saved as the update form's would be."""
    chosen = values.get("action", "").strip()
    if not chosen:
        return Submitted({"action": "Pick the action this update is about."})
    result = update.submit(req, chosen, values, submission_id)
    if "status" in result.errors and "find the action" in result.errors["status"]:
        return Submitted({"action": result.errors["status"]})
    return result


def log_in_chat(req: Request, text: str) -> Turn:
    """ "log as update: R7 the register is live": read, then confirmed before it is saved."""
    if req.who is None:
        return say(UNKNOWN_PERSON, private=True)
    actions = actions_of(req.session, req.who)
    reading = _reading(req, actions, text.strip())
    action = next((a for a in actions if a.ref == reading.ref), None) if reading.ref else None
    if action is None:
        return say(
            "Which action is that about? Start it with the reference, e.g. "
            "'log as update: R4 draft agreed'. 'my actions' lists yours."
        )
    try:
        note = check_note(reading.note)
    except UpdateError as err:
        return say(f"{err} Nothing was saved.")
    problem = reading.date_problem or ""
    if not problem and reading.date_in_past and reading.new_date:
        problem = (
            f"{format_date(reading.new_date)} is in the past: a revised target must be today "
            "or later."
        )
    return update.propose(
        req,
        action,
        Update(status=reading.status, note=note, new_date=reading.new_date),
        date_problem=problem,
        check=reading.date_needs_confirmation,
        ask_status=reading.ask_status,
    )


def _reading(req: Request, actions: list[Action], text: str) -> ParsedReply:
    candidates = [
        Candidate(a.ref, a.recommendation or a.action, status=a.status, target=a.target_date)
        for a in actions
    ]
    return parse_reply(text, candidates, today=req.ctx.today())


def _options(actions: list[Action]) -> tuple[Choice, ...]:
    return tuple(
        Choice(f"{a.ref} · {short(a.recommendation or a.action, 60)}", button_key(a))
        for a in actions
    )


FLOW: Flow[BaseModel] = Flow(
    name=NAME,
    entries=(
        command(
            r"log (?:this |it )?as (?:an? )?(?:progress )?update:?\s+(?P<text>[\s\S]+)",
            lambda r, m: log_in_chat(r, m["text"]),
        ),
    ),
    form=FormHandlers(open=open_form, submit=submit),
)

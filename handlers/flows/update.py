"""The progress-update conversation: "update R4" → status? → note? → new date? → save?

Each step reads the answer, checks it, and either asks again (saying what was wrong) or moves on.
Nothing is written until the officer presses Save; then note, status and date go in together.
"""

from __future__ import annotations

import uuid
from datetime import date

from handlers.chat.messages import Choice, Form, Input, Reply, Submitted, Turn, say
from handlers.chat.request import Request
from handlers.language.targets import format_date, parse_date_answer
from handlers.plans.actions import describe_target, find_by_ref, qualified_ref, short
from handlers.plans.people import may_update
from handlers.plans.progress import (
    MAX_NOTE_CHARS,
    Update,
    UpdateError,
    already_recorded,
    check_new_date,
    check_note,
    parse_status,
    record_update,
)
from models.tables import Action, Status

FLOW = "update"
KEEP = "keep"
SKIP_WORDS = {"skip", "none", "no", "nothing", "-", "n/a", "keep", "no change", "same"}

STATUS_CHOICES = tuple(Choice(s.label, s.value) for s in Status) + (Choice("Keep as it is", KEEP),)


def start(req: Request, ref: str) -> Turn:
    """Begin an update of the action `ref`, if it exists and the asker may update it."""
    if not ref:
        return say("Which action? Say e.g. 'update R4' — 'my actions' lists yours.")
    action, problem = pick_action(req, ref)
    if action is None:
        return problem
    if not may_update(req.session, req.who, action):
        return refusal(action)
    return _ask_status(req, action, new_data(action), intro=True)


def refusal(action: Action) -> Turn:
    return say(
        f"You can't update {action.ref}: only the people holding its role, their deputies "
        "and the plan's admins can. Nothing was changed.",
        private=True,
    )


def step(req: Request, name: str, data: dict[str, object]) -> Turn:
    action = req.session.get(Action, data["action_id"])
    if action is None:  # deleted between turns: nothing sensible to carry on with
        return say("That action no longer exists, so I've stopped the update.")
    steps = {
        "status": _on_status,
        "note": _on_note,
        "date": _on_date,
        "date_check": _on_date_check,
        "confirm": _on_confirm,
    }
    return steps[name](req, action, data)


def pick_action(req: Request, ref: str) -> tuple[Action | None, Turn]:
    found = find_by_ref(req.session, ref)
    if len(found) > 1:
        mine = [a for a in found if may_update(req.session, req.who, a)]
        found = mine or found
    if not found:
        return None, say(f"I can't find an action '{ref}'. 'my actions' lists yours.")
    if len(found) > 1:
        choices = tuple(
            Choice(qualified_ref(req.session, a), f"update {qualified_ref(req.session, a)}")
            for a in found
        )
        return None, say(f"There are several actions called {ref}. Which one?", choices=choices)
    return found[0], say("")


def _ask_status(req: Request, action: Action, data: dict[str, object], intro: bool) -> Turn:
    text = "What's the status now?"
    if intro:
        text = (
            f"Updating {action.ref}: {short(action.recommendation or action.action, 150)}\n"
            f"Now: {action.status.label}, target {describe_target(req.session, action)}.\n{text}"
        )
    reply = Reply(text, choices=STATUS_CHOICES, note="Say 'cancel' at any point to stop.")
    return Turn((reply,), FLOW, "status", data)


def _on_status(req: Request, action: Action, data: dict[str, object]) -> Turn:
    answer = req.answer
    status = None if answer.lower() in (KEEP, "keep as it is", "same") else parse_status(answer)
    if status is None and answer.lower() not in (KEEP, "keep as it is", "same"):
        reply = Reply(
            f"I didn't recognise '{short(answer, 60)}' as a status. Pick one:",
            choices=STATUS_CHOICES,
        )
        return Turn((reply,), FLOW, "status", data)
    data = {**data, "status": status.value if status else None}
    text = "What progress has been made? One message is fine ('skip' for no note)."
    return Turn((Reply(text),), FLOW, "note", data)


def _on_note(req: Request, action: Action, data: dict[str, object]) -> Turn:
    text = req.msg.text
    note = "" if text.strip().lower() in SKIP_WORDS else text
    try:
        note = check_note(note)
    except UpdateError as err:
        return Turn((Reply(f"{err} Nothing has been saved yet."),), FLOW, "note", data)
    data = {**data, "note": note}
    if data.get("status") in (Status.COMPLETE.value, Status.WITHDRAWN.value):
        return confirm(req, action, data)
    return ask_date(req, action, data)


def ask_date(req: Request, action: Action, data: dict[str, object], problem: str = "") -> Turn:
    text = (
        f"{problem + ' ' if problem else ''}New target date? It is now "
        f"{describe_target(req.session, action)}. Say a date (31/03/2027, 'end of March') "
        "or 'keep'."
    )
    return Turn(
        (Reply(text.strip(), choices=(Choice("Keep the date", KEEP),)),), FLOW, "date", data
    )


def _on_date(req: Request, action: Action, data: dict[str, object]) -> Turn:
    answer = req.answer
    if answer.lower() in SKIP_WORDS:
        return confirm(req, action, {**data, "new_date": None})
    parsed = parse_date_answer(answer, today=req.ctx.today())
    if parsed.day is None:
        return ask_date(req, action, data, problem=parsed.problem or "I couldn't read that date.")
    try:
        check_new_date(parsed.day, req.ctx.today())
    except UpdateError as err:
        return ask_date(req, action, data, problem=str(err))
    data = {**data, "new_date": parsed.day.isoformat()}
    if parsed.needs_confirmation:
        return check_date(parsed.day, data)
    return confirm(req, action, data)


def check_date(day: date, data: dict[str, object]) -> Turn:
    """Ask whether a relative date ("next Friday") was read right before using it."""
    text = f"Do you mean {day:%A} {format_date(day)}?"
    choices = (Choice("Yes", "yes", "primary"), Choice("No", "no"))
    return Turn(
        (Reply(text, choices=choices),), FLOW, "date_check", {**data, "new_date": day.isoformat()}
    )


def new_data(action: Action) -> dict[str, object]:
    """The state of a fresh update; the token names it, so a double-clicked Save counts once."""
    return {"action_id": action.id, "ref": action.ref, "token": uuid.uuid4().hex}


def _on_date_check(req: Request, action: Action, data: dict[str, object]) -> Turn:
    if req.answer.lower() in ("yes", "y", "yes please", "correct", "that's right"):
        return confirm(req, action, data)
    return ask_date(req, action, {**data, "new_date": None}, problem="OK.")


def confirm(req: Request, action: Action, data: dict[str, object]) -> Turn:
    update = _update_from(data)
    parts = [action.status.label if update.status is None else update.status.label]
    if update.new_date:
        parts.append(f"revised target {format_date(update.new_date)}")
    text = f"{action.ref} → {', '.join(parts)}."
    if update.note:
        text += f"\nNote: {short(update.note, 300)}"
    choices = _confirm_choices(str(data.get("token", "")))
    return Turn((Reply(text + "\nSave?", choices=choices),), FLOW, "confirm", data)


def _on_confirm(req: Request, action: Action, data: dict[str, object]) -> Turn:
    answer = req.answer.lower().split(" ")[0]
    if answer in ("cancel", "no", "n", "discard"):
        return say(f"Cancelled. Nothing was saved for {action.ref}.")
    if answer not in ("save", "yes", "y", "ok", "confirm"):
        choices = _confirm_choices(str(data.get("token", "")))
        reply = Reply("Shall I save it? Say 'save' or 'cancel'.", choices=choices)
        return Turn((reply,), FLOW, "confirm", data)
    if not may_update(req.session, req.who, action):  # roles may have changed meanwhile
        return say(f"You can no longer update {action.ref}. Nothing was saved.")
    key = f"update:{data.get('token') or req.msg.event_id}"
    return say(save(req, action, _update_from(data), key))


def save(req: Request, action: Action, update: Update, source_key: str) -> str:
    """Record the update (once per key) and say what the action is now."""
    note = record_update(
        req.session,
        action,
        update,
        author=req.who,
        now=req.ctx.now(),
        source=req.msg.channel,
        source_key=source_key,
    )
    if note is None:
        return f"That update to {action.ref} was already saved."
    target = describe_target(req.session, action)
    return f"Saved. {action.ref} is now {action.status.label}; target {target}."


def _confirm_choices(token: str) -> tuple[Choice, ...]:
    # The button carries the token, so a second click after the save can be recognised.
    return (
        Choice("Save", f"save {token}".strip(), "primary"),
        Choice("Cancel", "cancel", "danger"),
    )


def saved_already(req: Request, token: str) -> Turn:
    """A Save pressed again after the update was saved (or after it lapsed)."""
    if already_recorded(req.session, f"update:{token}"):
        return say("That update was already saved.")
    return say(
        "That update is no longer open, so nothing was saved. Start again with 'update REF'."
    )


def _update_from(data: dict[str, object]) -> Update:
    status = data.get("status")
    new_date = data.get("new_date")
    return Update(
        status=Status(str(status)) if status else None,
        note=str(data.get("note", "")),
        new_date=date.fromisoformat(str(new_date)) if new_date else None,
    )


# The same update as one form, for channels that can show a form (a Slack modal).

FORM_STATUS_CHOICES = tuple(Choice(s.label, s.value) for s in Status)


def form(req: Request, ref: str) -> Form | Turn:
    """The update form for `ref`, or a turn saying why it can't be updated."""
    action, problem = pick_action(req, ref)
    if action is None:
        return problem
    if not may_update(req.session, req.who, action):
        return refusal(action)
    target = describe_target(req.session, action)
    return Form(
        name=FLOW,
        key=qualified_ref(req.session, action),
        title=f"Update {action.ref}"[:24],
        submit="Save",
        intro=f"{short(action.recommendation or action.action, 300)}\n"
        f"Now: {action.status.label}, target {target}.",
        inputs=(
            Input("status", "Status", "select", FORM_STATUS_CHOICES, initial=action.status.value),
            Input(
                "note",
                "Progress",
                "long_text",
                optional=True,
                max_length=MAX_NOTE_CHARS,
                hint="What has been done since the last update?",
            ),
            Input(
                "new_date",
                "New target date",
                "date",
                optional=True,
                hint="Only if the target has moved.",
            ),
        ),
    )


def submit(req: Request, key: str, values: dict[str, str], submission_id: str) -> Submitted:
    """Check and save a submitted update form; problems come back per field, nothing saved."""
    found = find_by_ref(req.session, key)
    if len(found) != 1:
        return Submitted({"status": f"I can't find the action {key} any more."})
    action = found[0]
    if not may_update(req.session, req.who, action):
        return Submitted({"status": f"You can't update {action.ref}. Nothing was saved."})
    errors: dict[str, str] = {}
    status = parse_status(values.get("status", "")) if values.get("status") else None
    try:
        note = check_note(values.get("note", ""))
    except UpdateError as err:
        errors["note"] = str(err)
    new_date = _form_date(req, values.get("new_date", ""), errors)
    if errors:
        return Submitted(errors)
    update = Update(status=status, note=note, new_date=new_date)
    return Submitted(turn=say(save(req, action, update, f"form:{submission_id}"), private=True))


def _form_date(req: Request, text: str, errors: dict[str, str]) -> date | None:
    if not text.strip():
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        parsed = parse_date_answer(text, today=req.ctx.today())
        if parsed.day is None:
            errors["new_date"] = parsed.problem or "I couldn't read that date."
            return None
        day = parsed.day
    try:
        check_new_date(day, req.ctx.today())
    except UpdateError as err:
        errors["new_date"] = str(err)
        return None
    return day

"""The progress-update conversation: "update R4" → status? → note? → new date? → save?

Each step reads the answer, checks it, and either asks again (saying what was wrong) or moves on.
Nothing is written until the officer presses Save; then note, status and date go in together.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from handlers.chat import intents
from handlers.chat.flow import MOVED_ON, Flow, FormHandlers, command
from handlers.chat.messages import (
    ACTION_KEY,
    Choice,
    Form,
    Input,
    Intent,
    Reply,
    Submitted,
    Turn,
    say,
)
from handlers.chat.request import Request
from handlers.chat.state import Next
from handlers.language.targets import format_date, parse_date_answer
from handlers.plans.actions import (
    button_key,
    describe_target,
    find_by_ref,
    qualified_ref,
    short,
)
from handlers.plans.people import may_see, may_update
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
from models.tables import Action, Plan, Status

NAME = intents.UPDATE
KEEP = "keep"
SKIP_WORDS = {"skip", "none", "no", "nothing", "-", "n/a", "keep", "no change", "same"}


class DateOffer(BaseModel):
    """A date read from a reply that could be the new target, with the words that name it."""

    day: date
    words: str


OTHER_STATUS = "other status"
WITH_DATE = " @ "  # a status button that carries its date too: "delayed @ 31/03/2027"
TYPE_DATE = "type a date"


class Step(StrEnum):
    STATUS = "status"
    NOTE = "note"
    DATE = "date"
    DATE_CHECK = "date_check"
    CONFIRM = "confirm"


def answer(step: Step, key: str) -> Intent:
    """A button answering `step` of the update."""
    return Intent(NAME, step, key)


STATUS_CHOICES = tuple(Choice(s.label, answer(Step.STATUS, s.value)) for s in Status) + (
    Choice("Keep as it is", answer(Step.STATUS, KEEP), way_out=True),
    Choice("Cancel", answer(Step.STATUS, "cancel"), way_out=True),
)


class UpdateData(BaseModel):
    """An update being put together; the token names it, so a double-clicked Save counts once."""

    action_id: int
    ref: str
    token: str = Field(default_factory=lambda: uuid.uuid4().hex)
    status: Status | None = None
    note: str = ""
    new_date: date | None = None
    # Read from a reply in words: once the status is picked, go on from what the reply said.
    from_reply: bool = False
    date_problem: str = ""
    check_date: bool = False
    # What the reply could mean, offered first when asking (a status value or "keep").
    status_options: list[str] = []
    date_options: list[DateOffer] = []
    unsure: str = ""  # words of the reply the bot could not account for: why it asks
    # Where the conversation goes once this update is saved or cancelled: the rest of a reply
    # about several actions (the reminder flow's state, kept as JSON), and what to ask then.
    then_flow: str = ""
    then_step: str = ""
    then_data: dict[str, Any] = {}
    then_prompt: str = ""
    then_choices: list[str] = []


class _Carried(BaseModel):
    """Another flow's data, handed back to it untouched."""

    model_config = ConfigDict(extra="allow")


def _at(step: Step, data: UpdateData, *replies: Reply) -> Turn:
    return Turn(replies, Next(NAME, step, data))


def start(req: Request, ref: str) -> Turn:
    """Begin an update of the action `ref`, if it exists and the asker may update it."""
    if not ref:
        return say("Which action? Say e.g. 'update R4' — 'my actions' lists yours.")
    action, problem = pick_action(req, ref)
    if action is None:
        return problem
    if not may_update(req.session, req.who, action):
        return refusal(action)
    if req.msg.forms:  # a channel that shows the questions at once, as a form
        opened = form(req, ref)
        return Turn((), form=opened) if isinstance(opened, Form) else opened
    return _ask_status(req, action, new_data(action), intro=True)


def new_data(action: Action) -> UpdateData:
    return UpdateData(action_id=action.id or 0, ref=action.ref)


def refusal(action: Action) -> Turn:
    return say(
        f"You can't update {action.ref}: only the people holding its role, their deputies "
        "and the plan's admins can. Nothing was changed.",
        private=True,
    )


def _with_action(
    on: Callable[[Request, Action, UpdateData], Turn],
) -> Callable[[Request, UpdateData], Turn]:
    """A step of an update, given the action it is about (if it still exists)."""

    def run(req: Request, data: UpdateData) -> Turn:
        action = req.session.get(Action, data.action_id)
        if action is None:  # deleted between turns: nothing sensible to carry on with
            return say("That action no longer exists, so I've stopped the update.")
        return on(req, action, data)

    return run


def pick_action(req: Request, ref: str) -> tuple[Action | None, Turn]:
    """The action `ref` names, among those the asker may see: theirs first. An action of a
    private plan they are not a member of is not found, so its plan is never named to them."""
    found = [a for a in find_by_ref(req.session, ref) if _visible(req, a)]
    if len(found) > 1:
        mine = [a for a in found if may_update(req.session, req.who, a)]
        found = mine or found
    if not found:
        return None, not_found(req, ref)
    if len(found) > 1:
        choices = tuple(
            Choice(qualified_ref(req.session, a), intents.add_update(button_key(a))) for a in found
        )
        return None, say(f"There are several actions called {ref}. Which one?", choices=choices)
    return found[0], say("")


def _visible(req: Request, action: Action) -> bool:
    plan = req.session.get(Plan, action.plan_id)
    return plan is not None and may_see(req.session, req.who, plan, req.msg.place)


def not_found(req: Request, ref: str) -> Turn:
    """No such action: a pressed button is out of date (its plan renamed or removed)."""
    bare = ref.rpartition(":")[2].strip()
    if req.msg.choice is not None and not bare.startswith("#"):
        return say(
            f"This button is out of date, so nothing was changed. Say 'update {bare}' instead, "
            "or 'my actions' to see yours.",
            private=True,
        )
    if req.msg.choice is not None:
        return say("That action no longer exists. 'my actions' lists yours.", private=True)
    return say(f"I can't find an action '{ref}'. 'my actions' lists yours.")


def _ask_status(req: Request, action: Action, data: UpdateData, intro: bool) -> Turn:
    text = "What's the status now?"
    if intro:
        text = (
            f"Updating {action.ref}: {short(action.recommendation or action.action, 150)}\n"
            f"Now: {action.status.label}, target {describe_target(req.session, action)}.\n{text}"
        )
    reply = Reply(text, choices=STATUS_CHOICES, note="Say 'cancel' at any point to stop.")
    return _at(Step.STATUS, data, reply)


def _on_status(req: Request, action: Action, data: UpdateData) -> Turn:
    answer = req.answer
    if WITH_DATE in answer and data.from_reply:
        return _on_status_with_date(req, action, data)
    if answer.lower() in (OTHER_STATUS, "other", "something else"):
        reply = Reply("Which status?", choices=STATUS_CHOICES)
        return _at(Step.STATUS, data, reply)
    keep = answer.lower() in (KEEP, "keep as it is", "same") or answer.lower().startswith("keep it")
    status = None if keep else parse_status(answer)
    if status is None and not keep:
        reply = Reply(
            f"I didn't recognise '{short(answer, 60)}' as a status. Pick one:",
            choices=STATUS_CHOICES,
        )
        return _at(Step.STATUS, data, reply)
    data = data.model_copy(update={"status": status})
    if data.from_reply:  # the note (and any date) came with the reply
        return _after_reply_status(req, action, data)
    text = "What progress has been made? One message is fine ('skip' for no note)."
    return _at(Step.NOTE, data, Reply(text))


def _on_note(req: Request, action: Action, data: UpdateData) -> Turn:
    text = req.msg.text
    note = "" if text.strip().lower() in SKIP_WORDS else text
    try:
        note = check_note(note)
    except UpdateError as err:
        return _at(Step.NOTE, data, Reply(f"{err} Nothing has been saved yet."))
    data = data.model_copy(update={"note": note})
    if (data.status or action.status).is_closed:  # kept as complete: no date to move
        return _confirm(req, action, data)
    return _ask_date(req, action, data)


def _ask_date(req: Request, action: Action, data: UpdateData, problem: str = "") -> Turn:
    target = describe_target(req.session, action)
    text = (
        f"{problem + ' ' if problem else ''}New target date? It is now {target}. Say a date "
        "(31/03/2027, 'end of March') or 'keep'."
    )
    choices: tuple[Choice, ...] = (Choice("Keep the date", answer(Step.DATE, KEEP)),)
    if data.date_options:  # what the reply named, each with its words
        found = "\n".join(
            f"• {format_date(o.day)}: \u201c{o.words}\u201d" for o in data.date_options
        )
        text = f"{text}\nYour message mentions:\n{found}"
        choices = (
            *(
                Choice(format_date(o.day), answer(Step.DATE, f"{o.day:%d/%m/%Y}"))
                for o in data.date_options
            ),
            Choice(f"Keep the target ({target})"[:75], answer(Step.DATE, KEEP)),
            Choice("Let me type it", answer(Step.DATE, TYPE_DATE)),
        )
    return _at(Step.DATE, data, Reply(text.strip(), choices=choices))


def _on_date(req: Request, action: Action, data: UpdateData) -> Turn:
    said = req.answer
    if said.lower() == TYPE_DATE:
        text = "Type the new target date: 31/03/2027, 'end of March', or 'keep'."
        keep = Choice("Keep the date", answer(Step.DATE, KEEP))
        return _at(Step.DATE, data, Reply(text, choices=(keep,)))
    if said.lower() in SKIP_WORDS or said.lower().startswith("keep the"):
        return _confirm(req, action, data.model_copy(update={"new_date": None}))
    parsed = parse_date_answer(said, today=req.ctx.today())
    if parsed.day is None:
        return _ask_date(req, action, data, problem=parsed.problem or "I couldn't read that date.")
    try:
        check_new_date(parsed.day, req.ctx.today())
    except UpdateError as err:
        return _ask_date(req, action, data, problem=str(err))
    data = data.model_copy(update={"new_date": parsed.day})
    if parsed.needs_confirmation:
        return _check_date(data)
    return _confirm(req, action, data)


def _check_date(data: UpdateData) -> Turn:
    """Ask whether a relative date ("next Friday") was read right before using it."""
    assert data.new_date is not None
    text = f"Do you mean {data.new_date:%A} {format_date(data.new_date)}?"
    choices = (
        Choice("Yes", answer(Step.DATE_CHECK, "yes"), "primary"),
        Choice("No", answer(Step.DATE_CHECK, "no")),
    )
    return _at(Step.DATE_CHECK, data, Reply(text, choices=choices))


def _on_date_check(req: Request, action: Action, data: UpdateData) -> Turn:
    if req.answer.lower() in ("yes", "y", "yes please", "correct", "that's right"):
        return _confirm(req, action, data)
    return _ask_date(req, action, data.model_copy(update={"new_date": None}), problem="OK.")


def _confirm(req: Request, action: Action, data: UpdateData) -> Turn:
    parts = [(data.status or action.status).label]
    if data.new_date:
        parts.append(f"revised target {format_date(data.new_date)}")
    text = f"{action.ref} → {', '.join(parts)}."
    if data.note:
        text += f"\nNote: {short(data.note, 300)}"
    return _at(Step.CONFIRM, data, Reply(text + "\nSave?", choices=_confirm_choices(data.token)))


def _on_confirm(req: Request, action: Action, data: UpdateData) -> Turn:
    answer = req.answer.lower().split(" ")[0]
    if answer in ("cancel", "no", "n", "discard"):
        return _finish(data, f"Cancelled. Nothing was saved for {action.ref}.")
    if answer not in ("save", "yes", "y", "ok", "confirm"):
        reply = Reply(
            "Shall I save it? Say 'save' or 'cancel'.", choices=_confirm_choices(data.token)
        )
        return _at(Step.CONFIRM, data, reply)
    if not may_update(req.session, req.who, action):  # roles may have changed meanwhile
        return say(f"You can no longer update {action.ref}. Nothing was saved.")
    update = Update(status=data.status, note=data.note, new_date=data.new_date)
    return _finish(data, save(req, action, update, f"update:{data.token}"))


def _finish(data: UpdateData, text: str) -> Turn:
    """The update is over; go on to whatever was waiting for it (the next action of a reply)."""
    if not data.then_flow:
        return say(text)
    choices = tuple(
        Choice(ref, Intent(data.then_flow, data.then_step, ref)) for ref in data.then_choices
    )
    reply = Reply(f"{text}\n{data.then_prompt}", choices=choices)
    carried = _Carried.model_validate(data.then_data)
    return Turn((reply,), Next(data.then_flow, data.then_step, carried))


# -- entries for other flows: a reminder's buttons and a reply in words hand over here ------


def ask_new_date(req: Request, action: Action) -> Turn:
    """Start an update at the date question (the reminder's "New date" button)."""
    return _ask_date(req, action, new_data(action))


def propose(
    req: Request,
    action: Action,
    update: Update,
    *,
    date_problem: str = "",
    check: bool = False,
    ask_status: bool = False,
    then: Next | None = None,
    then_prompt: str = "",
    then_choices: tuple[str, ...] = (),
    status_options: tuple[Status | None, ...] = (),
    date_options: tuple[DateOffer, ...] = (),
    unsure: str = "",
) -> Turn:
    """Start an update from what was read elsewhere (a reply in words), to be confirmed.

    A status that could not be read is asked for with the status buttons (`ask_status`); a
    date that could not be used is asked for again (`date_problem`); a relative one is
    checked first (`check`); otherwise the officer sees the whole update and says Save.
    """
    data = new_data(action).model_copy(
        update={
            "status": update.status,
            "note": update.note,
            "new_date": update.new_date,
            "from_reply": True,
            "date_problem": date_problem,
            "check_date": check,
            "status_options": [s.value if s is not None else KEEP for s in status_options],
            "date_options": list(date_options),
            "unsure": unsure,
        }
    )
    if then is not None:  # once this one is done, the conversation goes on there
        data = data.model_copy(
            update={
                "then_flow": then.flow,
                "then_step": then.step,
                "then_data": then.data.model_dump(mode="json"),
                "then_prompt": then_prompt,
                "then_choices": list(then_choices),
            }
        )
    if ask_status:
        return _ask_reply_status(action, data)
    return _after_reply_status(req, action, data)


def _ask_reply_status(action: Action, data: UpdateData) -> Turn:
    """Progress told without a clear status: the officer picks it, nothing is assumed.

    The statuses the reply could mean come first (best guess first), then "Other status".
    """
    now = action.status.label.lower()
    if not data.status_options:
        text = (
            f"Thanks, I've got your update on {action.ref}. It says what was done but not "
            f"where the action stands (it's recorded as {now}). What's the status now?"
        )
        reply = Reply(text, choices=STATUS_CHOICES, note="Say 'cancel' at any point to stop.")
        return _at(Step.STATUS, data, reply)
    labels = [_option_label(value, action) for value in data.status_options]
    text = (
        f"Thanks, I've got your update on {action.ref} (recorded as {now}). I can't be sure "
        f"where it leaves the action ({' or '.join(labels)}?). What's the status now?"
    )
    if data.unsure:  # words the bot could not account for: it says so, rather than guess
        text = (
            f"Thanks, I've got your update on {action.ref} (recorded as {now}). I'm not sure "
            f"what \u201c{short(data.unsure, 60)}\u201d means for it ({' or '.join(labels)}?). "
            "What's the status now?"
        )
    choices = tuple(
        Choice(label, answer(Step.STATUS, value), "primary" if n == 0 else "default")
        for n, (label, value) in enumerate(zip(labels, data.status_options, strict=True))
    )
    if (both := _with_its_date(action, data, labels[0])) is not None:
        choices = (both, *(replace(c, style="default") for c in choices))
        text = (
            f"Thanks, I've got your update on {action.ref} (recorded as {now}). I read it as "
            f"\u201c{both.label}\u201d, but I can't be sure. What's the status now?"
        )
    choices += (Choice("Other status", answer(Step.STATUS, OTHER_STATUS), way_out=True),)
    reply = Reply(text, choices=choices, note="Say 'cancel' at any point to stop.")
    return _at(Step.STATUS, data, reply)


def _with_its_date(action: Action, data: UpdateData, label: str) -> Choice | None:
    """The best guess and the date the reply gave, as one button ('Delayed, target 31 March
    2027'): the whole reading in one tap, when both are asked rather than settled."""
    if not data.date_problem or not data.date_options or not data.status_options:
        return None
    best = data.status_options[0]
    if best != KEEP and Status(best).is_closed:
        return None  # a closed action has no target to move
    day = data.date_options[0].day
    key = f"{best}{WITH_DATE}{day:%d/%m/%Y}"
    return Choice(f"{label}, target {format_date(day)}", answer(Step.STATUS, key), "primary")


def _on_status_with_date(req: Request, action: Action, data: UpdateData) -> Turn:
    """The best guess and its date, picked together: on to Save."""
    said, _, day = req.answer.partition(WITH_DATE)
    status = None if said.lower() == KEEP else parse_status(said)
    parsed = parse_date_answer(day, today=req.ctx.today())
    if parsed.day is None or (status is None and said.lower() != KEEP):
        return _ask_reply_status(action, data)
    data = data.model_copy(update={"status": status, "new_date": parsed.day, "date_problem": ""})
    return _confirm(req, action, data)


def _option_label(value: str, action: Action) -> str:
    if value == KEEP:
        return f"Keep it {action.status.label}"
    return Status(value).label


def _late_with_no_date(action: Action, data: UpdateData) -> bool:
    return (
        data.status is Status.DELAYED
        and action.status is not Status.DELAYED
        and not (data.new_date)
    )


def _after_reply_status(req: Request, action: Action, data: UpdateData) -> Turn:
    if data.date_problem and data.status in (Status.COMPLETE, Status.WITHDRAWN):
        data = data.model_copy(update={"date_problem": "", "new_date": None})  # no date to set
    if data.date_problem:
        data = data.model_copy(update={"new_date": None})
        return _ask_date(req, action, data, data.date_problem)
    if _late_with_no_date(action, data):  # picked Delayed: late, so to when?
        return _ask_date(req, action, data, "Delayed, then.")
    if data.check_date and data.new_date is not None:
        return _check_date(data)
    return _confirm(req, action, data)


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
        Choice("Save", answer(Step.CONFIRM, f"save {token}"), "primary"),
        Choice("Cancel", answer(Step.CONFIRM, "cancel"), "danger", way_out=True),
    )


def moved_on(req: Request, intent: Intent) -> Turn:
    """A button of an update that is over: a second Save is recognised, not repeated."""
    verb, _, token = intent.key.partition(" ")
    if intent.verb == Step.CONFIRM and verb == "save" and token:
        return saved_already(req, token)
    return say(MOVED_ON, private=True)


def saved_already(req: Request, token: str) -> Turn:
    """A Save pressed again after the update was saved (or after it lapsed)."""
    if already_recorded(req.session, f"update:{token}"):
        return say("That update was already saved.")
    return say(
        "That update is no longer open, so nothing was saved. Start again with 'update REF'."
    )


# The same update as one form, for channels that can show a form (a Slack modal).

FORM_STATUS_CHOICES = tuple(Choice(s.label, answer(Step.STATUS, s.value)) for s in Status)


def form(req: Request, ref: str) -> Form | Turn:
    """The update form for `ref`, or a turn saying why it can't be updated."""
    action, problem = pick_action(req, ref)
    if action is None:
        return problem
    if not may_update(req.session, req.who, action):
        return refusal(action)
    target = describe_target(req.session, action)
    return Form(
        name=NAME,
        key=button_key(action),
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


FLOW = Flow(
    name=NAME,
    entries=(
        command(rf"update(?:\s+(?P<ref>{ACTION_KEY}))?", lambda r, m: start(r, m["ref"] or "")),
        # A Save pressed again once its update is over: say so instead of "not understood".
        command(
            r"save (?P<token>[0-9a-f]{32})",
            lambda r, m: saved_already(r, m["token"]),
            only_when_idle=True,
        ),
    ),
    data=UpdateData,
    steps={
        Step.STATUS: _with_action(_on_status),
        Step.NOTE: _with_action(_on_note),
        Step.DATE: _with_action(_on_date),
        Step.DATE_CHECK: _with_action(_on_date_check),
        Step.CONFIRM: _with_action(_on_confirm),
    },
    free_text=frozenset({Step.NOTE}),
    form=FormHandlers(open=form, submit=submit),
    actions={intents.START: start},
    moved_on=moved_on,
)

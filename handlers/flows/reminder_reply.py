"""Answering a reminder: its buttons, and a reply in the officer's own words.

After a reminder is delivered, the conversation where it landed waits in the "reminder" flow
with the refs it listed. A plain reply ("Strategy drafted and out for feedback, will finish by
end of March") is read for the action, a status and a revised date, then confirmed before it
is saved, through the same confirm step as any update.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field
from sqlmodel import select

from handlers.chat import intents
from handlers.chat.flow import MOVED_ON, Flow, command
from handlers.chat.messages import ACTION_KEY, Choice, Intent, Reply, Turn, say
from handlers.chat.outbox import queue
from handlers.chat.request import Request
from handlers.chat.state import Next
from handlers.flows import update as update_flow
from handlers.language.replies import (
    Candidate,
    ParsedReply,
    parse_reply,
    read_replies,
    read_volunteered,
    refs_mentioned,
)
from handlers.language.targets import format_date
from handlers.plans.actions import actions_of, find_by_ref, short
from handlers.plans.people import may_update
from handlers.plans.progress import Update, check_note
from handlers.plans.reminder_messages import notice_not_mine
from models.tables import Action, PlanAdmin, ReminderResponse, Status

NAME = intents.REMINDER
SNOOZE_DAYS = 7


class Step(StrEnum):
    REPLY = "reply"  # waiting for the officer's reply to the reminder
    WHICH = "which"  # asked which action a reply was about
    CONFIRM_SEVERAL = "confirm_several"  # a reply about several actions, shown for one Save


class PendingUpdate(BaseModel):
    """One action's part of a reply about several, waiting for Save."""

    action_id: int
    ref: str
    status: Status | None = None
    note: str = ""
    new_date: date | None = None


class ReplyData(BaseModel):
    refs: list[str]  # the actions the reminder listed
    ids: list[int] = []  # or, for an update volunteered, the officer's open actions by id
    text: str = ""  # the reply, kept while asking which action it is about
    updates: list[PendingUpdate] = []  # a reply about several actions, to be confirmed
    pending: list[str] = []  # actions of such a reply still to go through, one at a time
    maybe: list[str] = []  # or, asked which one, the actions still on offer after a pick
    asked_one: bool = False  # one of them has been picked: "that's all" ends it
    token: str = Field(default_factory=lambda: uuid.uuid4().hex)  # a double-clicked Save


def awaiting_reply(refs: list[str]) -> Next:
    """The state a delivered reminder leaves its conversation in: a reply is about `refs`."""
    return Next(NAME, Step.REPLY, ReplyData(refs=refs))


# -- the buttons -------------------------------------------------------------------------------


def _mine(req: Request, ref: str) -> tuple[Action | None, Turn]:
    action, problem = update_flow.pick_action(req, ref)
    if action is None:
        return None, problem
    if not may_update(req.session, req.who, action):
        return None, update_flow.refusal(action)
    return action, say("")


def mark_complete(req: Request, ref: str) -> Turn:
    action, problem = _mine(req, ref)
    if action is None:
        return problem
    update = Update(status=Status.COMPLETE, note="Marked complete from a reminder.", new_date=None)
    key = f"complete:{action.id}:{req.msg.event_id or req.ctx.now().isoformat()}"
    return say(update_flow.save(req, action, update, key) + " Thank you!")


def new_date(req: Request, ref: str) -> Turn:
    action, problem = _mine(req, ref)
    if action is None:
        return problem
    return update_flow.ask_new_date(req, action)


def snooze(req: Request, ref: str) -> Turn:
    action, problem = _mine(req, ref)
    if action is None:
        return problem
    until = req.ctx.today() + timedelta(days=SNOOZE_DAYS)
    req.session.add(
        ReminderResponse(
            action_id=action.id or 0,
            person_id=req.who.id if req.who else None,
            kind="snooze",
            until=until,
            created_at=req.ctx.now(),
        )
    )
    action.next_nudge_on = until
    req.session.add(action)
    return say(f"OK, I'll remind you about {action.ref} again on {until:%A} {format_date(until)}.")


def not_mine(req: Request, ref: str) -> Turn:
    """Recorded, and the plan's admins (the chair) are told the role may be wrong."""
    # Only someone the action is assigned to can say it isn't theirs: anyone else could
    # send the chair notices about actions they have nothing to do with.
    action, problem = _mine(req, ref)
    if action is None:
        return problem
    now = req.ctx.now()
    req.session.add(
        ReminderResponse(
            action_id=action.id or 0,
            person_id=req.who.id if req.who else None,
            kind="not_mine",
            created_at=now,
        )
    )
    admins = req.session.exec(
        select(PlanAdmin.person_id).where(PlanAdmin.plan_id == action.plan_id)
    )
    notice = notice_not_mine(req.session, action, req.who)
    for person_id in admins.all():
        queue(req.session, notice, via=req.msg.channel, kind="notice", now=now, person_id=person_id)
    return say(
        f"Thanks: I've told the plan's chair that {action.ref} may not be yours, and I'll "
        "stop assuming it is once they've checked the role."
    )


# -- a reply in words ----------------------------------------------------------------------------


def _candidates(req: Request, data: ReplyData) -> dict[str, Action]:
    """The open actions a reply may be about, by ref (a ref two of them share is left out)."""
    if data.ids:
        actions = [a for i in data.ids if (a := req.session.get(Action, i)) is not None]
        return _by_ref([a for a in actions if not a.status.is_closed])
    found: dict[str, Action] = {}
    for ref in data.refs:
        actions = find_by_ref(req.session, ref)
        if len(actions) == 1 and not actions[0].status.is_closed:
            found[actions[0].ref] = actions[0]
    return found


def _by_ref(actions: list[Action]) -> dict[str, Action]:
    refs = Counter(a.ref for a in actions)
    return {a.ref: a for a in actions if refs[a.ref] == 1}


def _candidate(action: Action) -> Candidate:
    return Candidate(
        action.ref,
        action.recommendation or action.action,
        status=action.status,
        target=action.target_date,
    )


def _on_reply(req: Request, data: ReplyData) -> Turn:
    actions = _candidates(req, data)
    if not actions:
        return say("Those actions are all closed now. 'my actions' lists what is open.")
    if _about_others(req, actions) and (news := volunteered(req)) is not None:
        return news  # "R9 is done" in answer to a reminder about R1: news of R9
    candidates = [_candidate(a) for a in actions.values()]
    readings = read_replies(req.msg.text, candidates, today=req.ctx.today())
    if len(readings) == 1 and readings[0].ref is None and not readings[0].refs_mentioned:
        news = volunteered(req)  # not about the reminder's actions: maybe about another
        if news is not None:
            return news
    return _answer(req, data, actions, readings)


def _about_others(req: Request, listed: dict[str, Action]) -> bool:
    """The reply names only actions of the officer's that the reminder did not list."""
    if req.who is None:
        return False
    mine = [_candidate(a) for a in _by_ref(actions_of(req.session, req.who)).values()]
    named = refs_mentioned(req.msg.text, mine)
    return bool(named) and not set(named) & set(listed)


def volunteered(req: Request) -> Turn | None:
    """News of the officer's own actions sent without a reminder ("R4 signed off today",
    "the flowchart's been delayed to end of March"): read and confirmed as a reply would be.
    None when the message is not such news."""
    if req.who is None or req.msg.choice is not None or not req.msg.text.strip():
        return None
    actions = _by_ref(actions_of(req.session, req.who))
    if not actions:
        return None
    candidates = [_candidate(a) for a in actions.values()]
    readings = read_volunteered(req.msg.text, candidates, today=req.ctx.today())
    if not readings:
        return None
    data = ReplyData(refs=list(actions), ids=[a.id for a in actions.values() if a.id])
    return _answer(req, data, actions, readings)


def _answer(
    req: Request, data: ReplyData, actions: dict[str, Action], readings: tuple[ParsedReply, ...]
) -> Turn:
    """Confirm what was read, one action or several; ask which action when it isn't clear."""
    if len(readings) > 1 and all(_plain(r) for r in readings):
        return _confirm_several(req, data, actions, readings)
    if len(readings) == 1 and readings[0].ref is not None:
        return _understood(req, actions[readings[0].ref], readings[0])
    if len(readings) > 1:  # read for several, some of it to check: one at a time
        pending = [r.ref for r in readings if r.ref is not None]
        text = (
            "I'd like to check some of that with you one action at a time. Which action "
            "first? I'll take its part of your message as its update."
        )
        asked = ReplyData(refs=data.refs, ids=data.ids, text=req.msg.text, pending=pending)
        return Turn((Reply(text, choices=_which(pending)),), Next(NAME, Step.WHICH, asked))
    offered = [r for r in readings[0].ref_options if r in actions] or list(actions)
    mentioned = ", ".join(readings[0].refs_mentioned)
    text = (
        f"Which action is that about{' (' + mentioned + ')' if mentioned else ''}? "
        "Pick one, and I'll take your message as its update. If it's about more than one, "
        "I'll ask about the next one after."
    )
    # Every action offered stays on offer after the first, so news of several is not dropped.
    asked = ReplyData(refs=data.refs, ids=data.ids, text=req.msg.text, maybe=offered)
    return Turn((Reply(text, choices=_which(offered)),), Next(NAME, Step.WHICH, asked))


def _which(refs: Iterable[str]) -> tuple[Choice, ...]:
    """One button per action, answering "which action is that about?"."""
    return tuple(Choice(ref, Intent(NAME, Step.WHICH, ref)) for ref in refs)


def _plain(reading: ParsedReply) -> bool:
    """Read without anything to ask: which action, a status or none, and a date or none,
    all certain."""
    asked = reading.ask_status or reading.ask_date or reading.date_needs_confirmation
    return not (asked or reading.ref_unsure)


THATS_ALL = "That's all"
_NO_MORE = frozenset({"that's all", "that’s all", "thats all", "that's it", "no", "none", "done"})


def _on_which(req: Request, data: ReplyData) -> Turn:
    actions = _candidates(req, data)
    offered = [ref for ref in data.pending or data.maybe if ref in actions] or list(actions)
    if data.asked_one and req.answer.strip().lower() in _NO_MORE:
        return say("OK, that's everything from your message.")
    chosen = next(
        (actions[ref] for ref in offered if ref.lower() == req.answer.strip().lower()), None
    )
    if chosen is None and data.asked_one:  # moved on: a new message, read as news of its own
        done = "OK, that's everything from your earlier message. Say 'help' to see what I can do."
        return volunteered(req) or say(done)
    if chosen is None:
        reply = Reply("Please pick one of these:", choices=_which(offered))
        return Turn((reply,), Next(NAME, Step.WHICH, data))
    # Its own part of a reply about several actions, else the whole reply.
    candidates = [_candidate(a) for a in actions.values()]
    readings = _read_again(data, candidates, req.ctx.today())
    reading = next((r for r in readings if r.ref == chosen.ref), None)
    if reading is None:
        reading = parse_reply(data.text, [_candidate(chosen)], today=req.ctx.today())
    if data.pending:
        rest = [ref for ref in data.pending if ref != chosen.ref]
        prompt = f"Your message was also about {', '.join(rest)}. Which next?"
    else:  # asked which, not knowing: maybe it was about another of them too
        rest = [ref for ref in offered if ref != chosen.ref]
        prompt = "Was your message about another action too? Pick it, or say that's all."
    if not rest:
        return _understood(req, chosen, reading)
    left = {"pending": rest} if data.pending else {"maybe": rest}
    then = Next(NAME, Step.WHICH, data.model_copy(update={**left, "asked_one": True}))
    choices = (*rest, THATS_ALL)
    return _understood(req, chosen, reading, then=then, prompt=prompt, choices=choices)


def _read_again(
    data: ReplyData, candidates: list[Candidate], today: date
) -> tuple[ParsedReply, ...]:
    """The message read again as it was first read: a reply, or news volunteered."""
    if data.ids:
        return read_volunteered(data.text, candidates, today=today)
    return read_replies(data.text, candidates, today=today)


def _understood(
    req: Request,
    action: Action,
    parsed: ParsedReply,
    *,
    then: Next | None = None,
    prompt: str = "",
    choices: tuple[str, ...] = (),
) -> Turn:
    """What was read from the reply, confirmed before saving; dates asked about, not guessed."""
    if not may_update(req.session, req.who, action):
        return update_flow.refusal(action)
    try:
        note = check_note(parsed.note)
    except ValueError as err:
        return say(f"{err} Nothing was saved.")
    update = Update(status=parsed.status, note=note, new_date=parsed.new_date)
    return update_flow.propose(
        req,
        action,
        update,
        date_problem=_date_problem(parsed),
        check=parsed.date_needs_confirmation,
        ask_status=parsed.ask_status,
        then=then,
        then_prompt=prompt,
        then_choices=choices,
        status_options=parsed.status_options,
        unsure=parsed.unsure,
        date_options=tuple(
            update_flow.DateOffer(day=o.day, words=o.words)
            for o in parsed.date_options
            if o.day >= req.ctx.today()
        ),
    )


def _date_problem(parsed: ParsedReply) -> str:
    problem = parsed.date_problem or ""
    if not problem and parsed.date_in_past:
        problem = (
            f"{format_date(parsed.new_date) if parsed.new_date else 'That date'} is in the past: "
            "a revised target must be today or later."
        )
    return problem


# -- a reply about several actions: one confirmation, saved together --------------------------


def _confirm_several(
    req: Request, data: ReplyData, actions: dict[str, Action], readings: tuple[ParsedReply, ...]
) -> Turn:
    """'R1 done, R4 new date end of March': both shown, one Save for all."""
    pending: list[PendingUpdate] = []
    for reading in readings:
        action = actions[reading.ref or ""]
        if not may_update(req.session, req.who, action):
            return update_flow.refusal(action)
        try:
            note = check_note(reading.note)
        except ValueError as err:
            return say(f"{action.ref}: {err} Nothing was saved.")
        pending.append(
            PendingUpdate(
                action_id=action.id or 0,
                ref=action.ref,
                status=reading.status,
                note=note,
                new_date=reading.new_date,
            )
        )
    data = data.model_copy(update={"updates": pending})
    lines = [_describe(req, p) for p in pending]
    text = "\n".join(lines) + f"\nSave all {len(pending)}?"
    reply = Reply(text, choices=_save_all(data.token))
    return Turn((reply,), Next(NAME, Step.CONFIRM_SEVERAL, data))


def _save_all(token: str) -> tuple[Choice, ...]:
    return (
        Choice("Save all", Intent(NAME, Step.CONFIRM_SEVERAL, f"save {token}"), "primary"),
        Choice("Cancel", Intent(NAME, Step.CONFIRM_SEVERAL, "cancel"), "danger", way_out=True),
    )


def _describe(req: Request, pending: PendingUpdate) -> str:
    action = req.session.get(Action, pending.action_id)
    current = action.status if action is not None else None
    parts = [(pending.status or current or Status.NOT_STARTED).label]
    if pending.new_date:
        parts.append(f"revised target {format_date(pending.new_date)}")
    text = f"{pending.ref} → {', '.join(parts)}."
    if pending.note:
        text += f"\n     Note: {short(pending.note, 200)}"
    return text


def _on_confirm_several(req: Request, data: ReplyData) -> Turn:
    answer = req.answer.lower().split(" ")[0]
    if answer in ("cancel", "no", "n", "discard"):
        return say("Cancelled. Nothing was saved.")
    if answer not in ("save", "yes", "y", "ok", "confirm"):
        reply = Reply("Shall I save them? Say 'save' or 'cancel'.", choices=_save_all(data.token))
        return Turn((reply,), Next(NAME, Step.CONFIRM_SEVERAL, data))
    saved: list[str] = []
    for n, pending in enumerate(data.updates):
        action = req.session.get(Action, pending.action_id)
        if action is None or not may_update(req.session, req.who, action):
            return say(f"You can no longer update {pending.ref}. Nothing was saved.")
        update = Update(status=pending.status, note=pending.note, new_date=pending.new_date)
        key = f"update:{data.token}" + (f":{n}" if n else "")
        saved.append(update_flow.save(req, action, update, key))
    return say("\n".join(saved))


def _moved_on(req: Request, intent: Intent) -> Turn:
    """A Save pressed again once its updates were saved is recognised, not repeated."""
    verb, _, token = intent.key.partition(" ")
    if intent.verb == Step.CONFIRM_SEVERAL and verb == "save" and token:
        return update_flow.saved_already(req, token)
    return say(MOVED_ON, private=True)


FLOW = Flow(
    name=NAME,
    entries=(
        # The buttons on a reminder.
        command(rf"complete (?P<ref>{ACTION_KEY})", lambda r, m: mark_complete(r, m["ref"])),
        command(rf"newdate (?P<ref>{ACTION_KEY})", lambda r, m: new_date(r, m["ref"])),
        command(rf"snooze (?P<ref>{ACTION_KEY})", lambda r, m: snooze(r, m["ref"])),
        command(rf"notmine (?P<ref>{ACTION_KEY})", lambda r, m: not_mine(r, m["ref"])),
    ),
    data=ReplyData,
    steps={
        Step.REPLY: _on_reply,
        Step.WHICH: _on_which,
        Step.CONFIRM_SEVERAL: _on_confirm_several,
    },
    # An officer may answer a reminder the next day, or after the weekend.
    timeout=timedelta(days=7),
    actions={
        "complete": mark_complete,
        "newdate": new_date,
        "snooze": snooze,
        "notmine": not_mine,
    },
    moved_on=_moved_on,
)

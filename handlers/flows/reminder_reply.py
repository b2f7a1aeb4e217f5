"""Answering a reminder: its buttons, and a reply in the officer's own words.

After a reminder is delivered, the conversation where it landed waits in the "reminder" flow
with the refs it listed. A plain reply ("Strategy drafted and out for feedback, will finish by
end of March") is read for the action, a status and a revised date, then confirmed before it
is saved, through the same confirm step as any update.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from handlers.chat.messages import Choice, Reply, Turn, reply_to_json, say
from handlers.chat.request import Request
from handlers.flows import update as update_flow
from handlers.language.replies import Candidate, parse_reply
from handlers.language.targets import format_date
from handlers.plans.actions import find_by_ref
from handlers.plans.people import may_update
from handlers.plans.progress import Update, check_note
from handlers.plans.reminder_messages import notice_not_mine
from models.tables import Action, ConversationState, Outbox, PlanAdmin, ReminderResponse, Status

FLOW = "reminder"
SNOOZE_DAYS = 7


def remember(
    session: Session,
    key: tuple[str, str, str, str],
    refs: list[str],
    now: datetime,
) -> None:
    """After a reminder lands in a conversation, a reply there is read as about its actions."""
    channel, workspace, conversation, user = key
    state = session.exec(
        select(ConversationState).where(
            ConversationState.channel == channel,
            ConversationState.workspace == workspace,
            ConversationState.conversation == conversation,
            ConversationState.user == user,
        )
    ).first() or ConversationState(
        channel=channel,
        workspace=workspace,
        conversation=conversation,
        user=user,
        flow=FLOW,
        step="reply",
        updated_at=now,
    )
    state.flow, state.step, state.data, state.updated_at = FLOW, "reply", {"refs": refs}, now
    session.add(state)


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
    data = {**update_flow.new_data(action), "status": None, "note": ""}
    return update_flow.ask_date(req, action, data)


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
    notice = reply_to_json(notice_not_mine(req.session, action, req.who))
    for person_id in admins.all():
        req.session.add(
            Outbox(
                via=req.msg.channel,
                person_id=person_id,
                kind="notice",
                reply=notice,
                created_at=now,
            )
        )
    return say(
        f"Thanks: I've told the plan's chair that {action.ref} may not be yours, and I'll "
        "stop assuming it is once they've checked the role."
    )


# -- a reply in words ----------------------------------------------------------------------------


def step(req: Request, name: str, data: dict[str, object]) -> Turn:
    listed = data.get("refs")
    refs = [str(r) for r in listed] if isinstance(listed, list) else []
    if name == "which":
        return _on_which(req, refs, data)
    return _on_reply(req, refs)


def _candidates(req: Request, refs: list[str]) -> dict[str, Action]:
    found: dict[str, Action] = {}
    for ref in refs:
        actions = find_by_ref(req.session, ref)
        if len(actions) == 1 and not actions[0].status.is_closed:
            found[actions[0].ref] = actions[0]
    return found


def _on_reply(req: Request, refs: list[str]) -> Turn:
    actions = _candidates(req, refs)
    if not actions:
        return say("Those actions are all closed now. 'my actions' lists what is open.")
    candidates = [Candidate(ref, a.recommendation or a.action) for ref, a in actions.items()]
    parsed = parse_reply(req.msg.text, candidates, today=req.ctx.today())
    if parsed.ref is None:
        data: dict[str, object] = {"refs": refs, "text": req.msg.text}
        choices = tuple(Choice(ref, ref) for ref in actions)
        mentioned = ", ".join(parsed.refs_mentioned)
        text = (
            f"Which action is that about{' (' + mentioned + ')' if mentioned else ''}? "
            "Pick one, and I'll take the rest of your message as its update."
        )
        return Turn((Reply(text, choices=choices),), FLOW, "which", data)
    return _understood(req, actions[parsed.ref], req.msg.text, candidates)


def _on_which(req: Request, refs: list[str], data: dict[str, object]) -> Turn:
    actions = _candidates(req, refs)
    chosen = next(
        (a for ref, a in actions.items() if ref.lower() == req.answer.strip().lower()), None
    )
    if chosen is None:
        choices = tuple(Choice(ref, ref) for ref in actions)
        return Turn((Reply("Please pick one of these:", choices=choices),), FLOW, "which", data)
    text = str(data.get("text", ""))
    candidates = [Candidate(chosen.ref, chosen.recommendation or chosen.action)]
    return _understood(req, chosen, text, candidates)


def _understood(req: Request, action: Action, text: str, candidates: list[Candidate]) -> Turn:
    """What was read from the reply, confirmed before saving; dates asked about, not guessed."""
    if not may_update(req.session, req.who, action):
        return update_flow.refusal(action)
    parsed = parse_reply(text, candidates, today=req.ctx.today())
    try:
        note = check_note(parsed.note)
    except ValueError as err:
        return say(f"{err} Nothing was saved.")
    data: dict[str, object] = {
        **update_flow.new_data(action),
        "status": parsed.status.value if parsed.status else None,
        "note": note,
    }
    if parsed.date_problem or parsed.date_in_past:
        problem = parsed.date_problem or (
            f"{format_date(parsed.new_date) if parsed.new_date else 'That date'} is in the past: "
            "a revised target must be today or later."
        )
        return update_flow.ask_date(req, action, data, problem=problem)
    if parsed.new_date and parsed.date_needs_confirmation:
        return update_flow.check_date(parsed.new_date, data)
    data["new_date"] = parsed.new_date.isoformat() if parsed.new_date else None
    return update_flow.confirm(req, action, data)

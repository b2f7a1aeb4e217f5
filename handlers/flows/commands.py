"""The small commands: help, my actions, one action's details, the plans, not understood."""

from __future__ import annotations

from pydantic import BaseModel
from sqlmodel import col, select

from handlers.chat.flow import CANCEL_WORDS, Flow, command
from handlers.chat.messages import ACTION_KEY, Choice, Field, Item, Reply, Turn, say
from handlers.chat.request import Request
from handlers.flows import reminder_reply
from handlers.language.targets import format_date
from handlers.plans.actions import (
    action_item,
    actions_of,
    button_key,
    find_by_ref,
    history,
    qualified_ref,
    short,
)
from handlers.plans.people import is_member, roles_of
from models.tables import Action, Plan

HELP_LINES = (
    ("my actions", "the actions your role owns, soonest due first"),
    ("update R4", "add a progress note, a status and a revised date to action R4"),
    ("show R4", "an action's details and its progress history"),
    ("plans", "the action plans I know about"),
    ("overdue", "open actions past their target date"),
    ("should I consult?", "the consult-or-engage toolkit, one question at a time"),
    ("health check [for TEAM]", "this year's engagement self-assessment; carries on where left"),
    ("summary [plan]", "the status summary, for the steering group"),
    ("publish consultation 12", "put a register entry on the public engagement page"),
    ("cancel", "stop what we're doing; nothing half-done is saved"),
    ("help", "this list"),
)

UNKNOWN_PERSON = (
    "I don't know who you are yet, so I can't tell which actions are yours. "
    'Ask your engagement team to run: engagebot people assign "<your role>" --email <you>'
)


def help_turn(req: Request) -> Turn:
    items = tuple(Item(heading=cmd, body=what) for cmd, what in HELP_LINES)
    text = "I keep the community-engagement action plans and chase progress. You can say:"
    return say(text, items=items, choices=(Choice("My actions", "my actions"),))


def my_actions(req: Request) -> Turn:
    if req.who is None:
        return say(UNKNOWN_PERSON, private=True)
    actions = actions_of(req.session, req.who)
    if not actions:
        roles = ", ".join(r.name for r in roles_of(req.session, req.who)) or "no role yet"
        return say(f"You have no open actions ({roles}).", private=True)
    today = req.ctx.today()
    shown = actions[:20]
    items = tuple(action_item(req.session, a, today) for a in shown)
    more = f" Showing the first {len(shown)}." if len(actions) > len(shown) else ""
    plural = "s" if len(actions) != 1 else ""
    text = f"You have {len(actions)} open action{plural}, soonest due first.{more}"
    return Turn((Reply(text, items=items, private=True),))


def show_action(req: Request, ref: str) -> Turn:
    found = [a for a in find_by_ref(req.session, ref) if _visible(req, a.plan_id)]
    if not found:
        return say(f"I can't find an action '{ref}'. 'my actions' lists yours.")
    if len(found) > 1:
        choices = tuple(
            Choice(qualified_ref(req.session, a), f"show {button_key(a)}") for a in found
        )
        return say(f"There are several actions called {ref}. Which one?", choices=choices)
    return Turn((_details(req, found[0]),))


def _details(req: Request, action: Action) -> Reply:
    item = action_item(req.session, action, req.ctx.today())
    notes = history(req.session, action)[-5:]
    lines = [
        f"{n.created_at.astimezone(req.ctx.tz):%d/%m/%Y} {n.author_name or n.source}: "
        f"{short(n.text, 300) or '(no note)'}"
        + (f" [{n.status.label}]" if n.status else "")
        + (f" [target → {format_date(n.revised_target)}]" if n.revised_target else "")
        for n in notes
    ]
    fields = (
        Field("Agreed action", short(action.action, 300) or "—"),
        Field("Target as written", action.target_text or "—"),
    )
    history_item = Item(heading="Latest progress", body="\n".join(lines) or "No progress yet.")
    return Reply(
        f"{action.ref}: {short(action.recommendation, 500)}",
        items=(item, Item(heading="Details", fields=fields), history_item),
    )


def plans(req: Request) -> Turn:
    rows = [
        p
        for p in req.session.exec(select(Plan).order_by(col(Plan.name))).all()
        if _visible(req, p.id or 0)
    ]
    if not rows:
        return say("There are no plans yet. Import one with: engagebot import FILE")
    items = []
    for plan in rows:
        actions = req.session.exec(select(Action).where(Action.plan_id == plan.id)).all()
        done = sum(1 for a in actions if a.status.is_closed)
        items.append(
            Item(heading=plan.name, body=f"{plan.title} — {len(actions)} actions, {done} closed")
        )
    return say("The plans I know about:", items=tuple(items))


def not_understood(req: Request) -> Turn:
    # News of one's own actions, sent without a reminder, is an update.
    if (news := reminder_reply.volunteered(req)) is not None:
        return news
    text = short(req.msg.text, 80)
    return say(
        f"Sorry, I didn't understand '{text}'. Try 'my actions', 'update R4' or 'help'.",
        choices=(Choice("Help", "help"), Choice("My actions", "my actions")),
    )


def overdue(req: Request) -> Turn:
    """Open actions past their target date, most overdue first, across the plans one may see."""
    today = req.ctx.today()
    query = select(Action).where(col(Action.target_date) < today)
    late = [
        a
        for a in req.session.exec(query).all()
        if not a.status.is_closed and _visible(req, a.plan_id)
    ]
    if not late:
        return say("Nothing is overdue. 🎉")
    late.sort(key=lambda a: (a.target_date or today, a.plan_id, a.position))
    shown = late[:20]
    more = f" Showing the {len(shown)} most overdue." if len(late) > len(shown) else ""
    items = tuple(action_item(req.session, a, today) for a in shown)
    return say(
        f"{len(late)} open action{'s are' if len(late) != 1 else ' is'} overdue.{more}", items=items
    )


def _visible(req: Request, plan_id: int) -> bool:
    """Private plans are shown only to their admins and to holders of their roles."""
    plan = req.session.get(Plan, plan_id)
    if plan is None or not plan.private:
        return True
    return req.who is not None and is_member(req.session, req.who, plan)


FLOW: Flow[BaseModel] = Flow(
    name="commands",
    entries=(
        command(r"help|\?|what can you do|hi|hello", lambda r, m: help_turn(r)),
        command(
            r"my actions|mine|my tasks|what'?s mine|what do i own|list my actions",
            lambda r, m: my_actions(r),
        ),
        command(r"plans|list plans", lambda r, m: plans(r)),
        # Before "show R4": "show overdue" is the list, not an action called "overdue".
        command(r"(?:what'?s |what is |show |list )?overdue(?: actions)?", lambda r, m: overdue(r)),
        command(
            rf"(?:show|details|view)\s+(?P<ref>{ACTION_KEY})", lambda r, m: show_action(r, m["ref"])
        ),
        # "cancel" with nothing under way; in a conversation, the flow's own fallback takes it.
        command(CANCEL_WORDS, lambda r, m: say("There's nothing to cancel.")),
    ),
)

"""The small commands: help, my actions, one action's details, the plans, not understood."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import case, func
from sqlmodel import col, select

from handlers.chat import intents
from handlers.chat.flow import CANCEL_WORDS, Flow, command
from handlers.chat.messages import ACTION_KEY, Choice, Field, Intent, Item, Reply, Turn, say
from handlers.chat.request import Request
from handlers.flows import reminder_reply
from handlers.language.targets import format_date
from handlers.plans.actions import (
    action_item,
    actions_of,
    button_key,
    find_by_ref,
    history,
    prefetch,
    qualified_ref,
    short,
)
from handlers.plans.people import is_member, roles_of
from models.tables import Action, Plan, PlanAdmin, Status

HELP_LINES = (
    ("my actions", "the actions your role owns, soonest due first"),
    ("update R4", "add a progress note, a status and a revised date to action R4"),
    ("show R4", "an action's details and its progress history"),
    ("plans", "the action plans I know about"),
    ("overdue", "open actions past their target date"),
    ("should I consult?", "the consult-or-engage toolkit, one question at a time"),
    ("health check [for TEAM]", "this year's engagement self-assessment; carries on where left"),
    ("summary [plan]", "the status summary, for the steering group"),
    (
        "publish consultation 12",
        "put a register entry on the public page ('attach to consultation 12' with a file adds it)",
    ),
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
    return say(text, items=items, choices=(Choice("My actions", intents.my_actions()),))


def welcome(req: Request) -> Turn:
    """Hello, with what the bot can do for this person: their actions, the consult walk, and
    the summary of each plan they chair; in a room, what it does there."""
    if req.msg.address and req.msg.address.get("scope") == "room":
        return _room_welcome(req)
    intro = (
        "I keep the council's community-engagement action plans, remind officers before their "
        "targets, and help you decide whether to consult or engage."
    )
    consult_item = Item(
        heading="Should I consult?",
        body="Planning something that affects residents? A few questions, one at a time, and "
        "I'll say whether to consult, what the law asks and what the register already holds.",
        choices=(Choice("Should I consult?", intents.consult()),),
    )
    if req.who is None:
        text = f"Hello! {intro}\n\n{UNKNOWN_PERSON}"
        return say(text, items=(consult_item,), choices=(Choice("Help", intents.show_help()),))
    first = (req.who.name or "").split(" ")[0]
    items = [_actions_item(req), consult_item, *_chair_items(req)]
    text = f"Hello{' ' + first if first else ''}! {intro} Here is what I can do for you:"
    return say(text, items=tuple(items), choices=(Choice("Help", intents.show_help()),))


def _actions_item(req: Request) -> Item:
    assert req.who is not None
    actions = actions_of(req.session, req.who)
    today = req.ctx.today()
    if not actions:
        return Item("Your actions", "You have no open actions. I'll tell you when one is yours.")
    late = [a for a in actions if a.target_date is not None and a.target_date < today]
    body = f"You have {len(actions)} open action{'s' if len(actions) != 1 else ''}"
    body += f", {len(late)} overdue." if late else "."
    due = next((a for a in actions if a.target_date is not None and a.target_date >= today), None)
    if due is not None and due.target_date is not None:
        body += f" Next due: {due.ref} on {format_date(due.target_date)}."
    body += " I'll remind you before each target; answer in your own words."
    return Item("Your actions", body, choices=(Choice("My actions", intents.my_actions()),))


def _chair_items(req: Request) -> list[Item]:
    """The summary of each plan this person administers (a steering group's chair)."""
    assert req.who is not None
    query = select(Plan).join(PlanAdmin, col(PlanAdmin.plan_id) == col(Plan.id))
    chaired = req.session.exec(query.where(PlanAdmin.person_id == req.who.id)).all()
    return [
        Item(
            f"You chair {plan.name}",
            f"{plan.title}: the status summary for the steering group, and the board report.",
            choices=(Choice("Summary", intents.summary(plan.name)),),
        )
        for plan in chaired[:5]
    ]


def _room_welcome(req: Request) -> Turn:
    here = req.msg.place
    linked = req.session.exec(select(Plan).where(Plan.chat_channel == here)).all() if here else []
    text = (
        "Hello, everyone! I keep the council's community-engagement action plans. Mention me "
        "with 'summary' for the status summary, 'overdue' for what is late, or 'help'. I "
        "answer in the thread; reminders go to each officer's own chat with me."
    )
    choices = tuple(Choice(f"Summary: {p.name}", intents.summary(p.name)) for p in linked[:3])
    return say(text, choices=choices or (Choice("Summary", intents.summary("")),))


def my_actions(req: Request) -> Turn:
    if req.who is None:
        return say(UNKNOWN_PERSON, private=True)
    actions = actions_of(req.session, req.who)
    if not actions:
        roles = ", ".join(r.name for r in roles_of(req.session, req.who)) or "no role yet"
        return say(f"You have no open actions ({roles}).", private=True)
    today = req.ctx.today()
    shown = actions[:20]
    prefetch(req.session, shown)
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
            Choice(qualified_ref(req.session, a), Intent(intents.COMMANDS, "show", button_key(a)))
            for a in found
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
    visible = _visible_plans(req)
    rows = sorted((p for p in visible.values() if p is not None), key=lambda p: p.name)
    if not rows:
        return say("There are no plans yet. Import one with: engagebot import FILE")
    closed = case((col(Action.status).in_(CLOSED), 1), else_=0)
    counts = {
        plan_id: (total, done or 0)
        for plan_id, total, done in req.session.exec(
            select(Action.plan_id, func.count(), func.sum(closed)).group_by(col(Action.plan_id))
        ).all()
    }
    items = []
    for plan in rows:
        total, done = counts.get(plan.id or 0, (0, 0))
        items.append(Item(heading=plan.name, body=f"{plan.title} — {total} actions, {done} closed"))
    return say("The plans I know about:", items=tuple(items))


def not_understood(req: Request) -> Turn:
    # News of one's own actions, sent without a reminder, is an update.
    if (news := reminder_reply.volunteered(req)) is not None:
        return news
    text = short(req.msg.text, 80)
    return say(
        f"Sorry, I didn't understand '{text}'. Try 'my actions', 'update R4' or 'help'.",
        choices=(Choice("Help", intents.show_help()), Choice("My actions", intents.my_actions())),
    )


def out_of_date(req: Request) -> Turn:
    """A button naming something this version no longer has."""
    return say(
        "That button is out of date, so nothing was changed. Say 'help' to see what I can do.",
        private=True,
    )


def overdue(req: Request) -> Turn:
    """Open actions past their target date, most overdue first, across the plans one may see."""
    today = req.ctx.today()
    # Counted and the worst twenty read in SQL, along the index on the target date (an
    # `IN` list of the plans one may see would tempt SQLite to walk every action by plan):
    # at 100,000 actions, tens of thousands are late.
    hidden = [i for i, plan in _visible_plans(req).items() if plan is None]
    where = [col(Action.target_date) < today, col(Action.status).not_in(CLOSED)]
    if hidden:
        where.append(col(Action.plan_id).not_in(hidden))
    count = req.session.exec(select(func.count()).select_from(Action).where(*where)).one()
    if not count:
        return say("Nothing is overdue. 🎉")
    order = (col(Action.target_date), col(Action.plan_id), col(Action.position))
    shown = list(req.session.exec(select(Action).where(*where).order_by(*order).limit(20)).all())
    prefetch(req.session, shown)
    more = f" Showing the {len(shown)} most overdue." if count > len(shown) else ""
    items = tuple(action_item(req.session, a, today) for a in shown)
    return say(f"{count} open action{'s are' if count != 1 else ' is'} overdue.{more}", items=items)


CLOSED = (Status.COMPLETE, Status.WITHDRAWN)


def _visible(req: Request, plan_id: int) -> bool:
    """Private plans are shown only to their admins and to holders of their roles."""
    return _visible_plans(req).get(plan_id, True) is not None


def _visible_plans(req: Request) -> dict[int, Plan | None]:
    """Every plan by id, None for a private one this person may not see: read once a turn."""
    cached: dict[int, Plan | None] | None = req.session.info.get("visible_plans")
    if cached is None:
        cached = {}
        for plan in req.session.exec(select(Plan)).all():
            seen = not plan.private or (
                req.who is not None and is_member(req.session, req.who, plan)
            )
            cached[plan.id or 0] = plan if seen else None
        req.session.info["visible_plans"] = cached
    return cached


FLOW: Flow[BaseModel] = Flow(
    name=intents.COMMANDS,
    entries=(
        command(r"hi|hello|hey|good (?:morning|afternoon)", lambda r, m: welcome(r)),
        command(r"help|\?|what can you do", lambda r, m: help_turn(r)),
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
    actions={
        "help": lambda r, key: help_turn(r),
        "mine": lambda r, key: my_actions(r),
        "show": show_action,
    },
)

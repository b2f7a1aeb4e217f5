"""Home: one person's place to work, and their reminder settings.

"home" gives what a chat app's home page shows (Slack's Home tab; the console prints it): the
person's actions due soonest, each with Add update; for a plan's admins (the chair), their
plans' RAG at a glance; the consult walk and the health check a press away; and when their
reminders come, with the buttons that change it. The settings are commands too ("remind me
at 2pm", "snooze my reminders", "resume my reminders"), so every channel can change them.
"""

from __future__ import annotations

import re
from datetime import timedelta

from pydantic import BaseModel
from sqlmodel import col, select

from handlers.chat.flow import Flow, command
from handlers.chat.messages import Choice, Item, Reply, Turn, say
from handlers.chat.request import Request
from handlers.flows.commands import UNKNOWN_PERSON
from handlers.language.targets import format_date
from handlers.plans.actions import action_item, actions_of
from handlers.plans.preferences import (
    OFFERED,
    SettingError,
    describe,
    read_time,
    set_time,
    setting_of,
    snooze,
)
from handlers.plans.summary import summarise
from handlers.plans.summary_view import RAG_MARK
from models.tables import Plan, PlanAdmin

SHOWN = 8  # actions on the home page; "my actions" lists them all
SNOOZE_WEEKS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4}
CONSULT, HEALTH_CHECK = "should I consult?", "health check"
_PLAN_NAME = re.compile(r"[\w:.-]+")  # a name the summary command can take as one word


def home(req: Request) -> Turn:
    """The person's home page, as a few replies: actions, plans, ask me, reminders."""
    if req.who is None:
        return Turn((Reply(UNKNOWN_PERSON), _ask_me()))
    replies = [_actions(req), *_plans(req), _ask_me(), _reminders(req)]
    return Turn(tuple(replies))


def _actions(req: Request) -> Reply:
    assert req.who is not None
    actions = actions_of(req.session, req.who)
    if not actions:
        return Reply("You have no open actions.")
    today = req.ctx.today()
    items = tuple(action_item(req.session, a, today) for a in actions[:SHOWN])
    more = (
        f" The {SHOWN} due soonest are here; 'my actions' lists them all."
        if len(actions) > SHOWN
        else ""
    )
    plural = "s" if len(actions) != 1 else ""
    return Reply(
        f"You have {len(actions)} open action{plural}, soonest due first.{more}", items=items
    )


def _plans(req: Request) -> list[Reply]:
    """For a plan's admins: each of their plans' RAG, with its summary a press away."""
    assert req.who is not None
    query = (
        select(Plan)
        .join(PlanAdmin, col(PlanAdmin.plan_id) == col(Plan.id))
        .where(PlanAdmin.person_id == req.who.id)
        .order_by(col(Plan.name))
    )
    plans = list(req.session.exec(query).all())
    if not plans:
        return []
    items = []
    for plan in plans:
        summary = summarise(req.session, [plan], req.ctx.today(), None, req.ctx.now())
        button = (
            (Choice("Summary", f"summary {plan.name}"),) if _PLAN_NAME.fullmatch(plan.name) else ()
        )
        items.append(
            Item(
                heading=f"{RAG_MARK.get(summary.rag, '')} {plan.title or plan.name}".strip(),
                body=f"{summary.rag.upper()}: {summary.rag_reason}. {summary.total} actions.",
                choices=button,
            )
        )
    return [Reply("Your plans at a glance", items=tuple(items))]


def _ask_me() -> Reply:
    return Reply(
        "Ask me",
        choices=(Choice("Should I consult?", CONSULT), Choice("Health check", HEALTH_CHECK)),
    )


def _reminders(req: Request) -> Reply:
    assert req.who is not None
    setting = setting_of(req.session, req.who)
    today = req.ctx.today()
    chosen = setting.remind_at if setting else None
    times = tuple(
        Choice(f"{at:%H:%M}", f"remind me at {at:%H:%M}", "primary" if at == chosen else "default")
        for at in OFFERED
    )
    usual = Choice("Usual time", "remind me at the usual time", "default" if chosen else "primary")
    snoozed = (
        setting is not None and setting.snoozed_until is not None and setting.snoozed_until > today
    )
    # Not one of the times: kept as its own button beside them (way_out), never in a menu.
    pause = (
        Choice("Resume reminders", "resume my reminders", way_out=True)
        if snoozed
        else Choice("Snooze for a week", "snooze my reminders", way_out=True)
    )
    return Reply(describe(setting, today), choices=(*times, usual, pause))


# -- the settings, as commands ---------------------------------------------------------------


def remind_at(req: Request, text: str) -> Turn:
    if req.who is None:
        return say(UNKNOWN_PERSON, private=True)
    usual = re.fullmatch(r"(?:the )?usual(?: time)?|default|normal(?: time)?", text.strip(), re.I)
    try:
        at = None if usual else read_time(text)
    except SettingError as err:
        return say(str(err), private=True)
    set_time(req.session, req.who, at, req.ctx.now())
    when = f"at {at:%H:%M}" if at else "at the usual time again"
    return say(f"Done: your reminders will come {when}.", private=True)


def snooze_reminders(req: Request, weeks: str | None) -> Turn:
    if req.who is None:
        return say(UNKNOWN_PERSON, private=True)
    count = SNOOZE_WEEKS.get((weeks or "a").lower()) or int(weeks or 1)
    if not 1 <= count <= 8:
        return say("I can snooze reminders for one to eight weeks.", private=True)
    until = req.ctx.today() + timedelta(weeks=count)
    snooze(req.session, req.who, until, req.ctx.now())
    return say(
        f"Snoozed: no reminders until {format_date(until)}. 'resume my reminders' ends it sooner.",
        private=True,
    )


def resume_reminders(req: Request) -> Turn:
    if req.who is None:
        return say(UNKNOWN_PERSON, private=True)
    snooze(req.session, req.who, None, req.ctx.now())
    return say("Your reminders are back on.", private=True)


FLOW: Flow[BaseModel] = Flow(
    name="home",
    entries=(
        command(r"home|my home|home page|dashboard", lambda r, m: home(r)),
        command(r"remind me at (?P<at>.{1,20})", lambda r, m: remind_at(r, m["at"])),
        command(
            r"snooze (?:all )?(?:my )?reminders(?: for (?P<n>a|one|two|three|four|[1-8]) weeks?)?",
            lambda r, m: snooze_reminders(r, m["n"]),
        ),
        command(
            r"(?:resume|unsnooze|wake up) (?:all )?(?:my )?reminders",
            lambda r, m: resume_reminders(r),
        ),
    ),
)

"""Asking for the status summary in chat, and standing orders to post it to a channel."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from pydantic import BaseModel
from sqlmodel import Session, col, select

from handlers.chat import intents
from handlers.chat.flow import Flow, command
from handlers.chat.messages import Turn, say
from handlers.chat.request import Request
from handlers.language.targets import format_date, parse_date_answer
from handlers.plans.people import is_plan_admin
from handlers.plans.people import may_see as may_see_plan
from handlers.plans.summary_view import summary_message
from models.tables import Plan, ScheduledSummary

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


def may_see(session: Session, req: Request, plan: Plan) -> bool:
    """Anyone in the plan's channel; for a private plan elsewhere, only its members."""
    return may_see_plan(session, req.who, plan, req.msg.place)


def find_plan(
    session: Session, name: str, visible: Callable[[Plan], bool] = lambda plan: True
) -> list[Plan]:
    """Plans by exact name, else by a unique part of the name or title, among the `visible`."""
    plans = [p for p in session.exec(select(Plan).order_by(col(Plan.name))).all() if visible(p)]
    exact = [p for p in plans if p.name.lower() == name.lower()]
    if exact:
        return exact
    wanted = name.lower()
    return [p for p in plans if wanted in p.name.lower() or wanted in p.title.lower()]


def plans_for(req: Request, name: str | None) -> tuple[list[Plan], str]:
    """The plans a summary is about, and a problem to tell the asker if there are none."""
    session = req.session
    if name:
        # Only plans the asker may see are matched: a private plan's name is never shown
        # to someone who is not one of its members, not even in "which one?".
        found = find_plan(session, name, lambda plan: may_see(session, req, plan))
        if len(found) > 1:
            return [], f"'{name}' matches {', '.join(p.name for p in found)}. Which one?"
        if not found:
            return [], f"I don't know a plan '{name}' that you can see. 'plans' lists them."
        return found, ""
    here = req.msg.place
    linked = session.exec(select(Plan).where(Plan.chat_channel == here)).all() if here else []
    if linked:
        return list(linked), ""
    visible = [
        p
        for p in session.exec(select(Plan).order_by(col(Plan.name))).all()
        if may_see(session, req, p)
    ]
    return visible, "" if visible else "There are no plans you can see yet."


def summary_turn(req: Request, name: str | None, full: bool) -> Turn:
    plans, problem = plans_for(req, name)
    if problem:
        return say(problem, private=True)
    reply = summary_message(
        req.session, plans, req.ctx.now(), req.ctx.today(), full=full, where=req.msg.place
    )
    return Turn((reply,))


# -- standing orders -----------------------------------------------------------------------


def schedule_weekly(req: Request, day: str, name: str | None) -> Turn:
    plan, problem = _plan_to_schedule(req, name)
    if plan is None:
        return say(problem, private=True)
    weekday = WEEKDAYS.index(day.lower())
    _add_schedule(req, plan, weekday=weekday, dates=[])
    return say(
        f"I'll post the {plan.name} summary here every {day.capitalize()} at the usual "
        "reminder time. Say 'stop scheduled summaries' to stop."
    )


def schedule_meetings(req: Request, dates_text: str, name: str | None) -> Turn:
    plan, problem = _plan_to_schedule(req, name)
    if plan is None:
        return say(problem, private=True)
    dates: list[date] = []
    for part in re.split(r",|\band\b|;", dates_text):
        if not part.strip():
            continue
        answer = parse_date_answer(part, today=req.ctx.today())
        if answer.day is None:
            return say(f"{answer.problem or 'I could not read that date.'} Nothing was scheduled.")
        if answer.day < req.ctx.today():
            return say(f"{format_date(answer.day)} has passed. Nothing was scheduled.")
        dates.append(answer.day)
    if not dates:
        return say(
            "Which meeting dates? e.g. 'post the summary before meetings on 12/01/2027 "
            "and 09/02/2027'."
        )
    _add_schedule(req, plan, weekday=None, dates=dates)
    listed = ", ".join(format_date(d) for d in sorted(dates))
    return say(
        f"I'll post the {plan.name} summary here the working day before each meeting: {listed}."
    )


def stop_schedules(req: Request) -> Turn:
    here = req.msg.place
    found = req.session.exec(
        select(ScheduledSummary).where(
            ScheduledSummary.chat_channel == here, col(ScheduledSummary.active)
        )
    ).all()
    allowed = [
        s for s in found if req.who and s.plan_id and is_plan_admin(req.session, req.who, s.plan_id)
    ]
    for schedule in allowed:
        schedule.active = False
        req.session.add(schedule)
    if not allowed:
        return say("There are no scheduled summaries here that you can stop.")
    return say(
        f"Stopped {len(allowed)} scheduled summar{'y' if len(allowed) == 1 else 'ies'} here."
    )


def _plan_to_schedule(req: Request, name: str | None) -> tuple[Plan | None, str]:
    plans, problem = plans_for(req, name)
    if problem:
        return None, problem
    if len(plans) != 1:
        return None, "Which plan? e.g. 'post the summary every Monday for blackpool-audit-2019'."
    plan = plans[0]
    if req.who is None or not is_plan_admin(req.session, req.who, plan.id or 0):
        return (
            None,
            f"Only the admins of {plan.name} (the chair, the engagement team) can schedule "
            "its summary.",
        )
    return plan, ""


def _add_schedule(req: Request, plan: Plan, *, weekday: int | None, dates: list[date]) -> None:
    req.session.add(
        ScheduledSummary(
            plan_id=plan.id,
            via=req.msg.channel,
            chat_channel=req.msg.place,
            weekday=weekday,
            meeting_dates=[d.isoformat() for d in dates],
            created_by_id=req.who.id if req.who else None,
            created_at=req.ctx.now(),
        )
    )


FLOW: Flow[BaseModel] = Flow(
    name=intents.SUMMARY,
    entries=(
        command(
            r"(?:summary|status)(?P<full> full)?(?: (?:of |for )?(?P<plan>[\w:.-]+))?",
            lambda r, m: summary_turn(r, m["plan"], bool(m["full"])),
        ),
        command(
            r"post (?:the )?summary every (?P<day>monday|tuesday|wednesday|thursday|friday)"
            r"(?: for (?P<plan>\S+))?",
            lambda r, m: schedule_weekly(r, m["day"], m["plan"]),
        ),
        command(
            r"post (?:the )?summary before (?:each |the )?meetings? on (?P<dates>.+?)"
            r"(?: for (?P<plan>\S+))?",
            lambda r, m: schedule_meetings(r, m["dates"], m["plan"]),
        ),
        command(
            r"stop (?:the )?(?:scheduled |weekly )?summar(?:y|ies)",
            lambda r, m: stop_schedules(r),
        ),
    ),
    actions={
        "full": lambda r, plan: summary_turn(r, plan or None, True),
        "show": lambda r, plan: summary_turn(r, plan or None, False),
    },
)

"""'Should I consult or engage?': the toolkit flowchart walked one question at a time.

The flowchart is data (handlers/toolkit/*.yaml) walked by the pure engine in
handlers/toolkit/flowchart.py; this module turns its nodes into chat replies, says what the
engagement register already holds like the walk (the toolkit may not import the register, so the
search happens here), records the walk, and at the end offers to add the activity to the register.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path

from pydantic import BaseModel
from sqlmodel import col, select

from handlers.chat import intents
from handlers.chat.flow import Flow, command
from handlers.chat.messages import Choice, Field, Intent, Item, Reply, Turn, say
from handlers.chat.request import Request
from handlers.chat.state import Next
from handlers.language.targets import parse_date_answer
from handlers.plans.organisations import NATIONS, nation_key, nation_of, save_nation
from handlers.plans.register import Activity, add, describe, not_allowed, similar
from handlers.toolkit.catalogue import KINDS, Duty
from handlers.toolkit.flowchart import (
    DETAILS,
    Flowchart,
    Outcome,
    WalkError,
    WalkState,
    answers_at,
    begin,
    collected,
    current_node,
    duties_of,
    load,
    not_here,
    offered_duties,
    outcome_of,
    remaining,
    size_of,
    title_matches,
)
from handlers.toolkit.flowchart import (
    nation_of as walk_nation,
)
from handlers.toolkit.flowchart import step as walk_step
from models.tables import Consultation, FlowchartWalk, PlanAdmin

NAME = intents.CONSULT
WHY = "why are you asking?"
YES = ("register", "yes", "y", "add", "add it", "add anyway", "yes please")
NOT_ADVICE = "This is guidance, not legal advice: ask legal services when unsure."
SHOWN = 3  # register matches named with a question (the ending names up to five)
NATION_QUESTION = "Which UK nation is your council in? Its law is the one I'll give you."
NATION_WHY = (
    "The law on consultation differs between England, Wales, Scotland and Northern Ireland: "
    "many duties apply in only some of them. An admin's answer is saved for the whole council."
)
CHECKED = {
    "legislation": "checked against the legislation",
    "guidance": "checked against official guidance",
    "memory": "not yet checked against the law: confirm with legal services",
}


class Step(StrEnum):
    NATION = "nation"  # which nation the council is in (asked while nobody has said)
    WALK = "walk"  # answering the flowchart's questions
    OFFER = "offer"  # offered to add the activity to the register
    SIMILAR = "similar"  # shown similar activities before adding


def answer(step: Step, key: str) -> Intent:
    """A button answering `step` of the walk."""
    return Intent(NAME, step, key)


# Always in sight, beside the answers or a menu of them.
CONTROL = (
    Choice("Why are you asking?", answer(Step.WALK, WHY), way_out=True),
    Choice("Back", answer(Step.WALK, "back"), way_out=True),
    Choice("Start again", answer(Step.WALK, "start again"), way_out=True),
)


class WalkData(BaseModel):
    walk: int | None = None  # the FlowchartWalk row recording this walk
    node: str = ""
    path: list[tuple[str, str]] = []  # (node, answer) so far
    collected: list[tuple[str, str]] = []  # (register field, value) typed in on the way
    nation: str = ""  # the council's nation (a NATIONS key)

    def state(self) -> WalkState:
        return WalkState(
            node=self.node,
            path=tuple(self.path),
            collected=tuple(self.collected),
            nation=self.nation,
        )

    def at(self, state: WalkState) -> WalkData:
        return WalkData(
            walk=self.walk,
            node=state.node,
            path=list(state.path),
            collected=list(state.collected),
            nation=state.nation,
        )


@cache
def _chart(path: Path | None) -> Flowchart:
    return load(path)


def chart(req: Request) -> Flowchart:
    return _chart(req.ctx.flowchart)


def start(req: Request) -> Turn:
    flowchart = chart(req)
    walk = FlowchartWalk(
        flowchart=flowchart.name,
        version=flowchart.version,
        person_id=req.who.id if req.who else None,
        who_name=req.who.name if req.who else req.msg.user,
        channel=req.msg.channel,
        started_at=req.ctx.now(),
    )
    req.session.add(walk)
    req.session.flush()
    intro = f"{flowchart.title} I'll ask a few questions, one at a time. 'cancel' stops."
    nation = nation_of(req.session, req.ctx.org)
    if not nation:
        return _ask_nation(WalkData(walk=walk.id), intro)
    return _ask(req, flowchart, begin(flowchart, nation), WalkData(walk=walk.id), intro=intro)


def _ask_nation(data: WalkData, intro: str = "") -> Turn:
    choices = tuple(Choice(name, name) for name in NATIONS.values())
    text = "\n\n".join(p for p in (intro, NATION_QUESTION) if p)
    reply = Reply(text, choices=(*choices, Choice("Why are you asking?", WHY)))
    return Turn((reply,), Next(NAME, Step.NATION, data))


def _on_nation(req: Request, data: WalkData) -> Turn:
    """The council's nation, saved for everyone when an admin gives it."""
    said = req.answer.strip()
    if said.lower().rstrip("?") in (WHY.rstrip("?"), "why"):
        return _ask_nation(data, NATION_WHY)
    nation = nation_key(said)
    if nation is None:
        return _ask_nation(data, f'I didn\'t recognise "{said}" as a UK nation.')
    if _is_admin(req):
        save_nation(req.session, req.ctx.org, nation)
        note = f"Saved: your council is in {NATIONS[nation]}, for everyone's walks."
    else:
        note = (
            f"I'll use the law of {NATIONS[nation]} for this walk. An admin can set it for the "
            "whole council by answering this question, or with `engagebot orgs set --nation`."
        )
    flowchart = chart(req)
    state = begin(flowchart, nation)
    return _ask(req, flowchart, state, data.at(state), intro=note)


def _is_admin(req: Request) -> bool:
    """An admin: anyone who administers a plan (the engagement team, the chair)."""
    if req.who is None:
        return False
    query = select(PlanAdmin).where(col(PlanAdmin.person_id) == req.who.id)
    return req.session.exec(query).first() is not None


def _on_walk(req: Request, data: WalkData) -> Turn:
    flowchart = chart(req)
    state = data.state()
    answer = req.answer.strip()
    if answer.lower().rstrip("?") in (WHY.rstrip("?"), "why"):
        node = current_node(flowchart, state)
        return _ask(req, flowchart, state, data, intro=node.why if node else "")
    try:
        state = walk_step(flowchart, state, answer)
    except WalkError as err:
        return _ask(req, flowchart, state, data, intro=str(err))
    outcome = outcome_of(flowchart, state)
    if outcome is None:
        return _ask(req, flowchart, state, data)
    return _finish(req, flowchart, state, outcome, data)


def _ask(
    req: Request, flowchart: Flowchart, state: WalkState, data: WalkData, intro: str = ""
) -> Turn:
    node = current_node(flowchart, state)
    assert node is not None  # an unfinished walk is always at a question
    answers = answers_at(flowchart, state, node)
    choices = tuple(Choice(a.label, answer(Step.WALK, a.label), way_out=a.way_out) for a in answers)
    if node.input in DETAILS:  # the register details can wait: one button skips them all
        choices = (Choice("Skip these details", answer(Step.WALK, "skip all")),)
    hint = "" if answers else "\n(Type your answer.)"
    found = _found(_search(req, state), SHOWN) if node.search_register else ""
    if node.offer and node.offer.search and not offered_duties(flowchart, state, node):
        where = NATIONS[walk_nation(state)]
        found = f"I found no duty of {where} in the catalogue for those words."
    matching = title_matches(flowchart, state, node)
    if matching:
        found = "Matching your title: " + "; ".join(d.button() for d in matching) + "."
    text = "\n\n".join(p for p in (intro, found, f"{node.question}{hint}") if p).strip()
    number = len(state.path) + 1
    note = f"Question {number} of about {number - 1 + remaining(flowchart, state.node)}"
    reply = Reply(text, choices=choices + CONTROL, note=note)
    return Turn((reply,), Next(NAME, Step.WALK, data.at(state)))


def _search(req: Request, state: WalkState) -> list[tuple[Consultation, str]]:
    """Register entries from the last year like this walk (its title, area and audience)."""
    activity = _activity(state, None, req.ctx.today())
    if not (activity.title or activity.area or activity.audience):
        return []
    return similar(req.session, activity, req.ctx.today())


def _found(matches: list[tuple[Consultation, str]], shown: int) -> str:
    """What the register search found: how many, then the first few and why each."""
    if not matches:
        return "I searched the engagement register: nothing similar in the last 12 months."
    count = len(matches)
    listed = "".join(
        f"\n• {entry.title} ({describe(entry)}), similar because of {why}"
        for entry, why in matches[:shown]
    )
    return (
        f"I searched the engagement register: {count} similar "
        f"entr{'y' if count == 1 else 'ies'} in the last 12 months:{listed}"
    )


def _finish(
    req: Request, flowchart: Flowchart, state: WalkState, outcome: Outcome, data: WalkData
) -> Turn:
    walk = req.session.get(FlowchartWalk, data.walk) if data.walk else None
    if walk is not None:
        walk.answers = [list(pair) for pair in state.path]
        walk.outcome, walk.level, walk.finished_at = outcome.id, outcome.level, req.ctx.now()
        req.session.add(walk)
    items = _ending(req, flowchart, state, outcome)
    text = f"{outcome.title}\nLevel: {outcome.level_words}"
    if outcome.process:
        text += f"\nProcess: {KINDS[outcome.process]}"
    text += f"\nThe law of {NATIONS[walk_nation(state)]}"
    activity = _activity(state, outcome, req.ctx.today())
    offer = (
        Choice("Add to the engagement register", answer(Step.OFFER, "register"), "primary"),
        Choice("No thanks", answer(Step.OFFER, "no")),
    )
    fields = (
        Field("Title", activity.title or "—"),
        Field("Audience", activity.audience or "—"),
        Field("Area", activity.area or "—"),
    )
    reply = Reply(text, items=items, fields=fields, choices=offer, note=NOT_ADVICE)
    return Turn((reply,), Next(NAME, Step.OFFER, data.at(state)))


def _ending(
    req: Request, flowchart: Flowchart, state: WalkState, outcome: Outcome
) -> tuple[Item, ...]:
    """Why, what the law asks, what to do, proportionately, afterwards, and the register."""
    size = size_of(flowchart, state)
    nation = walk_nation(state)
    items = [Item("Why", outcome.why)]
    items += [_duty_item(duty, nation) for duty in duties_of(flowchart, state)]
    away = not_here(flowchart, state)
    if away:
        items.append(Item(f"Not in {NATIONS[nation]}", _not_here(away, nation)))
    items.append(Item("Next steps", _bullets(outcome.next_steps)))
    if size in flowchart.sizes:
        items.append(Item("Proportionate", flowchart.sizes[size]))
    items.append(Item("Methods that suit", _bullets(outcome.methods_for(size))))
    if outcome.afterwards:
        items.append(Item("After the consultation", _bullets(outcome.afterwards)))
    items.append(Item("The engagement register", _found(_search(req, state), 5)))
    return tuple(items)


def _bullets(lines: tuple[str, ...]) -> str:
    return "\n".join(f"• {line}" for line in lines)


WHO = {
    "notice_and_objections": "Who is told, and who may object:",
    "request_to_decide": "Who is told:",
    "referendum": "Who votes:",
    "another_body": "Who decides, and who to tell:",
    "no_statutory_process": "Who to tell:",
}


def _duty_item(duty: Duty, nation: str) -> Item:
    """A law of the nation the walk brought in: what it asks, who, when, and where it is from."""
    lines = [f"Law: {duty.law}", duty.asks]
    if duty.who:
        lines.append(WHO.get(duty.kind, "Who must be consulted:"))
        lines += [f"• {who}" for who in duty.who]
    if duty.timing:
        lines.append(f"Timing: {duty.timing}")
    if duty.note_for(nation):
        lines.append(f"In {NATIONS[nation]}: {duty.note_for(nation)}")
    lines += [f"{name}: {differs}" for name, differs in duty.elsewhere if name == NATIONS[nation]]
    if duty.source is not None:
        day = date.fromisoformat(duty.source.date).strftime("%d/%m/%Y")
        lines.append(f"Source: {CHECKED[duty.source.checked]} ({duty.source.where}), {day}.")
    return Item(duty.name, "\n".join(lines))


def _not_here(duties: tuple[Duty, ...], nation: str) -> str:
    """Duties the officer may have in mind that do not apply in the council's nation."""
    lines = []
    for duty in duties:
        instead = dict(duty.not_here).get(nation, "")
        lines.append(
            f"• {duty.name} ({duty.law}) applies in {duty.where()} only. {instead}".strip()
        )
    return "\n".join(lines)


def _on_offer(req: Request, data: WalkData) -> Turn:
    if req.answer.strip().lower() not in YES:
        return say("OK, not added. Say 'should I consult?' any time to start again.")
    refused = not_allowed(req.session, req.who)
    if refused:
        return say(refused, private=True)
    flowchart = chart(req)
    state = data.state()
    outcome = outcome_of(flowchart, state)
    assert outcome is not None
    activity = _activity(state, outcome, req.ctx.today())
    if not activity.title:
        return say("The walk has no title for the activity, so I can't add it.")
    matches = similar(req.session, activity, req.ctx.today())
    if matches:
        items = tuple(
            Item(f"{c.title}", f"{describe(c)}\nSimilar because of {why}.")
            for c, why in matches[:5]
        )
        text = (
            f"Before I add '{activity.title}': {len(matches)} similar activit"
            f"{'y' if len(matches) == 1 else 'ies'} in the last 12 months. Could you join up or "
            "reuse what they found?"
        )
        choices = (
            Choice("Add mine anyway", answer(Step.SIMILAR, "add anyway"), "primary"),
            Choice("Don't add", answer(Step.SIMILAR, "no")),
        )
        return Turn((Reply(text, items=items, choices=choices),), Next(NAME, Step.SIMILAR, data))
    return _add(req, state, outcome, data)


def _on_similar(req: Request, data: WalkData) -> Turn:
    if req.answer.strip().lower() not in YES:
        return say("Not added. The similar activities' leads are listed above, to join up with.")
    state = data.state()
    outcome = outcome_of(chart(req), state)
    assert outcome is not None
    return _add(req, state, outcome, data)


def _add(req: Request, state: WalkState, outcome: Outcome, data: WalkData) -> Turn:
    refused = not_allowed(req.session, req.who)  # checked again: the person may be gone
    if refused:
        return say(refused, private=True)
    entry = add(req.session, _activity(state, outcome, req.ctx.today()), req.who, req.ctx.now())
    walk = req.session.get(FlowchartWalk, data.walk) if data.walk else None
    if walk is not None:
        walk.consultation_id = entry.id
        req.session.add(walk)
    text = (
        f"Added to the engagement register as entry {entry.id}: {entry.title} "
        f"({describe(entry)}). To put it on the public page, say 'publish {entry.id}'."
    )
    publish = Choice("Publish it", intents.publish(entry.id or 0))
    return say(text, choices=(publish,))


def _activity(state: WalkState, outcome: Outcome | None, today: date) -> Activity:
    """The register entry the walk describes so far (outcome None: the walk is not over)."""
    defaults = outcome.register if outcome else {}
    fields = {**{k: str(v) for k, v in defaults.items()}, **collected(state)}
    return Activity(
        title=fields.get("title", ""),
        level=outcome.level if outcome else "",
        audience=fields.get("audience", ""),
        area=fields.get("area", ""),
        planned_start=_date(fields.get("start", ""), today, start=True),
        planned_end=_date(fields.get("end", ""), today),
        legal_advice=fields.get("legal_advice", "").lower() in ("true", "yes", "1"),
        budget=fields.get("budget", ""),
    )


def _date(text: str, today: date, *, start: bool = False) -> date | None:
    """A register date as the officer gave it. A start given as a month ("February 2027")
    is the month's first day: read as a deadline it would be its last."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        day = parse_date_answer(text, today=today).day
    month_only = day is not None and str(day.day) not in text and "end" not in text.lower()
    return day.replace(day=1) if start and day is not None and month_only else day


FLOW = Flow(
    name=NAME,
    entries=(
        command(
            r"consult|should i consult(?: or engage)?|consult or engage|do i need to consult",
            lambda r, m: start(r),
        ),
    ),
    data=WalkData,
    steps={
        Step.NATION: _on_nation,
        Step.WALK: _on_walk,
        Step.OFFER: _on_offer,
        Step.SIMILAR: _on_similar,
    },
    free_text=frozenset({Step.WALK, Step.NATION}),
    actions={intents.START: lambda r, key: start(r)},
)

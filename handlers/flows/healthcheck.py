"""The community engagement health check in chat: one question at a time, resumable.

"health check" (or "health check for Youth Services") starts this financial year's check for
the organisation (or the team), or carries on where it was left: every answer is saved as it is
given (handlers/plans/healthchecks.py), so a check left for a week, or begun in Slack and
finished in Teams, picks up at the next unanswered question. For each kind of engagement the
check asks for examples, offering the register's activities of that level from the past 12
months, then a score on each dimension with the guidance for each score as the options
(handlers/toolkit/healthcheck.yaml).
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel

from handlers.chat import intents
from handlers.chat.flow import CANCEL_WORDS, Flow, command
from handlers.chat.messages import Choice, Intent, Item, Reply, Turn, say
from handlers.chat.request import Request
from handlers.chat.state import Next
from handlers.language.years import parse_year, year_of
from handlers.plans import healthchecks as store
from handlers.plans.healthchecks import Labels
from handlers.toolkit.healthcheck import Guidance, Question, load, questions
from models.tables import Consultation, HealthCheck

NAME = intents.HEALTHCHECK
MAX_EXAMPLE_CHARS = 300
OFFERED = 5  # register activities offered as examples, newest first
SKIP = ("skip", "none", "-", "no example")
BACK = ("back", "go back", "undo")
PAUSE_HINT = "'pause' stops; the answers are kept."
UNKNOWN = (
    "Only people I know can run the health check, and I don't know who you are yet. Ask your "
    'engagement team to run: engagebot people assign "<your role>" --email <you>'
)


class Step(StrEnum):
    EXAMPLE = "example"  # waiting for an example: typed words, never taken as a command
    SCORE = "score"  # waiting for a score


def control(step: Step) -> tuple[Choice, ...]:
    """Back and Pause, beside any question."""
    return (
        Choice("Back", Intent(NAME, step, "back"), way_out=True),
        Choice("Pause", Intent(NAME, step, "pause"), way_out=True),
    )


class CheckData(BaseModel):
    check: int  # the HealthCheck row being answered


def labels_of(guidance: Guidance) -> Labels:
    """What the store and the reports call each level and dimension, from the guidance."""
    return Labels(
        levels=tuple((level.id, level.title) for level in guidance.levels),
        dimensions=tuple((d.id, d.title) for d in guidance.dimensions),
        not_for=frozenset(
            (level.id, d.id)
            for d in guidance.dimensions
            for level in guidance.levels
            if not d.applies_to(level.id)
        ),
        top=guidance.top,
    )


def start(req: Request, team: str, *, again: bool = False) -> Turn:
    if req.who is None:
        return say(UNKNOWN, private=True)
    guidance = load()
    year = year_of(req.ctx.today())
    name = f"{guidance.name} {guidance.version}"
    check = store.begin(req.session, team.strip(), year, req.who, name, req.ctx.now())
    if again:
        store.restart(check, req.who, req.ctx.now())
    elif check.finished_at is not None:
        return _done_already(req, guidance, check)
    answered = sum(1 for q in questions(guidance) if q.key in check.answers)
    who = _who(check)
    if answered:
        intro = f"Carrying on the {year} health check for {who}: {answered} answered so far."
    else:
        intro = f"The {year} health check for {who}. {guidance.intro} {PAUSE_HINT}"
    return _ask(req, guidance, check, intro)


def _done_already(req: Request, guidance: Guidance, check: HealthCheck) -> Turn:
    on = check.finished_at.astimezone(req.ctx.tz) if check.finished_at else req.ctx.now()
    by = f" by {check.who_name}" if check.who_name else ""
    text = f"The {check.year} health check for {_who(check)} was done on {on:%d/%m/%Y}{by}."
    again = Choice("Do it again", Intent(NAME, "redo", check.team))
    items = _summary(req, guidance, check)
    return Turn((Reply(text, items=items, choices=(again,)),))


def _on_answer(req: Request, data: CheckData) -> Turn:
    guidance = load()
    check = req.session.get(HealthCheck, data.check)
    if check is None:
        return say("That health check is no longer here. Say 'health check' to start again.")
    asked = questions(guidance)
    current = _current(asked, check)
    said = req.answer.strip()
    if said.lower().rstrip(".") in BACK:
        return _back(req, guidance, check, asked, current)
    if current is None:  # answered elsewhere meanwhile
        return _finish(req, guidance, check)
    problem = _record(req, guidance, check, current, said)
    if problem:
        return _ask(req, guidance, check, problem)
    if _current(asked, check) is None:
        return _finish(req, guidance, check)
    return _ask(req, guidance, check)


def _record(req: Request, guidance: Guidance, check: HealthCheck, q: Question, said: str) -> str:
    """Keep the answer to `q`; or say why it cannot be kept."""
    now = req.ctx.now()
    if q.kind == "score":
        match = re.match(r"\s*(\d+)\b", said)
        score = int(match[1]) if match else 0
        if not 1 <= score <= guidance.top:
            return f"Please pick a score from 1 to {guidance.top} (the number is enough)."
        store.answer(check, q.key, score, now)
    elif said.lower() in SKIP:
        store.answer(check, q.key, "", now)
    else:
        example = _example(req, said)
        if not example:
            return "Please type an example, pick one, or say 'skip'."
        if len(example) > MAX_EXAMPLE_CHARS:
            return f"Please keep an example to {MAX_EXAMPLE_CHARS} characters: a title is enough."
        store.answer(check, q.key, example, now)
    req.session.add(check)
    return ""


def _example(req: Request, said: str) -> str:
    """The example's words: a register activity's title when one was picked."""
    picked = re.fullmatch(r"register #(\d+)", said)
    if picked is None:
        return " ".join(said.split())
    entry = req.session.get(Consultation, int(picked[1]))
    return entry.title if entry is not None else ""


def _back(
    req: Request, guidance: Guidance, check: HealthCheck, asked: list[Question], q: Question | None
) -> Turn:
    at = asked.index(q) if q is not None else len(asked)
    if at == 0:
        return _ask(req, guidance, check, "This is the first question: nothing to go back to.")
    store.unanswer(check, asked[at - 1].key, req.ctx.now())
    req.session.add(check)
    return _ask(req, guidance, check)


def _current(asked: list[Question], check: HealthCheck) -> Question | None:
    """The first question not answered yet."""
    return next((q for q in asked if q.key not in check.answers), None)


def _ask(req: Request, guidance: Guidance, check: HealthCheck, intro: str = "") -> Turn:
    asked = questions(guidance)
    q = _current(asked, check)
    if q is None:
        return _finish(req, guidance, check)
    level = guidance.level(q.level)
    options: tuple[Item, ...] = ()
    if q.kind == "example":
        text, choices = _example_question(req, guidance, check, q)
    else:
        dimension = guidance.dimension(q.dimension)
        text = f"{level.title}: {dimension.title.lower()}. Which describes {_who(check)} best?"
        # Each score is its guidance with a button: labels alone would be cut short in Slack.
        options = tuple(
            Item(
                guidance.score_words(score),
                words,
                choices=(Choice(f"Score {score}", Intent(NAME, Step.SCORE, str(score))),),
            )
            for score, words in sorted(dimension.guidance(q.level).items())
        )
        choices = ()
    note = f"Question {asked.index(q) + 1} of {len(asked)} · {check.year} · {_who(check)}"
    body = f"{intro}\n\n{text}".strip()
    step = Step.EXAMPLE if q.kind == "example" else Step.SCORE
    reply = Reply(body, items=options, choices=choices + control(step), note=note)
    return Turn((reply,), Next(NAME, step, CheckData(check=check.id or 0)))


def _example_question(
    req: Request, guidance: Guidance, check: HealthCheck, q: Question
) -> tuple[str, tuple[Choice, ...]]:
    level = guidance.level(q.level)
    given = set(store.examples_given(check, q.level))
    offered = [
        c
        for c in store.recent_activities(req.session, q.level, req.ctx.today())
        if c.title not in given
    ][:OFFERED]
    lead = f"{level.title}: {level.description}\n\n" if q.number == 1 else ""
    where = (
        "Pick one from the engagement register, or type your own"
        if offered
        else "Type one (the register has none of this kind from the last 12 months)"
    )
    text = (
        f"{lead}Example {q.number} of {guidance.examples}: an example of "
        f"{level.title.lower()} from the past 12 months. {where}, or say 'skip'."
    )
    choices = tuple(
        Choice(c.title, Intent(NAME, Step.EXAMPLE, f"register #{c.id}")) for c in offered
    )
    return text, (*choices, Choice("Skip", Intent(NAME, Step.EXAMPLE, "skip"), way_out=True))


def _finish(req: Request, guidance: Guidance, check: HealthCheck) -> Turn:
    check.finished_at = check.finished_at or req.ctx.now()
    req.session.add(check)
    text = (
        f"Thank you: the {check.year} health check for {_who(check)} is saved. "
        "`engagebot healthcheck report` compares it with last year."
    )
    return Turn((Reply(text, items=_summary(req, guidance, check)),))


def _summary(req: Request, guidance: Guidance, check: HealthCheck) -> tuple[Item, ...]:
    """Each level: its scores (with last year's, where there is one) and its examples."""
    last = store.scores(store.find(req.session, check.team, parse_year(check.year).previous))
    mine = store.scores(check)
    items = []
    for level in guidance.levels:
        lines = []
        for d in guidance.dimensions:
            score = mine.get((level.id, d.id))
            if not d.applies_to(level.id) or score is None:
                continue
            before = last.get((level.id, d.id))
            was = f" (last year {before})" if before is not None else ""
            lines.append(f"{d.title}: {score}{was}")
        examples = store.examples_given(check, level.id)
        lines.append("Examples: " + ("; ".join(examples) if examples else "none given"))
        items.append(Item(level.title, "\n".join(lines)))
    return tuple(items)


def _who(check: HealthCheck) -> str:
    return check.team or "the whole organisation"


def _pause(req: Request) -> Turn:
    return say("Paused. Your answers are kept: say 'health check' to carry on where you left off.")


_TEAM = r"(?:\s+for\s+(?:the\s+)?(?P<team>.+?))?"
FLOW = Flow(
    name=NAME,
    entries=(
        command(
            rf"(?:redo|restart|start again|do again)\s+(?:the\s+|our\s+)?health\s?check{_TEAM}",
            lambda r, m: start(r, m["team"] or "", again=True),
        ),
        command(
            rf"(?:start\s+|do\s+|run\s+|carry on with\s+)?(?:the\s+|our\s+)?"
            rf"(?:health\s?check|self[- ]assessment){_TEAM}",
            lambda r, m: start(r, m["team"] or ""),
        ),
    ),
    data=CheckData,
    steps={Step.EXAMPLE: _on_answer, Step.SCORE: _on_answer},
    free_text=frozenset({Step.EXAMPLE}),
    fallbacks=(command(rf"pause|later|{CANCEL_WORDS}", lambda r, m: _pause(r)),),
    actions={
        intents.START: lambda r, team: start(r, team),
        "redo": lambda r, team: start(r, team, again=True),
    },
    # A check may be carried on weeks later; the answers are in the check itself anyway.
)

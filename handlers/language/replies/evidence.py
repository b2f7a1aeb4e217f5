"""Confidence by evidence: what a reading may show as settled, and what it must ask.

A field is shown as settled (for the officer to Save) only when the reply gives explicit
evidence for it and nothing in the reply contradicts it. Otherwise the officer is asked, and
the question offers what the reply contains: the statuses it could mean, best guess first, and
each date it names with its words, beside "keep the target" and "let me type it".

The date rules, in the order they are tried (what each reads, and why):

- target kept: "no change to the date", "date's ok", "in time". The officer says it holds.
- latest deadline: of dates all cued as deadlines ("out for feedback until mid Jan ... should
  land by March"), the latest: the end of the work comes after its steps.
- a later step: "until 20 Jan, then to Cabinet in March". The date is not the end of the work.
- soft cue: "delivery expected early December". Maybe one step's date, maybe the end.
- several dates: a cued date, and another future date after it beyond the target. The latest
  is the likeliest end of the work, but only the officer can say: asked, latest first.
- season or year: "spring", "a 2028 job". Three months or a year: only the officer can say
  which day, so it is weighed as a vague time, offering its last day.
- vague time: "after the elections", "in the new year", "another few weeks". Inside the target
  it changes nothing; if it may fall after the target, the target moves, to when?
- beyond the target: a meeting, a step or an uncued date after the target. The action can't
  finish by its target, so the officer is asked whether there is a new one.
- missed: "won't make it" with no date. The new date is asked for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from handlers.language.replies.dates import Found
from handlers.language.replies.deadlines import (
    MISSING,
    DateChoice,
    DateRoles,
    a_later_step,
    finishes,
    later_step_date,
)
from handlers.language.replies.model import Candidate, DateOption
from handlers.language.replies.progress import finish_clause
from handlers.language.replies.tokens import TARGET_VERBS, Tokens
from handlers.language.replies.vague import VagueTime, vague_times
from handlers.language.targets import format_date
from handlers.language.vocabulary import MONTHS, one_of
from models.tables import Status

_MOST_OPTIONS = 4


@dataclass(frozen=True)
class DateReading:
    """The revised target as read: settled (`new_date`), none, or asked (`problem`)."""

    new_date: date | None = None
    text: str = ""
    problem: str | None = None
    confirm: bool = False
    in_past: bool = False
    options: tuple[DateOption, ...] = ()
    moves: bool = False  # the reply says the target will not hold, without a date for it


@dataclass(frozen=True)
class DateEvidence:
    """What the date rules need of a reply."""

    note: str
    tokens: Tokens
    dates: Sequence[Found]
    roles: DateRoles
    kept: bool  # "no change to the date"
    status: Status | None  # the status as read so far
    action: Candidate | None
    today: date


_SEASON = re.compile(
    r"(?:(?:the|this|next|in|by|until|till)\s+)*(?:spring|summer|autumn|winter|fall)", re.I
)
_YEAR_ALONE = re.compile(r"(?:(?:in|by|until|till)\s+)?20\d\d", re.I)


def settle_date(e: DateEvidence) -> DateReading:
    """The revised target, or what to ask about it; see the table in the module docstring."""
    if e.kept:
        return DateReading()
    target = e.action.target if e.action is not None else None
    choice = e.roles.ranked[0] if e.roles.ranked else None
    if choice is not None and _vague_phrase(choice.found):
        choice = None  # a season or a year: weighed below as a vague time
    if choice is not None and choice.found.answer.day is not None:  # noqa: SIM102
        first = _latest_deadline(e, choice)
        for candidate in [first] + [c for c in e.roles.ranked if c is not first]:
            if candidate.found.answer.day is None or _vague_phrase(candidate.found):
                continue
            reading = _weigh_choice(e, candidate, target)
            if reading is not _A_STEP:
                return reading
        choice = None  # every date the reply gives is a step inside the plan: look further
    vague = _vague_beyond(e, target)
    if vague is not None:
        return vague
    if choice is not None:  # a date that could not be read: "31/02/2027", "Q1 2027"
        return _ask(e, choice.found.text, choice.found.answer.problem or "", first=None)
    beyond = _beyond(e, target, after=None)
    if beyond:
        names = " and ".join(f'"{o.words}"' for o in beyond[:2])
        problem = f"You mention {names}, after the target: is there a new target date?"
        return DateReading(problem=problem, options=tuple(beyond), moves=True)
    if e.status is Status.DELAYED and MISSING.search(e.note):
        missed = _ask(e, "", "You say the target will be missed: what is the new target date?")
        return replace(missed, moves=True)
    if target is None and e.roles.others and e.action is not None and e.action.status:
        problem = "It has no target date: is one of these its target?"  # "to the July Cabinet"
        return _ask(e, "", problem)
    if target is not None and any(d > target for d in e.roles.starts):
        problem = "The work starts after the target: what is the new target date?"
        return DateReading(problem=problem, moves=True)  # "I'll start next month", due now
    stuck = e.status is Status.DELAYED or _STUCK.search(e.note)
    if stuck and (target is not None or e.status is Status.DELAYED):
        now = f"the target is {format_date(target)}" if target else "it has no target date"
        problem = (  # "Paused pending the restructure", "still stuck": the date can't hold
            f"It is delayed, and {now}: what is the new target date, or keep it?"
        )
        return replace(_ask(e, "", problem), moves=True)
    return DateReading()


_STUCK = re.compile(
    r"(?<![\w-])(?:unfunded|no funding|stuck|blocked|stalled|on hold|paused|no capacity"
    r"|no resource|(?:will )?stay where it is|never (?:going to be )?realistic|not realistic)"
    r"(?![\w-])",
    re.IGNORECASE,
)


def _weigh_choice(e: DateEvidence, choice: DateChoice, target: date | None) -> DateReading:
    hit = choice.found
    day = hit.answer.day
    assert day is not None
    current = e.action.status if e.action is not None else None
    if _after(e, hit):  # "will look at it after the year end": no sooner, not when it is done
        problem = f"You say after {hit.text}: is there a target date, or keep it as it is?"
        return _ask(e, hit.text, problem, choice)
    if target is None and current is not None and not choice.revision and not _finishing(e, hit):
        problem = f"Is {hit.text} ({format_date(day)}) a target for it?"  # "closes 30 August"
        return _ask(e, hit.text, problem, choice)  # work with no target: maybe a step in it
    if current in _CLOSED:
        target = None  # reopened: the old target says nothing of the new work
    if day == target and choice.revision and not choice.in_past:
        # "pushed to the back end of the year", due at the end of this one: which year?
        problem = f"\u201c{hit.text}\u201d is the target already: moved to when?"
        reading = _ask(e, hit.text, problem, choice)
        if "year" not in hit.text.lower():  # "end of the month": this one, or type it
            return reading
        a_year_on = DateOption(_a_year_on(day), f"{hit.text}, a year on")
        return replace(reading, options=_unique([*reading.options, a_year_on]))
    said_again = _its_month(hit, target) and not choice.revision and e.status is not Status.DELAYED
    if day == target or said_again:
        return DateReading()  # the same target again ("on course for end of May", due 28 May)
    if (quarter := _current_quarter(e, hit)) is not None:
        return quarter
    delayed = e.status is Status.DELAYED  # "delayed until 7 Dec": the officer moves the target
    moved_back = choice.revision and not choice.named and not choice.in_past
    if moved_back and target is not None and day < target and not delayed:
        problem = (
            f"You say {hit.text} ({format_date(day)}), before the target "
            f"({format_date(target)}): is that a new target for the whole action, or a step "
            "moved?"
        )
        return _ask(e, hit.text, problem, first=choice)  # "first meeting moved to Jan"
    uncued = choice.rank >= 4 and not choice.revision
    if target is not None and day < target and uncued and not delayed:
        alone = hit.first == 0 and hit.last == len(e.tokens) - 1  # "Sept 28", and nothing else
        if not finish_clause(e.tokens, choice) and not alone:
            return _A_STEP  # "user testing w/c 11 Jan", due in March: a step inside it
        if not _still_needs(e, hit):  # "SLT sign-off on 9 December": done earlier, then
            return DateReading(new_date=day, text=hit.text, confirm=hit.answer.needs_confirmation)
        problem = (
            f"Is {hit.text} ({format_date(day)}) the new target for the whole action? It is "
            f"{format_date(target)} now."
        )
        return _ask(e, hit.text, problem, first=choice)  # "sign-off in Jan": earlier, or a step
    if a_later_step(e.tokens, e.dates, hit):
        then = later_step_date(e.tokens, e.dates, hit)
        if (
            then is not None
            and then.answer.day
            and finishes(e.tokens, then)
            and _uncontested(e, then)
        ):
            # "testing ends 29 January, then the final version goes to the group on 10 March"
            return DateReading(new_date=then.answer.day, text=then.text)
        problem = (
            f"You mention {hit.text} and a later step: which date is the new target for the "
            "whole action?"
        )
        first = DateChoice(then, False, False) if then is not None else choice
        return _ask(e, hit.text, problem, first=first)
    if choice.soft:
        problem = (
            f"Is {hit.text} ({format_date(day)}) the new target for the whole action, or the "
            'date of one step? Say the new target date, or "keep".'
        )
        return _ask(e, hit.text, problem, first=choice)
    later = [o for o in _beyond(e, target, after=day) if o.day != day]
    if later and not choice.named:
        problem = (
            f"You mention {hit.text} ({format_date(day)}) and a later date: which is the new "
            "target for the whole action?"
        )
        return _ask(e, hit.text, problem, first=choice)
    if _before_a_day(e, hit):  # "before Christmas": Christmas Eve, or Christmas as said? Asked
        eve = day - timedelta(days=1)
        while eve.weekday() > 4:  # the last working day before it ("before Easter": Good Friday)
            eve -= timedelta(days=1)
        options = (DateOption(eve, f"before {hit.text}"), DateOption(day, hit.text))
        problem = f"Before {hit.text}: by {format_date(eve)}, or {format_date(day)}?"
        return DateReading(text=hit.text, problem=problem, options=options)
    if choice.in_past:  # "new date end of March 2026", said in December 2026: next year's?
        try:
            next_year = day.replace(year=day.year + 1)
        except ValueError:
            next_year = day.replace(year=day.year + 1, day=28)
        if next_year >= e.today:
            option = DateOption(next_year, f"{hit.text}, a year on")
            return DateReading(new_date=day, text=hit.text, in_past=True, options=(option,))
    return DateReading(
        new_date=day, text=hit.text, confirm=hit.answer.needs_confirmation, in_past=choice.in_past
    )


_A_STEP = DateReading(text="a step")  # a date inside the plan: look at the next one


def _current_quarter(e: DateEvidence, hit: Found) -> DateReading | None:
    """'until Q3 now', said in Q3: this quarter, or the same one next year? Asked."""
    day = hit.answer.day
    if day is None or not _BARE_QUARTER.fullmatch(hit.text.strip()) or (day - e.today).days > 92:
        return None
    next_year = day.replace(year=day.year + 1, day=28 if day.month == 2 else day.day)
    calendar = _calendar_quarter_end(day, next_year.year)
    options = tuple(
        DateOption(d, hit.text) for d in sorted({day, next_year, calendar}) if d >= e.today
    )
    problem = f"Is {hit.text} this quarter ({format_date(day)}), or next year's? Say the date."
    return DateReading(text=hit.text, problem=problem, options=options)


_BARE_QUARTER = re.compile(r"(?:(?:the\s+)?end\s+of\s+)?q(?:tr)?\s*[1-4]", re.IGNORECASE)


def _calendar_quarter_end(financial_end: date, year: int) -> date:
    """The calendar quarter with the same number: Q3 of the financial year ends in December,
    Q3 of the calendar year in September."""
    number = {6: 1, 9: 2, 12: 3, 3: 4}[financial_end.month]
    month = 3 * number
    following = date(year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)


def _its_month(hit: Found, target: date | None) -> bool:
    """A month named with no day ('October', 'end of May'), the month the target falls in:
    the target said again, not moved to the month's end."""
    day = hit.answer.day
    if target is None or day is None or _A_DAY_NUMBER.search(hit.text):
        return False
    if not _A_MONTH.search(hit.text):
        return False  # "another month", "Christmas": not a month named
    return (day.year, day.month) == (target.year, target.month)


_A_DAY_NUMBER = re.compile(r"(?<!\d)\d{1,2}(?!\d)")
_A_MONTH = re.compile(rf"\b{one_of(MONTHS)}\b", re.IGNORECASE)


def _after(e: DateEvidence, hit: Found) -> bool:
    """The date follows 'after' ('after the year end'): a day no sooner than, not a day by."""
    before = [t.word for t in e.tokens[max(0, hit.first - 2) : hit.first]]
    return bool(before) and (before[-1] == "after" or before == ["after", "the"])


def _finishing(e: DateEvidence, hit: Found) -> bool:
    """The date's clause says the work is done then ('end of March to wrap it all up')."""
    span = e.tokens.spans[e.tokens[hit.first].clause]
    outside = (k for k in span if not hit.first <= k <= hit.last)
    return any(TARGET_VERBS.search(e.tokens[k].word) for k in outside)


def _before_a_day(e: DateEvidence, hit: Found) -> bool:
    before = e.tokens[hit.first - 1].word if hit.first > 0 else ""
    single = hit.answer.day is not None and _ONE_DAY.fullmatch(hit.text.strip())
    return before == "before" and bool(single)


_ONE_DAY = re.compile(
    r"(?:the\s+)?(?:christmas|xmas|easter|\d{1,2}(?:st|nd|rd|th)?\s+\w+(?:\s+\d{4})?)", re.I
)


def _uncontested(e: DateEvidence, hit: Found) -> bool:
    """No other date named after this one."""
    return not any(f.first > hit.last and f.answer.day is not None for f in e.dates)


def _latest_deadline(e: DateEvidence, choice: DateChoice) -> DateChoice:
    """Of dates all said to be deadlines ("until mid Jan ... by March"), the latest: the end of
    the work comes after its steps. A revision cue ("new date") is never second-guessed."""
    if choice.revision:
        return choice
    cued = [
        c
        for c in e.roles.ranked
        if not c.revision
        and c.rank <= 3
        and c.found.answer.day is not None
        and not c.in_past
        and not _vague_phrase(c.found)
    ]
    return max(cued, key=lambda c: c.found.answer.day or date.min, default=choice)


_STILL_NEEDS = frozenset({"needs", "need", "still", "yet", "just", "only", "waiting"})


def _still_needs(e: DateEvidence, hit: Found) -> bool:
    """'Just needs HHT sign-off in Jan': work still to do on the way, maybe not its end."""
    clause = e.tokens[hit.first].clause
    start = e.tokens.spans[clause].start
    return any(e.tokens[k].word in _STILL_NEEDS for k in range(start, hit.first))


def _vague_phrase(found: Found) -> bool:
    return bool(_SEASON.fullmatch(found.text.strip()) or _YEAR_ALONE.fullmatch(found.text.strip()))


def _vague_beyond(e: DateEvidence, target: date | None) -> DateReading | None:
    """A vague time that may fall after the target: the target moves, to when?"""
    times = [v for v in vague_times(e.note, e.today) if _may_pass(v, target, e.status)]
    if not times:
        return None
    first = times[0]
    offered = tuple(DateOption(v.ends_on, v.words) for v in times if v.ends_on is not None)
    problem = f'"{first.words}" is not a date I can put in the plan: when will it be done?'
    if target is not None:
        problem = (
            f'"{first.words}" may be after the target ({format_date(target)}): what is the new '
            "target date?"
        )
    reading = _ask(e, first.words, problem)
    options = _merge(offered, reading.options)
    return DateReading(text=first.words, problem=problem, options=options, moves=True)


def _may_pass(vague: VagueTime, target: date | None, status: Status | None) -> bool:
    if target is None:
        return status is Status.DELAYED  # nothing to compare with: only a delay moves it
    return vague.latest > target


def _beyond(e: DateEvidence, target: date | None, *, after: date | None) -> tuple[DateOption, ...]:
    """Future dates the reply names past the target (and past `after`), latest first."""
    if target is None and after is None:
        return ()
    floor = max(d for d in (target, after, e.today) if d is not None)
    found = [c.found for c in e.roles.ranked] + list(e.roles.others)
    found += [f for f in e.dates if f.event_day is not None]  # "the June round"
    days = [
        (day, hit)
        for hit in found
        if (day := hit.latest) is not None and day > floor and not _vague_phrase(hit)
    ]
    days.sort(key=lambda item: item[0], reverse=True)
    return _unique([DateOption(day, _words(e, hit)) for day, hit in days])


def _ask(e: DateEvidence, text: str, problem: str, first: DateChoice | None = None) -> DateReading:
    """Ask for the date, offering the dates the reply names (this one first)."""
    found = [c.found for c in e.roles.ranked] + list(e.roles.others)
    if first is not None:
        found = [first.found] + [f for f in found if f is not first.found]
    found += [f for f in e.dates if f.event_day is not None and f not in found]  # "the June CLT"
    options = [
        DateOption(day, _words(e, hit))
        for hit in found
        for day in (hit.answer.options or (hit.latest,))
        if day is not None and day >= e.today
    ]
    if first is None:  # the latest is the likeliest end of the work
        options.sort(key=lambda o: o.day, reverse=True)
    return DateReading(text=text, problem=problem, options=_unique(options))


def _a_year_on(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _words(e: DateEvidence, hit: Found) -> str:
    """The date phrase with the few words before it in its clause: 'done by end of June'."""
    clause = e.tokens[hit.first].clause
    start = hit.first
    while start > 0 and hit.first - start < 3 and e.tokens[start - 1].clause == clause:
        start -= 1
    return e.note[e.tokens[start].start : e.tokens[hit.last].end]


def _unique(options: Sequence[DateOption]) -> tuple[DateOption, ...]:
    seen: set[date] = set()
    out = []
    for option in options:
        if option.day not in seen:
            seen.add(option.day)
            out.append(option)
    return tuple(out[:_MOST_OPTIONS])


def _merge(first: Sequence[DateOption], rest: Sequence[DateOption]) -> tuple[DateOption, ...]:
    return _unique([*first, *rest])


# ---------------------------------------------------------------------------------------------
# Status


@dataclass(frozen=True)
class StatusReading:
    """The status as read: settled (`status`, None to keep it), or asked (`ask`, best first)."""

    status: Status | None
    ask: tuple[Status | None, ...] = ()


@dataclass(frozen=True)
class StatusEvidence:
    """What the status rules need of a reply."""

    note: str
    status: Status | None  # as read from the status words and the account of the work
    ask: tuple[Status | None, ...]  # what the account of the work leaves to ask
    inferred: bool  # partly complete by inference ("3 of 4 done", "drafted"), not in words
    on_track: bool  # "on track", "the date's fine": the work goes on as planned
    closed: bool  # "please close this", "can be marked complete": said of the action
    action: Candidate | None
    today: date


@dataclass(frozen=True)
class BareRule:
    """A reply of a word or two that says no more than yes, no, or 'look elsewhere'."""

    name: str
    words: str  # a regular expression for the whole reply, lower case, punctuation removed
    why: str


BARE_RULES = (
    BareRule(
        "yes",
        r"(?:yes|yep|yeah|yup|aye)",
        "A yes to 'your update' could mean done, or just yes: asked, keeping it first.",
    ),
    BareRule(
        "ticked",
        r"(?:\u2705|\u2714\ufe0f?|\u2611\ufe0f?)+",
        "A tick: done.",
    ),
    BareRule(
        "acknowledged",
        r"(?:ok|okay|fine|all good|all fine|noted|thanks|thank you|cheers"
        r"|sure|will do|no problem|no worries)(?: (?:yes|all good|thanks|cheers))*"
        r"|(?:yep|yes|yeah) (?:all good|fine|ok|thanks)|\U0001f44d|\U0001f44c|\U0001f642",
        "OK, all good, a thumbs-up: heard, with nothing to change.",
    ),
    BareRule(
        "on it",
        r"(?:on it|onto it|on the case|in hand|cracking on)",
        "'On it' to work not begun: begun now, or heard? Asked, In progress first; to work "
        "under way, heard, with nothing to change.",
    ),
    BareRule(
        "not applicable",
        r"(?:n a|na|not applicable|not relevant)",
        "'n/a' to an open action: not mine, no longer needed, or nothing to say? Asked, keeping "
        "it first; to a closed one, nothing changes.",
    ),
    BareRule(
        "no",
        r"(?:no|nope|nah|no sorry|nope sorry)",
        "A bare no to 'how is it going?': not done, not started, or no to the reminder itself? "
        "Asked, keeping it first, and the target with it.",
    ),
    BareRule(
        "not yet",
        r"(?:not yet|no not yet|not done|not finished|not quite)(?: sorry)?",
        "Not done. Close to or past its target, the target will be missed: asked; "
        "otherwise nothing changes.",
    ),
    BareRule(
        "rag red",
        r"(?:red|rag red|status red|\U0001f534)",
        "A RAG rating of red: in trouble, late, or just at risk? Asked, the date with it.",
    ),
    BareRule(
        "rag amber",
        r"(?:amber|rag amber|status amber|\U0001f7e0|\U0001f7e1)",
        "Amber: at risk, but not said to be late. Asked, keeping it first.",
    ),
    BareRule(
        "rag green",
        r"(?:green|rag green|status green|\U0001f7e2)",
        "Green: on track, nothing changes.",
    ),
    BareRule(
        "elsewhere",
        r"see (?:above|below|previous|earlier|my last|my email|email|attached)(?: update| email)?"
        r"|as (?:above|before|previously)|as per (?:my )?(?:last|previous)(?: update| email)?"
        r"|(?:same|as|no change from) (?:as )?(?:last time|before|my last|previous(?:ly)?)"
        r"|(?:ask|try|check with|speak to|talk to|over to) [a-z]+(?: [a-z]+)?",
        "The update is somewhere the bot can't see: asked.",
    ),
)
_BARE = tuple((rule, re.compile(rule.words, re.IGNORECASE)) for rule in BARE_RULES)
_SOON = 7  # days: a "not yet" this close to the target means it will be missed


def bare_rule(note: str) -> BareRule | None:
    """The bare reply this is, if it is one."""
    keep = r"[^\w\s\U0001f300-\U0001faff\u2705\u2714\u2611\ufe0f]"
    plain = " ".join(re.sub(keep, " ", note.lower()).split())
    return next((rule for rule, pattern in _BARE if pattern.fullmatch(plain)), None)


_BARE_WORDS = 4
_BACK = re.compile(r"\bback (?:on|under ?way|in hand|to (?:plan|normal))\b", re.IGNORECASE)
_WORK_TOLD = re.compile(
    r"\b(?:held|met|drafted|drafting|done|started|begun|launched|ran|sent|agreed|booked"
    r"|written|underway|under way|out|live|(?!(?:no|some|any|every)?thing\b)\w+ing)\b",
    re.IGNORECASE,
)


def settle_status(e: StatusEvidence) -> StatusReading:
    """The status, or what to ask about it: see each rule's why."""
    current = e.action.status if e.action is not None else None
    if current in _CLOSED and (e.status not in (None, current) or _REOPEN.search(e.note)):
        # "Need to reopen this", "a U-turn: we do need it after all": only the officer can say
        # a withdrawn action comes back to be started; a complete one was only part done
        back = (Status.NOT_STARTED,) if current is Status.WITHDRAWN else (Status.IN_PROGRESS,)
        said = (e.status,) if e.status not in (None, current) else ()
        return StatusReading(None, (*said, *back, _PARTLY, Status.IN_PROGRESS, Status.DELAYED))
    if e.ask:
        return StatusReading(None, e.ask)
    # "both on track", "on the register, still on course for Oct": no work told of
    bare = len(e.note.split()) <= _BARE_WORDS or not _WORK_TOLD.search(e.note)
    if e.status is Status.IN_PROGRESS and e.on_track and current is Status.IN_PROGRESS:
        return StatusReading(None)  # "on track" said of work under way changes nothing
    if e.status is Status.IN_PROGRESS and e.on_track and current is Status.NOT_STARTED and bare:
        # "On track", alone, for work not yet begun: begun now, or on course to begin?
        return StatusReading(None, (Status.IN_PROGRESS, None))
    again = _BACK.search(e.note) is not None
    if e.status is Status.IN_PROGRESS and e.on_track and current is Status.DELAYED and not again:
        # "Aye, on track": for the revised date, so still Delayed on the chair's report, or
        # back under way? Officers mean both (blind batches 36, 42); "back on track" is plain
        return StatusReading(None, (Status.IN_PROGRESS, None))
    if e.status is Status.IN_PROGRESS and e.on_track and current is _PARTLY:
        # "On track" for work part done: it stays part done, or the officer calls it in progress
        return StatusReading(None, (None, Status.IN_PROGRESS))
    if e.status is _PARTLY and e.inferred and current is Status.IN_PROGRESS:
        if e.on_track:  # "3 of 4 workshops done, so we'll finish in time": under way, as planned
            return StatusReading(None)
        # "9 of 14 returned", "fieldwork done, analysis next": a part done, or a step of it
        return StatusReading(None, (_PARTLY, None, Status.COMPLETE))
    if e.status is _PARTLY and e.inferred and current in (Status.NOT_STARTED, Status.DELAYED):
        # "the checklist is drafted", "the session happened, write-up to follow"
        return StatusReading(None, (_PARTLY, Status.IN_PROGRESS, Status.COMPLETE))
    # an action known to have no target date (its status known) is ongoing work
    ongoing = e.action is not None and e.action.target is None and current is not None
    if e.status is Status.COMPLETE and ongoing and not e.closed:
        return StatusReading(None, (None, Status.COMPLETE))  # "this year's analysis done"
    return StatusReading(e.status)


def settle_bare(
    rule: BareRule, action: Candidate | None, today: date
) -> tuple[StatusReading, DateReading]:
    """A bare reply: nothing changes, or (a 'no' near the target) asked."""
    current = action.status if action is not None else None
    target = action.target if action is not None else None
    if rule.name == "elsewhere":
        return StatusReading(None, (None,)), DateReading()
    if rule.name == "yes":
        return StatusReading(None, (None, Status.COMPLETE)), DateReading()
    if rule.name == "rag red" and current not in (Status.COMPLETE, Status.WITHDRAWN):
        problem = "Red: is there a new target date, or keep it?"
        return StatusReading(None, (Status.DELAYED, None)), DateReading(problem=problem)
    if rule.name == "rag amber" and current not in (Status.COMPLETE, Status.WITHDRAWN):
        return StatusReading(None, (None, Status.DELAYED)), DateReading()
    if rule.name == "on it" and current is Status.NOT_STARTED:
        return StatusReading(None, (Status.IN_PROGRESS, None)), DateReading()
    if rule.name == "ticked":
        return StatusReading(Status.COMPLETE), DateReading()
    closed = current in (Status.COMPLETE, Status.WITHDRAWN)
    if rule.name == "not applicable" and not closed:
        return StatusReading(None, (None, Status.WITHDRAWN)), DateReading()
    if rule.name == "no" and not closed:
        problem = "Is there a new target date, or keep it?"
        return StatusReading(None, (None, Status.DELAYED, Status.NOT_STARTED)), DateReading(
            problem=problem
        )
    soon = target is not None and (target - today).days <= _SOON
    if rule.name == "not yet" and soon and not closed:
        assert target is not None
        problem = (
            f"Not done yet, and the target is {format_date(target)}: what is the new target date?"
        )
        return StatusReading(None, (None, Status.DELAYED)), DateReading(problem=problem)
    return StatusReading(None), DateReading()


# An auto-reply: the officer is away and has not read the reminder.
_AWAY = re.compile(
    r"(?<![\w-])(?:out of (?:the )?office|automatic reply|auto-?reply|no access to (?:my )?e-?mail"
    # the officer's own leave, not a colleague's ("our NHS contact is on leave until 25 January")
    r"|(?:^|(?<=[.!?\n])|\bi(?:'m| am| will be|'ll be| shall be))\s*(?:currently\s+)?"
    r"on (?:annual )?leave (?:until|till|from|and will)|allan o'?r swyddfa|ateb awtomatig)"
    r"(?![\w-])",
    re.IGNORECASE,
)


def away(note: str) -> bool:
    """An out-of-office reply, in English or Welsh: nothing to read in it."""
    return bool(_AWAY.search(note))


_REACHED = re.compile(
    r"(?<![\w-])(?:hit|reached|achieved|passed|met|exceeded|got to|over)\s+(?:the\s+|our\s+)?"
    r"(?:target\s+(?:of\s+)?)?(\d[\d,]*)\s*(%|per ?cent)?",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(\d[\d,]*)\s*(%|per ?cent)?")
# "we've hit the number": the action's own number, reached, named rather than given
_REACHED_IT = re.compile(
    r"(?<![\w-])(?:hit|reached|achieved|met|made)\s+(?:the|our|that)\s+"
    r"(?:number|target|figure|total)(?![\w-])",
    re.IGNORECASE,
)


def reached_its_number(note: str, action: Candidate | None) -> bool:
    """'The panel has hit 1,000', 'we hit 90%': the number the action aims at, reached."""
    if action is None:
        return False
    aims = {(int(n.replace(",", "")), bool(u)) for n, u in _NUMBER.findall(action.text)}
    if aims and _REACHED_IT.search(note):
        return True
    for m in _REACHED.finditer(note):
        value, percent = int(m[1].replace(",", "")), bool(m[2])
        if any(percent == p and value >= aim > 0 for aim, p in aims):
            return True
    return False


_ASKS_DONE = re.compile(
    r"(?:covers? it|that'?s it(?: complete| done)?|is (?:that|this) (?:it|enough|done)"
    r"|(?:can|could|shall) (?:we|you|i) (?:close|mark|tick|sign off)[^?]{0,30}|done now)\s*\?",
    re.IGNORECASE,
)


def asks_if_done(note: str) -> bool:
    """'I think that covers it?': the officer asks whether it is done; only they can say."""
    return bool(_ASKS_DONE.search(note))


_SOON_DAYS = 14  # a part left with the target this close can't be done by it


def rest_undated(
    reading: DateReading, status: StatusReading, action: Candidate | None, today: date
) -> DateReading:
    """Part done and the rest with no date, the target close or gone, or none set ('Toolkit
    yes, training no'): when will the rest be done? Asked, keeping the target on offer."""
    if reading.new_date or reading.problem or action is None:
        return reading
    partly = Status.PARTIALLY_COMPLETE in (status.status, *status.ask[:1])  # said, or best guess
    target = action.target
    no_target = target is None and action.status is not None  # known to have none
    close = no_target or (target is not None and (target - today).days <= _SOON_DAYS)
    if not partly or not close or action.status is Status.PARTIALLY_COMPLETE:
        return reading
    when = f"the target is {format_date(target)}" if target else "it has no target date"
    return DateReading(problem=f"Only part is done and {when}: when will the rest be done?")


def earlier_asked(
    reading: DateReading,
    status: StatusReading,
    action: Candidate | None,
    revised: bool,
) -> DateReading:
    """A date before the target read from a reply whose status is asked about, or that does
    not say the target moves ('at the printers, with us by the 18th', due the 30th): asked.
    The bot does not bring a target forward on a day something else happens."""
    target = action.target if action is not None else None
    day = reading.new_date
    if day is None or target is None or day >= target or reading.in_past:
        return reading
    if not status.ask and revised:
        return reading
    problem = (
        f"Is {reading.text} ({format_date(day)}) the new target for the whole action? It is "
        f"{format_date(target)} now."
    )
    return DateReading(text=reading.text, problem=problem, options=(DateOption(day, reading.text),))


_UNDER_WAY = frozenset({Status.IN_PROGRESS, Status.PARTIALLY_COMPLETE})
_CLOSED = frozenset({Status.COMPLETE, Status.WITHDRAWN})
_REOPEN = re.compile(
    r"(?<![\w-])(?:re-?open\w*|u-?turn|after all|back on|revive\w*|reinstat\w*|re-?start\w*)"
    r"(?![\w-])",
    re.IGNORECASE,
)
_PARTLY = Status.PARTIALLY_COMPLETE


# The phrases the evidence rules read (see residue.py).
READ_PHRASES = (_STUCK, _AWAY, _REACHED, _ASKS_DONE, _REOPEN, MISSING)

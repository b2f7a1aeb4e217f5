"""Vague times: "after the elections", "in the new year", "spring", "another few weeks".

None of them is a date to write in a plan, but each says roughly when. The table gives, for
each, the earliest and the latest day it can mean from today, so the reader can tell a time
that falls inside the action's target (nothing changes: "back by Easter" for an action due at
the end of April) from one past it (the target moves, and only the officer can say to when:
they are asked, offered the day the phrase ends on where it has one).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

Span = tuple[date, date]


def _next(today: date, windows: tuple[tuple[int, int, int, int], ...]) -> Span:
    """The first of the yearly windows (month, day, month, day) that has not ended yet."""
    spans = []
    for year in (today.year - 1, today.year, today.year + 1):
        for m1, d1, m2, d2 in windows:
            start = date(year, m1, d1)
            end = date(year + (m2 < m1), m2, d2)
            if end >= today:
                spans.append((start, end))
    return min(spans)


def _first_thursday_of_may(year: int) -> date:
    first = date(year, 5, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7)


def _elections(today: date) -> Span:
    day = _first_thursday_of_may(today.year)
    if day < today:
        day = _first_thursday_of_may(today.year + 1)
    return day, day


def _purdah(today: date) -> Span:
    polls = _elections(today)[0]
    return polls - timedelta(weeks=7), polls


def _financial_year_after(today: date) -> Span:
    start = date(today.year + (today.month >= 4), 4, 1)
    return start, date(start.year + 1, 3, 31)


def _weeks(low: int, high: int) -> Callable[[date], Span]:
    return lambda today: (today + timedelta(weeks=low), today + timedelta(weeks=high))


def _year(match: re.Match[str], today: date) -> Span:
    year = int(match["year"])
    return date(year, 1, 1), date(year, 12, 31)


@dataclass(frozen=True)
class VagueRule:
    """One kind of vague time: the words it reads, the days it can mean, and why."""

    name: str
    words: str  # a regular expression, matched case-insensitively on word boundaries
    span: Callable[[date], Span]
    why: str
    ends_on: bool = False  # its last day is worth offering as the new target ("spring")
    alone: bool = False  # may stand alone as a time ("Spring now"); others need "in", "after"


def _calendar(windows: tuple[tuple[int, int, int, int], ...]) -> Callable[[date], Span]:
    return lambda today: _next(today, windows)


RULES: tuple[VagueRule, ...] = (
    VagueRule(
        "elections",
        r"(?:the |local |council |may )*elections?|polling day",
        _elections,
        "English local elections are held on the first Thursday in May.",
    ),
    VagueRule(
        "pre-election period",
        r"purdah|(?:the )?pre-?election period",
        _purdah,
        "The pre-election period runs for about six weeks before polling day.",
    ),
    VagueRule(
        "half term",
        r"half[ -]?term",
        _calendar(((10, 19, 10, 31), (2, 9, 2, 22), (5, 24, 6, 4))),
        "School half terms fall in late October, mid February and late May.",
    ),
    VagueRule(
        "school holidays",
        r"(?:the )?(?:school |summer )holidays|(?:the )?summer break"
        r"|schools? break(?:s)? up for (?:the )?summer",
        _calendar(((7, 18, 9, 3),)),
        "The summer school holidays run from late July to early September.",
    ),
    VagueRule(
        "spring term",
        r"(?:the )?(?:end of (?:the )?)?(?:spring|easter) term",
        _calendar(((3, 24, 3, 31),)),
        "The spring term ends in the last week of March (or just before Easter).",
        ends_on=True,
        alone=True,
    ),
    VagueRule(
        "summer term",
        r"(?:the )?(?:end of (?:the )?)?summer term",
        _calendar(((7, 17, 7, 23),)),
        "The summer term ends in the third week of July.",
        ends_on=True,
        alone=True,
    ),
    VagueRule(
        "autumn term",
        r"(?:the )?(?:end of (?:the )?)?(?:autumn|christmas) term",
        _calendar(((12, 16, 12, 20),)),
        "The autumn term ends the week before Christmas.",
        ends_on=True,
        alone=True,
    ),
    VagueRule(
        "end of term",
        r"end of (?:the )?(?:school )?term|(?:the )?school term"
        r"|schools? break(?:s)? up",
        _calendar(((12, 16, 12, 22), (3, 27, 4, 3), (7, 17, 7, 24))),
        "School terms end before Christmas, before Easter and in late July.",
        alone=True,  # a bare "end of term" answers "when?"
    ),
    VagueRule(
        "summer recess",
        r"(?:the )?summer recess",
        _calendar(((7, 20, 9, 5),)),
        "Councils and Parliament break from late July to early September.",
    ),
    VagueRule(
        "new year",
        r"(?<!happy )(?:the )?new year(?!'s)",
        _calendar(((1, 1, 1, 31),)),
        '"In the new year" means January, or a little later: not a date to plan by.',
        alone=True,
    ),
    VagueRule(
        "year end",
        r"(?:financial )?year[ -]end(?: figures| accounts| outturn)?|the outturn",
        _calendar(((3, 31, 4, 30),)),
        "The financial year ends on 31 March; its figures follow in April.",
    ),
    VagueRule(
        "christmas break",
        r"(?:the )?(?:christmas|xmas|festive) (?:break|holidays?|period|shutdown)",
        _calendar(((12, 20, 1, 4),)),
        "Councils close from about 20 December to 4 January.",
    ),
    VagueRule(
        "budget setting",
        r"(?:the )?budget (?:is |has been |gets )?(?:set|setting|agreed|council)"
        r"|next year'?s budget",
        _calendar(((2, 1, 3, 10),)),
        "Councils set their budgets in February or early March.",
    ),
    VagueRule(
        "next financial year",
        r"(?:the )?(?:next|new|coming) (?:financial|fin) year|(?:next|new) fy",
        _financial_year_after,
        "A whole financial year, April to March: which day in it is the target?",
    ),
    VagueRule(
        "a few weeks",
        r"(?:another|a) (?:few|couple of|couple)(?: more)? weeks|few more weeks",
        _weeks(2, 5),
        "A few weeks from now: two to five.",
        alone=True,
    ),
    *(
        VagueRule(
            name,
            rf"(?:the |this |next )?{name}(?!\s+(?:20)?\d\d)",  # "summer 2027" is a date
            _calendar((window,)),
            "A season is three months; only its last day can be a target.",
            ends_on=True,
            alone=alone,
        )
        for name, window, alone in (
            ("spring", (3, 1, 5, 31), True),
            ("summer", (6, 1, 8, 31), True),
            ("autumn", (9, 1, 11, 30), True),
            ("fall", (9, 1, 11, 30), False),  # "numbers may fall": only "until fall" is a time
            ("winter", (12, 1, 2, 28), True),
        )
    ),
)
# "No idea when", "not sure when": the time is unknown, so it can't be known to be in time.
UNKNOWN = re.compile(
    r"(?<![\w-])(?:no idea when|not sure when|don'?t know when|no timescales?(?: yet)?"
    r"|not (?:yet )?scheduled(?: yet)?|not got a date|keeps? moving|keep moving it"
    # "New timetable to follow", "revised date TBC": a new date promised, not given
    r"|(?:new |revised )(?:timetable|timescales?|dates?|target(?: date)?|deadline)"
    r" (?:to follow|tbc|tba|tbd|to be (?:confirmed|agreed|set))"
    r"|(?:will|'ll) be (?:done|finished|complete|ready) (?:when|once)"
    r"|could (?:be|take) (?:months|weeks|a while|ages)"
    # "it'll be next cycle", "by the time of the next audit": a round whose date isn't said
    r"|(?:the )?next (?:committee |meeting |reporting |board |paper |agenda )?cycle"
    r"|(?:the )?next (?:audit|inspection|review)(?! (?:is|was|on|in|of)\b)"
    # "by the time Audit Wales come back in", "once the new Head of Service starts"
    r"|by the time (?:\w+ ){1,5}?(?:comes?|gets?|is|are|starts?|arrives?|happens?|returns?)"
    r"|(?:once|when|until|till) (?:the |our |a )?new (?:[\w&-]+ ){1,5}?"
    r"(?:starts?|arrives?|is (?:in post|appointed|here)|joins?|takes? up|beds? in))"
    r"(?![\w-])",
    re.IGNORECASE,
)
_YEAR_JOB = re.compile(r"(?<![\w-])an? (?P<year>20\d\d) (?:job|thing|task)(?![\w-])", re.I)
_COMPILED = tuple(
    (rule, re.compile(rf"(?<![\w-])(?:{rule.words})(?![\w-])", re.IGNORECASE)) for rule in RULES
)
# After a season, words that leave it a time ("spring now", "autumn realistically"); any other
# word makes it describe a thing ("summer stalls").
_DESCRIBED = re.compile(
    r"\s+(?!(?:now|then|realistically|probably|hopefully|at|i|we|it|or|and|but|so|time|onwards"
    r"|please|instead|term|break|holidays?|recess|is|will|would|should|latest|earliest|once"
    r"|when|after|before|if|as|because|for|with|by|to|in|on|until|till|though|maybe)\b)[a-z]",
    re.IGNORECASE,
)
_BEFORE = re.compile(
    r"(?<!not )(?:before|by|ahead of|prior to|in time for|within)\s+(?:the\s+)?$", re.I
)
_AFTER = re.compile(
    r"(?:after|once|until|till|til|when|following|post|not before)\s+(?:the\s+)?$", re.I
)
_WITHIN = re.compile(r"(?:in|at|over|during|for|around|about|into)\s+(?:the\s+)?$", re.I)
# "Roll-out starting in the spring": when work begins, not when it ends.
_STARTING = re.compile(
    r"(?:start|starts|starting|begin|begins|beginning|commence|commences|commencing|from"
    r"|kick(?:s|ing)? off)\s+(?:in\s+|at\s+|from\s+|after\s+)?(?:the\s+)?$",
    re.I,
)


@dataclass(frozen=True)
class VagueTime:
    """A vague time found in a reply: when the work happens relative to it, at the earliest
    and at the latest."""

    words: str
    start: int
    earliest: date  # the work is done no sooner than this
    latest: date  # nor later than this
    ends_on: date | None  # a day worth offering as the new target


def one_day_opening(text: str, today: date) -> date | None:
    """The day a vague time opening the text stands for, if it is one day ('the elections')."""
    for rule, pattern in _COMPILED:
        m = pattern.match(text.lstrip())
        if m is not None:
            first, last = rule.span(today)
            return first if first == last else None
    return None


def vague_times(text: str, today: date) -> list[VagueTime]:
    """Every vague time in the text, read with the word before it ('after', 'by')."""
    found: list[VagueTime] = []
    taken: list[range] = []
    for rule, pattern in _COMPILED:
        for m in pattern.finditer(text):
            if any(m.start() in span for span in taken):
                continue
            taken.append(range(m.start(), m.end()))
            first, last = rule.span(today)
            before = text[max(0, m.start() - 24) : m.start()]
            if _STARTING.search(before):
                continue
            after = text[m.end() : m.end() + 16]
            if rule.ends_on and _DESCRIBED.match(after):
                continue  # "summer stalls", "the spring newsletter": a season describing a thing
            if not rule.alone and not (
                _AFTER.search(before) or _BEFORE.search(before) or _WITHIN.search(before)
            ):
                continue  # "year-end pressures": a cause, not when the work is done
            if _AFTER.search(before) or text[m.end() : m.end() + 16].lower().startswith(
                " at the earliest"
            ):
                earliest, latest = first, date.max  # "after the elections": no sooner
            elif _BEFORE.search(before):
                earliest, latest = today, first  # "before the summer holidays"
            else:
                earliest, latest = first, last
            ends_on = last if rule.ends_on else None
            found.append(VagueTime(m.group(), m.start(), earliest, latest, ends_on))
    for m in UNKNOWN.finditer(text):
        found.append(VagueTime(m.group(), m.start(), today, date.max, None))
    for m in _YEAR_JOB.finditer(text):
        first, last = _year(m, today)
        found.append(VagueTime(m.group(), m.start(), first, last, None))
    return sorted(found, key=lambda v: v.start)


# Every phrase the vague-time rules read, kept or judged away ("year-end pressures").
READ_PHRASES = (*(pattern for _, pattern in _COMPILED), UNKNOWN, _YEAR_JOB)

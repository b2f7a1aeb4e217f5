"""A plan's target cell read whole: milestones on separate lines, a recurrence among them, and
years of the plan ("Year 1", "Year 2-3", "Years 1, 2 and 3") counted from the plan's start.

`parse_target` (handlers/language/targets.py) reads one target. A delivery plan's cell often
holds several, one a line ("By Sept 2010" over "Updated quarterly" over "Annually (April)"), so
a cell it cannot read is read line by line: dated lines become milestones, and a recurrence
among them makes the action recurring (the most frequent one sets its reminders). A line not
understood leaves the whole cell unclear, naming that line: nothing is guessed.

Plan years run from the plan's start: with a start of 1 April 2010, "Year 1" is April 2010 to
March 2011 (due 31 March 2011) and "Year 2-3" ends 31 March 2013; a list of years is one
milestone a year. Until the start is known they are unclear, with a problem ending in
`WAITS_FOR_START`, so the import can say which rows wait for it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from handlers.language.targets import (
    FREQUENCIES,
    MAX_TARGET_CHARS,
    Recurrence,
    Target,
    parse_target,
)
from handlers.language.vocabulary import MONTHS, NUMBER_WORDS

WAITS_FOR_START = "needs the plan's start date."

_NUMBER = rf"(?:\d{{1,2}}|{'|'.join(NUMBER_WORDS)})"
_YEAR_WORD = r"(?:years?|yrs?\.?)"
_ITEM = rf"(?:{_YEAR_WORD}\s*)?{_NUMBER}(?:\s*(?:-|–|to)\s*(?:{_YEAR_WORD}\s*)?{_NUMBER})?"
_SEPARATOR = r"\s*(?:,|;|&|\+|\band\b)\s*"
_PLAN_YEARS = re.compile(
    rf"(?:(?:by\s+)?(?:the\s+)?end\s+of\s+|by\s+|during\s+|in\s+|within\s+)?"
    rf"({_YEAR_WORD}\s*{_ITEM}(?:{_SEPARATOR}(?:and\s+)?{_ITEM})*)"
)
_ITEM_PARTS = re.compile(
    rf"{_YEAR_WORD}?\s*({_NUMBER})(?:\s*(?:-|–|to)\s*{_YEAR_WORD}?\s*({_NUMBER}))?"
)
_LEAD_WORDS = 6  # "Progress reported to the Board quarterly": at most this many words before
# Words before a repeat that change it ("twice annually", "not monthly"): never dropped.
_CHANGES_A_REPEAT = frozenset(
    {"twice", "thrice", "once", "times", "every", "each", "other", "alternate", "bi", "semi"}
    | {"not", "no", "never", "except", "until", "after", "before", "from", "then", "or"}
    | set(NUMBER_WORDS)
)


def read_target(text: str, *, today: date, plan_start: date | None) -> Target:
    """The target of one plan cell (see the module docstring)."""
    original = text.strip()
    lines = [line.strip() for line in original.splitlines() if line.strip()]
    if len(lines) <= 1:
        return _line(original, today, plan_start)
    whole = parse_target(original, today=today, plan_start=plan_start)
    if whole.kind != "unclear" or len(original) > MAX_TARGET_CHARS:
        return whole
    return _combined(original, [_line(line, today, plan_start) for line in lines], today)


def waits_for_start(target: Target) -> bool:
    """Unclear only because the plan's start is not known yet."""
    return target.kind == "unclear" and (target.problem or "").endswith(WAITS_FOR_START)


def _line(text: str, today: date, plan_start: date | None) -> Target:
    if len(text) > MAX_TARGET_CHARS:  # kept and reported as too long, never searched
        return parse_target(text, today=today, plan_start=plan_start)
    years = _plan_years(text, plan_start)
    if years is not None:
        return years
    target = parse_target(text, today=today, plan_start=plan_start)
    if target.kind == "unclear":
        return _repeat_after_words(text, today) or target
    return target


def _plan_years(text: str, plan_start: date | None) -> Target | None:
    """'Year 1', 'Year 2-3', 'Years 1, 2 and 3', 'By end of Year 2': None if not plan years."""
    match = _PLAN_YEARS.fullmatch(" ".join(text.lower().split()).rstrip(" ."))
    if match is None:
        return None
    spans = [_span(item) for item in re.split(_SEPARATOR, match[1]) if item.strip()]
    if any(first < 1 or last < first for first, last in spans):
        return Target(text, "unclear", problem=f"I couldn't read {text} as years of the plan.")
    if plan_start is None:
        return Target(text, "unclear", problem=f"{text} {WAITS_FOR_START}")
    if len(spans) == 1:
        first, last = spans[0]
        start = _year_start(plan_start, first) if last > first else None
        return Target(text, "date", due=_year_end(plan_start, last), start=start)
    ends = tuple(sorted({_year_end(plan_start, last) for _, last in spans}))
    return Target(text, "milestones", due=ends[-1], milestones=ends)


def _span(item: str) -> tuple[int, int]:
    """'Year 2-3' -> (2, 3); '3' -> (3, 3); 'year one' -> (1, 1)."""
    parts = _ITEM_PARTS.search(item.strip().removeprefix("and ").strip())
    if parts is None:
        return (0, 0)
    first = _number(parts[1])
    return (first, _number(parts[2]) if parts[2] else first)


def _number(word: str) -> int:
    return NUMBER_WORDS.get(word) or int(word)


def _year_start(plan_start: date, year: int) -> date:
    return _add_years(plan_start, year - 1)


def _year_end(plan_start: date, year: int) -> date:
    """The last day of the plan's `year`th year: with a start of 1 April 2010, year 1 ends
    31 March 2011."""
    return _add_years(plan_start, year) - timedelta(days=1)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _repeat_after_words(text: str, today: date) -> Target | None:
    """'Updated quarterly', 'Reported to Cabinet annually (April)': a recurrence after a few
    words saying what recurs. Only a recurrence, and only after words with no date in them."""
    words = text.split()
    for cut in range(1, min(len(words), _LEAD_WORDS + 1)):
        lead = words[cut - 1].lower().strip(".,;:()")
        if any(c.isdigit() for c in lead) or lead in MONTHS or lead in _CHANGES_A_REPEAT:
            return None
        target = parse_target(" ".join(words[cut:]), today=today)
        if target.kind == "recurring":
            return Target(text, "recurring", due=target.due, recurrence=target.recurrence)
    return None


def _combined(original: str, targets: list[Target], today: date) -> Target:
    """One target for a cell of several lines: its milestones, and its most frequent repeat."""
    unclear = [t for t in targets if t.kind == "unclear"]
    if unclear:  # a line nothing can read matters more than one waiting for the start
        problem = next((t for t in unclear if not waits_for_start(t)), unclear[0]).problem
        return Target(original, "unclear", problem=problem)
    days: set[date] = set()
    repeats: list[Recurrence] = []
    for target in targets:
        if target.kind == "recurring" and target.recurrence is not None:
            repeats.append(target.recurrence)
        elif target.kind == "milestones":
            days.update(target.milestones)
        elif target.kind == "date" and target.due is not None:
            days.add(target.due)
    milestones = tuple(sorted(days))
    if repeats:
        repeat = max(repeats, key=lambda r: FREQUENCIES.index(r.frequency))
        return Target(
            original,
            "recurring",
            due=repeat.next_due(today),
            recurrence=repeat,
            milestones=milestones,
        )
    if len(milestones) > 1:
        return Target(original, "milestones", due=milestones[-1], milestones=milestones)
    if milestones:
        return Target(original, "date", due=milestones[0])
    if any(t.kind == "ongoing" for t in targets):
        return Target(original, "ongoing")
    return Target(original, "none")

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

The shapes of cells this reads, and how:

- "Year 2 – by 3rd March 2012": a year label before a date; the date says it (3 March 2012).
- "Year 1 October – January 2012": the same with a range (October 2011 to 31 January 2012).
- "Year 2 May - November": months without a year, read within the plan's year 2.
- "October 2011 – June 2012": a range across years; its end is due, its start kept.
- "From June 2011", "Starting July 2011": a start is no deadline; ongoing, from then.
- "Monthly, starting in July 2011": a repeat is no deadline; monthly from July 2011.
- "By March 2012" over "Monthly" over "Work with partners": a line of prose among dates and
  repeats is left out, and named in the target's problem for the import to report.
"""

from __future__ import annotations

import re
from dataclasses import replace
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
        return (
            _labelled_year(text, today, plan_start)
            or _from(text, today)
            or _repeat_after_words(text, today)
            or target
        )
    return target


_YEAR_LABEL = re.compile(
    rf"{_YEAR_WORD}\s*({_NUMBER})(?:\s*(?:-|–|to)\s*({_NUMBER}))?\s*(?:[-–—:,]\s*|\s+)(.*\S)",
    re.IGNORECASE,
)
_HAS_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def _labelled_year(text: str, today: date, plan_start: date | None) -> Target | None:
    """'Year 2 – by 3rd March 2012', 'Year 2 May - November': the year of the plan, then when
    in it. A date with its year says it all; months alone are read within that plan year."""
    match = _YEAR_LABEL.fullmatch(" ".join(text.split()))
    if match is None:
        return None
    rest = match[3]
    if _HAS_YEAR.search(rest):
        found = parse_target(rest, today=today, plan_start=plan_start)
    elif plan_start is None:
        return Target(text, "unclear", problem=f"{text} {WAITS_FOR_START}")
    else:  # "May - November" of year 2: the first such months from the year's start
        year_start = _year_start(plan_start, _number(match[1].lower()))
        found = parse_target(rest, today=year_start, plan_start=plan_start)
    if found.kind in ("unclear", "none"):
        return None
    due = found.due
    if found.recurrence is not None:  # the next one from today, not from the year's start
        due = found.recurrence.next_due(today)
    return Target(
        text,
        found.kind,
        due=due,
        start=found.start,
        recurrence=found.recurrence,
        milestones=found.milestones,
    )


_FROM = re.compile(
    r"(?:from|starting(?: in| from| on)?|commencing(?: in| from| on)?|beginning(?: in)?"
    r"|with effect from|wef)\s+(.+?)(?:\s+onwards?)?\.?",
    re.IGNORECASE,
)


def _from(text: str, today: date) -> Target | None:
    """'From June 2011': when the work starts, which is no deadline: ongoing from then."""
    match = _FROM.fullmatch(" ".join(text.split()))
    if match is None:
        return None
    found = parse_target(match[1], today=today)
    if found.kind != "date" or found.due is None:
        return None
    start = found.start or (
        found.due if re.search(r"\d{1,2}(?:st|nd|rd|th)?\s", match[1]) else found.due.replace(day=1)
    )
    return Target(text, "ongoing", start=start)


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


_DATE_LIKE = re.compile(
    rf"\d|\b(?:{'|'.join(MONTHS)}|{'|'.join(FREQUENCIES)}|annual\w*|quarter\w*|year\w*|month\w*"
    r"|week\w*|spring|summer|autumn|winter|christmas|easter|ongoing|tbc|by|end|date)\b",
    re.IGNORECASE,
)


def _prose(text: str) -> bool:
    """A line that says what is done, not when: no date word in it at all."""
    return not _DATE_LIKE.search(text)


def _as_cell(original: str, target: Target) -> Target:
    return replace(target, text=original)


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
    """One target for a cell of several lines: its milestones, and its most frequent repeat.

    A line of prose among them ("Work with partners to agree the approach") is left out, and
    named in the target's problem so the import reports it; a line that tries to be a date but
    can't be read leaves the whole cell unclear.
    """
    prose = [t for t in targets if t.kind == "unclear" and _prose(t.text)]
    read = [t for t in targets if t not in prose]
    if prose and read and all(t.kind != "unclear" for t in read):
        kept = _combined(original, read, today) if len(read) > 1 else _as_cell(original, read[0])
        left_out = "; ".join(f"'{t.text}'" for t in prose)
        return replace(kept, problem=f"not a date, so left out: {left_out}")
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

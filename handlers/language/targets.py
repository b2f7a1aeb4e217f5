"""Read the "Target date" column of council action plans, and revised dates typed in chat.

Cells are written as people write them ("31st March 2019", "Annually in April", "Autumn 2021",
"End of April/early May 2013"). `parse_target` turns one into a `Target`, always keeping the
text as written; anything it does not understand comes back as kind "unclear" with a `problem`
naming what was not understood. Nothing is guessed. Dates are UK day-first: 03/04/2027 is
3 April 2027.

Conventions (documented here because other modules rely on them):
- A period stands for its LAST day: "April 2013" is 30 April 2013, "Q1 2027/28" is 30 June 2027,
  "2026/27" is 31 March 2027, "Autumn 2021" is 30 November 2021 (seasons are meteorological).
- Quarters are the council's financial quarters (April to March). "Q1 2027" could be counted
  from January or from April, so it is reported, never guessed; "Q1 2027/28" is clear.
- "early" a month is the 10th, "mid" the 15th, "late"/"end of" the last day; "early 2027" is
  30 April, "mid 2027" 30 June, "late 2027" 31 December.
- Without a year, the next such day on or after `today` ("by March" in November 2026 is
  31 March 2027).
- "Annually" with no month falls due each 31 March (the end of the financial year); quarterly
  and half-yearly repeats without a start fall at the end of March/June/September/December.
- "2026/27", "2026-27" and "2026-2027" are financial years (to 31 March 2027); years further
  apart are a range ("2026-2028" ends 31 December 2028).
- "End of April/early May": alternatives are a range from the earlier to the later; "March /
  April / May 2020" (no early/mid/late/end) are milestones.
- "TBC"/"To be confirmed" are kind "none" with problem "to be confirmed".
- Regexes handle almost everything in well under a millisecond; dateparser is imported only
  for what they miss, and its answers are accepted only if every word is a date word.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from handlers.language.vocabulary import (
    APPROXIMATE_WORDS,
    COMPLETE_WORDS,
    DEADLINE_WORDS,
    FEASTS,
    FINANCIAL_YEAR_WORDS,
    JOINED_MODIFIERS,
    MODIFIERS,
    NUMBER_WORDS,
    ORDINAL_SUFFIXES,
    QUARTER_WORDS,
    RELATIVE_WORDS,
    SEASON_START,
    TARGET_NOUNS,
    TIME_UNITS,
    WEEKDAY_LEADS,
    alternation,
    in_english,
    one_of,
    phrases,
)
from handlers.language.vocabulary import MONTH_NAMES as MONTH_NAMES
from handlers.language.vocabulary import MONTHS as MONTHS
from handlers.language.vocabulary import WEEKDAY_NAMES as WEEKDAY_NAMES
from handlers.language.vocabulary import WEEKDAYS as WEEKDAYS

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

FREQUENCIES = ("yearly", "half-yearly", "quarterly", "monthly", "weekly")
KINDS = ("date", "recurring", "ongoing", "milestones", "none", "unclear")
YEAR_MIN, YEAR_MAX = 1990, 2100  # outside this a "year" is a typo or not a year at all


class _Lazy:
    """A regex compiled on first use: compiling them all costs ~30 ms, and the CLI imports
    this module on every start but parses nothing on most."""

    __slots__ = ("_compiled", "_pattern")

    def __init__(self, pattern: str) -> None:
        self._pattern = pattern
        self._compiled: re.Pattern[str] | None = None

    def _rx(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self._pattern)
        return self._compiled

    def fullmatch(self, s: str) -> re.Match[str] | None:
        return self._rx().fullmatch(s)

    def search(self, s: str) -> re.Match[str] | None:
        return self._rx().search(s)

    def split(self, s: str) -> list[str]:
        return self._rx().split(s)

    def sub(self, replacement: str, s: str) -> str:
        return self._rx().sub(replacement, s)


MONTH = alternation(MONTHS) + r"\.?"
WEEKDAY = alternation(WEEKDAYS) + r"\.?"
QUARTER = one_of(QUARTER_WORDS)
FINANCIAL_YEAR = one_of(FINANCIAL_YEAR_WORDS)
YEAR = r"(\d{4}|'\d{2})"
FY_TAIL = r"(\d{4})\s*[/-]\s*(\d{4}|\d{2})"  # 2026/27, 2026-27, 2026/2027

# ---------------------------------------------------------------------------------------------
# Public data types


def format_date(d: date) -> str:
    """'3 April 2027': day without a leading zero, month in full."""
    return f"{d.day} {MONTH_NAMES[d.month]} {d.year}"


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def _index_end(index: int) -> date:
    return month_end(index // 12, index % 12 + 1)


_STEP_MONTHS = {"yearly": 12, "half-yearly": 6, "quarterly": 3, "monthly": 1}


@dataclass(frozen=True)
class Recurrence:
    """A repeating target; occurrences fall on the last day of a month (weekly: a weekday)."""

    frequency: str  # one of FREQUENCIES
    month: int | None = None  # yearly: the month; quarterly/half-yearly: any month of the cycle
    starting: date | None = None  # first occurrence, e.g. 2010-05-31

    def __post_init__(self) -> None:
        if self.frequency not in FREQUENCIES:
            raise ValueError(f"unknown frequency {self.frequency!r}")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not 1-12")

    def _anchor(self) -> int:
        """A month on the cycle; unanchored cycles end with the financial year (31 March)."""
        if self.starting is not None:
            return self.starting.month
        return self.month if self.month is not None else 3

    def next_due(self, today: date) -> date:
        """The first occurrence on or after today."""
        base = max(today, self.starting) if self.starting else today
        if self.frequency == "weekly":
            weekday = self.starting.weekday() if self.starting else 4  # Friday
            return base + timedelta(days=(weekday - base.weekday()) % 7)
        step = _STEP_MONTHS[self.frequency]
        index = _month_index(base)
        index += (self._anchor() - 1 - index) % step
        return _index_end(index)

    def _after(self, d: date) -> date:
        if self.frequency == "weekly":
            return d + timedelta(days=7)
        return _index_end(_month_index(d) + _STEP_MONTHS[self.frequency])

    def occurrences(self, start: date, end: date) -> list[date]:
        """All occurrences in [start, end]."""
        found: list[date] = []
        d = self.next_due(start)
        while d <= end:
            found.append(d)
            d = self._after(d)
        return found

    def describe(self) -> str:
        """'every year in April', 'every quarter from May 2010', 'every month', 'every week'."""
        if self.frequency == "weekly":
            if self.starting is None:
                return "every week"
            day = WEEKDAY_NAMES[self.starting.weekday()]
            return f"every week on {day}s from {format_date(self.starting)}"
        text = {
            "yearly": "every year",
            "half-yearly": "every six months",
            "quarterly": "every quarter",
            "monthly": "every month",
        }[self.frequency]
        if self.month is not None and self.frequency != "monthly":
            months = range(self.month, self.month + 12, _STEP_MONTHS[self.frequency])
            names = [
                MONTH_NAMES[(m - 1) % 12 + 1] for m in sorted(months, key=lambda m: (m - 1) % 12)
            ]
            text += f" in {_join(names, 'and')}" if len(names) < 4 else f" ({', '.join(names)})"
        if self.starting is not None:
            when = str(self.starting.year)
            if not self.month:
                when = f"{MONTH_NAMES[self.starting.month]} {when}"
            text += f" from {when}"
        return text

    def to_text(self) -> str:
        """Compact storage form: 'yearly;4;' or 'quarterly;;2010-05-31'."""
        month = "" if self.month is None else str(self.month)
        starting = "" if self.starting is None else self.starting.isoformat()
        return f"{self.frequency};{month};{starting}"

    @classmethod
    def from_text(cls, text: str) -> Recurrence:
        """Inverse of to_text; raises ValueError for anything else."""
        frequency, month, starting = (text.strip().split(";") + ["", ""])[:3]
        return cls(
            frequency=frequency,
            month=int(month) if month else None,
            starting=date.fromisoformat(starting) if starting else None,
        )


def _join(items: list[str], word: str) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


@dataclass(frozen=True)
class Target:
    """A target-date cell: the text as written and what was understood of it."""

    text: str
    kind: str  # one of KINDS
    due: date | None = None  # the day to nudge against (range: end; milestones: last)
    start: date | None = None  # ranges only
    recurrence: Recurrence | None = None
    milestones: tuple[date, ...] = ()
    problem: str | None = None

    def describe(self) -> str:
        if self.kind == "recurring" and self.recurrence is not None:
            text = self.recurrence.describe()
            return f"{text} (next {format_date(self.due)})" if self.due else text
        if self.kind == "ongoing":
            return "ongoing"
        if self.kind == "milestones":
            return "milestones " + ", ".join(format_date(d) for d in self.milestones)
        if self.kind == "date" and self.due is not None:
            if self.start is not None:
                return f"{format_date(self.start)} to {format_date(self.due)}"
            return format_date(self.due)
        if self.kind == "none":
            return f"no target date ({self.problem})" if self.problem else "no target date"
        return f"not understood: {self.problem or self.text}"


@dataclass(frozen=True)
class DateAnswer:
    """One date typed in chat, and whether the bot should read it back before using it."""

    text: str
    day: date | None
    needs_confirmation: bool = False
    problem: str | None = None
    options: tuple[date, ...] = ()  # what an unclear answer could mean ("Q1 next year")


# ---------------------------------------------------------------------------------------------
# Problems found while parsing


class _Problem(Exception):
    """Something recognisably date-like but wrong; the message is shown to people."""

    @property
    def message(self) -> str:
        return str(self.args[0])


class _NotReal(_Problem):
    """A day that does not exist, e.g. 31/02/2027."""

    def __init__(self, piece: str, reason: str) -> None:
        super().__init__(f"{piece} is not a real date ({reason}).")
        self.piece, self.reason = piece, reason

    def shown_as(self, original: str) -> str:
        """The message quoting the piece as the person typed it (case and all) where possible."""
        at = original.lower().find(self.piece)
        piece = original[at : at + len(self.piece)] if at >= 0 else self.piece
        return f"{piece} is not a real date ({self.reason})."


def _make_date(year: int, month: int, day: int, piece: str) -> date:
    """date(), but an impossible day is a _NotReal naming the text, never a rollover."""
    if not 1 <= month <= 12:
        raise _NotReal(piece, f"there is no month {month}")
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        if day < 1:
            raise _NotReal(piece, f"there is no day {day}")
        name = MONTH_NAMES[month]
        in_year = f" in {year}" if month == 2 else ""
        raise _NotReal(piece, f"{name} has {days} days{in_year}")
    return date(year, month, day)


# ---------------------------------------------------------------------------------------------
# Normalising


_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})
_ORDINAL = _Lazy(rf"(\d)\s?{one_of(ORDINAL_SUFFIXES)}\b")
_MODIFIER_HYPHEN = _Lazy(rf"\b{alternation(JOINED_MODIFIERS)}-(?=[a-z0-9])")
_DAY_OF = _Lazy(r"\b(\d{1,2}) of (?=[a-z])")
_LEAD_LABEL = _Lazy(rf"^(?:(?:target|due) date|due|{one_of(TARGET_NOUNS)})\s*:\s*")
_LEAD_WORDS = _Lazy(
    rf"^(?:(?:to be )?{phrases(COMPLETE_WORDS)} by|{one_of(DEADLINE_WORDS)}|"
    rf"{one_of(APPROXIMATE_WORDS)}|the)\s+"
)


def _normalise(text: str) -> str:
    """Lower case, one space, plain hyphens, no ordinals or trailing full stops."""
    s = " ".join(in_english(text).split()).lower().translate(_DASHES).replace("\u2019", "'")
    s = _ORDINAL.sub(r"\1", s)
    s = _MODIFIER_HYPHEN.sub(r"\1 ", s)
    s = _DAY_OF.sub(r"\1 ", s)
    return s.strip(" .,;:")


def _strip_lead(s: str) -> str:
    """Drop 'Target:', 'by', 'no later than' and friends: they don't change the day."""
    s = _LEAD_LABEL.sub("", s)
    while True:
        shorter = _LEAD_WORDS.sub("", s)
        if shorter == s:
            return s
        s = shorter


# ---------------------------------------------------------------------------------------------
# One point in time: a day or a period, as (first day, last day)


class _Span(NamedTuple):
    first: date
    last: date
    explicit_year: bool = True  # False when the year came from context or today


def _day_span(d: date, explicit: bool = True) -> _Span:
    return _Span(d, d, explicit)


def _month_span(year: int, month: int, explicit: bool = True) -> _Span:
    return _Span(date(year, month, 1), month_end(year, month), explicit)


def _months_span(year: int, month: int, count: int, explicit: bool = True) -> _Span:
    """`count` months starting at year/month (month may run past 12 into the next year)."""
    first_index = year * 12 + month - 1
    first = date(first_index // 12, first_index % 12 + 1, 1)
    return _Span(first, _index_end(first_index + count - 1), explicit)


def _year_of(text: str) -> int:
    """'2027' or "'27" as a year; two-digit years are this century; 3027 is a typo."""
    value = int(text.lstrip("'"))
    year = value + 2000 if value < 100 else value
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise _Problem(f"{text} doesn't look like the year of a target date.")
    return year


def _fy_start(first: str, second: str) -> int | None:
    """The starting year of '2026/27'-style text, if the second year follows the first."""
    start, end = _year_of(first), int(second)
    ok = end == start + 1 if len(second) == 4 else end == (start + 1) % 100
    return start if ok else None


class _Builder:
    """Builds a span for a given year; resolves the year from context or today when missing."""

    def __init__(self, piece: str, year: int | None, today: date) -> None:
        self.piece, self.year, self.today = piece, year, today

    def resolve(self, build: Callable[[int], _Span]) -> _Span:
        """`build(year)` -> _Span; without a year, the first one that ends on/after today."""
        if self.year is not None:
            span = build(self.year)
            return span._replace(explicit_year=False)
        error: _NotReal | None = None
        for year in range(self.today.year, self.today.year + 9):
            try:
                span = build(year)
            except _NotReal as err:  # 29 February: try the next leap year
                error = error or err
                continue
            if span.last >= self.today:
                return span._replace(explicit_year=False)
        if error is not None:  # no year has it: the reason mustn't name one
            month = error.reason.split(" has ")[0]
            reason = f"{month} has at most 29 days" if month == "February" else error.reason
            raise _NotReal(error.piece, reason)
        raise _Problem(f"I couldn't place {self.piece} in a year.")


# A time may trail: spreadsheet cells holding datetimes arrive as "2027-03-31 00:00:00".
_RE_ISO = _Lazy(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_RE_NUMERIC = _Lazy(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
_RE_DAY_MONTH = _Lazy(rf"(?:{WEEKDAY},?\s+)?(\d{{1,2}})[\s./-]*{MONTH}(?:,?[\s./-]+{YEAR})?")
_RE_MONTH_DAY = _Lazy(rf"(?:{WEEKDAY},?\s+)?{MONTH}\s+(\d{{1,2}}),?(?:\s+{YEAR})?")
_RE_MONTH = _Lazy(rf"{MONTH}(?:[\s,./-]*{YEAR})?")  # "Dec-2027" as spreadsheets write it
_RE_YEAR = _Lazy(r"(\d{4})")
_RE_FY = _Lazy(rf"(?:{FINANCIAL_YEAR}\s*)?{FY_TAIL}")
_RE_QUARTER = _Lazy(
    rf"{QUARTER}\s*([1-4])(?:\s*(?:of\s+)?(?:({FINANCIAL_YEAR})\s*)?"
    rf"(?:{FY_TAIL}|(\d{{4}})))?"
)
_RE_QUARTER_AFTER = _Lazy(rf"(?:{FY_TAIL}|(\d{{4}}))\s+{QUARTER}\s*([1-4])")
_RE_SEASON = _Lazy(rf"{alternation(SEASON_START)}(?:\s+(?:{FY_TAIL}|(\d{{4}})))?")
_EVES = {"christmas eve": 24, "xmas eve": 24, "boxing day": 26, "new year's eve": 31}
_RE_EVE = _Lazy(rf"({'|'.join(_EVES)})")
_RE_FEAST = _Lazy(rf"{alternation(FEASTS)}(?:\s+(\d{{4}}))?")
_RE_MODIFIED = _Lazy(rf"{alternation(MODIFIERS)}\s+(.+)")


def _check_weekday(name: str | None, d: date) -> None:
    """'Monday 31 March 2026' is self-contradictory: say so rather than pick one."""
    if name is not None and WEEKDAYS[name] != d.weekday():
        actual, given = WEEKDAY_NAMES[d.weekday()], WEEKDAY_NAMES[WEEKDAYS[name]]
        raise _Problem(f"{format_date(d)} is a {actual}, not a {given}.")


def _exact(s: str, year: int | None, today: date) -> _Span | None:
    """A single day in any of the usual spellings."""
    if m := _RE_ISO.fullmatch(s):
        return _day_span(_make_date(_year_of(m[1]), int(m[2]), int(m[3]), s))
    if m := _RE_NUMERIC.fullmatch(s):
        return _day_span(_make_date(_year_of(m[4]), int(m[3]), int(m[1]), s))
    m = _RE_DAY_MONTH.fullmatch(s)
    if m:
        weekday, day, month, year_text = m[1], int(m[2]), MONTHS[m[3]], m[4]
    elif m := _RE_MONTH_DAY.fullmatch(s):
        weekday, month, day, year_text = m[1], MONTHS[m[2]], int(m[3]), m[4]
    else:
        return None
    if year_text is not None:
        d = _make_date(_year_of(year_text), month, day, s)
        _check_weekday(weekday, d)
        return _day_span(d)
    span = _Builder(s, year, today).resolve(lambda y: _day_span(_make_date(y, month, day, s)))
    _check_weekday(weekday, span.last)
    return span


def _period(s: str, year: int | None, today: date) -> _Span | None:
    """A month, year, financial year, quarter, season or festival."""
    builder = _Builder(s, year, today)
    if m := _RE_MONTH.fullmatch(s):
        month = MONTHS[m[1]]
        if m[2] is not None:
            return _month_span(_year_of(m[2]), month)
        return builder.resolve(lambda y: _month_span(y, month))
    if m := _RE_YEAR.fullmatch(s):
        return _months_span(_year_of(m[1]), 1, 12)
    if (m := _RE_FY.fullmatch(s)) and (start := _fy_start(m[1], m[2])) is not None:
        return _months_span(start, 4, 12)
    if m := _RE_QUARTER.fullmatch(s):
        return _quarter(s, int(m[1]), m[3], m[4], m[5], financial=bool(m[2]))
    if m := _RE_QUARTER_AFTER.fullmatch(s):
        return _quarter(s, int(m[4]), m[1], m[2], m[3], financial=False)
    if m := _RE_SEASON.fullmatch(s):
        return _season(m[1], m[2], m[3], m[4], builder)
    if m := _RE_EVE.fullmatch(s):  # "Christmas Eve", "New Year's Eve", "Boxing Day"
        day = _EVES[m[1]]
        return builder.resolve(lambda y: _day_span(date(y, 12, day)))
    if m := _RE_FEAST.fullmatch(s):
        return _feast(m[1], m[2], builder)
    return _named_period(s, today)


def _quarter(
    s: str,
    number: int,
    fy_first: str | None,
    fy_second: str | None,
    year: str | None,
    *,
    financial: bool,
) -> _Span:
    """Q1-Q4 of a financial year ('Q3 2026/27'); with a single year ('Q1 2027') it is unclear
    whether the quarters start in January or April, and the problem says how to write it."""
    if fy_first is not None and fy_second is not None:
        start = _fy_start(fy_first, fy_second)
        if start is None:
            raise _Problem(f"{fy_first}/{fy_second} isn't a financial year.")
        return _months_span(start, 4 + 3 * (number - 1), 3)
    if year is None:
        raise _Problem(
            f"{s.upper()} needs its financial year, e.g. Q{number} 2027/28, or write a date."
        )
    if financial:  # "Q4 FY 2026" could be 2025/26 or 2026/27
        raise _Problem(f"{s.upper()} is ambiguous: write the financial year as 2026/27.")
    # Councils count quarters from April, and sometimes from January: never pick one silently.
    first = _year_of(year)
    calendar_end = format_date(_months_span(first, 1 + 3 * (number - 1), 3).last)
    financial_end = format_date(_months_span(first, 4 + 3 * (number - 1), 3).last)
    raise _Problem(
        f"{s.upper()} could end on {calendar_end} (quarters from January) or {financial_end} "
        f"(the council's financial quarters, from April): write Q{number} {first}/"
        f"{(first + 1) % 100:02d} or a date."
    )


def _season(
    name: str, fy_first: str | None, fy_second: str | None, year: str | None, builder: _Builder
) -> _Span:
    """UK meteorological seasons; winter 2026 (or 2026/27) is Dec 2026 to Feb 2027."""
    first_month = SEASON_START[name]
    if fy_first is not None and fy_second is not None:
        if name != "winter" or _fy_start(fy_first, fy_second) is None:
            return _raise(f"I couldn't read {name} {fy_first}/{fy_second} as a season.")
        return _months_span(_year_of(fy_first), 12, 3)
    if year is not None:
        return _months_span(_year_of(year), first_month, 3)
    return builder.resolve(lambda y: _months_span(y, first_month, 3))


def _raise(message: str) -> _Span:
    raise _Problem(message)


def _feast(name: str, year: str | None, builder: _Builder) -> _Span:
    """Christmas Day, or Easter Sunday."""
    build = _easter_span if name == "easter" else _christmas_span
    return build(_year_of(year)) if year is not None else builder.resolve(build)


def _christmas_span(year: int) -> _Span:
    return _day_span(date(year, 12, 25))


def _easter_span(year: int) -> _Span:
    """Easter Sunday (the anonymous Gregorian computus; saves importing dateutil)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return _day_span(date(year, month, day + 1))


_THE_YEAR = frozenset({"year", "the year", "this year", "calendar year", "the calendar year"})
_THE_FY = frozenset(f"{lead}{fy}" for fy in FINANCIAL_YEAR_WORDS for lead in ("", "the ", "this "))
_FY_END = frozenset({"year end", "year-end", "the year end"} | {f"{fy} end" for fy in _THE_FY})


def _named_period(s: str, today: date) -> _Span | None:
    """'the year', 'the financial year', 'year end' (= financial year end, as councils use it)."""
    fy_start = today.year if today.month >= 4 else today.year - 1
    if s in _THE_YEAR:
        return _months_span(today.year, 1, 12, explicit=False)
    if s in _THE_FY:
        return _months_span(fy_start, 4, 12, explicit=False)
    if s in _FY_END:
        return _day_span(date(fy_start + 1, 3, 31), explicit=False)
    return None


def _modified(s: str, year: int | None, today: date) -> _Span | None:
    """'end of March', 'mid-2027', 'early May', 'late summer 2027'."""
    m = _RE_MODIFIED.fullmatch(s)
    if m is None:
        return None
    rest = m[2].removeprefix("the ")
    modifier = MODIFIERS[m[1]]
    span = _exact(rest, year, today) if modifier == "end" else None
    span = span or _period(rest, year, today)
    if span is None:
        return None
    if modifier == "end":
        return span._replace(first=span.last)
    if modifier == "start":
        return span._replace(last=span.first)
    if span.first == span.last:
        return None  # "early 31 March" means nothing
    return _part_of(modifier, span)


def _part_of(modifier: str, span: _Span) -> _Span:
    """Early/mid/late part of a period: days of a month, else thirds of the months."""
    first, last = span.first, span.last
    count = _month_index(last) - _month_index(first) + 1
    if count == 1:
        days = {"early": (1, 10), "mid": (15, 15), "late": (21, last.day)}
        lo, hi = days[modifier]
        return span._replace(first=first.replace(day=lo), last=first.replace(day=hi))
    third = -(-count // 3)  # ceil: early 2027 is January to April
    if modifier == "early":
        offset, length = 0, third
    elif modifier == "late":
        offset, length = count - third, third
    else:
        offset, length = (count // 2 if count % 2 else count // 2 - 1), 1
    index = _month_index(first) + offset
    return _months_span(index // 12, index % 12 + 1, length, span.explicit_year)


def _point(s: str, year: int | None, today: date) -> _Span | None:
    """One day or period; `year` is the year to assume when the text has none."""
    s = s.strip(" ,;:").removeprefix("the ")
    if not s:
        return None
    return _exact(s, year, today) or _period(s, year, today) or _modified(s, year, today)


# ---------------------------------------------------------------------------------------------
# Ranges and milestones: several points, the year written once at the end


_RANGE_SEPARATORS = (
    _Lazy(r"\s+(?:-|to|until|till|through|thru)\s+"),
    _Lazy(r"\s*-\s*"),
)
_MILESTONE_SEPARATOR = _Lazy(r"\s*(?:[;,&+]|\band\b|\bthen\b|(?<!\d)/|/(?!\d))\s*")
_ALTERNATIVE_SEPARATOR = _Lazy(r"\s*(?:(?<!\d)/|/(?!\d)|\bor\b)\s*")
_BARE_DAY = _Lazy(r"\d{1,2}")


def _chain(parts: list[str], today: date) -> list[_Span] | None:
    """Parse parts right to left, lending each the year of the part after it."""
    last = _point(parts[-1], None, today)
    if last is None:
        return None
    spans = [last]
    for part in reversed(parts[:-1]):
        after = spans[0]
        span = _lent_day(part, after) or _point(part, after.first.year, today)
        if span is not None and not span.explicit_year and span.first > after.first:
            span = _point(part, after.first.year - 1, today)  # "October - March 2021"
        if span is None:
            return None
        spans.insert(0, span)
    return spans


def _lent_day(part: str, after: _Span) -> _Span | None:
    """'1' in '1-10 May 2027' takes its month and year from the day after it."""
    if not _BARE_DAY.fullmatch(part) or after.first != after.last:
        return None
    d = after.first
    return _day_span(_make_date(d.year, d.month, int(part), part), explicit=True)


def _range(s: str, today: date) -> tuple[date, date] | None:
    """'01 July - 30 August 2020', 'July-September 2020', 'between May and June 2027'."""
    s = s.removeprefix("from ")  # "from 1 July to 30 August 2020"; "from May" alone is no range
    between = re.fullmatch(r"between (.+) and (.+)", s)
    candidates = [[between[1], between[2]]] if between else []
    candidates += [sep.split(s) for sep in _RANGE_SEPARATORS]
    for parts in candidates:
        if len(parts) != 2 or not all(parts):
            continue
        spans = _chain(parts, today)
        if spans is not None:
            return _ordered(s, spans[0].first, spans[1].last)
    return None


def _ordered(s: str, start: date, due: date) -> tuple[date, date]:
    if start > due:
        raise _Problem(f'"{s}" ends ({format_date(due)}) before it starts ({format_date(start)}).')
    return start, due


def _alternatives(s: str, today: date) -> tuple[date, date] | None:
    """'end of April/early May 2013', 'April or May': the earlier starts, the later is due."""
    parts = _ALTERNATIVE_SEPARATOR.split(s)
    fuzzy = any(_RE_MODIFIED.fullmatch(p) for p in parts) or re.search(r"\bor\b", s)
    if len(parts) != 2 or not fuzzy or not all(parts):
        return None
    spans = _chain(parts, today)
    if spans is None:
        return None
    return _ordered(s, spans[0].first, spans[1].last)


def _milestones(s: str, today: date) -> tuple[date, ...] | None:
    """'June 2020 and October 2020', 'March / April / May 2020', '31/03/2027; 30/06/2027'."""
    parts = [p for p in _MILESTONE_SEPARATOR.split(s) if p]
    if len(parts) < 2:
        return None
    spans = _chain(parts, today)
    if spans is None:
        return None
    return tuple(sorted({span.last for span in spans}))


# ---------------------------------------------------------------------------------------------
# Whole-cell kinds: nothing, ongoing, recurring, plan years


_NONE = frozenset(
    {"", "-", "--", "---", "n/a", "na", "n.a", "none", "nil", "no date", "not applicable"}
    | {"no target", "no target date", "blank", "not set"}
)
_TBC = frozenset(
    {"tbc", "tba", "tbd", "to be confirmed", "to be agreed", "to be determined"}
    | {"to be decided", "to be arranged", "date tbc", "date to be confirmed"}
)
_ONGOING = _Lazy(
    r"(?:on\s?-?\s?going|continuous(?:ly)?|continual(?:ly)?|continuing|business as usual|bau|"
    r"as (?:and when )?(?:required|needed|necessary|appropriate)|as and when|rolling"
    r"|ongoing throughout(?: the (?:plan|year|strategy))?)"
)
_FREQUENCY_WORDS = (
    (
        "half-yearly",
        r"bi-?annual(?:ly)?|semi-?annual(?:ly)?|twice (?:a|per|each) year|twice yearly|"
        r"(?:six|6)[- ]?monthly|every (?:six|6) months|half[- ]?yearly|biannual(?:ly)?",
    ),
    (
        "yearly",
        r"annual(?:ly)?|yearly|every year|each year|once a year|per annum|"
        r"every (?:12|twelve) months",
    ),
    ("quarterly", r"quarterly|every quarter|each quarter|every (?:three|3) months"),
    ("monthly", r"monthly|every month|each month|once a month"),
    ("weekly", r"weekly|every week|each week|once a week"),
)
_FREQUENCIES = tuple(
    (name, _Lazy(rf"(?<![\w-])(?:{words})(?![\w-])")) for name, words in _FREQUENCY_WORDS
)
# Repeats we can't store: read as unclear rather than as the nearest frequency we have.
_UNSUPPORTED_REPEAT = _Lazy(r"fortnight|bi-?weekly|bi-?monthly|every (?:two|2) ")
_EVERY_MONTH_NAME = _Lazy(rf"(?:every|each)\s+{MONTH}")
_EVERY_WEEKDAY = _Lazy(rf"(?:every|each)\s+{WEEKDAY}s?")
_REPEAT_FILLER = _Lazy(
    r"^(?:[\s,;:()-]|\b(?:starting|commencing|beginning|from|in|on|at|by|each|every|the|"
    r"end of|of|with effect from|wef)\b)+"
)
_PLAN_YEAR_NUMBER = rf"(\d{{1,2}}|{one_of(NUMBER_WORDS)})"
_PLAN_YEAR = _Lazy(
    rf"years?\s*{_PLAN_YEAR_NUMBER}"
    rf"(?:\s*(?:-|to|and|&)\s*(?:years?\s*)?{_PLAN_YEAR_NUMBER})?"
)


def _recurrence(s: str, today: date) -> Recurrence | None:
    """'Annually in April', 'Every April', 'Quarterly, starting in May 2010', 'Weekly'."""
    if _UNSUPPORTED_REPEAT.search(s):
        return None
    if m := _EVERY_MONTH_NAME.fullmatch(s):
        return Recurrence("yearly", month=MONTHS[m[1]])
    if m := _EVERY_WEEKDAY.fullmatch(s):
        return Recurrence("weekly", starting=_next_weekday(today, WEEKDAYS[m[1]], strictly=False))
    for frequency, pattern in _FREQUENCIES:
        if m := pattern.search(s):
            rest = (s[: m.start()] + " " + s[m.end() :]).strip()
            return _anchored(frequency, _REPEAT_FILLER.sub("", rest).strip(" ,;:()-"), today)
    return None


def _anchored(frequency: str, rest: str, today: date) -> Recurrence | None:
    """The frequency plus whatever month, weekday or start date was written with it."""
    if not rest:
        return Recurrence(frequency)
    if rest in MONTHS or rest.rstrip(".") in MONTHS:
        if frequency in ("monthly", "weekly"):
            return None
        return Recurrence(frequency, month=MONTHS[rest.rstrip(".")])
    weekday = rest.removesuffix("s")
    if frequency == "weekly" and weekday in WEEKDAYS:
        return Recurrence(frequency, starting=_next_weekday(today, WEEKDAYS[weekday], False))
    span = _point(rest, None, today)
    if span is None or _month_index(span.last) != _month_index(span.first):
        return None  # "annually from 2027": which month? Don't pick one.
    if frequency == "weekly":
        return Recurrence(frequency, starting=span.first) if span.explicit_year else None
    month = None if frequency == "monthly" else span.first.month
    if not span.explicit_year:  # "annually at Christmas": a month, but no first year
        return Recurrence(frequency, month=month)
    starting = month_end(span.first.year, span.first.month)
    return Recurrence(frequency, month=month if frequency == "yearly" else None, starting=starting)


def _next_weekday(today: date, weekday: int, strictly: bool) -> date:
    """The next such weekday on (or, if strictly, after) today."""
    days = (weekday - today.weekday()) % 7
    return today + timedelta(days=days or (7 if strictly else 0))


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February in a plan starting on a leap day
        return d.replace(year=d.year + years, day=28)


def _plan_year(s: str, original: str, plan_start: date | None) -> Target | None:
    """'Year 1', 'Year 1-2': years of the plan, counted from its start date."""
    m = _PLAN_YEAR.fullmatch(s)
    if m is None:
        return None
    first = NUMBER_WORDS.get(m[1]) or int(m[1])
    last = (NUMBER_WORDS.get(m[2]) or int(m[2])) if m[2] else first
    if plan_start is None:
        return _unclear(original, f"{original} needs the plan's start date.")
    if not 1 <= first <= last:
        return _unclear(original, f"I couldn't read {original} as years of the plan.")
    due = _add_years(plan_start, last) - timedelta(days=1)
    start = _add_years(plan_start, first - 1) if m[2] else None
    return Target(original, "date", due=due, start=start)


# ---------------------------------------------------------------------------------------------
# dateparser, for what the regexes miss


_DATE_WORDS = frozenset(MONTHS) | frozenset(WEEKDAYS) | {"the", "of", "on", "at"}
_RELATIVE_WORDS = RELATIVE_WORDS | TIME_UNITS | frozenset(NUMBER_WORDS) | {"a", "an"}


MAX_TARGET_CHARS = 300  # the longest real target cells run to about 40; reading is per character

_FY_LIKE = _Lazy(r"\d{4}\s*[/-]\s*\d")
_DATEPARSER_TARGET = _Lazy(r"(?=.*(?:\d{4}|'\d{2}))(?!(?:.*\b\d{1,2}\b){2})[a-z0-9,' ]+")


@functools.lru_cache(maxsize=8)
def _date_parser(today: date, relative: bool) -> DateDataParser:
    """One parser per day and mode; importing dateparser costs ~0.1 s, so only when needed."""
    from dateparser.date import DateDataParser

    settings: dict[str, Any] = {
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "last",
        "RELATIVE_BASE": datetime(today.year, today.month, today.day),
        "PREFER_DATES_FROM": "future",
    }
    if not relative:
        settings["REQUIRE_PARTS"] = ["month", "year"]
    return DateDataParser(languages=["en"], settings=settings)


_REPEATABLE = frozenset({"the", "of", "on", "at", "a", "an", "in", "from"})
_YEAR = _Lazy(r"\d{4}")
_ONE_OF_EACH = (frozenset(MONTHS), frozenset(WEEKDAYS), TIME_UNITS, frozenset(NUMBER_WORDS))
_RELATIVE_ANCHORS = (RELATIVE_WORDS | TIME_UNITS | frozenset(WEEKDAYS) | frozenset(MONTHS)) - {
    "in",
    "from",
}
_DATEPARSER_CHARS = 60


def _one_date(s: str, *, relative: bool) -> bool:
    """Could name one day: no word or number twice, at most one month, weekday, unit, number
    word and year; a relative one ('in a fortnight') has an anchor and no year.

    dateparser takes a millisecond or two a phrase and reads '2027 2027 fortnight' as a day;
    a long reply offers it thousands of phrases.
    """
    tokens = re.findall(r"[a-z]+|\d+", s)
    counted = Counter(t for t in tokens if t not in _REPEATABLE)
    if any(n > 1 for n in counted.values()):
        return False
    if not all(sum(n for t, n in counted.items() if t in kind) <= 1 for kind in _ONE_OF_EACH):
        return False
    years = sum(1 for t in counted if _YEAR.fullmatch(t))
    if relative:
        return years == 0 and any(t in _RELATIVE_ANCHORS for t in counted)
    return years <= 1


@functools.lru_cache(maxsize=1024)
def _dateparser_day(s: str, today: date, *, relative: bool) -> date | None:
    """dateparser's reading, only if every word is a date word (else 'to' becomes a date)."""
    if len(s) > _DATEPARSER_CHARS:
        return None
    words = set(re.findall(r"[a-z]+", s))
    allowed = _DATE_WORDS | _RELATIVE_WORDS if relative else _DATE_WORDS
    if not words <= allowed or not (words or re.search(r"\d", s)):
        return None
    if not _one_date(s, relative=relative):
        return None
    if _FY_LIKE.search(s) or len(re.findall(r"\d+", s)) > 3:
        return None  # "1 2026/27" would come back as 27 January 2026
    if not relative and not _DATEPARSER_TARGET.fullmatch(s):
        return None  # a plan's target: words, a year written out, at most a day number
    found = _date_parser(today, relative).get_date_data(s).date_obj
    if found is None or not YEAR_MIN <= found.year <= YEAR_MAX:
        return None
    return found.date()


# ---------------------------------------------------------------------------------------------
# parse_target


def _unclear(text: str, problem: str) -> Target:
    return Target(text, "unclear", problem=problem)


def _cant_read(text: str) -> str:
    return f'I couldn\'t read "{text}" as a date.'


def _classify(s: str, original: str, today: date, plan_start: date | None) -> Target:
    """The Target for one normalised cell."""
    if s in _NONE:
        return Target(original, "none")
    if s in _TBC:
        return Target(original, "none", problem="to be confirmed")
    s = _strip_lead(s)
    if _ONGOING.fullmatch(s):
        return Target(original, "ongoing")
    try:
        return _dated(s, original, today, plan_start)
    except _NotReal as err:
        return _unclear(original, err.shown_as(original))
    except _Problem as err:
        return _unclear(original, err.message)


def _dated(s: str, original: str, today: date, plan_start: date | None) -> Target:
    """Cells that name days: recurring, plan years, one day, a range, milestones."""
    recurrence = _recurrence(s, today)
    if recurrence is not None:
        return Target(original, "recurring", due=recurrence.next_due(today), recurrence=recurrence)
    if (plan_year := _plan_year(s, original, plan_start)) is not None:
        return plan_year
    if (span := _point(s, None, today)) is not None:
        return Target(original, "date", due=span.last)
    if (pair := _range(s, today) or _alternatives(s, today)) is not None:
        return Target(original, "date", due=pair[1], start=pair[0])
    if milestones := _milestones(s, today):
        if len(milestones) == 1:
            return Target(original, "date", due=milestones[0])
        return Target(original, "milestones", due=milestones[-1], milestones=milestones)
    if (day := _dateparser_day(s, today, relative=False)) is not None:
        return Target(original, "date", due=day)
    return _unclear(original, _cant_read(original))


@functools.lru_cache(maxsize=4096)
def parse_target(text: str, *, today: date, plan_start: date | None = None) -> Target:
    """Understand one target-date cell; never guesses (see the module docstring)."""
    original = text.strip()
    if len(original) > MAX_TARGET_CHARS:
        return _unclear(
            original,
            f"{len(original):,} characters is too long for a target date. Put the date in the "
            "cell (e.g. 31/03/2027) and any explanation in another column.",
        )
    target = _classify(_normalise(original), original, today, plan_start)
    lines = [line.strip() for line in original.splitlines() if line.strip()]
    if target.kind == "unclear" and len(lines) > 1:
        # "June 2020" and "October 2020" on separate lines are milestones.
        by_line = _classify(_normalise("; ".join(lines)), original, today, plan_start)
        if by_line.kind != "unclear":
            return by_line
    return target


# ---------------------------------------------------------------------------------------------
# parse_date_answer


_WEEKDAY_LEAD = one_of((*WEEKDAY_LEADS, "on"))  # "on Friday" too, in chat
_RE_RELATIVE_WEEKDAY = _Lazy(
    rf"(?:{_WEEKDAY_LEAD}\s+)?{WEEKDAY}(\s+week)?|a week (?:on )?{WEEKDAY}"
)
_TRY = "Try something like 31/03/2027 or end of March."


def _relative_weekday(s: str, today: date) -> date | None:
    """'Friday', 'next Friday' (the coming one), 'Friday week' (the one after)."""
    m = _RE_RELATIVE_WEEKDAY.fullmatch(s)
    if m is None:
        return None
    if m[3] is not None:
        return _next_weekday(today, WEEKDAYS[m[3]], strictly=True) + timedelta(days=7)
    day = _next_weekday(today, WEEKDAYS[m[1]], strictly=True)
    return day + timedelta(days=7) if m[2] else day


# In chat, quarters are the council's: financial quarters, April to March, unless the words say
# otherwise ("Q3" is October to December; "Q1 next financial year" ends 30 June).
_FIN_QUARTER_END = {1: 6, 2: 9, 3: 12, 4: 3}  # the month each financial quarter ends in
_ORDINAL_QUARTERS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "final": 4, "last": 4}
_RE_CHAT_QUARTER = _Lazy(
    rf"(?:end of (?:the )?)?(?:{QUARTER}\s*([1-4])|(first|second|third|fourth|final|last) quarter)"
    rf"(?:\s+(?:of\s+)?(?:the\s+)?(this|next)\s+({FINANCIAL_YEAR}|year))?"
)
_RE_CALENDAR_QUARTER = _Lazy(rf"(?:end of (?:the )?)?{QUARTER}\s*([1-4])\s+(\d{{4}})")
_RE_NEXT_FY = _Lazy(rf"((?:the )?end of )?(?:the )?next {FINANCIAL_YEAR}")
_RE_THIS_QUARTER = _Lazy(r"(?:(?:the )?end of )?(?:the|this|next) quarter")
_RE_MONTH_END = _Lazy(r"(?:the )?end of (?:(?:the|this|next) )?month")
_RE_NEXT_SEASON = _Lazy(rf"next {alternation(SEASON_START)}")
_RE_DURATION = _Lazy(
    rf"(?:in |within )?(a|an|another|\d{{1,2}}|{one_of(NUMBER_WORDS)})(?: more)? "
    r"(day|week|wk|fortnight|month)s?(?:'s? time| time| from (?:today|now)| (today|tomorrow))?"
)  # "3 weeks today": three weeks on from today, as "a week today"


def _fin_quarter_end(start_year: int, number: int) -> date:
    """The last day of quarter `number` of the financial year starting April `start_year`."""
    month = _FIN_QUARTER_END[number]
    return month_end(start_year + (1 if number == 4 else 0), month)


def _quarter_answer(raw: str, s: str, today: date) -> DateAnswer | None:
    """'Q3', 'end of Q1 next financial year', 'next quarter', 'Q1 2027' (ambiguous: asked)."""
    fy_now = today.year if today.month >= 4 else today.year - 1
    if m := _RE_CHAT_QUARTER.fullmatch(s):
        number = int(m[1]) if m[1] else _ORDINAL_QUARTERS[m[2]]
        if m[3] is None:  # the next such quarter's end
            ends = (_fin_quarter_end(fy_now + k, number) for k in range(2))
            return DateAnswer(raw, next(d for d in ends if d >= today))
        if m[4] == "year":  # "Q1 next year": January to March, or April to June? Asked
            year = today.year + (1 if m[3] == "next" else 0)
            calendar_end = month_end(year, 3 * number)
            financial_end = _fin_quarter_end(year, number)
            if calendar_end != financial_end:
                problem = (
                    f"Q{number} {m[3]} year could mean the quarter ending "
                    f"{format_date(calendar_end)} or Q{number} of {year}/{(year + 1) % 100:02d}, "
                    f"ending {format_date(financial_end)}. Which?"
                )
                options = tuple(sorted({calendar_end, financial_end}))
                return DateAnswer(raw, None, problem=problem, options=options)
            start = year
        else:
            start = fy_now + (1 if m[3] == "next" else 0)
        return DateAnswer(raw, _fin_quarter_end(start, number))
    if m := _RE_CALENDAR_QUARTER.fullmatch(s):
        number, year = int(m[1]), int(m[2])
        calendar_end = month_end(year, 3 * number)
        financial_end = _fin_quarter_end(year, number)
        problem = (
            f"Q{number} {year} could mean the quarter ending {format_date(calendar_end)} or "
            f"Q{number} of {year}/{(year + 1) % 100:02d}, ending {format_date(financial_end)}. "
            f"Which? Say the date, e.g. {format_date(financial_end)}."
        )
        return DateAnswer(raw, None, problem=problem, options=(calendar_end, financial_end))
    if m := _RE_NEXT_FY.fullmatch(s):  # "end of next financial year"; the year alone is asked
        end = date(fy_now + 2, 3, 31)
        if m[1]:
            return DateAnswer(raw, end)
        problem = (
            f'"{raw}" is a whole year ({format_date(date(fy_now + 1, 4, 1))} to '
            f"{format_date(end)}): which date in it is the new target?"
        )
        return DateAnswer(raw, None, problem=problem)
    if m := _RE_THIS_QUARTER.fullmatch(s):
        end = month_end(today.year, 3 * ((today.month - 1) // 3 + 1))
        if s.endswith("next quarter"):
            end = month_end(end.year + (end.month == 12), end.month % 12 + 3)
        return DateAnswer(raw, end, needs_confirmation=True)
    return None


_RE_DAY_ONLY = _Lazy(rf"(?:the\s+)?(\d{{1,2}})\s?{one_of(ORDINAL_SUFFIXES)}")


def _day_of_month(raw: str, today: date) -> DateAnswer | None:
    """'the 18th': the next 18th, today or later."""
    m = _RE_DAY_ONLY.fullmatch(raw.lower())
    if m is None or not 1 <= int(m[1]) <= 31:
        return None
    index = _month_index(today)
    for step in range(3):
        last = _index_end(index + step)
        if int(m[1]) <= last.day and (day := last.replace(day=int(m[1]))) >= today:
            return DateAnswer(raw, day, needs_confirmation=True)
    return None


_RE_DAY_SLASH_MONTH = _Lazy(r"(\d{1,2})/(\d{1,2})")


def _day_and_month(raw: str, today: date) -> DateAnswer | None:
    """'28/2' (UK day first): the next 28 February, checked with the officer."""
    m = _RE_DAY_SLASH_MONTH.fullmatch(raw.strip())
    if m is None or not 1 <= int(m[2]) <= 12:
        return None
    for year in (today.year, today.year + 1, today.year + 4):
        try:
            day = date(year, int(m[2]), int(m[1]))
        except ValueError:
            continue
        if day >= today:
            return DateAnswer(raw, day, needs_confirmation=True)
    return None


def _relative_answer(raw: str, s: str, today: date) -> DateAnswer | None:
    """'end of next month', 'next spring', 'within a month', 'in two weeks': confirmed first."""
    if (answer := _day_of_month(raw, today) or _day_and_month(raw, today)) is not None:
        return answer
    if _RE_MONTH_END.fullmatch(s):
        year, month = today.year, today.month
        if s.endswith("next month"):
            year, month = year + (month == 12), month % 12 + 1
        return DateAnswer(raw, month_end(year, month), needs_confirmation=True)
    if _RE_WEEK_END.fullmatch(s):  # "by the end of the week": its Friday
        friday = today + timedelta(days=(4 - today.weekday()) % 7)
        return DateAnswer(raw, friday, needs_confirmation=True)
    if m := _RE_NEXT_SEASON.fullmatch(s):
        first_month = SEASON_START[m[1]]
        year = today.year if date(today.year, first_month, 1) > today else today.year + 1
        return DateAnswer(raw, _months_span(year, first_month, 3).last, needs_confirmation=True)
    if m := _RE_DURATION.fullmatch(s):
        count = 1 if m[1] in ("a", "an", "another") else NUMBER_WORDS.get(m[1]) or int(m[1])
        if m[2] == "month":
            index = _month_index(today) + count
            last = _index_end(index)
            day = last.replace(day=min(today.day, last.day))
        else:
            days = {"day": 1, "week": 7, "wk": 7, "fortnight": 14}[m[2]]
            day = today + timedelta(days=count * days + (m[3] == "tomorrow"))
        return DateAnswer(raw, day, needs_confirmation=True)
    return None


_RE_WEEK_END = _Lazy(r"(?:the\s+)?end\s+of\s+(?:the|this)\s+week")
_RE_WEEK_OF = _Lazy(
    rf"(?:the\s+)?(first|second|third|fourth|last)\s+week\s+(?:of|in)\s+{MONTH}(?:\s+{YEAR})?"
)
_NTH = {"first": 0, "second": 1, "third": 2, "fourth": 3}


def _week_of_month(s: str, today: date) -> date | None:
    """'first week of February': the Friday that ends that working week."""
    m = _RE_WEEK_OF.fullmatch(s)
    if m is None:
        return None
    month = MONTHS[m[2]]
    year = _year_of(m[3]) if m[3] else today.year + (month < today.month)
    first = date(year, month, 1)
    monday = first + timedelta(days=(7 - first.weekday()) % 7) if first.weekday() > 4 else first
    if m[1] == "last":
        last = month_end(year, month)
        return last - timedelta(days=(last.weekday() - 4) % 7)
    friday = monday + timedelta(days=(4 - monday.weekday()) % 7 + 7 * _NTH[m[1]])
    return friday


_DOTTED_DAY = re.compile(r"(?:[12]\d|3[01]|0?[1-9])\.(?:1[0-2]|0?[1-9])")


@functools.lru_cache(maxsize=4096)  # a long reply offers the same phrase again and again
def parse_date_answer(text: str, *, today: date) -> DateAnswer:
    """One revised date typed in chat; relative answers come back for confirmation.

    "Friday" and "next Friday" are the coming Friday (a week today if today is Friday);
    "Friday week" is the one after that. Past dates are returned: the caller refuses them.
    """
    raw = " ".join(text.split())
    s = _strip_lead(_normalise(raw))
    if not s:
        return DateAnswer(raw, None, problem=f"I need a date here. {_TRY}")
    if _DOTTED_DAY.fullmatch(s):  # "31.03": day and month, as "31/03"
        slashed = parse_date_answer(s.replace(".", "/"), today=today)
        return replace(slashed, text=raw)
    if (day := _relative_weekday(s, today)) is not None:
        return DateAnswer(raw, day, needs_confirmation=True)
    if (day := _week_of_month(s, today)) is not None:
        return DateAnswer(raw, day)
    if re.fullmatch(r"(?:this|the same|same) time next year", s):  # a year from today
        a_year_on = today.replace(year=today.year + 1, day=28 if today.day == 29 else today.day)
        return DateAnswer(raw, a_year_on, needs_confirmation=True)
    if (answer := _quarter_answer(raw, s, today) or _relative_answer(raw, s, today)) is not None:
        return answer
    target = parse_target(raw, today=today)
    if target.kind == "date" and target.due is not None:
        if target.start is not None:
            span = f"{format_date(target.start)} to {format_date(target.due)}"
            problem = f"That's a range ({span}): I need one date."
            return DateAnswer(raw, None, problem=problem, options=(target.due,))
        return DateAnswer(raw, target.due)
    if target.kind in ("recurring", "ongoing", "milestones"):
        problem = f'"{raw}" is {target.describe()}: I need one date. {_TRY}'
        last = (target.due,) if target.kind == "milestones" and target.due else ()
        return DateAnswer(raw, None, problem=problem, options=last)
    if target.kind == "none":
        return DateAnswer(raw, None, problem=f"I need a date here. {_TRY}")
    if target.problem and target.problem != _cant_read(raw):
        return DateAnswer(raw, None, problem=target.problem)
    if (day := _dateparser_day(s, today, relative=True)) is not None:
        return DateAnswer(raw, day, needs_confirmation=True)
    return DateAnswer(raw, None, problem=f"{_cant_read(raw)} {_TRY}")

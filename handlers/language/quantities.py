"""Counts and spans of time as people say them: "1 chart", "3 weeks", "2 years overdue".

One place for every message, chat and command line alike, so nothing says "1 charts",
"1 problem(s)" or "overdue by 2,441 days".
"""

from __future__ import annotations

_IRREGULAR = {"person": "people", "entry": "entries", "summary": "summaries", "is": "are"}


def plural(count: int, noun: str, many: str | None = None) -> str:
    """'1 chart', '2 charts', '0 entries'; `many` for a plural the rules below miss."""
    return f"{count} {noun if count == 1 else many or plural_of(noun)}"


def plural_of(noun: str) -> str:
    """The plural of a noun, for the nouns engagebot counts."""
    if noun in _IRREGULAR:
        return _IRREGULAR[noun]
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(("s", "sh", "ch", "x")):
        return noun + "es"
    return noun + "s"


def span(days: int) -> str:
    """A number of days as a person would say it: '1 day', '3 weeks', '5 months', '2 years'.

    Rounded down, so "2 years" is never said of 23 months: days up to a fortnight, weeks up
    to two months, months up to two years, then years.
    """
    days = abs(days)
    if days < 14:
        return plural(days, "day")
    if days < 61:
        return plural(days // 7, "week")
    if days < 730:
        return plural(max(2, int(days / 30.4375)), "month")
    return plural(int(days / 365.25), "year")


def overdue(days: int) -> str:
    """'3 days overdue', '2 years overdue'."""
    return f"{span(days)} overdue"


def due_in(days: int) -> str:
    """'due today', 'due tomorrow', 'due in 3 weeks'."""
    if days == 0:
        return "due today"
    if days == 1:
        return "due tomorrow"
    return f"due in {span(days)}"


def times(count: int) -> str:
    """'once', 'twice', '3 times'."""
    return {1: "once", 2: "twice"}.get(count, f"{count} times")

"""Every day a reply could mean, for the buttons of a date question.

When the date is asked rather than settled, the officer should find the day they meant among
the buttons. The rules that read a target (deadlines.py) are strict about which phrase is the
target; this finder is not, because what it finds is only ever offered: each phrase in the
table below that names a day still to come is put on a button, with its words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from handlers.language.replies.model import DateOption
from handlers.language.targets import parse_date_answer

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)


@dataclass(frozen=True)
class DayPhrase:
    """A way of naming a day, as it is found, and how it is read."""

    name: str
    words: str  # a regular expression, case-insensitive
    why: str


DAY_PHRASES = (
    DayPhrase("day and month",
              rf"\b\d{{1,2}}(?:st|nd|rd|th)? (?:of )?{_MONTH}(?: (?:20)?\d{{2}})?\b",
              "'29 January', '3rd of March 2027'."),
    DayPhrase("day/month", r"(?<![\d/.])(?!24/7)\d{1,2}/\d{1,2}(?:/(?:20)?\d{2})?(?![\d/])",
              "'so 31/3', '15/02/27': UK day first."),
    DayPhrase("financial year", r"\b(?:(?:the )?end of )?FY ?(?:20)?\d{2}/\d{2}\b",
              "'FY27/28': its end, 31 March 2028."),
    DayPhrase("month and year", rf"\b{_MONTH}[-' ](?:20)?\d{{2}}\b",
              "'Mar-27', 'March 2027': the month's end."),
    DayPhrase("quarter", r"\b(?:(?:the )?end (?:of )?)?Q[1-4](?: ?(?:20)?\d{2}/\d{2})?\b",
              "'end Q4', 'Q2 27/28': the quarter's end, financial quarters."),
    DayPhrase("end of a period", r"\b(?:the )?end of (?:the |this |next )?(?:week|month|quarter"
              r"|(?:financial )?year)\b", "'the end of the month', 'end of next week'."),
    DayPhrase("some weeks on", r"\bin (?:a |an |\d+ |two |three |four |six |a couple of |a few )?"
              r"(?:wks?|weeks?|fortnight|months?)\b", "'in 2 wks', 'in a fortnight'."),
    DayPhrase("a weekday a week on", r"\b(?:mon|tues|wednes|thurs|fri)day week\b",
              "'Friday week': a week on from the coming Friday."),
    DayPhrase("the week after next", r"\b(?:the )?week after next\b",
              "'live the week after next': by that week's Friday."),
    DayPhrase("next week", r"\b(?:by |during |in )?next week\b",
              "'should be next week': by its Friday (its Monday is offered too)."),
    DayPhrase("a day of the month", r"\b(?:the )?\d{1,2}(?:st|nd|rd|th)\b",
              "'back on the 3rd': the next such day; 'the December meeting (9th)': that "
              "month's."),
    DayPhrase("a month", rf"\b(?:(?:the )?end of |by |in |until |till )?{_MONTH}\b",
              "'they've now said May': the month's end."),
)  # fmt: skip
_PHRASES = tuple(re.compile(p.words, re.IGNORECASE) for p in DAY_PHRASES)
_STARTS = re.compile(
    r"\b(?:from|since|starting(?: in| on| from)?|start(?:s|ed)? (?:in|on)|beginning(?: in)?)\s*$",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\d{4}|[-'/ ]\d{2}\b|\bq[1-4]\b", re.IGNORECASE)
_MOVED_TO = re.compile(r"\b(?:back to|moved to|move it to|until|till|to)\s*$", re.IGNORECASE)
_FAR = 300  # days: a day named without its year this far off is one already gone
_FY = re.compile(r"(\d{2})/(\d{2})$")
_MOST = 6


def days_named(text: str, today: date) -> list[DateOption]:
    """Each day still to come that a phrase of the text may name, in the text's order."""
    found: list[tuple[int, DateOption]] = []
    taken: list[range] = []
    for pattern in _PHRASES:
        for m in pattern.finditer(text):
            if any(m.start() in r or m.end() - 1 in r for r in taken):
                continue  # inside a longer phrase already read ("Mar-27" holds "Mar")
            if _STARTS.search(text[: m.start()]):
                continue  # "roll out from October": when the work starts, not its target
            day = _day(_in_its_month(text, m), today)
            if day is None:
                continue
            taken.append(range(m.start(), m.end()))
            far = not _YEAR.search(m.group()) and (day - today).days > _FAR
            if far and not _MOVED_TO.search(text[max(0, m.start() - 12) : m.start()]):
                continue  # "on 3 February", said on the 15th: that day gone, not next year's
            if day > today:
                found.append((m.start(), DateOption(day, m.group().strip())))
            if (run := _RUNS_FOR.match(text, m.end())) and day + _length(run) > today:
                # "goes live 7 June for three weeks": it ends three weeks on
                words = text[m.start() : run.end()].strip()
                found.append((m.start() + 1, DateOption(day + _length(run), words)))
    for m in _HALF.finditer(text):  # "H2": the end of this half and of the next
        found += [(m.start(), DateOption(day, m.group())) for day in _half_ends(m, today)]
    found.sort(key=lambda pair: pair[0])
    return [option for _, option in found][:_MOST]


_COUNTS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "eight": 8}
_RUNS_FOR = re.compile(
    r"\s*,?\s*(?:for|running for|open for|lasting)\s+(?P<n>\d{1,2}|"
    + "|".join(_COUNTS)
    + r")\s+(?P<unit>weeks?|days?)\b",
    re.IGNORECASE,
)


def _length(run: re.Match[str]) -> timedelta:
    n = int(run["n"]) if run["n"].isdigit() else _COUNTS[run["n"].lower()]
    return timedelta(weeks=n) if run["unit"].lower().startswith("week") else timedelta(days=n)


_MONTH_BEFORE = re.compile(rf"\b({_MONTH})\b[^.!?\d]{{0,25}}$", re.IGNORECASE)
_ORDINAL_ONLY = re.compile(r"(?:the )?\d{1,2}(?:st|nd|rd|th)", re.IGNORECASE)


def _in_its_month(text: str, m: re.Match[str]) -> str:
    """'the December meeting (9th)': a day number read in the month just named."""
    named = _MONTH_BEFORE.search(text[max(0, m.start() - 30) : m.start()])
    if named is None or not _ORDINAL_ONLY.fullmatch(m.group().strip()):
        return m.group()
    return f"{m.group().strip()} {named[1]}"


_HALF = re.compile(r"\bH([12])\b", re.IGNORECASE)


def _half_ends(m: re.Match[str], today: date) -> list[date]:
    """The next two ends of a financial half-year: H1 ends 30 September, H2 31 March."""
    month, day = (9, 30) if m[1] == "1" else (3, 31)
    ends = [date(year, month, day) for year in range(today.year, today.year + 3)]
    return [end for end in ends if end > today][:2]


def _day(words: str, today: date) -> date | None:
    plain = words.lower().strip()
    if (fy := _FY.search(plain)) and "fy" in plain:
        return date(2000 + int(fy[2]), 3, 31)
    if plain.endswith("week after next"):
        return today + timedelta(days=14 - today.weekday() + 4)  # that week's Friday
    if plain.endswith("next week") and not plain.startswith(("in", "the")):
        return today + timedelta(days=7 - today.weekday() + 4)  # its Friday
    if plain.endswith("end of next week"):
        return today + timedelta(days=7 - today.weekday() + 4)
    plain = re.sub(r"\bend q", "end of q", plain)
    plain = re.sub(r"\bwks?\b", "weeks", plain)
    plain = re.sub(rf"^({_MONTH})[-' ](\d{{2}})$", r"\1 20\2", plain)
    answer = parse_date_answer(plain, today=today)
    return answer.day

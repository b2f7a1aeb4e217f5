"""Date phrases in a reply: every stretch of words that reads as a day, or clearly tries to."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import NamedTuple

from handlers.language.replies.tokens import (
    DAY_NUMBER,
    FY_STARTS,
    HAS_YEAR,
    QUARTER_ORDINALS,
    Token,
    Tokens,
    future_tense,
    is_dateish,
)
from handlers.language.replies.vague import one_day_opening
from handlers.language.targets import DateAnswer, format_date, month_end, parse_date_answer
from handlers.language.vocabulary import (
    MODIFIER_WORDS,
    MONTH_NAMES,
    MONTHS,
    NUMBER_WORDS,
    TIME_UNITS,
    WEEKDAYS,
    one_of,
)


def _can_start(tokens: Sequence[Token], i: int) -> bool:
    """Where a date phrase may begin."""
    word = tokens[i].word
    after = tokens[i + 1].word if i + 1 < len(tokens) else ""
    if word == "in":  # "in 2 weeks", "in a fortnight"; "in March" starts at March
        return after in NUMBER_WORDS or after in ("a", "an") or after.isdigit()
    if word == "year":
        return after == "end"
    if word == "new":  # "in the new year"
        return after == "year"
    if word in ("a", "an", "another"):  # "within a fortnight", "a week on Friday"
        return after in TIME_UNITS
    if word == "the":  # "until the spring": date_text keeps the article as written
        return i + 1 < len(tokens) and _can_start(tokens, i + 1) and tokens[i + 1].word != "the"
    if word in ("start", "beginning", "middle") and after != "of":
        return False  # "I'll start next month": a verb, not "start of"
    if word.partition("-")[0] in MODIFIER_WORDS or word in ("next", "this") or word in FY_STARTS:
        return True
    if word in NUMBER_WORDS and after in TIME_UNITS | {"more", "extra", "further"}:
        return True  # "two weeks", not "the other two in Sept"
    if word in ("couple", "few") and after in ("of", "more"):
        return True
    if word in QUARTER_ORDINALS and after in ("quarter", "week"):  # "the first week of Feb"
        return True
    return is_dateish(tokens, i) or bool(DAY_NUMBER.fullmatch(word))


class Found(NamedTuple):
    first: int  # token indexes, inclusive
    last: int
    text: str  # as written
    answer: DateAnswer
    event_day: date | None = None  # "the June round": a meeting's month, ending this day

    @property
    def latest(self) -> date | None:
        """The day this phrase may stand for, at the latest: its day, a meeting's, a range's
        end ("Feb-March")."""
        return self.answer.day or self.event_day or max(self.answer.options, default=None)


_GENERIC = ("I couldn't read", "I need")
_TRY = "Try something like 31/03/2027 or end of March."


def _specific_problem(answer: DateAnswer) -> bool:
    """A problem worth reporting ('not a real date', 'Q1 needs a year'), not 'not a date'."""
    problem = answer.problem or ""
    return bool(problem) and not problem.startswith(_GENERIC) and "I need one date" not in problem


def _window_ok(tokens: Tokens, first: int, last: int) -> bool:
    """Worth asking parse_date_answer: has a date word, no money or percentages."""
    span = range(first, last + 1)
    if any(tokens.money[k] for k in span):
        return False
    if any(tokens.dateish[k] for k in span):
        return True
    # "the end of the year", "financial year", "year end" but not "over the year we ran ..."
    words = {tokens[k].word for k in span}
    starts = MODIFIER_WORDS | FY_STARTS | {"year", "next", "this"}  # "this time next year"
    return "year" in words and tokens[first].word in starts


_MAX_WORDS = 7


def _read_from(text: str, tokens: Tokens, first: int, today: date) -> Found | None:
    """The longest window starting at tokens[first] that reads as a day or a clear problem."""
    last = first
    while last + 1 < len(tokens) and last - first + 1 < _MAX_WORDS:
        if tokens[last].stop_after:
            break
        last += 1
    for end in range(last, first - 1, -1):
        if not _window_ok(tokens, first, end) or _ends_in_a_count(text, tokens, first, end):
            continue
        phrase = text[tokens[first].start : tokens[end].end]
        told = bool(tokens.clause(tokens[first].clause).past)  # "delivered in October"
        answer = parse_date_answer(phrase, today=today)
        if not _promised(tokens, first):  # "we're going to ... - 31.10": ahead, not gone by
            answer = _recent(answer, phrase, today, told)
        answer = _day_or_year(answer, phrase, today)
        if answer.day is not None and first > 0 and tokens[first - 1].word == "after":
            named = f"after {phrase}"
            problem = f'"{named}" is not one date: when will it be done?'
            no_day = DateAnswer(phrase, None, problem=problem)
            return Found(first, end, phrase, no_day, event_day=answer.day)  # the earliest
        if answer.day is not None and _names_an_event(tokens, end):
            named = f"{phrase} {tokens[end + 1].word}"
            problem = f'"{named}" is a meeting, not a date: what is the new target date?'
            no_day = DateAnswer(named, None, problem=problem)
            return Found(first, end + 1, named, no_day, event_day=answer.day)
        if answer.options and _moved_from(tokens, first):  # "moved from 18 March to 22 April"
            return Found(first, end, phrase, DateAnswer(phrase, answer.options[-1]))
        if answer.day is not None and told and _DAY_ALONE.fullmatch(phrase) and answer.day > today:
            answer = DateAnswer(phrase, _last(answer.day, today))  # "went to Exec on the 10th"
        if answer.day is not None or _specific_problem(answer) or answer.options:
            return Found(first, end, phrase, answer)  # a range offers its end ("Jan/Feb")
    return None


_MONTH_NUMBER = re.compile(r"^([a-z]+)\.?\s*'?(\d{2})$", re.IGNORECASE)


def _day_or_year(answer: DateAnswer, phrase: str, today: date) -> DateAnswer:
    """'Ministers by Sept 28': the 28th, or September 2028? Both offered, neither settled."""
    m = _MONTH_NUMBER.match(phrase.strip())
    month = MONTHS.get(m[1].lower()) if m else None
    if answer.day is None or m is None or month is None:
        return answer
    year = 2000 + int(m[2])
    if not today.year <= year <= today.year + 10:
        return answer
    end = month_end(year, month)
    if end == answer.day:
        return answer
    problem = f'"{phrase}" could be {format_date(answer.day)} or the end of {end:%B %Y}: which?'
    return DateAnswer(phrase, None, problem=problem, options=(answer.day, end))


def _ends_in_a_count(text: str, tokens: Tokens, first: int, end: int) -> bool:
    """'on 4 November (31 people)', '4 November 31 came': a number after a day and month that
    counts something is not the year."""
    word = tokens[end].word
    if end == first or not word.isdigit() or len(word) > 2:
        return False
    opened = text[: tokens[end].start].rstrip().endswith("(")
    after = tokens[end + 1].word if end + 1 < len(tokens) else ""
    counts = after.isalpha() and after not in _AFTER_A_YEAR and not tokens[end].stop_after
    return opened or counts


# Words that may follow a date's two-digit year ("30 June 28 now", "by 4 Nov 27 at the latest")
_AFTER_A_YEAR = frozenset(
    {"now", "then", "and", "or", "at", "for", "to", "so", "but", "instead", "please", "latest"}
    | {"is", "as", "if", "when", "with", "by", "the"}
)


_DAY_ALONE = re.compile(r"(?:the\s+)?\d{1,2}(?:st|nd|rd|th)", re.I)
_MOVED = ("moved", "changed", "pushed", "shifted", "put", "switched", "rescheduled")


def _moved_from(tokens: Tokens, first: int) -> bool:
    before = [t.word for t in tokens[max(0, first - 3) : first]]
    return len(before) >= 2 and before[-1] == "from" and any(w in _MOVED for w in before[:-1])


def _last(day: date, today: date) -> date:
    """The same day of the month, the last time it came round."""
    month, year = today.month, today.year
    for _ in range(3):
        try:
            candidate = date(year, month, day.day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate <= today:
            return candidate
        month, year = (month - 1, year) if month > 1 else (12, year - 1)
    return day


_RECENT_DAYS = 120  # "went out 1 Feb", said in April
_FAR_AHEAD = 240
_A_MONTH = re.compile(rf"(?<![\w-]){one_of(MONTHS)}(?![\w-])", re.I)
_A_DAY = re.compile(r"(?<![\w/])\d{1,2}(?:st|nd|rd|th)?(?![\d%])", re.I)


def _promised(tokens: Tokens, first: int) -> bool:
    """The sentence before the date says what will be done ('we're going to line it up')."""
    sentence = tokens[first].sentence
    return future_tense([t.word for t in tokens[:first] if t.sentence == sentence])


def _recent(answer: DateAnswer, phrase: str, today: date, told: bool) -> DateAnswer:
    """'Agreed on 2 Dec', said on 7 December: last week, not next December.

    A day and month without a year are read as the next such day; one that fell in the last
    four months is the one meant: people rarely name a day eight months off without its year.
    A month alone is read so only where something done is told of ("delivered in October").
    """
    day = answer.day
    if day is None or HAS_YEAR.search(phrase) or (day - today).days < _FAR_AHEAD:
        return answer
    bare_month = (
        told
        and _A_MONTH.search(phrase)
        and not re.match(r"(?:the\s+)?(?:end|mid|early|late|start|beginning)", phrase, re.I)
    )
    if not (_A_DAY.search(phrase) or bare_month):  # "Q3", "end of January": periods ahead
        return answer
    try:
        earlier = day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return answer
    if 0 < (today - earlier).days <= _RECENT_DAYS:
        return DateAnswer(answer.text, earlier, answer.needs_confirmation, answer.problem)
    return answer


# After a month or season these make it an event's name: "the March cabinet", "summer recess".
_EVENTS_NAMED = frozenset(
    {"recess", "cabinet", "meeting", "board", "committee", "council", "newsletter", "holidays"}
    | {"holiday", "term", "election", "elections", "break", "panel", "forum", "round"}
    | {"clt", "slt", "smt", "exec", "executive", "scrutiny", "edition", "session", "workshop"}
)
_EVENT_QUALIFIERS = frozenset({"audit", "steering", "operational", "partnership", "area", "full"})
_EVENT_QUALIFIERS |= {"practitioners", "practitioners'", "residents'", "tenants'", "members'"}


def _names_an_event(tokens: Sequence[Token], end: int) -> bool:
    if end + 1 >= len(tokens) or tokens[end].stop_after or tokens[end].word.isdigit():
        return False
    after = tokens[end + 1]
    if after.word in _EVENTS_NAMED:
        return True
    # "the May audit committee", "the June steering group"
    return (
        after.word in _EVENT_QUALIFIERS
        and not after.stop_after
        and end + 2 < len(tokens)
        and tokens[end + 2].word in _EVENTS_NAMED | {"group"}
    )


def all_dates(text: str, tokens: Tokens, today: date) -> list[Found]:
    """Every date phrase in the text, dropping those inside a longer one."""
    found: list[Found] = []
    for i in range(len(tokens)):
        if found and i <= found[-1].last:
            continue  # inside the phrase already read ("March" in "end of March")
        if _can_start(tokens, i):
            hit = _read_from(text, tokens, i, today) or _unreadable(text, tokens, i)
            if hit is not None and not _a_repeats_months(text, tokens, hit):
                after = text[tokens[hit.last].end :]
                hit = _the_day_after(_that_month(hit, found, today), found, after, today)
                hit = _a_week_on_today(hit, today)
                found.append(_in_sequence(hit, found, tokens))
    return found


_REPEATS = re.compile(
    r"(?:quarterly|monthly|annually|yearly|termly|every|each)\W*(?:\(|:)?[^()]*$", re.I
)


def _a_repeats_months(text: str, tokens: Tokens, hit: Found) -> bool:
    """'then quarterly (April, July, October)': the months a repeat falls in, not targets."""
    before = text[max(0, tokens[hit.first].start - 40) : tokens[hit.first].start]
    opened = before.rfind("(")
    return (
        opened >= 0 and ")" not in before[opened:] and bool(_REPEATS.search(before[: opened + 1]))
    )


def _in_sequence(hit: Found, before: Sequence[Found], tokens: Tokens) -> Found:
    """'first draft 30 June, final in Dec': a later step in the same sentence is not earlier
    in time, so a month read as this December is next December."""
    day = hit.answer.day
    named = _A_MONTH.search(hit.text)
    if day is None or not named or HAS_YEAR.search(hit.text) or not before:
        return hit
    sentence = tokens[hit.first].sentence
    earlier = [
        f.answer.day
        for f in before
        if f.answer.day is not None
        and tokens[f.first].sentence == sentence
        and _A_MONTH.search(f.text)
    ]
    if not earlier or day >= max(earlier):
        return hit
    try:
        later = day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return hit
    if later < max(earlier):
        return hit
    return hit._replace(answer=DateAnswer(hit.answer.text, later, hit.answer.needs_confirmation))


_THAT_MONTH = re.compile(r"(?:that|the same) month", re.I)


def _that_month(hit: Found, before: Sequence[Found], today: date) -> Found:
    """'13 Jan for adoption, publish by the end of that month': the month just named."""
    if hit.answer.day is not None or not _THAT_MONTH.search(hit.text):
        return hit
    named = next((f.answer.day for f in reversed(before) if f.answer.day is not None), None)
    if named is None:
        return hit
    month = f"{MONTH_NAMES[named.month]} {named.year}"
    answer = parse_date_answer(_THAT_MONTH.sub(month, hit.text), today=today)
    return hit._replace(answer=DateAnswer(hit.text, answer.day, problem=answer.problem))


_DAY_AFTER = re.compile(r"(?:the )?(?P<day>[a-z]+day) after(?P<event> .+)?$", re.I)


def _the_day_after(hit: Found, before: Sequence[Found], after: str, today: date) -> Found:
    """'back Friday week, go live the Monday after': the Monday after the day just named, or
    the one-day event named with it ('the Monday after the elections'). Read back to confirm."""
    m = _DAY_AFTER.search(hit.text)
    if m is None or m["day"].lower() not in WEEKDAYS:
        return hit
    if m["event"]:
        named = one_day_opening(m["event"], today)
    else:
        named = one_day_opening(after, today) or next(
            (f.answer.day for f in reversed(before) if f.answer.day is not None), None
        )
    if named is None:
        return hit
    ahead = (WEEKDAYS[m["day"].lower()] - named.weekday() - 1) % 7 + 1
    day = named + timedelta(days=ahead)
    return hit._replace(answer=DateAnswer(hit.text, day, needs_confirmation=True))


_DAY_WEEK = re.compile(r"(?P<day>[a-z]+day) week$", re.I)


def _a_week_on_today(hit: Found, today: date) -> Found:
    """'Friday week' said on a Friday: a week today, or a fortnight? Both offered."""
    m = _DAY_WEEK.search(hit.text)
    day = hit.answer.day
    if m is None or day is None or WEEKDAYS.get(m["day"].lower()) != today.weekday():
        return hit
    week = today + timedelta(days=7)
    problem = f'"{hit.text}" said on a {m["day"].title()}: which {m["day"].title()}?'
    return hit._replace(answer=DateAnswer(hit.text, None, problem=problem, options=(week, day)))


_RELATIVE_TAIL = TIME_UNITS | FY_STARTS | {"next", "this", "year"}
_VAGUE_TAIL = {"of", "more", "next", "year", "weeks", "months", "days"}


def _vague(text: str, tokens: Sequence[Token], first: int) -> Found | None:
    """'sometime next year', 'a couple more weeks': a time, too vague to be a target date."""
    for last in range(first + 1, min(first + 4, len(tokens))):
        word = tokens[last].word
        if word not in _VAGUE_TAIL:
            return None
        if word in TIME_UNITS or word == "year":
            if last + 1 < len(tokens) and tokens[last + 1].word == "ago":
                return None
            phrase = text[tokens[first].start : tokens[last].end]
            problem = f'"{phrase}" is not a date I can put in the plan. {_TRY}'
            return Found(first, last, phrase, DateAnswer(phrase, None, problem=problem))
        if tokens[last].stop_after:
            return None
    return None


def _unreadable(text: str, tokens: Sequence[Token], first: int) -> Found | None:
    """'end of next week', 'mid next year': clearly a date, but not one we can read."""
    word = tokens[first].word
    after = tokens[first + 1].word if first + 1 < len(tokens) else ""
    if word in ("next", "sometime") and after == "year" or word in ("couple", "few"):
        return _vague(text, tokens, first)
    if word == "new" and after == "year" and first > 0 and tokens[first - 1].word == "the":
        phrase = text[tokens[first - 1].start : tokens[first + 1].end]  # "in the new year"
        problem = f'"{phrase}" is not one date: when in the new year will it be done?'
        return Found(first - 1, first + 1, phrase, DateAnswer(phrase, None, problem=problem))
    if word not in MODIFIER_WORDS:
        return None
    for last in range(first + 1, min(first + 5, len(tokens))):
        if tokens[last].word in TIME_UNITS or tokens[last].word == "year":
            phrase = text[tokens[first].start : tokens[last].end]
            problem = f'I couldn\'t read "{phrase}" as a date. {_TRY}'
            return Found(first, last, phrase, DateAnswer(phrase, None, problem=problem))
        if tokens[last].stop_after or tokens[last].word not in _RELATIVE_TAIL | {
            "of",
            "the",
            "that",
        }:
            return None
    return None

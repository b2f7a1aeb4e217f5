"""Read an officer's free-text reply to a reminder: which action, what status, what new date.

`parse_reply` is pure: it never touches the database and never guesses. An unclear date is
reported in `date_problem`, a relative one ("next Friday") is flagged for confirmation, a
status that can't be read where one is needed sets `status_unclear` (the bot asks, with the
status buttons), and a reply about several actions leaves `ref` as None so the caller can ask
which one. `read_replies` reads a reply whose parts each start with an action's ref ("R1 done.
R4 delayed to March") part by part, one reading per action.

Dates: phrases are cut out of the reply with regexes around cue words and date-like tokens,
then each is read by `handlers.language.targets.parse_date_answer`, longest first. A revised
target is about the future, so dates in clauses describing past events ("met on 3 November")
are ignored unless a target cue introduces them ("revised to 31 March 2020"), which sets
`date_in_past`. A date with no cue counts only when it is the point of its clause ("Delayed,
end of March") or follows what gets done then ("workshops finish 18 December"); a start
("roll out from October") or a length of time ("pushed back a month") is never the target;
"won't be done by Christmas" names the date being missed; "delivery expected in December"
may be a step's date, so it is asked about, as is a board's date ("to CLT on 14 January for
decision"). A bare "next FY" or "in the new year" is a span, not a date: asked about (unless the
action is already due after the new year, or a date is given with it); "the remaining two booked
for Jan" dates the end of the work; a deadline said to be missed with no new date is asked for.

The reminder copied back into a reply ("> S2: Overdue by 7 days", the action's own words) is
left out before reading: it says what was asked, not what was done. A ref named only in the
quoted lines still says which action the reply is about.

Status: words are matched case-insensitively on word boundaries, after slips in status words
and month names are put right ("compelte", "Feburary"); completion words are dropped when
negated ("not complete"), future ("will be complete by") or qualified ("nearly complete").
Precedence: WITHDRAWN > COMPLETE > DELAYED > PARTIALLY_COMPLETE > IN_PROGRESS > NOT_STARTED;
a new date given without a delay word is not a delay ("drafted, will finish by March" is
partially complete), but "new date"/"revised to" on its own implies DELAYED. A dependency
("can't start until ...") is a delay only when nothing else is said, and "waiting for" or
"working on it" is no status at all: the status is kept. Something finished beside work still
to come ("fieldwork finished, analysis due end of January"), or beside a part not started or
under way ("module: done. template: not started"), is partially complete; so is "three quarters
done". A meeting cancelled is not the action withdrawn, and "not sure if that's enough to close
it" is not a closure.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from handlers.language.slips import fix_typos
from handlers.language.targets import DateAnswer, format_date, parse_date_answer
from handlers.language.vocabulary import (
    APPROXIMATE_WORDS,
    CLOSE_WORDS,
    COMPLETE_WORDS,
    DEADLINE_WORDS,
    DELAYED_WORDS,
    DEPENDS_WORDS,
    FEASTS,
    FINANCIAL_YEAR_WORDS,
    IN_PROGRESS_WORDS,
    MISSING_WORDS,
    MODIFIER_WORDS,
    MONTHS,
    NO_LONGER_WORDS,
    NOT_STARTED_WORDS,
    NUMBER_WORDS,
    ORDINAL_SUFFIXES,
    PARTLY_DONE_WORDS,
    PARTLY_QUALIFIERS,
    QUARTER_WORDS,
    REMAINING_WORDS,
    SEASONS,
    STARTED_WORDS,
    TARGET_KEPT_WORDS,
    TARGET_NOUNS,
    TIME_UNITS,
    WEEKDAYS,
    WITHDRAWN_WORDS,
    one_of,
    phrases,
)
from models.tables import Status

__all__ = ["Candidate", "ParsedReply", "parse_reply", "read_replies"]


@dataclass(frozen=True)
class Candidate:
    """An action listed in the reminder."""

    ref: str  # "R1", "1.3"
    text: str  # its recommendation/action text, for matching by words
    status: Status | None = None  # where it stands now, if known
    target: date | None = None  # its target date now, if it has one


@dataclass(frozen=True)
class ParsedReply:
    """What was understood of one reply; see the module docstring."""

    ref: str | None
    refs_mentioned: tuple[str, ...]
    status: Status | None
    note: str
    new_date: date | None
    date_text: str
    date_problem: str | None
    date_needs_confirmation: bool
    date_in_past: bool
    status_unclear: bool = False  # progress was reported but no status can be read: ask

    @property
    def ask_status(self) -> bool:
        """The officer must pick the status (buttons): it can't be read, nor kept."""
        return self.status_unclear

    @property
    def ask_date(self) -> bool:
        """The revised date must be asked for again: unreadable, or in the past."""
        return self.date_problem is not None or self.date_in_past


def _wordset(text: str) -> frozenset[str]:
    """Space-separated words as a set (long word lists read better as text)."""
    return frozenset(text.split())


# ---------------------------------------------------------------------------------------------
# Tokens: words with their place in the text, split into clauses


class _Token(NamedTuple):
    word: str  # lower case, surrounding punctuation removed
    start: int
    end: int
    clause: int
    stop_after: bool  # punctuation or a dash follows: a date phrase can't run past it


_TRAILING = ".,;:!?)\"'"
_LEADING = "(\"'"
_CLAUSE_WORDS = frozenset({"but", "however", "although", "though", "whereas", "while"})
_DASH = re.compile(r"[-\u2010-\u2015\u2212]+")


class _Clause(NamedTuple):
    """What the date rules ask of a clause, worked out once: replies can run to pages."""

    past: list[int]  # tokens telling of something that happened ('met', 'drafted')
    event: bool  # names a meeting or workshop
    wordy: list[int]  # tokens that are more than filler
    verbs: list[int]  # tokens saying something gets done ('finish', 'launch')
    in_place: list[int]  # the 'in' of 'in place'


class _Tokens(list[_Token]):
    """The words of a reply, with each word's end and each clause's facts found fast."""

    def __init__(self, tokens: list[_Token]) -> None:
        super().__init__(tokens)
        self.ends = [t.end for t in tokens]
        self.spans: dict[int, range] = {}
        for k, token in enumerate(tokens):  # clause numbers never go down
            start = self.spans[token.clause].start if token.clause in self.spans else k
            self.spans[token.clause] = range(start, k + 1)
        self._clauses: dict[int, _Clause] = {}
        self.dateish = [_is_dateish(self, k) for k in range(len(tokens))]
        self.money = [bool(_MONEY.search(t.word)) for t in tokens]

    def at(self, pos: int) -> int:
        """Index of the token covering (or first after) character position pos."""
        return bisect.bisect_right(self.ends, pos)

    def clause(self, number: int) -> _Clause:
        if number not in self._clauses:
            self._clauses[number] = _clause_facts(self, self.spans[number])
        return self._clauses[number]


def _clause_facts(tokens: _Tokens, span: range) -> _Clause:
    words = [tokens[k].word for k in span]
    return _Clause(
        past=[k for k in span if _past_word(tokens, k)],
        event=any(w in _EVENT_WORDS for w in words),
        wordy=[k for k, w in zip(span, words, strict=True) if w not in _CLAUSE_FILLER],
        verbs=[k for k, w in zip(span, words, strict=True) if _TARGET_VERBS.search(w)],
        in_place=[k for k in span[:-1] if _in_place(tokens[k].word, tokens[k + 1].word)],
    )


def _tokens(text: str) -> _Tokens:
    """Words of the text; a new clause starts after punctuation, a dash or 'but'."""
    tokens: list[_Token] = []
    clause = 0
    for m in re.finditer(r"\S+", text):
        raw = m.group()
        if _DASH.fullmatch(raw):  # "R4 done - guidance is ...": a separator, not a word
            if tokens:
                tokens[-1] = tokens[-1]._replace(stop_after=True)
            clause += 1
            continue
        inner = raw.lstrip(_LEADING)
        start = m.start() + len(raw) - len(inner)
        word = inner.rstrip(_TRAILING)
        if not word:
            continue
        trail = inner[len(word) :]
        if word.lower() in _CLAUSE_WORDS:
            clause += 1
        tokens.append(_Token(word.lower(), start, start + len(word), clause, bool(trail)))
        if trail.strip(":\"'"):  # "New date: June" is one clause; "Done, June" is two
            clause += 1
    return _Tokens(tokens)


def _before(tokens: Sequence[_Token], index: int, count: int) -> list[str]:
    """Up to `count` words before tokens[index] in the same clause, nearest last."""
    if index >= len(tokens):
        return []
    clause = tokens[index].clause
    words = [t.word for t in tokens[max(0, index - count) : index] if t.clause == clause]
    return words


# ---------------------------------------------------------------------------------------------
# Date phrases


# Deadline words of one word ("by", "due"); the longer ones are matched as phrases in _cue.
_DEADLINE_WORDS = frozenset(w for w in DEADLINE_WORDS if " " not in w)
# Financial-year words of one token ("fy", "f/y"), and the words the longer ones start with.
_FY_TOKENS = frozenset(w for w in FINANCIAL_YEAR_WORDS if " " not in w)
_FY_STARTS = frozenset(w.split()[0] for w in FINANCIAL_YEAR_WORDS if " " in w)
# Abbreviations that are everyday words ("sat", "sun", "mar", "may") need a date-ish neighbour.
_AMBIGUOUS_NAMES = frozenset({"sat", "sun", "mar", "may", "wed", "mon", "jun"})
_MONTH_LEADS = frozenset(
    {"in", "of", "end", "mid", "early", "late", "until", "till", "from", "since", "for", "to"}
    | {"during", "say", "date", "the", "and", "or", "now"}
    | _DEADLINE_WORDS
    | frozenset(APPROXIMATE_WORDS)
)
# Seasons that are also everyday words ("numbers may fall") need a year after or a lead before.
_AMBIGUOUS_SEASONS = frozenset({"fall"})
_SEASON_LEADS = frozenset({"in", "until", "till"}) | _DEADLINE_WORDS
_DATE_NAMES = (frozenset(MONTHS) | frozenset(WEEKDAYS)) - {"sat", "sun"}
_NUMERIC_DATE = re.compile(r"\d{1,2}([/.-])\d{1,2}\1(?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}")
_YEARISH = re.compile(r"(?:19|20)\d{2}(?:\s*[/-]\s*\d{2,4})?|'\d{2}")
_DAY_NUMBER = re.compile(rf"\d{{1,2}}{one_of(ORDINAL_SUFFIXES)}?")
_DAY_MONTH = re.compile(r"\d{1,2}/\d{1,2}")  # "28/2": a date only after a lead ("to 28/2")
_D_M_LEADS = frozenset({"to", "by", "until", "till", "til", "date", "on", "before", "now"})
_DAY_ORDINAL = re.compile(rf"\d{{1,2}}{one_of(ORDINAL_SUFFIXES)}")  # "the 18th"
_QUARTER = re.compile(rf"{one_of(QUARTER_WORDS)}[1-4]")
# "Q1", "qtr2"; "quarter 3" is two words. "The first quarter of next year" starts a date.
_QUARTER_ORDINALS = frozenset({"first", "second", "third", "fourth", "final", "last", "next"})


def _is_name(tokens: Sequence[_Token], i: int) -> bool:
    """A month or weekday name, unless it is an everyday word like 'may' used as one."""
    word = tokens[i].word.rstrip(".")
    if word not in _DATE_NAMES:
        return False
    if word not in _AMBIGUOUS_NAMES:
        return True
    prev = tokens[i - 1].word if i > 0 else ""
    after = tokens[i + 1].word if i + 1 < len(tokens) else ""
    return (
        prev in _MONTH_LEADS
        or bool(_DAY_NUMBER.fullmatch(prev) or _YEARISH.fullmatch(after))
        or bool(_DAY_NUMBER.fullmatch(after))
    )


def _is_season(tokens: Sequence[_Token], i: int) -> bool:
    """A season, unless it is an everyday word like 'fall' used as one."""
    word = tokens[i].word
    if word not in _AMBIGUOUS_SEASONS:
        return word in SEASONS
    prev = tokens[i - 1].word if i > 0 else ""
    after = tokens[i + 1].word if i + 1 < len(tokens) else ""
    return prev in _SEASON_LEADS or bool(_YEARISH.fullmatch(after))


def _is_dateish(tokens: Sequence[_Token], i: int) -> bool:
    """A token that on its own makes a window worth reading as a date."""
    word = tokens[i].word
    after = tokens[i + 1].word if i + 1 < len(tokens) else ""
    head, _, tail = word.partition("-")
    if head in MODIFIER_WORDS and tail:  # "mid-May", "end-March", "mid-2027" as one token
        return tail.rstrip(".") in _DATE_NAMES or tail in SEASONS or bool(_YEARISH.fullmatch(tail))
    return (
        _is_name(tokens, i)
        or word in TIME_UNITS
        or _is_season(tokens, i)
        or word in FEASTS
        or word in _FY_TOKENS
        or word == "tomorrow"  # not "today": "finished today" is news, not a new target
        or (_DAY_MONTH.fullmatch(word) is not None and _day_month_lead(tokens, i))
        or (_DAY_ORDINAL.fullmatch(word) is not None and i > 0 and tokens[i - 1].word == "the")
        or bool(_NUMERIC_DATE.fullmatch(word) or _YEARISH.fullmatch(word))
        or bool(_QUARTER.fullmatch(word))
        or (word in QUARTER_WORDS and after in ("1", "2", "3", "4"))
        or (word == "quarter" and i > 0 and tokens[i - 1].word in _QUARTER_ORDINALS | {"this"})
    )


def _day_month_lead(tokens: Sequence[_Token], i: int) -> bool:
    """'to 28/2', or '31/1' standing alone as its clause: a date, not a fraction or a score."""
    if i > 0 and tokens[i - 1].word in _D_M_LEADS:
        return True
    clause = tokens[i].clause
    before = i > 0 and tokens[i - 1].clause == clause
    after = i + 1 < len(tokens) and tokens[i + 1].clause == clause
    return not before and not after


def _can_start(tokens: Sequence[_Token], i: int) -> bool:
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
    if word.partition("-")[0] in MODIFIER_WORDS or word in ("next", "this") or word in _FY_STARTS:
        return True
    if word in NUMBER_WORDS or (word in ("couple", "few") and after in ("of", "more")):
        return True
    if word in _QUARTER_ORDINALS and after == "quarter":  # "the first quarter of next year"
        return True
    return _is_dateish(tokens, i) or bool(_DAY_NUMBER.fullmatch(word))


class _Found(NamedTuple):
    first: int  # token indexes, inclusive
    last: int
    text: str  # as written
    answer: DateAnswer


_GENERIC = ("I couldn't read", "I need")
_TRY = "Try something like 31/03/2027 or end of March."


def _specific_problem(answer: DateAnswer) -> bool:
    """A problem worth reporting ('not a real date', 'Q1 needs a year'), not 'not a date'."""
    problem = answer.problem or ""
    return bool(problem) and not problem.startswith(_GENERIC) and "I need one date" not in problem


_MONEY = re.compile(r"[%£$€]")


def _window_ok(tokens: _Tokens, first: int, last: int) -> bool:
    """Worth asking parse_date_answer: has a date word, no money or percentages."""
    span = range(first, last + 1)
    if any(tokens.money[k] for k in span):
        return False
    if any(tokens.dateish[k] for k in span):
        return True
    # "the end of the year", "financial year", "year end" but not "over the year we ran ..."
    words = {tokens[k].word for k in span}
    return "year" in words and tokens[first].word in MODIFIER_WORDS | _FY_STARTS | {"year", "next"}


_MAX_WORDS = 7


def _read_from(text: str, tokens: _Tokens, first: int, today: date) -> _Found | None:
    """The longest window starting at tokens[first] that reads as a day or a clear problem."""
    last = first
    while last + 1 < len(tokens) and last - first + 1 < _MAX_WORDS:
        if tokens[last].stop_after:
            break
        last += 1
    for end in range(last, first - 1, -1):
        if not _window_ok(tokens, first, end):
            continue
        phrase = text[tokens[first].start : tokens[end].end]
        answer = parse_date_answer(phrase, today=today)
        if answer.day is not None and first > 0 and tokens[first - 1].word == "after":
            named = f"after {phrase}"
            problem = f'"{named}" is not one date: when will it be done?'
            return _Found(first, end, phrase, DateAnswer(phrase, None, problem=problem))
        if answer.day is not None and _names_an_event(tokens, end):
            named = f"{phrase} {tokens[end + 1].word}"
            problem = f'"{named}" is a meeting, not a date: what is the new target date?'
            return _Found(first, end + 1, named, DateAnswer(named, None, problem=problem))
        if answer.day is not None or _specific_problem(answer):
            return _Found(first, end, phrase, answer)
    return None


# After a month or season these make it an event's name: "the March cabinet", "summer recess".
_EVENTS_NAMED = frozenset(
    {"recess", "cabinet", "meeting", "board", "committee", "council", "newsletter", "holidays"}
    | {"holiday", "term", "election", "elections", "break", "panel", "forum", "round"}
)


def _names_an_event(tokens: Sequence[_Token], end: int) -> bool:
    if end + 1 >= len(tokens) or tokens[end].stop_after:
        return False
    return tokens[end + 1].word in _EVENTS_NAMED and not tokens[end].word.isdigit()


def _all_dates(text: str, tokens: _Tokens, today: date) -> list[_Found]:
    """Every date phrase in the text, dropping those inside a longer one."""
    found: list[_Found] = []
    for i in range(len(tokens)):
        if found and i <= found[-1].last:
            continue  # inside the phrase already read ("March" in "end of March")
        if _can_start(tokens, i):
            hit = _read_from(text, tokens, i, today) or _unreadable(text, tokens, i)
            if hit is not None:
                found.append(hit)
    return found


_RELATIVE_TAIL = TIME_UNITS | _FY_STARTS | {"next", "this", "year"}
_VAGUE_TAIL = {"of", "more", "next", "year", "weeks", "months", "days"}


def _vague(text: str, tokens: Sequence[_Token], first: int) -> _Found | None:
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
            return _Found(first, last, phrase, DateAnswer(phrase, None, problem=problem))
        if tokens[last].stop_after:
            return None
    return None


def _unreadable(text: str, tokens: Sequence[_Token], first: int) -> _Found | None:
    """'end of next week', 'mid next year': clearly a date, but not one we can read."""
    word = tokens[first].word
    after = tokens[first + 1].word if first + 1 < len(tokens) else ""
    if word in ("next", "sometime") and after == "year" or word in ("couple", "few"):
        return _vague(text, tokens, first)
    if word == "new" and after == "year" and first > 0 and tokens[first - 1].word == "the":
        phrase = text[tokens[first - 1].start : tokens[first + 1].end]  # "in the new year"
        problem = f'"{phrase}" is not one date: when in the new year will it be done?'
        return _Found(first - 1, first + 1, phrase, DateAnswer(phrase, None, problem=problem))
    if word not in MODIFIER_WORDS:
        return None
    for last in range(first + 1, min(first + 5, len(tokens))):
        if tokens[last].word in TIME_UNITS or tokens[last].word == "year":
            phrase = text[tokens[first].start : tokens[last].end]
            problem = f'I couldn\'t read "{phrase}" as a date. {_TRY}'
            return _Found(first, last, phrase, DateAnswer(phrase, None, problem=problem))
        if tokens[last].stop_after or tokens[last].word not in _RELATIVE_TAIL | {"of", "the"}:
            return None
    return None


# Cues before a date. Revision cues name a new date outright ("new date", "pushed back to");
# deadline cues say when something will be done ("by", "until"). Either makes a past date the
# (refused) revised date rather than a past event.
_REVISION_STEMS = (
    "revis",
    "move",
    "moving",
    "push",
    "put",
    "postpon",
    "defer",
    "extend",
    "chang",
    "reschedul",
    "slip",
    "amend",
    "back",
    "delay",
)
# "new date", "timescales moved" name a revised date; "target" and "deadline" only after "new"
# or "revised" (a bare "target 31 March" is the deadline, not a change).
_REVISED_ONLY = frozenset({"target", "deadline"})
_REVISION_NOUNS = TARGET_NOUNS - _REVISED_ONLY
_DEADLINE_CUES = (
    _DEADLINE_WORDS
    | TARGET_NOUNS
    | {"until", "till", "til", "within", "now", "say"}
    | {"expected", "aiming", "aim", "planned", "scheduled", "hope", "hoping", "realistically"}
    | {"track", "schedule", "course", "need", "needs", "finishing", "completing", "finished"}
    | {"finish", "complete", "completion", "deliver", "launch", "publish", "ready", "live"}
)
_DEADLINE_PHRASES = tuple(w.split() for w in DEADLINE_WORDS if " " in w)  # "no later than"
# "miss the Dec deadline": a date naming the old target, not the new one
_OLD_TARGET_AFTER = TARGET_NOUNS
_CUE_FILLER = frozenset({"the", "is", "be", "of", "or", "to", "until", "till", "for", "now", ""})
_CUE_FILLER |= {"it", "this", "that", "them", "into"}
# Between a cue and its date: "aiming for Easter", "due in January", "until w/c 7 December".
_CUE_SKIP = frozenset({"the", "is", "be", "of", "on", "or", "", "for", "to", "in", "into", "at"})
_CUE_SKIP |= {"w/c", "w/b", "wc", "wb", "their", "our", "its"} | frozenset(APPROXIMATE_WORDS)
_HOW_LONG = TIME_UNITS | frozenset(NUMBER_WORDS) | {"a", "an", "more", "further", "extra"}


class _Cue(NamedTuple):
    revision: bool
    deadline: bool
    old: bool = False  # names the target being missed
    soft: bool = False  # "delivery expected early December": maybe a step's date, so ask
    finish: bool = False  # "finishing 30 June": says the work is done then
    named: bool = False  # the revision names the target itself: "new date", "revised target"


# Cues that may date a step rather than the action; the officer is asked which it is.
_SOFT_CUES = frozenset({"expected", "planned", "scheduled"})
# "Back" revises only after a verb of moving: "pushed back to", not "returns due back".
_BACK_AFTER = ("push", "put", "mov", "set", "knock", "kick", "delay", "slip", "held", "pull")


def _cue_words(tokens: Sequence[_Token], found: _Found) -> list[str]:
    """The words before the date; a short lead-in clause counts ('New date needed - 31 May')."""
    words = [w.rstrip(":") for w in _before(tokens, found.first, 5)]
    if words or found.first == 0:
        return words
    previous = tokens[found.first - 1].clause
    lead = [t.word for t in tokens[max(0, found.first - 4) : found.first] if t.clause == previous]
    start = found.first - len(lead)
    whole = start == 0 or tokens[start - 1].clause != previous
    return [w.rstrip(":") for w in lead] if whole else []


def _cue(tokens: Sequence[_Token], found: _Found) -> _Cue:
    """Which target cue, if any, introduces the date ('new date:', 'revised to', 'by the')."""
    words = _cue_words(tokens, found)
    while words and words[-1] in _CUE_SKIP:
        words.pop()
    deadline = bool(words) and words[-1] in _DEADLINE_CUES
    phrase = next((p for p in _DEADLINE_PHRASES if words[-len(p) :] == p), None)
    deadline = deadline or phrase is not None
    after = tokens[found.last + 1].word if found.last + 1 < len(tokens) else ""
    if after in _OLD_TARGET_AFTER and not tokens[found.last].stop_after:
        return _Cue(False, False, old=True)
    cue_length = len(phrase) if phrase else 1
    if deadline and _negated(words[-5:-cue_length]):  # "won't be done by the end of the year"
        return _Cue(False, False, old=True)
    # "first one due in January": a first instalment's date, maybe not the action's target
    soft = deadline and (words[-1] in _SOFT_CUES or bool({"first", "next"} & set(words[-4:])))
    finish = deadline and bool(_TARGET_VERBS.search(words[-1]))
    while words and words[-1] in _CUE_FILLER:
        words.pop()
    while words and (words[-1] in _HOW_LONG or words[-1].isdigit()):
        words.pop()  # "pushed back a month to ...": the cue is "pushed back"
    asking = any(words[-3:] == [w, "we", "say"] for w in ("can", "could", "shall"))
    near = words[-2:]
    if len(near) == 2 and near[-1] == "back" and not near[0].startswith(_BACK_AFTER):
        near = near[:-1]
    named = any(w in _REVISION_NOUNS for w in near) or (
        len(near) == 2 and near[0] in ("new", "revised") and near[1] in _REVISED_ONLY
    )
    later = bool(words) and words[-1] == "after"  # "after Easter now": moved, to when?
    revision = named or asking or later or bool(near and near[-1].startswith(_REVISION_STEMS))
    return _Cue(revision, deadline, soft=soft and not revision, finish=finish, named=named)


_HAS_YEAR = re.compile(r"\d{4}|'\d{2}|\d[/.-]\d{1,2}[/.-]\d")


_IRREGULAR_PAST = frozenset(
    {"met", "held", "had", "was", "were", "did", "ran", "went", "sent", "spoke", "took", "gave"}
    | {"began", "came", "saw", "got", "made", "wrote", "since", "last", "ago", "earlier"}
    | {"previously", "back", "been", "already", "left", "spent", "lost", "found", "told"}
)
# Words ending in -ed that look forward or name the delay itself, not a past event.
_NOT_PAST = frozenset(
    {"need", "needed", "scheduled", "planned", "expected", "anticipated", "proposed"}
    | {"intended", "timetabled", "booked", "arranged", "pushed", "moved", "revised", "extended"}
    | {"rescheduled", "hoped", "aimed", "targeted", "agreed", "committed", "required", "red"}
    | {"shed"}
    | {w for w in DELAYED_WORDS if w.isalpha() and w.endswith("ed")}  # "delayed", "slipped"
)


def _past_clause(tokens: _Tokens, found: _Found) -> bool:
    """The clause holding the date tells of something that happened ('met on 3 November')."""
    past = tokens.clause(tokens[found.first].clause).past
    return any(not found.first <= k <= found.last for k in past)


_EVENT_WORDS = frozenset(
    {"booked", "meeting", "meet", "meetings", "workshop", "workshops", "session", "sessions"}
    | {"event", "events", "webinar", "call", "briefing", "visit", "seminar"}
)


def _event_clause(tokens: _Tokens, found: _Found) -> bool:
    """'second workshop booked for 8 December': a diary date, not the action's target.

    Unless the clause says the work is done then ('sessions still to do in January').
    """
    facts = tokens.clause(tokens[found.first].clause)
    if not facts.event:
        return False
    span = tokens.spans[tokens[found.first].clause]
    booked = any(tokens[k].word == "booked" for k in span)
    return booked or not any(not found.first <= k <= found.last for k in facts.verbs)


def _past_word(tokens: Sequence[_Token], k: int) -> bool:
    """'met', 'since', 'drafted'; but not 'delayed' or 'should be signed off' (still to come)."""
    word = tokens[k].word
    if word == "last":  # "last week" is past; "the last directorates" is not
        after = tokens[k + 1].word if k + 1 < len(tokens) else ""
        return after in _TIME_AFTER_LAST
    if word in _IRREGULAR_PAST:
        return True
    regular = word.endswith("ed") and len(word) > 4 and word not in _NOT_PAST
    return regular and not _future(_before(tokens, k, 4))


_TIME_AFTER_LAST = TIME_UNITS | frozenset(WEEKDAYS) | {"year", "time", "night", "autumn", "spring"}
_TIME_AFTER_LAST |= {"summer", "winter", "quarter"} | frozenset(MONTHS)

_TARGET_VERBS = re.compile(
    r"finish|complet|done|ready|deliver|launch|publi(?:sh|cation)|sign|live|in place|sorted|wrap"
    r"|^do$|final",
    re.I,
)


def _relative_target(tokens: _Tokens, hit: _Found) -> bool:
    """An uncued 'next Friday' is the target if it is the whole clause or says what's done then.

    That is: the rest of the clause is filler, or names a target verb ('finish', 'in place').
    """
    facts = tokens.clause(tokens[hit.first].clause)
    span = range(hit.first, hit.last + 1)
    if all(k in span for k in facts.wordy):
        return True
    if any(k not in span for k in facts.verbs):
        return True
    if any(k not in span and k + 1 not in span for k in facts.in_place):
        return True
    around = tokens.spans[tokens[hit.first].clause]  # "in" and "place" either side of the date
    before, after = hit.first - 1, hit.last + 1
    return (
        before in around and after in around and _in_place(tokens[before].word, tokens[after].word)
    )


def _alone(tokens: _Tokens, hit: _Found) -> bool:
    """The date phrase is all its clause says ('..., a couple more weeks')."""
    facts = tokens.clause(tokens[hit.first].clause)
    return all(hit.first <= k <= hit.last for k in facts.wordy)


def _in_place(word: str, following: str) -> bool:
    """The only target verb of two words, as a search over the joined words would find it."""
    return bool(_TARGET_VERBS.search(f"{word} {following}")) and not (
        _TARGET_VERBS.search(word) or _TARGET_VERBS.search(following)
    )


# A date after these is when something begins, not when it is done ("roll out from October").
_START_WORDS = frozenset(
    {"from", "start", "starts", "starting", "begin", "begins", "beginning", "commence"}
    | {"commences", "commencing", "kicks", "kick", "kicking", "out", "off", "run", "runs"}
    | {"launching", "opens", "opening"}
)
_DURATION = re.compile(
    rf"(?:an?|\d+|{one_of(NUMBER_WORDS)})(?:\s+(?:more|extra|further))?\s+{one_of(TIME_UNITS)}",
    re.I,
)


_AWAY = frozenset({"off", "away", "leave", "holiday", "sick", "absent", "out", "annual"})


def _a_start(tokens: Sequence[_Token], hit: _Found) -> bool:
    """'from 1 February', 'starts in January', 'goes out by March': a start, not a deadline."""
    words = _before(tokens, hit.first, 3)
    while words and words[-1] in ("the", "on"):
        words.pop()
    if words and words[-1] in _START_WORDS - {"out", "off", "run", "runs"}:
        return True
    if len(words) >= 2 and words[-1] in ("until", "till", "til") and words[-2] in _AWAY:
        return True  # "I'm off until the 7th": when they are back, not the target
    if len(words) < 2 or words[-1] not in ("in", "by", "at", "after"):
        return False
    kicks_off = words[-2] == "off" and len(words) > 2 and words[-3].startswith("kick")
    return words[-2] in _START_WORDS - {"off"} or kicks_off


def _a_duration(tokens: Sequence[_Token], hit: _Found) -> bool:
    """'pushed back a month': how long, not when (unless 'within a month')."""
    if not _DURATION.fullmatch(hit.text):
        return False
    words = _before(tokens, hit.first, 1)
    return not (words and words[-1] in ("within", "in", "for"))


class _Choice(NamedTuple):
    found: _Found
    revision: bool
    in_past: bool
    soft: bool = False


def _choose(tokens: _Tokens, found: Sequence[_Found], today: date) -> _Choice | None:
    """The revised date among the phrases: revision cue first, then deadline cue, then none."""
    chosen: list[tuple[int, int, _Choice]] = []
    for n, hit in enumerate(found):
        cue = _cue(tokens, hit)
        soft = cue.soft
        day = hit.answer.day
        in_past = day is not None and day < today
        past = _past_clause(tokens, hit) or (hit.first > 0 and tokens[hit.first - 1].word == "last")
        if cue.old or _a_start(tokens, hit) or _a_duration(tokens, hit):
            continue  # "roll out from October", "pushed back a month to ..."
        if cue.revision:
            rank = 0 if cue.named else 1  # "revised target 31/03" before "upgrade moved to Jan"
        elif cue.deadline and not (past and (in_past or not _HAS_YEAR.search(hit.text))):
            rank = 2 if cue.finish else 3  # "finishing 30 June" before "now be April"
        elif day is not None and not (past or in_past) and _for_remaining_work(tokens, hit):
            rank = 4  # "remaining two booked for Jan": the last of the work is done then
        elif not in_past and _for_decision(tokens, hit):
            rank = 4  # "goes to CLT on 14 January for decision": maybe the end (asked, below)
        elif past or in_past or _event_clause(tokens, hit):
            continue  # a past event or a meeting
        elif hit.answer.problem and not _alone(tokens, hit):
            continue  # a clumsy phrase nobody offered as a target
        elif not _relative_target(tokens, hit) or (hit.answer.needs_confirmation and day == today):
            continue  # "update you next week", "forms go out in March": not the action's target
        else:
            rank = 4
        soft = soft or _for_decision(tokens, hit)  # a board's date: maybe only a step
        if _new_year(hit):
            rank += 5  # "finished in the new year - say end of Jan": the date given wins
        chosen.append((rank, n, _Choice(hit, cue.revision, in_past, soft)))
    if not chosen:
        return None
    return min(chosen, key=lambda c: (c[0], c[1]))[2]


def _new_year(hit: _Found) -> bool:
    """'in the new year': a time, not a date (see _unreadable)."""
    return hit.answer.day is None and hit.text.lower().endswith("new year")


def _for_remaining_work(tokens: _Tokens, hit: _Found) -> bool:
    """The date's clause is about the work still to do ('remaining two booked for Jan')."""
    words = " ".join(_before(tokens, hit.first, 8))  # near words only: replies run to pages
    return any(not m.group().lower().startswith("with") for m in _REMAINING.finditer(words))


_DECISIONS = frozenset({"decision", "approval", "agreement", "sign-off", "signoff", "ratification"})


def _for_decision(tokens: _Tokens, hit: _Found) -> bool:
    """'to CLT on 14 January for decision': the day a board decides, which may end the action."""
    after = [t.word for t in tokens[hit.last + 1 : hit.last + 3]]
    return len(after) == 2 and after[0] == "for" and after[1] in _DECISIONS


# ---------------------------------------------------------------------------------------------
# Status


class _Rule(NamedTuple):
    status: Status
    pattern: re.Pattern[str]
    check: str  # "none", "negation", "complete" (negation, future, qualifiers), "progress"


def _rule(status: Status, words: str, check: str) -> _Rule:
    return _Rule(status, re.compile(rf"(?<![\w-])(?:{words})(?![\w-])", re.IGNORECASE), check)


# Spaces in the vocabulary's status phrases match any spaces and hyphens ("signed-off").
_RULES = (
    _rule(Status.WITHDRAWN, phrases(WITHDRAWN_WORDS), "negation"),
    _rule(Status.WITHDRAWN, phrases(NO_LONGER_WORDS), "none"),
    _rule(Status.COMPLETE, phrases(COMPLETE_WORDS), "complete"),
    _rule(Status.COMPLETE, phrases(CLOSE_WORDS), "none"),
    _rule(Status.DELAYED, phrases(DELAYED_WORDS), "negation"),
    _rule(Status.DELAYED, phrases(MISSING_WORDS), "none"),
    _rule(Status.DELAYED, phrases(DEPENDS_WORDS), "weak"),
    _rule(Status.PARTIALLY_COMPLETE, phrases(PARTLY_DONE_WORDS), "complete"),
    _rule(Status.IN_PROGRESS, phrases(IN_PROGRESS_WORDS), "progress"),
    _rule(Status.IN_PROGRESS, phrases(STARTED_WORDS), "negation"),
    _rule(Status.NOT_STARTED, phrases(NOT_STARTED_WORDS), "none"),
)
_PRECEDENCE = (
    Status.WITHDRAWN,
    Status.COMPLETE,
    Status.DELAYED,
    Status.PARTIALLY_COMPLETE,
    Status.IN_PROGRESS,
    Status.NOT_STARTED,
)
_NEGATORS = frozenset(
    {"not", "no", "never", "nowhere", "without", "nothing", "cannot", "isnt", "hasnt"}
    | {"havent", "wasnt"}
    | {"werent", "arent", "didnt", "doesnt", "dont", "wont", "cant", "couldnt", "nor"}
)
_FUTURE = frozenset(
    {"will", "shall", "should", "would", "could", "must", "might", "gonna", "hope", "hoping"}
    | {"hopefully", "aim", "aiming", "expect", "expected", "expecting", "plan", "planning"}
    | {"planned", "intend", "intending", "need", "needs", "until", "till", "once", "when"}
    | {"after", "before", "if", "due", "going", "yet", "soon"}
)
# Words that make "complete" partial; "practically" and "virtually" alone say nothing.
_QUALIFIERS = frozenset(PARTLY_QUALIFIERS) | {"part", "half", "phase", "stage", "draft", "first"}
_QUALIFIERS |= {"practically", "virtually", "quarter", "quarters", "third", "thirds"}
_SOON_AFTER = frozenset({"soon", "shortly", "later", "next"})
_PERCENT = re.compile(r"(?:[1-9]?\d)%|(?:[1-9]?\d) ?per ?cent")  # "70% complete"; not 100%


_DETERMINERS = frozenset({"their", "the", "its", "his", "her", "our", "a", "an", "support"})


def _has_object(tokens: Sequence[_Token], index: int) -> bool:
    after = tokens[index + 1].word if index + 1 < len(tokens) else ""
    return after in _DETERMINERS and not tokens[index].stop_after


def _negated(words: Sequence[str]) -> bool:
    return any(w in _NEGATORS or w.endswith("n't") for w in words)


def _future(words: Sequence[str]) -> bool:
    """'will be complete', 'we'll have it finished', 'to be completed', 'hope to finish'."""
    if words and words[-1] in ("to", "be", "being"):
        return True
    return any(w in _FUTURE or w.endswith("'ll") for w in words)


class _Match(NamedTuple):
    status: Status
    start: int
    end: int
    weak: bool = False  # a dependency ("can't until ..."): a delay only if nothing else is said


def _statuses(text: str, tokens: _Tokens, dates: Sequence[_Found], today: date) -> list[_Match]:
    """Every status phrase that stands (not negated, not future, not qualified)."""
    found: list[_Match] = []
    for rule in _RULES:
        for m in rule.pattern.finditer(text):
            status = _judge(rule, m, tokens, dates, today)
            if status is not None:
                found.append(_Match(status, m.start(), m.end(), rule.check == "weak"))
    return found


def _judge(
    rule: _Rule, m: re.Match[str], tokens: _Tokens, dates: Sequence[_Found], today: date
) -> Status | None:
    """The status this match stands for, or None if negation/tense/qualifiers undo it."""
    index = tokens.at(m.start())
    closing = rule.status is Status.COMPLETE and rule.check == "none"  # "close it"
    if closing and any(w in _CONDITIONS or w == "sure" for w in _before(tokens, index, 8)):
        return None  # "not sure if that's enough to close it": a question, not a report
    if rule.check in ("none", "weak"):
        return rule.status
    near = _before(tokens, index, 3)
    if rule.check == "progress":  # "not on track" is a delay
        return Status.DELAYED if _negated(near) else rule.status
    if _negated(near):
        return None
    one_word = " " not in m.group()
    if rule.status is Status.WITHDRAWN and one_word and _has_object(tokens, tokens.at(m.end() - 1)):
        return None  # "HHT have withdrawn their offer": someone else's withdrawal
    if rule.status is Status.WITHDRAWN and tokens.clause(tokens[index].clause).event:
        return None  # "the forum meeting was cancelled": a meeting called off, not the action
    if rule.check == "negation":
        before = _before(tokens, index, 2)
        return None if before == ["to", "be"] else rule.status  # "yet to be started"
    if _future(_before(tokens, index, 4)):
        return None
    if rule.status is Status.COMPLETE:
        if m.string[m.end() : m.end() + 1] == "?":  # "Complete? Not quite"
            return None
        if any(w in _CONDITIONS for w in _before(tokens, index, 8)):
            return None  # "can't roll out until the module is signed off"
        if any(w in _QUALIFIERS or _PERCENT.fullmatch(w) for w in near):  # "nearly complete"
            return Status.PARTIALLY_COMPLETE
        if _some_of(_before(tokens, index, 5)):  # "two of four sessions done"
            return Status.PARTIALLY_COMPLETE
        if _finishes_later(tokens, tokens.at(m.end() - 1), dates, today):
            return None
    return rule.status


_CONDITIONS = frozenset({"until", "till", "once", "when", "unless", "if"})


def _count(word: str) -> int | None:
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word)


def _some_of(words: Sequence[str]) -> bool:
    """'two of four', '4 of the 6': a count of a larger whole."""
    for k, word in enumerate(words):
        if word != "of" or k == 0:
            continue
        rest = [w for w in words[k + 1 : k + 3] if w != "the"]
        part, whole = _count(words[k - 1]), _count(rest[0]) if rest else None
        if part is not None and whole is not None and part < whole:
            return True
    return False


def _finishes_later(
    tokens: Sequence[_Token], index: int, dates: Sequence[_Found], today: date
) -> bool:
    """'done by Christmas', 'finished shortly': the completion is still to come."""
    after = [t.word for t in tokens[index + 1 : index + 3]]
    if after and after[0] in _SOON_AFTER:
        return True
    if not after or after[0] not in ("by", "before"):
        return False
    for hit in dates:
        if index + 1 < hit.first <= index + 6:  # "done by close of play Friday"
            day = hit.answer.day
            return day is None or day >= today
    return False


_HEADER_END = re.compile(r"\s*(?:[:.\-\u2013\u2014]|$)")
_HEADERS = frozenset({Status.IN_PROGRESS, Status.DELAYED, Status.NOT_STARTED})


def _header(text: str, matches: Sequence[_Match]) -> Status | None:
    """'Started: ... published for the libraries', 'Delayed - ...': a leading status says it.

    Only for statuses short of done: a finished part later in the reply doesn't override the
    officer's own heading. (A leading "Complete" is weighed with the rest, as work may remain.)
    """
    for m in matches:
        heading = m.start == 0 and not m.weak and m.status in _HEADERS
        if heading and _HEADER_END.match(text, m.end):
            return m.status
    return None


def _pick_status(matches: Sequence[_Match], *, revision: bool) -> Status | None:
    """Highest precedence wins; a bare 'new date ...' means the action is delayed."""
    present = {m.status for m in matches if not m.weak}
    for status in _PRECEDENCE:
        if status in present:
            return status
    return Status.DELAYED if revision or matches else None


# ---------------------------------------------------------------------------------------------
# Which action


def _ref_pattern(ref: str) -> re.Pattern[str]:
    """'R1' as r1 / R 1 / recommendation 1; '1.3' as 1.3 / action 1.3; a bare '3' needs a word."""
    body = re.escape(ref.strip())
    m = re.fullmatch(r"([A-Za-z]+)\.?\s*(\d+(?:\.\d+)*)", ref.strip())
    if m:
        body = rf"(?:{re.escape(m[1])}\.?\s?|(?:recommendation|rec|action)\s*){re.escape(m[2])}"
    elif ref.strip().isdigit():
        body = rf"(?:recommendation|rec|action|item|no\.?|#)\s*{body}"
    else:
        body = rf"(?:(?:recommendation|rec|action|item)\s*)?{body}"
    return re.compile(rf"(?<![\w.£$/-]){body}(?![\w/]|\.\d)", re.IGNORECASE)


def _refs_mentioned(text: str, candidates: Sequence[Candidate]) -> tuple[str, ...]:
    """Candidate refs named in the text, in order of first mention."""
    positions: list[tuple[int, str]] = []
    for candidate in candidates:
        m = _ref_pattern(candidate.ref).search(text)
        if m and candidate.ref not in (ref for _, ref in positions):
            positions.append((m.start(), candidate.ref))
    return tuple(ref for _, ref in sorted(positions))


_STOPWORDS = _wordset(
    "a an the and or of to in on at by for with from that this these those is are was were be "
    "been it its we our us you your they their he she his her i me my as so than then there "
    "which who what when where how all any each some more most other into about also has have "
    "had not no yes will would should can could may might must do does did done new now still "
    "council councils recommend recommends recommended recommendation produce produces make "
    "ensure ensures ensuring level wide action actions work working plan whether up out over "
    "complete completed delayed track progress started live use used using just"
)
# Officers rarely echo the recommendation's words: a few council synonyms.
_SYNONYMS = {
    "register": "record",
    "log": "record",
    "database": "record",
    "tracker": "record",
    "spreadsheet": "record",
    "guidance": "guide",
    "toolkit": "guide",
    "handbook": "guide",
    "manual": "guide",
    "expenditure": "spend",
    "spending": "spend",
    "cost": "spend",
    "costs": "spend",
    "budget": "spend",
    "consultation": "consult",
    "consultations": "consult",
    "consulting": "consult",
}


def _stem(word: str) -> str:
    """A crude stem so 'guides' meets 'guide' and 'engaged' meets 'engagement'."""
    word = _SYNONYMS.get(word, word)
    for suffix in ("ments", "ment", "ings", "ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return _SYNONYMS.get(word, word).rstrip("e")


def _content_words(text: str) -> set[str]:
    words = re.findall(r"[a-z]+", text.lower())
    return {_stem(w) for w in words if w not in _STOPWORDS and len(w) > 2}


def _word_match(text: str, candidates: Sequence[Candidate]) -> str | None:
    """The one candidate whose distinctive words the reply uses clearly more than any other's."""
    words = {c.ref: _content_words(c.text) for c in candidates}
    reply = _content_words(text)
    scores: list[tuple[int, str]] = []
    for ref, own in words.items():
        others = set().union(*(w for r, w in words.items() if r != ref))
        scores.append((len(reply & (own - others)), ref))  # shared words tell nothing
    scores.sort(reverse=True)
    best, ref = scores[0]
    second = scores[1][0] if len(scores) > 1 else 0
    if best >= 1 and (second == 0 or best >= 2 * second + 1):
        return ref
    return None


def _which(text: str, candidates: Sequence[Candidate], mentioned: tuple[str, ...]) -> str | None:
    if len(mentioned) == 1:
        return mentioned[0]
    if mentioned or not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0].ref
    return _word_match(text, candidates)


# ---------------------------------------------------------------------------------------------
# The note


def _strip_leading_ref(text: str, candidates: Sequence[Candidate], several: bool) -> str:
    """'R1: done' -> 'done'; 'R1 - done' -> 'done'; 'R1 done' -> 'done' unless more refs follow."""
    for candidate in candidates:
        m = _ref_pattern(candidate.ref).match(text)
        if m:
            rest = text[m.end() :]
            sep = re.match(r"\s*[:\-\u2013\u2014.,)]+\s*|\s+|$", rest)
            if sep and (sep.group().strip() or not rest or not several):
                return rest[sep.end() :].strip()
    return text


_NOTE_FILLER = (
    _wordset("until till new revised to now is it it's its all and the of for in on status update")
    | TARGET_NOUNS
    | _DEADLINE_WORDS
)
# Words that leave a date the point of its clause: "so end of Feb", "end of Feb for that".
_CLAUSE_FILLER = _NOTE_FILLER | _wordset(
    "so then that this say maybe probably realistically we a more likely possibly hopefully please"
    " sorry afraid i'm unfortunately at latest"
)


def _only_status_and_date(note: str, spans: Sequence[tuple[int, int]]) -> bool:
    """Nothing but status words, the date and filler: 'Done', 'Delayed until the spring'."""
    chars = list(note)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    words = re.findall(r"[\w']+", "".join(chars).lower())
    return all(w in _NOTE_FILLER for w in words)


# ---------------------------------------------------------------------------------------------
# parse_reply


_QUOTED_LINE = re.compile(r"^[ \t]*>.*(?:\n|$)", re.MULTILINE)


def _without_echo(text: str, candidates: Sequence[Candidate]) -> str:
    """The reply without the reminder copied back into it: its '>' quoted lines (as email
    quotes them) and any action's own words, which tell what was asked, not what was done."""
    text = _QUOTED_LINE.sub("", text)
    for candidate in candidates:
        words = candidate.text.split()
        if len(words) < 3:  # too short to be told from the officer's own words
            continue
        own = r"\s+".join(re.escape(w) for w in words)
        text = re.sub(rf"[\"'\u201c\u2018]?{own}[\"'\u201d\u2019]?", " ", text, flags=re.I)
    return text.strip()


def _quoted_ref(text: str, candidates: Sequence[Candidate]) -> tuple[str, ...]:
    """The one action named in the quoted lines ('> S4: Roll out ...'): what is answered."""
    quoted = "\n".join(m.group() for m in _QUOTED_LINE.finditer(text))
    refs = _refs_mentioned(quoted, candidates)
    return refs if len(refs) == 1 else ()


def parse_reply(text: str, candidates: Sequence[Candidate], *, today: date) -> ParsedReply:
    """Understand one reply to a reminder; never guesses (see the module docstring)."""
    original = text.replace("\u2019", "'").strip()
    plain = _without_echo(original, candidates)
    mentioned = _refs_mentioned(plain, candidates) or _quoted_ref(original, candidates)
    written = _strip_leading_ref(plain, candidates, len(mentioned) > 1)
    note = fix_typos(written)  # read "compelte" as "complete"; the note stays as written

    tokens = _tokens(note)
    dates = _all_dates(note, tokens, today)
    kept = _TARGET_KEPT.search(note) is not None  # "the end date is the same"
    choice = None if kept else _choose(tokens, dates, today)
    # only the date taken as the target can make "done by ..." a promise rather than a fact
    matches = _statuses(note, tokens, [choice.found] if choice else [], today)
    status = _header(note, matches) or _pick_status(
        matches, revision=choice is not None and choice.revision
    )
    ref = _which(plain, candidates, mentioned)
    action = next((c for c in candidates if c.ref == ref), None)
    if choice is not None and _new_year(choice.found) and _due_after_new_year(action, today):
        choice = None  # "more in the new year" for an action due next autumn: nothing changes
    if kept and status in (None, Status.DELAYED):
        status = Status.IN_PROGRESS  # a step slipped, the target holds: on track
    partly = any(m.status is Status.PARTIALLY_COMPLETE for m in matches)
    # a part not started, or under way, beside a part done: "scoping done, DPIA underway"
    unstarted = any(m.status in _SHORT_OF_DONE and not m.weak for m in matches)
    status, unclear = _weigh_progress(note, tokens, status, choice, action, partly, unstarted)

    new_date, date_text, problem, confirm, in_past = None, "", None, False, False
    if choice is not None:
        hit = choice.found
        date_text = hit.text
        if hit.answer.day is None:
            problem = hit.answer.problem
        elif _a_later_step(tokens, dates, hit):
            problem = (
                f"You mention {hit.text} and a later step: which date is the new target "
                "for the whole action?"
            )
        elif choice.soft:
            problem = (
                f"Is {hit.text} ({format_date(hit.answer.day)}) the new target for the whole "
                'action, or the date of one step? Say the new target date, or "keep".'
            )
        else:
            new_date, confirm, in_past = (
                hit.answer.day,
                hit.answer.needs_confirmation,
                choice.in_past,
            )
    elif status is Status.DELAYED and _MISSING.search(note):
        problem = "You say the target will be missed: what is the new target date?"

    spans = [(m.start, m.end) for m in matches]
    if choice is not None:
        spans.append((tokens[choice.found.first].start, tokens[choice.found.last].end))
    # A bare "Done" or "Delayed until the spring" carries no note of its own; anything longer
    # is the officer's account of the work, and kept as they wrote it.
    short_reply = len(note.split()) <= 5
    if short_reply and _only_status_and_date(note, spans) and (status or choice is not None):
        written = ""
    return ParsedReply(
        ref=ref,
        refs_mentioned=mentioned,
        status=status,
        note=written,
        new_date=new_date,
        date_text=date_text,
        date_problem=problem,
        date_needs_confirmation=confirm,
        date_in_past=in_past,
        status_unclear=unclear,
    )


_MISSING = re.compile(rf"(?<![\w-]){phrases(MISSING_WORDS)}(?![\w-])", re.IGNORECASE)


def _due_after_new_year(action: Candidate | None, today: date) -> bool:
    """The action's target already lies in the new year, so 'in the new year' changes nothing."""
    return action is not None and action.target is not None and action.target.year > today.year


_SHORT_OF_DONE = frozenset({Status.NOT_STARTED, Status.IN_PROGRESS})
_TARGET_KEPT = re.compile(rf"(?<![\w-]){phrases(TARGET_KEPT_WORDS)}(?![\w-])", re.IGNORECASE)


def _a_later_step(tokens: _Tokens, dates: Sequence[_Found], hit: _Found) -> bool:
    """'Out for consultation until 20 Jan, then to Cabinet in March': the date isn't the end."""
    for later in dates:
        if later.first <= hit.last or later.answer.day is None:
            continue
        span = tokens.spans[tokens[later.first].clause]
        if any(tokens[k].word == "then" for k in span if k < later.first):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Progress without a status word, and part done with the rest to come


_REMAINING = re.compile(rf"(?<![\w-]){phrases(REMAINING_WORDS)}(?![\w-])", re.IGNORECASE)
# Participles of things done; regular ones ("installed", "agreed") are found by their ending.
_DONE_IRREGULAR = {
    "met": "meet",
    "held": "hold",
    "sent": "send",
    "spoke": "speak",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "given": "give",
    "went": "go",
    "ran": "run",
    "made": "make",
    "wrote": "write",
    "written": "write",
    "built": "build",
    "set": "set",
    "brought": "bring",
    "led": "lead",
    "begun": "begin",
    "began": "begin",
    "sought": "seek",
    "taught": "teach",
}
# Words ending in -ed that say nothing was done yet, or are not verbs at all.
_NOT_DONE = (_NOT_PAST - {"agreed", "committed"}) | {"booked", "arranged", "interested"}
_NOT_DONE |= {"concerned", "based", "related"}
_NOT_DONE |= {"involved", "limited", "dedicated", "detailed", "needed", "hundred"}


_WILL = frozenset({"will", "shall", "would", "should", "could", "must", "might", "may", "to"})
_WILL |= {"be", "being", "gonna", "going", "once", "when", "if"}


_GONE_OUT = frozenset({"launched", "rolled", "issued", "circulated", "implemented", "embedded"})
_COMPLETE_WORD = re.compile(phrases(COMPLETE_WORDS), re.IGNORECASE)


def _accomplished(tokens: _Tokens) -> list[str]:
    """Things the reply says were done ('installed', 'held'), not negated or still to come."""
    done: list[str] = []
    for k, token in enumerate(tokens):
        word = token.word
        after = tokens[k + 1].word if k + 1 < len(tokens) else ""
        if _COMPLETE_WORD.fullmatch(word):
            continue  # judged as a status already ("we'll have it finished by Christmas")
        regular = word.endswith("ed") and len(word) > 4 and word not in _NOT_DONE
        if word == "set" and after != "up":  # "meeting set for 10 December"
            continue
        previous = tokens[k - 1].word if k > 0 else ""
        ready = word == "ready" and previous in ("is", "are", "now")
        live = word == "live" and (k == 0 or previous in ("is", "are", "now", "went", "gone"))
        if not (regular or ready or live or word in _DONE_IRREGULAR):
            continue
        before = _before(tokens, k, 3)
        if _negated(before) or any(w in _WILL or w.endswith("'ll") for w in before[-2:]):
            continue  # "not set up", "will be sent", "to be agreed"
        done.append(_DONE_IRREGULAR.get(word, word))
    return done


def _remaining(text: str, tokens: _Tokens) -> bool:
    """Work still to do is named: 'still to do', 'outstanding', 'the rest', 'to follow'."""
    for m in _REMAINING.finditer(text):
        index = tokens.at(m.start())
        if _negated(_before(tokens, index, 2)) or _other_action(tokens, index):
            continue
        if m.group().lower().startswith("with") and _in_company(tokens, index):
            continue  # "met with comms", "agreed with HR": who it was done with
        return True
    return False


def _in_company(tokens: _Tokens, index: int) -> bool:
    before = _before(tokens, index, 1)
    return bool(before) and (
        before[0] in _DONE_IRREGULAR
        or before[0].endswith("ed")
        or before[0] in ("off", "up", "meeting", "talks", "working")
    )


_REF_LIKE = re.compile(r"(?!q\d)[a-z]{1,2}\d{1,2}|\d{1,2}\.\d{1,2}")  # not "Q1"


def _other_action(tokens: _Tokens, index: int) -> bool:
    """The clause names another action ('... still being drafted, but that's R2')."""
    clause = tokens[index].clause
    near = [tokens.spans[c] for c in (clause, clause + 1) if c in tokens.spans]
    return any(_REF_LIKE.fullmatch(tokens[k].word) for span in near for k in span)


def _finish_clause(tokens: _Tokens, choice: _Choice) -> bool:
    """The target date comes just after what gets finished then ('workshops finish 18 Dec')."""
    verbs = tokens.clause(tokens[choice.found.first].clause).verbs
    first = choice.found.first
    return any(first - 4 <= k < first and tokens[k - 1].word != "for" for k in verbs)


def _weigh_progress(
    text: str,
    tokens: _Tokens,
    status: Status | None,
    choice: _Choice | None,
    action: Candidate | None,
    partly: bool,
    unstarted: bool = False,
) -> tuple[Status | None, bool]:
    """The status once the reply's account of the work is weighed, and whether to ask.

    "Fieldwork finished, analysis due end of January": a finished part with work still to
    come is partly complete. Progress told without a status word is asked about when the
    action is recorded as not started (it can't stay so), or when what was done is what the
    action asked for ("kit installed" for "install the kit": maybe complete, maybe not).
    """
    later = choice is not None and choice.found.answer.day is not None and not choice.in_past
    if status is Status.COMPLETE and (later or partly or unstarted or _remaining(text, tokens)):
        return Status.PARTIALLY_COMPLETE, False  # "module: done. template: not started"
    if status is not None:
        return status, False
    done = _accomplished(tokens)
    if not done:
        return None, False
    if action is not None and action.status is Status.NOT_STARTED:
        return None, True  # progress on an action recorded as not started: ask, never keep
    some = _some_of([t.word for t in tokens])  # "lists from 6 of 8 directorates received"
    if some or _remaining(text, tokens) or (later and choice and _finish_clause(tokens, choice)):
        return Status.PARTIALLY_COMPLETE, False  # "consultation closed, workshops finish 18 Dec"
    if action is None:
        return None, False
    if any(word in _GONE_OUT for word in done):
        return None, True  # "database launched to all staff": maybe complete, maybe not
    own = _content_words(action.text)
    return None, any(_stem(word) in own for word in done)


# ---------------------------------------------------------------------------------------------
# Several actions in one reply


_HEAD_BEFORE = re.compile(r"(?:[.;,:)!?\-\u2013\u2014&]|\b(?:and|also|plus))$", re.I)
_JOINED = re.compile(r"\s*(?:,|&|/|\+|\band\b)?\s*", re.I)
_LEAD_SEPARATOR = re.compile(r"^\s*[:\-\u2013\u2014.,)]*\s*")


class _Mention(NamedTuple):
    start: int
    end: int
    ref: str


def _heads(text: str, candidates: Sequence[Candidate]) -> list[_Mention] | None:
    """Where each named action's part of the reply begins, or None if the refs are tangled.

    A ref heads a part when it opens the reply, a line, a sentence or a clause ("R1 done,
    R4 new date March"); a ref further inside ("R4 depends on R1") means the parts can't be
    told apart, and the caller asks which action the reply is about.
    """
    mentions: list[_Mention] = []
    for candidate in candidates:
        for found in _ref_pattern(candidate.ref).finditer(text):
            mentions.append(_Mention(found.start(), found.end(), candidate.ref))
            if len(mentions) > len(candidates):
                return None  # a ref named twice: "R1 done, R4 waits on R1"
    mentions.sort()
    if len({mention.ref for mention in mentions}) != len(mentions):
        return None
    if not all(_heads_a_part(text[: mention.start]) for mention in mentions):
        return None
    return mentions


def _heads_a_part(before: str) -> bool:
    """Only the start, a line or sentence break, punctuation or 'and' comes before the ref."""
    stripped = before.rstrip()
    if not stripped or "\n" in before[len(stripped) :]:
        return True
    return bool(_HEAD_BEFORE.search(stripped[-8:]))


def read_replies(
    text: str, candidates: Sequence[Candidate], *, today: date
) -> tuple[ParsedReply, ...]:
    """One reading per action the reply is about, in the order the officer wrote them.

    A reply naming several actions, each heading its own part ("R1 done. R4 delayed to
    March"), is read part by part; "R1 and R7 both on track" gives both the same reading.
    Anything else is one reading, whose ref is None when the bot must ask which action.
    """
    plain = _without_echo(text.replace("\u2019", "'").strip(), candidates)
    heads = _heads(plain, candidates) if len(candidates) > 1 else None
    if not heads or len(heads) < 2:
        return (parse_reply(text, candidates, today=today),)
    prefix = plain[: heads[0].start]
    if _says_something(prefix, today):
        return (parse_reply(text, candidates, today=today),)  # "Both delayed: R1 ..., R4 ..."
    by_ref = {c.ref: c for c in candidates}
    readings: list[ParsedReply] = []
    group: list[_Mention] = []
    for k, head in enumerate(heads):
        group.append(head)
        after = heads[k + 1].start if k + 1 < len(heads) else len(plain)
        body = plain[head.end : after]
        if k + 1 < len(heads) and _JOINED.fullmatch(body):
            continue  # "R1 and R7 both on track": R1 shares R7's part
        body = _LEAD_SEPARATOR.sub("", body).strip().rstrip(",;&").strip()
        if not body:  # "R1, R4": named, but nothing said about them
            return (parse_reply(text, candidates, today=today),)
        for mention in group:
            readings.append(parse_reply(body, [by_ref[mention.ref]], today=today))
        group = []
    return tuple(readings)


def _says_something(prefix: str, today: date) -> bool:
    """Words before the first ref that carry a status or a date ("Delayed: R1 and R4")."""
    if not prefix.strip(" \n\t:,.-"):
        return False
    parsed = parse_reply(prefix, [], today=today)
    return parsed.status is not None or bool(parsed.date_text)

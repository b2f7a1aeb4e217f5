"""The words of a reply with their places, split into clauses, and what kind each word is."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import NamedTuple

from handlers.language.vocabulary import (
    APPROXIMATE_WORDS,
    DEADLINE_WORDS,
    DELAYED_WORDS,
    FEASTS,
    FINANCIAL_YEAR_WORDS,
    MODIFIER_WORDS,
    MONTHS,
    ORDINAL_SUFFIXES,
    QUARTER_WORDS,
    REMAINING_WORDS,
    SEASONS,
    TARGET_NOUNS,
    TIME_UNITS,
    WEEKDAYS,
    one_of,
    phrases,
)


def wordset(text: str) -> frozenset[str]:
    """Space-separated words as a set (long word lists read better as text)."""
    return frozenset(text.split())


# ---------------------------------------------------------------------------------------------
# Tokens: words with their place in the text, split into clauses


class Token(NamedTuple):
    word: str  # lower case, surrounding punctuation removed
    start: int
    end: int
    clause: int
    stop_after: bool  # punctuation or a dash follows: a date phrase can't run past it
    sentence: int = 0  # sentences end at a full stop, '!', '?' or a line break


_TRAILING = ".,;:!?)\"'"
_LEADING = "(\"'"
_CLAUSE_WORDS = frozenset({"but", "however", "although", "though", "whereas", "while"})
_DASH = re.compile(r"[-\u2010-\u2015\u2212]+")
# "approx.", "e.g." and initials end no sentence.
_ABBREVIATION = re.compile(r"approx|e\.g|i\.e|etc|no|[a-z]|w/c|w/b|st|dr|cllr|mr|mrs|ms")


class _Clause(NamedTuple):
    """What the date rules ask of a clause, worked out once: replies can run to pages."""

    past: list[int]  # tokens telling of something that happened ('met', 'drafted')
    event: bool  # names a meeting or workshop
    wordy: list[int]  # tokens that are more than filler
    verbs: list[int]  # tokens saying something gets done ('finish', 'launch')
    in_place: list[int]  # the 'in' of 'in place'


class Tokens(list[Token]):
    """The words of a reply, with each word's end and each clause's facts found fast."""

    def __init__(self, tokens: list[Token]) -> None:
        super().__init__(tokens)
        self.ends = [t.end for t in tokens]
        self.spans: dict[int, range] = {}
        for k, token in enumerate(tokens):  # clause numbers never go down
            start = self.spans[token.clause].start if token.clause in self.spans else k
            self.spans[token.clause] = range(start, k + 1)
        self._clauses: dict[int, _Clause] = {}
        self.dateish = [is_dateish(self, k) for k in range(len(tokens))]
        self.money = [bool(MONEY.search(t.word)) for t in tokens]

    def at(self, pos: int) -> int:
        """Index of the token covering (or first after) character position pos."""
        return bisect.bisect_right(self.ends, pos)

    def clause(self, number: int) -> _Clause:
        if number not in self._clauses:
            self._clauses[number] = _clause_facts(self, self.spans[number])
        return self._clauses[number]


def _clause_facts(tokens: Tokens, span: range) -> _Clause:
    words = [tokens[k].word for k in span]
    return _Clause(
        past=[k for k in span if _past_word(tokens, k)],
        event=any(w in _EVENT_WORDS for w in words),
        wordy=[k for k, w in zip(span, words, strict=True) if w not in _CLAUSE_FILLER],
        verbs=[k for k, w in zip(span, words, strict=True) if TARGET_VERBS.search(w)],
        in_place=[k for k in span[:-1] if in_place(tokens[k].word, tokens[k + 1].word)],
    )


def tokenize(text: str) -> Tokens:
    """Words of the text; a new clause starts after punctuation, a dash or 'but'."""
    tokens: list[Token] = []
    clause = sentence = 0
    previous_end = 0
    for m in re.finditer(r"\S+", text):
        raw = m.group()
        if tokens and "\n" in text[previous_end : m.start()]:  # a new line: a new sentence
            tokens[-1] = tokens[-1]._replace(stop_after=True)
            if tokens[-1].clause == clause:
                clause += 1
            if tokens[-1].sentence == sentence:
                sentence += 1
        previous_end = m.end()
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
        token = Token(word.lower(), start, start + len(word), clause, bool(trail), sentence)
        tokens.append(token)
        if trail.strip(":\"'"):  # "New date: June" is one clause; "Done, June" is two
            clause += 1
        if any(c in trail for c in ".!?") and not _ABBREVIATION.fullmatch(word.lower()):
            sentence += 1
    return Tokens(tokens)


def words_before(tokens: Sequence[Token], index: int, count: int) -> list[str]:
    """Up to `count` words before tokens[index] in the same clause, nearest last."""
    if index >= len(tokens):
        return []
    clause = tokens[index].clause
    words = [t.word for t in tokens[max(0, index - count) : index] if t.clause == clause]
    return words


# Deadline words of one word ("by", "due"); the longer ones are matched as phrases in _cue.
ONE_WORD_DEADLINES = frozenset(w for w in DEADLINE_WORDS if " " not in w)
# Financial-year words of one token ("fy", "f/y"), and the words the longer ones start with.
_FY_TOKENS = frozenset(w for w in FINANCIAL_YEAR_WORDS if " " not in w)
FY_STARTS = frozenset(w.split()[0] for w in FINANCIAL_YEAR_WORDS if " " in w)
# Abbreviations that are everyday words ("sat", "sun", "mar", "may") need a date-ish neighbour.
_AMBIGUOUS_NAMES = frozenset({"sat", "sun", "mar", "may", "wed", "mon", "jun"})
_MONTH_LEADS = frozenset(
    {"in", "of", "end", "mid", "early", "late", "until", "till", "from", "since", "for", "to"}
    | {"during", "say", "date", "the", "and", "or", "now", "after", "before", "past"}
    | ONE_WORD_DEADLINES
    | frozenset(APPROXIMATE_WORDS)
)
# Seasons that are also everyday words ("numbers may fall") need a year after or a lead before.
_AMBIGUOUS_SEASONS = frozenset({"fall"})
_SEASON_LEADS = frozenset({"in", "until", "till"}) | ONE_WORD_DEADLINES
_DATE_NAMES = (frozenset(MONTHS) | frozenset(WEEKDAYS)) - {"sat", "sun"}
_NUMERIC_DATE = re.compile(r"\d{1,2}([/.-])\d{1,2}\1(?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}")
_YEARISH = re.compile(r"(?:19|20)\d{2}(?:\s*[/-]\s*\d{2,4})?|'\d{2}")
DAY_NUMBER = re.compile(rf"\d{{1,2}}{one_of(ORDINAL_SUFFIXES)}?")
# "28/2": a date only after a lead ("to 28/2"); "31.03" too, if it can't be a reference
# ("3.10" is more likely action 3.10 than 3 October)
_DAY_MONTH = re.compile(r"\d{1,2}/\d{1,2}|(?:1[3-9]|2\d|3[01])\.(?:0[1-9]|1[0-2])|\d{1,2}\.0[1-9]")
_D_M_LEADS = frozenset({"to", "by", "until", "till", "til", "date", "on", "before", "now", "say"})
_D_M_LEADS |= {"w/c", "w/b", "wc", "wb", "said", "target", "for", "from"}
_DAY_ORDINAL = re.compile(rf"\d{{1,2}}{one_of(ORDINAL_SUFFIXES)}")  # "the 18th"
_QUARTER = re.compile(rf"{one_of(QUARTER_WORDS)}[1-4]")
# "Q1", "qtr2"; "quarter 3" is two words. "The first quarter of next year" starts a date.
QUARTER_ORDINALS = frozenset({"first", "second", "third", "fourth", "final", "last", "next"})


def _is_name(tokens: Sequence[Token], i: int) -> bool:
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
        or bool(DAY_NUMBER.fullmatch(prev) or _YEARISH.fullmatch(after))
        or bool(DAY_NUMBER.fullmatch(after))
    )


def _is_season(tokens: Sequence[Token], i: int) -> bool:
    """A season, unless it is an everyday word like 'fall' used as one."""
    word = tokens[i].word
    if word not in _AMBIGUOUS_SEASONS:
        return word in SEASONS
    prev = tokens[i - 1].word if i > 0 else ""
    after = tokens[i + 1].word if i + 1 < len(tokens) else ""
    return prev in _SEASON_LEADS or bool(_YEARISH.fullmatch(after))


def is_dateish(tokens: Sequence[Token], i: int) -> bool:
    """A token that on its own makes a window worth reading as a date."""
    word = tokens[i].word
    after = tokens[i + 1].word if i + 1 < len(tokens) else ""
    head, _, tail = word.partition("-")
    if head in MODIFIER_WORDS and tail:  # "mid-May", "end-March", "mid-2027" as one token
        return tail.rstrip(".") in _DATE_NAMES or tail in SEASONS or bool(_YEARISH.fullmatch(tail))
    months = [m.rstrip(".") for m in re.split(r"[-/\u2013]", word)]
    if len(months) == 2 and all(m in MONTHS or m in MODIFIER_WORDS for m in months):
        return any(m in MONTHS for m in months)  # "Jan/Feb", "Feb-March", "April/early"
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
        or (word == "quarter" and i > 0 and tokens[i - 1].word in QUARTER_ORDINALS | {"this"})
    )


def _day_month_lead(tokens: Sequence[Token], i: int) -> bool:
    """'to 28/2', or '31/1' standing alone as its clause: a date, not a fraction or a score."""
    if i > 0 and tokens[i - 1].word in _D_M_LEADS:
        return True
    clause = tokens[i].clause
    before = i > 0 and tokens[i - 1].clause == clause
    after = i + 1 < len(tokens) and tokens[i + 1].clause == clause
    return not before and not after


MONEY = re.compile(r"[%£$€]")


HAS_YEAR = re.compile(r"\d{4}|'\d{2}|\d[/.-]\d{1,2}[/.-]\d")


_IRREGULAR_PAST = frozenset(
    {"met", "held", "had", "was", "were", "did", "ran", "went", "sent", "spoke", "took", "gave"}
    | {"began", "came", "saw", "got", "made", "wrote", "since", "last", "ago", "earlier"}
    | {"previously", "back", "been", "already", "left", "spent", "lost", "found", "told"}
    | {"finally"}  # "the app team finally put it up on Thursday"
)
# Words ending in -ed that look forward or name the delay itself, not a past event.
NOT_PAST = frozenset(
    {"need", "needed", "scheduled", "planned", "expected", "anticipated", "proposed"}
    | {"intended", "timetabled", "booked", "arranged", "pushed", "moved", "revised", "extended"}
    | {"rescheduled", "hoped", "aimed", "targeted", "agreed", "committed", "required", "red"}
    | {"shed"}
    | {w for w in DELAYED_WORDS if w.isalpha() and w.endswith("ed")}  # "delayed", "slipped"
)


_EVENT_WORDS = frozenset(
    {"booked", "meeting", "meet", "meetings", "workshop", "workshops", "session", "sessions"}
    | {"event", "events", "webinar", "call", "briefing", "visit", "seminar"}
)


def _past_word(tokens: Sequence[Token], k: int) -> bool:
    """'met', 'since', 'drafted'; but not 'delayed' or 'should be signed off' (still to come)."""
    word = tokens[k].word
    if word == "last":  # "last week" is past; "the last directorates" is not
        after = tokens[k + 1].word if k + 1 < len(tokens) else ""
        return after in _TIME_AFTER_LAST
    if word in _IRREGULAR_PAST:
        return True
    regular = word.endswith("ed") and len(word) > 4 and word not in NOT_PAST
    return regular and not future_tense(words_before(tokens, k, 4))


_TIME_AFTER_LAST = TIME_UNITS | frozenset(WEEKDAYS) | {"year", "time", "night", "autumn", "spring"}
_TIME_AFTER_LAST |= {"summer", "winter", "quarter"} | frozenset(MONTHS)

TARGET_VERBS = re.compile(
    r"finish|complet|done|ready|deliver|launch|publi(?:sh|cation)|sign|live|in place|sorted|wrap"
    r"|^do$|final",
    re.I,
)


def in_place(word: str, following: str) -> bool:
    """The only target verb of two words, as a search over the joined words would find it."""
    return bool(TARGET_VERBS.search(f"{word} {following}")) and not (
        TARGET_VERBS.search(word) or TARGET_VERBS.search(following)
    )


_NEGATORS = frozenset(
    {"not", "no", "never", "nowhere", "without", "nothing", "cannot", "isnt", "hasnt"}
    | {"nobody", "noone", "none", "nothing's", "nobody's"}  # "Nothing's slipped"
    | {"havent", "wasnt"}
    | {"werent", "arent", "didnt", "doesnt", "dont", "wont", "cant", "couldnt", "nor"}
)
_FUTURE = frozenset(
    {"will", "shall", "should", "would", "could", "must", "might", "gonna", "hope", "hoping"}
    | {"hopefully", "aim", "aiming", "expect", "expected", "expecting", "plan", "planning"}
    | {"planned", "intend", "intending", "need", "needs", "until", "till", "once", "when"}
    | {"after", "before", "if", "due", "going", "yet", "soon", "then", "gets", "get"}
)


def negated(words: Sequence[str]) -> bool:
    return any(w in _NEGATORS or w.endswith("n't") for w in words)


def future_tense(words: Sequence[str]) -> bool:
    """'will be complete', 'we'll have it finished', 'to be completed', 'hope to finish'."""
    if words and words[-1] in ("to", "be", "being"):
        return True
    return any(w in _FUTURE or w.endswith("'ll") for w in words)


NOTE_FILLER = (
    wordset("until till new revised to now is it it's its all and the of for in on status update")
    | TARGET_NOUNS
    | ONE_WORD_DEADLINES
)
# Words that leave a date the point of its clause: "so end of Feb", "end of Feb for that".
_CLAUSE_FILLER = NOTE_FILLER | wordset(
    "so then that this say maybe probably realistically we a more likely possibly hopefully please"
    " sorry afraid i'm unfortunately at latest"
)


REMAINING = re.compile(rf"(?<![\w-]){phrases(REMAINING_WORDS)}(?![\w-])", re.IGNORECASE)

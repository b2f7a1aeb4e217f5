"""Status phrases in a reply, each judged for negation, tense and qualifiers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from handlers.language.replies.dates import Found
from handlers.language.replies.tokens import Token, Tokens, future_tense, negated, words_before
from handlers.language.vocabulary import (
    CLOSE_WORDS,
    COMPLETE_WORDS,
    DELAYED_WORDS,
    DEPENDS_WORDS,
    IN_PROGRESS_WORDS,
    MISSING_WORDS,
    NO_LONGER_WORDS,
    NOT_STARTED_WORDS,
    NUMBER_WORDS,
    PARTLY_DONE_WORDS,
    PARTLY_QUALIFIERS,
    STARTED_WORDS,
    WITHDRAWN_WORDS,
    phrases,
)
from models.tables import Status

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


# Words that make "complete" partial; "practically" and "virtually" alone say nothing.
_QUALIFIERS = frozenset(PARTLY_QUALIFIERS) | {"part", "half", "phase", "stage", "draft", "first"}
_QUALIFIERS |= {"practically", "virtually", "quarter", "quarters", "third", "thirds"}
_SOON_AFTER = frozenset({"soon", "shortly", "later", "next"})
_PERCENT = re.compile(r"(?:[1-9]?\d)%|(?:[1-9]?\d) ?per ?cent")  # "70% complete"; not 100%


_DETERMINERS = frozenset({"their", "the", "its", "his", "her", "our", "a", "an", "support"})


def _has_object(tokens: Sequence[Token], index: int) -> bool:
    after = tokens[index + 1].word if index + 1 < len(tokens) else ""
    return after in _DETERMINERS and not tokens[index].stop_after


class _Match(NamedTuple):
    status: Status
    start: int
    end: int
    weak: bool = False  # a dependency ("can't until ..."): a delay only if nothing else is said


def status_matches(text: str, tokens: Tokens, dates: Sequence[Found], today: date) -> list[_Match]:
    """Every status phrase that stands (not negated, not future, not qualified)."""
    found: list[_Match] = []
    for rule in _RULES:
        for m in rule.pattern.finditer(text):
            status = _judge(rule, m, tokens, dates, today)
            if status is not None:
                found.append(_Match(status, m.start(), m.end(), rule.check == "weak"))
    return found


def _judge(
    rule: _Rule, m: re.Match[str], tokens: Tokens, dates: Sequence[Found], today: date
) -> Status | None:
    """The status this match stands for, or None if negation/tense/qualifiers undo it."""
    index = tokens.at(m.start())
    closing = rule.status is Status.COMPLETE and rule.check == "none"  # "close it"
    if closing and any(w in _CONDITIONS or w == "sure" for w in words_before(tokens, index, 8)):
        return None  # "not sure if that's enough to close it": a question, not a report
    if rule.check in ("none", "weak"):
        return rule.status
    near = words_before(tokens, index, 3)
    if rule.check == "progress":  # "not on track" is a delay
        return Status.DELAYED if negated(near) else rule.status
    if negated(near):
        return None
    one_word = " " not in m.group()
    if rule.status is Status.WITHDRAWN and one_word and _has_object(tokens, tokens.at(m.end() - 1)):
        return None  # "HHT have withdrawn their offer": someone else's withdrawal
    if rule.status is Status.WITHDRAWN and tokens.clause(tokens[index].clause).event:
        return None  # "the forum meeting was cancelled": a meeting called off, not the action
    if rule.check == "negation":
        before = words_before(tokens, index, 2)
        return None if before == ["to", "be"] else rule.status  # "yet to be started"
    if future_tense(words_before(tokens, index, 4)):
        return None
    if rule.status is Status.COMPLETE:
        if m.string[m.end() : m.end() + 1] == "?":  # "Complete? Not quite"
            return None
        if any(w in _CONDITIONS for w in words_before(tokens, index, 8)):
            return None  # "can't roll out until the module is signed off"
        if any(w in _QUALIFIERS or _PERCENT.fullmatch(w) for w in near):  # "nearly complete"
            return Status.PARTIALLY_COMPLETE
        if some_of(words_before(tokens, index, 5)):  # "two of four sessions done"
            return Status.PARTIALLY_COMPLETE
        if _finishes_later(tokens, tokens.at(m.end() - 1), dates, today):
            return None
    return rule.status


_CONDITIONS = frozenset({"until", "till", "once", "when", "unless", "if"})


def _count(word: str) -> int | None:
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word)


def some_of(words: Sequence[str]) -> bool:
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
    tokens: Sequence[Token], index: int, dates: Sequence[Found], today: date
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


def header_status(text: str, matches: Sequence[_Match]) -> Status | None:
    """'Started: ... published for the libraries', 'Delayed - ...': a leading status says it.

    Only for statuses short of done: a finished part later in the reply doesn't override the
    officer's own heading. (A leading "Complete" is weighed with the rest, as work may remain.)
    """
    for m in matches:
        heading = m.start == 0 and not m.weak and m.status in _HEADERS
        if heading and _HEADER_END.match(text, m.end):
            return m.status
    return None


def pick_status(matches: Sequence[_Match], *, revision: bool) -> Status | None:
    """Highest precedence wins; a bare 'new date ...' means the action is delayed."""
    present = {m.status for m in matches if not m.weak}
    for status in _PRECEDENCE:
        if status in present:
            return status
    return Status.DELAYED if revision or matches else None

"""Status phrases in a reply, each judged for negation, tense and qualifiers."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from handlers.language.replies.dates import Found
from handlers.language.replies.tokens import Token, Tokens, future_tense, negated, words_before
from handlers.language.replies.which import stem
from handlers.language.vocabulary import (
    CLOSE_WORDS,
    COMPLETE_WORDS,
    DELAYED_WORDS,
    DEPENDS_WORDS,
    DRAFT_STAGE_WORDS,
    IN_PROGRESS_WORDS,
    MISSING_WORDS,
    MONTHS,
    NO_LONGER_WORDS,
    NOT_STARTED_WORDS,
    NUMBER_WORDS,
    ON_TRACK_WORDS,
    PARTLY_DONE_WORDS,
    PARTLY_QUALIFIERS,
    STARTED_WORDS,
    WEEKDAYS,
    WITHDRAWN_WORDS,
    phrases,
)
from models.tables import Status


class Check(StrEnum):
    """How a status phrase is judged against the words around it."""

    AS_SAID = "as said"  # stands whatever the words around it ("no longer needed")
    UNLESS_NEGATED = "unless negated"  # "not started" is not "started"
    DONE = "done"  # not negated, not future, not a condition, not qualified ("nearly done")
    ON_TRACK = "on track"  # negated, it is a delay ("not on track")
    DEPENDENCY = "dependency"  # a delay only when nothing else is said ("can't until ...")


@dataclass(frozen=True)
class StatusRule:
    """One kind of status phrase: the status it says, how it is judged, and why."""

    name: str
    status: Status
    words: tuple[str, ...]  # the vocabulary's phrases (see handlers/language/vocabulary.py)
    check: Check
    why: str
    of_the_action: bool = False  # not when its clause is about a meeting, a pilot, a launch

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compiled(self.words)


@functools.cache
def _compiled(words: tuple[str, ...]) -> re.Pattern[str]:
    # Spaces in the vocabulary's status phrases match any spaces and hyphens ("signed-off").
    return re.compile(rf"(?<![\w-])(?:{phrases(words)})(?![\w-])", re.IGNORECASE)


RULES = (
    StatusRule(
        "withdrawn",
        Status.WITHDRAWN,
        WITHDRAWN_WORDS,
        Check.UNLESS_NEGATED,
        "'Withdrawn', 'dropped', 'superseded'. A cancelled meeting or pilot is not the action.",
        of_the_action=True,
    ),
    StatusRule(
        "no longer",
        Status.WITHDRAWN,
        NO_LONGER_WORDS,
        Check.AS_SAID,
        "'No longer needed', 'take it off the list': withdrawn, whatever the negation.",
    ),
    StatusRule(
        "done",
        Status.COMPLETE,
        COMPLETE_WORDS,
        Check.DONE,
        "'Done', 'signed off', 'published'; 'nearly done' is partial, 'done by March' a promise.",
    ),
    StatusRule(
        "close it",
        Status.COMPLETE,
        CLOSE_WORDS,
        Check.AS_SAID,
        "'Please close this one': complete, whatever the tense; not 'not sure if I can close it'.",
    ),
    StatusRule(
        "delayed",
        Status.DELAYED,
        DELAYED_WORDS,
        Check.UNLESS_NEGATED,
        "'Delayed', 'slipped', 'on hold'. A meeting postponed is not the action delayed.",
        of_the_action=True,
    ),
    StatusRule(
        "missed",
        Status.DELAYED,
        MISSING_WORDS,
        Check.AS_SAID,
        "'Won't make it', 'missed the deadline': delayed, whatever the negation.",
    ),
    StatusRule(
        "depends",
        Status.DELAYED,
        DEPENDS_WORDS,
        Check.DEPENDENCY,
        "'Can't start until the budget is set' is a reason; a delay only if nothing else is said.",
    ),
    StatusRule(
        "partly",
        Status.PARTIALLY_COMPLETE,
        PARTLY_DONE_WORDS,
        Check.DONE,
        "'Partly done', 'nearly finished', 'half done': some of the work is finished.",
    ),
    StatusRule(
        "draft",
        Status.PARTIALLY_COMPLETE,
        DRAFT_STAGE_WORDS,
        Check.DONE,
        "'Drafted', 'out for consultation': a stage reached. Partly complete for work not "
        "yet under way; for work in progress, only the officer can say.",
    ),
    StatusRule(
        "on track",
        Status.IN_PROGRESS,
        ON_TRACK_WORDS,
        Check.ON_TRACK,
        "'On track', 'the date's fine'. Said of work already under way it changes nothing; "
        "'not on track' is a delay.",
    ),
    StatusRule(
        "under way",
        Status.IN_PROGRESS,
        IN_PROGRESS_WORDS,
        Check.ON_TRACK,
        "'In progress', 'under way'; 'not progressing' is a delay.",
    ),
    StatusRule(
        "started",
        Status.IN_PROGRESS,
        STARTED_WORDS,
        Check.UNLESS_NEGATED,
        "'Started', 'begun'; 'not started' is the next rule.",
    ),
    StatusRule(
        "not started",
        Status.NOT_STARTED,
        NOT_STARTED_WORDS,
        Check.AS_SAID,
        "'Not started yet', 'yet to begin'.",
    ),
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
    rule: str = ""  # the name of the rule that found it


def status_matches(
    text: str,
    tokens: Tokens,
    dates: Sequence[Found],
    today: date,
    own: frozenset[str] = frozenset(),
) -> list[_Match]:
    """Every status phrase that stands (not negated, not future, not qualified).

    `own` are the stems of the action's own words: a meeting cancelled is the action
    withdrawn only if the action is that meeting ("hold the first meeting of the forum").
    """
    found: list[_Match] = []
    for rule in RULES:
        for m in rule.pattern.finditer(text):
            if rule.of_the_action and _of_something_else(tokens, tokens.at(m.start()), own):
                continue
            status = _judge(rule, m, tokens, dates, today)
            if status is not None:
                weak = rule.check is Check.DEPENDENCY
                name = rule.name
                counted = some_of(words_before(tokens, tokens.at(m.start()), 5))
                near = set(words_before(tokens, tokens.at(m.start()), 3))
                if rule.status is Status.COMPLETE and status is not rule.status:
                    # "3 of 4 workshops done", "first sessions delivered": partly, by inference
                    if counted:
                        name = "count"
                    elif near & {"first", "phase", "stage", "draft", "part"}:
                        name = "qualified"
                if rule.name == "partly" and (
                    _NEARLY.fullmatch(m.group()) or _NOT_QUITE.match(m.group())
                ):
                    # "nearly there", "not quite finished": close to done, or just going on
                    name = "nearly"
                found.append(_Match(status, m.start(), m.end(), weak, name))
    return found


def _judge(
    rule: StatusRule, m: re.Match[str], tokens: Tokens, dates: Sequence[Found], today: date
) -> Status | None:
    """The status this match stands for, or None if negation/tense/qualifiers undo it."""
    index = tokens.at(m.start())
    closing = rule.status is Status.COMPLETE and rule.check is Check.AS_SAID  # "close it"
    if closing and any(w in _CONDITIONS or w == "sure" for w in words_before(tokens, index, 8)):
        return None  # "not sure if that's enough to close it": a question, not a report
    after = [t.word for t in tokens[tokens.at(m.end() - 1) + 1 :][:3]]
    if closing and any(w in ("after", "once", "when", "then", "next") for w in after):
        return None  # "I'd close it after that": a closure still to come
    if rule.check in (Check.AS_SAID, Check.DEPENDENCY):
        return rule.status
    near = words_before(tokens, index, 3)
    if rule.check is Check.ON_TRACK:  # "not on track" is a delay
        return Status.DELAYED if negated(near) else rule.status
    if negated(near):
        return None
    one_word = " " not in m.group()
    if rule.status is Status.WITHDRAWN and one_word and _has_object(tokens, tokens.at(m.end() - 1)):
        return None  # "HHT have withdrawn their offer": someone else's withdrawal
    if rule.name == "draft" and _dated_next(tokens, tokens.at(m.end() - 1)):
        return None  # "first draft 30 June": a draft planned, not written
    if rule.check is Check.UNLESS_NEGATED:
        before = words_before(tokens, index, 2)
        return None if before == ["to", "be"] else rule.status  # "yet to be started"
    wider = words_before(tokens, index, 7)  # "I'll have the last session done by ..."
    if future_tense(words_before(tokens, index, 4)) or any(
        w in ("will", "shall", "gets") or w.endswith("'ll") for w in wider
    ):
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
        after = [t.word for t in tokens[tokens.at(m.end() - 1) + 1 :][:2]]
        if after and after[0] in ("once", "when", "if", "after"):
            return None  # "the pilot's only delivered once the money's paid out"
    return rule.status


_CONDITIONS = frozenset({"until", "till", "once", "when", "unless", "if"})
_NEARLY = re.compile(r"(?:nearly|almost|mostly|largely)", re.IGNORECASE)
_NOT_QUITE = re.compile(r"not (?:quite|fully|entirely|completely|totally)\b", re.IGNORECASE)


def _dated_next(tokens: Tokens, index: int) -> bool:
    following = range(index + 1, min(index + 3, len(tokens)))
    return not tokens[index].stop_after and any(tokens.dateish[k] for k in following)


# Things that happen on the way to an action's end: cancelling or moving one is not the action
# withdrawn or delayed ("the launch event on the 15th has been cancelled").
SIDE_THINGS = frozenset(
    {"meeting", "meetings", "workshop", "workshops", "session", "sessions", "event", "events"}
    | {"webinar", "briefing", "visit", "seminar", "launch", "pilot", "trial", "go-live", "golive"}
    | {"round", "clt", "slt", "smt", "elt", "cabinet", "committee", "board", "panel", "forum"}
    | {"forums", "sub-group", "subgroup", "newsletter", "edition", "conference", "roadshow"}
    | {"drop-in", "call", "interviews", "focus", "group's", "fieldwork"}
)
_DAY = re.compile(r"\d{1,2}(?:st|nd|rd|th)?")
_OCCASION = frozenset(MONTHS) | frozenset(WEEKDAYS) | {"next", "last", "this", "first", "second"}


def _of_something_else(tokens: Tokens, index: int, own: frozenset[str]) -> bool:
    """The sentence names, before the status word, a meeting or step that is not the action
    itself, or one particular occurrence of it ("the Dec CLT", "March Area Forums")."""
    sentence = tokens[index].sentence if index < len(tokens) else -1
    after = [t.word for t in tokens[index + 1 : index + 4]]
    if any(w in ("this", "it", "action", "recommendation") for w in after):
        return False  # "agreed at SLT to withdraw this": the action is what is withdrawn
    if after[:1] == ["from"] and (set(after) & (SIDE_THINGS | {"agenda", "programme"})):
        return True  # "withdrawn from the agenda of the December SMT": an item, not the work
    k = index - 1
    while k >= 0 and tokens[k].sentence == sentence and index - k <= 14:
        word = tokens[k].word
        if tokens.dateish[k]:  # "Widnes 11 Mar, Runcorn 18 Mar — all cancelled": occasions
            return True
        if word in SIDE_THINGS:
            before = tokens[k - 1].word if k > 0 else ""
            particular = before in _OCCASION or bool(
                re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)?", before)
            )
            if particular or stem(word) not in own:
                return True
        k -= 1
    return False


def _count(word: str) -> int | None:
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word)


def some_of(words: Sequence[str]) -> bool:
    """'two of four', '4 of the 6', '5/7 schools', '60 out of about 150': a count of a whole."""
    for word in words:
        part_whole = re.fullmatch(r"(\d{1,3})/(\d{1,3})", word)
        if part_whole and 0 < int(part_whole[1]) < int(part_whole[2]) <= 100:
            return True
    words = [w for w in words if w not in ("out", "about", "around", "approx", "roughly")]
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


_WHOLE_LEAD = frozenset({"this", "is", "it's", "it", "action", "now", "all", "one", "the", "so"})
_WHOLE_LEAD |= {"that's", "everything", "recommendation", "rec", "fully", "done", "and", "yes"}


def standalone(text: str, match: _Match) -> bool:
    """'Complete.', 'This is complete', 'Done done.': the completion stands as its own sentence,
    so it is about the whole action, not a part named before it."""
    head = text[: match.start]
    cut = max(head.rfind(c) for c in ".!?\n-–—:;")
    lead = re.findall(r"[\w']+", head[cut + 1 :].lower())
    tail = text[match.end :].lstrip()
    ends = not tail or tail[0] in ".!?\n-–—:;,(" or tail.lower().startswith(("now", "thanks"))
    if not ends or not all(w in _WHOLE_LEAD for w in lead):
        return False
    # First or last: "Complete - ...", "... Complete." A bare "done." between a step and more
    # to come ("wanted the Gunning bit reworded. done. Testing in Jan") is that step done.
    first = not re.search(r"[\w']", head[: cut + 1] if cut >= 0 else "")
    last = not re.search(r"[^\W\d_]{3,}", tail.lower().replace("thanks", "").replace("now", ""))
    return first or last


def pick_status(matches: Sequence[_Match], *, revision: bool) -> Status | None:
    """Highest precedence wins; a bare 'new date ...' means the action is delayed."""
    present = {m.status for m in matches if not m.weak}
    for status in _PRECEDENCE:
        if status in present:
            return status
    return Status.DELAYED if revision or matches else None


# The phrases the status rules read, each judged (negated, future, of something else or not):
# none of them is left unexplained in a reply (see residue.py).
READ_PHRASES = tuple(rule.pattern for rule in RULES)

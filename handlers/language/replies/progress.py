"""Progress told without a status word, and a part done with the rest still to come."""

from __future__ import annotations

import re
from typing import NamedTuple

from handlers.language.replies.deadlines import DateChoice
from handlers.language.replies.model import Candidate
from handlers.language.replies.status import some_of
from handlers.language.replies.tokens import (
    NOT_PAST,
    REMAINING,
    Tokens,
    negated,
    tokenize,
    words_before,
)
from handlers.language.replies.which import content_words, stem
from handlers.language.vocabulary import COMPLETE_WORDS, phrases
from models.tables import Status

# ---------------------------------------------------------------------------------------------
# Progress without a status word, and part done with the rest to come


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
    "came": "come",  # "the Feb edition came out early"
    "happened": "happen",
}
# Words ending in -ed that say nothing was done yet, or are not verbs at all.
_NOT_DONE = (NOT_PAST - {"agreed", "committed"}) | {"booked", "arranged", "interested"}
_NOT_DONE |= {"concerned", "based", "related"}
_NOT_DONE |= {"involved", "limited", "dedicated", "detailed", "needed", "hundred"}


_WILL = frozenset({"will", "shall", "would", "should", "could", "must", "might", "may", "to"})
_WILL |= {"be", "being", "gonna", "going", "once", "when", "if"}


_GONE_OUT = frozenset({"launched", "rolled", "issued", "circulated", "implemented", "embedded"})
_GONE_OUT |= {"relaunched", "published", "distributed", "adopted"}
_COMPLETE_WORD = re.compile(phrases(COMPLETE_WORDS), re.IGNORECASE)


def _accomplished(tokens: Tokens) -> list[str]:
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
        if word == "had" and _an_occasion(tokens, k):  # "had its first meeting yesterday"
            done.append("hold")
            continue
        ready = word == "ready" and previous in ("is", "are", "now")
        live = word == "live" and (k == 0 or previous in ("is", "are", "now", "went", "gone"))
        if not (regular or ready or live or word in _DONE_IRREGULAR):
            continue
        word = word.rpartition("-")[2] or word  # "soft-launched" is "launched"
        before = words_before(tokens, k, 3)
        if negated(before) or any(w in _WILL or w.endswith("'ll") for w in before[-2:]):
            continue  # "not set up", "will be sent", "to be agreed"
        done.append(_DONE_IRREGULAR.get(word, word))  # noqa: PERF401
    return done


_OCCASIONS = frozenset({"meeting", "session", "workshop", "launch", "event", "briefing", "sitting"})


def _an_occasion(tokens: Tokens, k: int) -> bool:
    after = [t.word for t in tokens[k + 1 : k + 4]]
    return (
        bool(after)
        and after[0] in ("its", "their", "our", "the", "a")
        and bool(_OCCASIONS & set(after))
    )


def _remaining(text: str, tokens: Tokens) -> bool:
    """Work still to do is named: 'still to do', 'outstanding', 'the rest', 'to follow'."""
    for m in REMAINING.finditer(text):
        index = tokens.at(m.start())
        if negated(words_before(tokens, index, 2)) or _other_action(tokens, index):
            continue
        if m.group().lower().startswith("with") and _in_company(tokens, index):
            continue  # "met with comms", "agreed with HR": who it was done with
        return True
    return False


def _in_company(tokens: Tokens, index: int) -> bool:
    before = words_before(tokens, index, 1)
    return bool(before) and (
        before[0] in _DONE_IRREGULAR
        or before[0].endswith("ed")
        or before[0] in ("off", "up", "meeting", "talks", "working")
    )


_REF_LIKE = re.compile(r"(?!q\d)[a-z]{1,2}\d{1,2}|\d{1,2}\.\d{1,2}")  # not "Q1"


def _other_action(tokens: Tokens, index: int) -> bool:
    """The sentence names another action ('The engagement plan (R2) is still being written')."""
    clause = tokens[index].clause
    near = [tokens.spans[c] for c in (clause, clause + 1) if c in tokens.spans]
    if any(_REF_LIKE.fullmatch(tokens[k].word) for span in near for k in span):
        return True
    sentence = tokens[index].sentence
    return any(t.sentence == sentence and _REF_LIKE.fullmatch(t.word) for t in tokens)


def finish_clause(tokens: Tokens, choice: DateChoice) -> bool:
    """The target date comes just after what gets finished then ('workshops finish 18 Dec')."""
    verbs = tokens.clause(tokens[choice.found.first].clause).verbs
    first = choice.found.first
    return any(first - 4 <= k < first and tokens[k - 1].word != "for" for k in verbs)


class Weighed(NamedTuple):
    """The status once the account of the work is weighed, or the statuses to offer."""

    status: Status | None
    ask: tuple[Status | None, ...] = ()  # not empty: ask, offering these (None: keep it)
    inferred: bool = False  # partly complete by inference ("3 of 4 done"), not in so many words


def weigh_progress(
    text: str,
    tokens: Tokens,
    status: Status | None,
    choice: DateChoice | None,
    action: Candidate | None,
    partly: bool,
    unstarted: bool = False,
    whole: bool = False,
    ahead: bool = False,
) -> Weighed:
    """The status once the reply's account of the work is weighed, and whether to ask.

    "Fieldwork finished, analysis due end of January": a finished part with work still to
    come is partly complete. "Done" beside work still to come that is not named as the rest
    ("Testing with planning in Jan") may be one step done: asked. Progress told without a
    status word is asked about when the action is recorded as not started (it can't stay
    so), or when what was done is what the action asked for ("kit installed" for "install
    the kit": maybe complete, maybe not).
    """
    later = choice is not None and choice.found.answer.day is not None and not choice.in_past
    current = action.status if action is not None else None
    if status is Status.COMPLETE and (later or partly or unstarted or _remaining(text, tokens)):
        return Weighed(Status.PARTIALLY_COMPLETE, inferred=not (partly or unstarted))
    if status is Status.COMPLETE and not whole and (ahead or _unfinished(tokens)):
        return Weighed(None, (Status.PARTIALLY_COMPLETE, Status.COMPLETE, _going_on(current)))
    if status is not None:
        return Weighed(status)
    done = _accomplished(tokens)
    some = some_of([t.word for t in tokens])  # "lists from 6 of 8 directorates received"
    if not done and not some:
        return Weighed(None)
    if current is Status.NOT_STARTED:  # progress on an action recorded as not started: ask
        return Weighed(None, (Status.IN_PROGRESS, Status.PARTIALLY_COMPLETE, Status.COMPLETE))
    if some or _remaining(text, tokens) or (later and choice and finish_clause(tokens, choice)):
        return Weighed(Status.PARTIALLY_COMPLETE, inferred=True)
    if action is None:
        return Weighed(None)
    if any(word in _GONE_OUT for word in done):  # "database launched": maybe complete
        return Weighed(None, (Status.COMPLETE, None, Status.PARTIALLY_COMPLETE))
    own = content_words(action.text)
    if any(stem(word) in own for word in done):  # "kit installed" for "install the kit"
        return Weighed(None, (Status.COMPLETE, Status.PARTIALLY_COMPLETE, None))
    if _decided_on_it(tokens):  # "Cabinet approved it last night", "both approved"
        return Weighed(Status.COMPLETE)
    if _decided(tokens, done, own):  # "the strategy was approved at Executive": done, or a step
        return Weighed(None, (Status.COMPLETE, Status.PARTIALLY_COMPLETE, None))
    return Weighed(None)


_DECIDED = frozenset({"approved", "adopted", "ratified", "endorsed", "agreed", "signed"})


_IT = frozenset({"it", "this", "both", "all", "them"})


def _decided_on_it(tokens: Tokens) -> bool:
    """The decision is about the action itself: 'approved it', 'it was approved', 'both
    approved' (the actions named), with nothing said to be left to do."""
    for k, token in enumerate(tokens):
        if token.word not in _DECIDED:
            continue
        near = {t.word for t in tokens[max(0, k - 3) : k + 2]}
        if near & _IT and not negated(words_before(tokens, k, 3)) and not _unfinished(tokens):
            return True
    return False


def _decided(tokens: Tokens, done: list[str], own: set[str]) -> bool:
    """A board's decision on the action's own subject ('the guide ... was approved'), or a
    short reply saying one was taken ('both approved at Executive'): maybe the end of it."""
    if not _DECIDED & set(done):
        return False
    if len(tokens) <= 12:
        return True
    return any(stem(t.word) in own for t in tokens)


def _going_on(current: Status | None) -> Status | None:
    """The third thing a 'done' beside work to come may mean: the work simply goes on."""
    return (
        None if current in (Status.IN_PROGRESS, Status.PARTIALLY_COMPLETE) else Status.IN_PROGRESS
    )


# Said beside "done", these tell of work still to come that is not named as the rest of it.
_STILL_TO_COME = re.compile(
    r"(?<![\w-])(?:will|shall|going to|goes (?:to|live|up)|go live|going (?:up|live)|then|next"
    r"|not (?:\w+ )?(?:covered|done|started|finished|included) yet|(?:is|are|still) with"
    r"|no-?go|(?:is|now) dead|extending|extended|on hold|(?:has|have) (?:yet|still) to"
    r"|haven'?t (?:started|done|finished)"
    r"|(?:isn'?t|aren'?t|hasn'?t|haven'?t|not) (?:been )?\w+ yet"
    r"|(?:hasn'?t|haven'?t) (?:yet )?(?:been )?\w+(?:ed|en)"
    r"|can'?t (?:happen|start|go ahead|proceed)|won'?t happen)(?![\w-])",
    re.IGNORECASE,
)


def _unfinished(tokens: Tokens) -> bool:
    """Another part of the reply tells of work still to come ('Part 2 is with design')."""
    for k, token in enumerate(tokens):
        window = " ".join(t.word for t in tokens[k : k + 5])
        future = token.word.endswith("'ll") or _STILL_TO_COME.match(window)
        if future and not _other_action(tokens, k):
            return True
    return False


_NEWS = re.compile(
    rf"(?<![\w-])(?:{phrases(COMPLETE_WORDS)}|\d+ (?:of|out of) \d+|\d{{2,}} \w+"
    r"|now (?:has|have|live)|(?:is|are) now|slipp\w*|delay\w*|extended|postponed|on track"
    r"|started|going live"
    r"|waiting|no change)(?![\w-])",
    re.IGNORECASE,
)


def reports_progress(text: str) -> bool:
    """The text tells of work done, under way or held up: news, not a question."""
    return bool(_accomplished(tokenize(text))) or bool(_NEWS.search(text))


# The phrases the progress rules read (see residue.py).
READ_PHRASES = (_STILL_TO_COME, REMAINING, _COMPLETE_WORD)

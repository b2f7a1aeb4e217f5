"""Which date phrase, if any, is the revised target: the cue before it and its clause decide."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from handlers.language.replies.dates import Found
from handlers.language.replies.model import Candidate
from handlers.language.replies.tokens import (
    HAS_YEAR,
    ONE_WORD_DEADLINES,
    REMAINING,
    TARGET_VERBS,
    Token,
    Tokens,
    in_place,
    negated,
    words_before,
)
from handlers.language.targets import DateAnswer
from handlers.language.vocabulary import (
    APPROXIMATE_WORDS,
    DEADLINE_WORDS,
    MISSING_WORDS,
    NUMBER_WORDS,
    TARGET_KEPT_WORDS,
    TARGET_NOUNS,
    TIME_UNITS,
    WEEKDAYS,
    one_of,
    phrases,
)

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
    ONE_WORD_DEADLINES
    | TARGET_NOUNS
    | {"until", "till", "til", "within", "now", "say"}
    | {"expected", "aiming", "aim", "planned", "scheduled", "hope", "hoping", "realistically"}
    | {"expect", "expecting", "likely", "probably", "looking", "looks", "like"}
    | {"track", "schedule", "course", "need", "needs", "finishing", "completing", "finished"}
    | {"finish", "complete", "completion", "deliver", "launch", "publish", "ready", "live"}
    | {"finishes", "completes", "ends", "closes", "concludes"}
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


# Verbs of moving that are also nouns or mean something else ("next push in the summer"):
# a revision only with a particle before the date ("push back to", "moved to").
_PARTICLES = frozenset({"to", "back", "until", "till", "til", "into", "out", "forward", "on"})
_NEEDS_PARTICLE = ("push", "put", "move", "moving")


def _moving(word: str, cue_words: Sequence[str]) -> bool:
    """The cue word moves the date ('revised to', 'slipped', 'pushed back to')."""
    if not word.startswith(_REVISION_STEMS) or word.startswith(("revisit", "backed", "putting")):
        return False
    if word.startswith(_NEEDS_PARTICLE) and not word.endswith("ed"):
        after = list(cue_words)[list(cue_words).index(word) + 1 :] if word in cue_words else []
        return any(w in _PARTICLES for w in after)
    return True


def _cue_words(tokens: Sequence[Token], found: Found) -> list[str]:
    """The words before the date; a short lead-in clause counts ('New date needed - 31 May')."""
    words = [w.rstrip(":") for w in words_before(tokens, found.first, 5)]
    if words or found.first == 0:
        return words
    previous = tokens[found.first - 1].clause
    lead = [t.word for t in tokens[max(0, found.first - 4) : found.first] if t.clause == previous]
    start = found.first - len(lead)
    whole = start == 0 or tokens[start - 1].clause != previous
    return [w.rstrip(":") for w in lead] if whole else []


_OUGHT = frozenset({"should", "must", "needs", "ought", "has"})
_OWN_DEADLINE = frozenset({"new", "revised", "target", "our", "the", "a", "my", "its", "end"})


def _someone_elses(words: Sequence[str]) -> bool:
    """'return deadline early April', 'Fire, which is due Friday': the deadline of another
    thing named just before, not of the action."""
    if words[-1] in ("deadline", "date") and len(words) > 1:
        return words[-2] not in _OWN_DEADLINE and not words[-2].endswith(("ed", "'s"))
    return words[-1] == "due" and words[-3:-1] in (["which", "is"], ["that", "is"], ["who", "are"])


def _cue(tokens: Sequence[Token], found: Found) -> _Cue:
    """Which target cue, if any, introduces the date ('new date:', 'revised to', 'by the')."""
    words = _cue_words(tokens, found)
    while words and words[-1] in _CUE_SKIP:
        words.pop()
    deadline = bool(words) and words[-1] in _DEADLINE_CUES and not _someone_elses(words)
    phrase = next((p for p in _DEADLINE_PHRASES if words[-len(p) :] == p), None)
    deadline = deadline or phrase is not None
    not_before = bool(words) and words[-1] in ("until", "till", "til", "before")  # "until April"
    after = tokens[found.last + 1].word if found.last + 1 < len(tokens) else ""
    if after in _OLD_TARGET_AFTER and not tokens[found.last].stop_after:
        return _Cue(False, False, old=True)
    cue_length = len(phrase) if phrase else 1
    if deadline and negated(words[-5:-cue_length]) and not not_before:
        return _Cue(False, False, old=True)  # "won't be done by the end of the year"
    # "first one due in January": a first instalment's date, maybe not the action's target;
    # "the website won't be ready until April": when something else is, the earliest day
    first_one = bool({"first", "next"} & set(words[-4:]))
    soft = deadline and (words[-1] in _SOFT_CUES or first_one or (not_before and negated(words)))
    finish = deadline and bool(TARGET_VERBS.search(words[-1]))
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
    # "target should be 27 July": the officer setting the target right
    named = named or (len(near) == 2 and near[0] in TARGET_NOUNS and near[1] in _OUGHT)
    later = bool(words) and words[-1] == "after"  # "after Easter now": moved, to when?
    moved = bool(near) and _moving(near[-1], _cue_words(tokens, found))
    # "it goes to Cabinet in March now": the date the work now falls on, closing its clause
    now_after = after == "now" and (
        found.last + 2 >= len(tokens) or tokens[found.last + 1].stop_after
    )
    revision = named or asking or later or moved or now_after
    earliest = [t.word for t in tokens[found.last + 1 : found.last + 4]] == [
        "at",
        "the",
        "earliest",
    ]
    if earliest:  # "October at the earliest": no sooner, not the new target
        return _Cue(False, True, soft=True)
    return _Cue(revision, deadline, soft=soft and not revision, finish=finish, named=named)


def _past_clause(tokens: Tokens, found: Found) -> bool:
    """The clause holding the date tells of something that happened ('met on 3 November')."""
    past = tokens.clause(tokens[found.first].clause).past
    return any(not found.first <= k <= found.last for k in past)


def _event_clause(tokens: Tokens, found: Found) -> bool:
    """'second workshop booked for 8 December': a diary date, not the action's target.

    Unless the clause says the work is done then ('sessions still to do in January').
    """
    facts = tokens.clause(tokens[found.first].clause)
    if not facts.event:
        return False
    span = tokens.spans[tokens[found.first].clause]
    booked = any(tokens[k].word == "booked" for k in span)
    return booked or not any(not found.first <= k <= found.last for k in facts.verbs)


def _relative_target(tokens: Tokens, hit: Found) -> bool:
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
        before in around and after in around and in_place(tokens[before].word, tokens[after].word)
    )


def alone(tokens: Tokens, hit: Found) -> bool:
    """The date phrase is all its clause says ('..., a couple more weeks')."""
    facts = tokens.clause(tokens[hit.first].clause)
    return all(hit.first <= k <= hit.last for k in facts.wordy)


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


_MOVED_FROM = frozenset({"moved", "changed", "pushed", "shifted", "switched", "rescheduled"})
_AWAY = frozenset({"off", "away", "leave", "holiday", "sick", "absent", "out", "annual"})
_TOLD = frozenset({"know", "hear", "heard", "told", "confirmed", "decided"})


def _a_start(tokens: Sequence[Token], hit: Found) -> bool:
    """'from 1 February', 'starts in January', 'goes out by March': a start, not a deadline."""
    words = words_before(tokens, hit.first, 3)
    while words and words[-1] in ("the", "on"):
        words.pop()
    if words and words[-1] in _START_WORDS - {"out", "off", "run", "runs"}:
        moved = words[-1] == "from" and len(words) > 1 and words[-2] in _MOVED_FROM
        return not moved  # "moved from 18 March to 22 April" is no start
    if len(words) >= 2 and words[-1] in ("until", "till", "til") and words[-2] in _AWAY:
        signed = words[-2] == "off" and len(words) > 2 and words[-3].startswith("sign")
        return not signed  # "I'm off until the 7th": when they are back, not the target
    near = {t.word for t in tokens[max(0, hit.first - 8) : hit.first]}
    if "back" in words[-2:] and near & _AWAY:
        return True  # "off sick at the moment, back on 2 Aug": when they return
    if len(words) >= 2 and words[-1] in ("until", "till", "til") and words[-2] in _TOLD:
        return True  # "we won't know till March": when they hear, not when it is done
    if len(words) < 2 or words[-1] not in ("in", "by", "at", "after"):
        return False
    kicks_off = words[-2] == "off" and len(words) > 2 and words[-3].startswith("kick")
    return words[-2] in _START_WORDS - {"off"} or kicks_off


def _a_duration(tokens: Tokens, hit: Found) -> bool:
    """'pushed back a month': how long, not when (unless 'within a month', or the length alone
    as its clause: 'the process note is outstanding - 2 more weeks')."""
    if not _DURATION.fullmatch(hit.text):
        return False
    words = words_before(tokens, hit.first, 2)
    asked = words[-2:] in (["give", "me"], ["give", "us"]) or words[-1:] in (["need"], ["allow"])
    if asked:
        return False  # "Give me two weeks": a date two weeks off
    more = any(w in hit.text.lower().split() for w in ("more", "further", "extra"))
    # "outstanding - 2 more weeks" is a time from now; "Six weeks, then Cabinet" how long
    whole = hit.first == 0 and hit.last == len(tokens) - 1  # the reply is "A fortnight."
    return not (words and words[-1] in ("within", "in", "for")) and not (
        (more and alone(tokens, hit)) or whole
    )


class DateChoice(NamedTuple):
    found: Found
    revision: bool
    in_past: bool
    soft: bool = False
    rank: int = 4  # lower is stronger: 0 "new date", 1 "moved to", 2-3 "by", 4 no cue
    named: bool = False  # "new date", "revised target": the officer names the new target


class DateRoles(NamedTuple):
    """What each date phrase in a reply is: maybe the new target, or another future date."""

    ranked: list[DateChoice]  # could be the revised target, strongest cue first
    others: list[Found]  # future days said of something else: a meeting, a step, a reason
    starts: tuple[date, ...] = ()  # when work starts or someone is back: no target, but a sign


_MEETINGS = frozenset(
    {"meeting", "meetings", "workshop", "session", "sessions", "event", "clt", "slt", "smt"}
    | {"cabinet", "committee", "board", "panel", "forum", "briefing", "launch", "pilot"}
)


def _a_meeting_moved(tokens: Tokens, hit: Found) -> bool:
    """'... because the SLT meeting was moved to 20 Jan': a meeting moved, not the target."""
    clause = tokens[hit.first].clause
    start = tokens.spans[clause].start
    words = [tokens[k].word for k in range(start, hit.first)]
    moving = any(w.startswith(_REVISION_STEMS) for w in words)
    return moving and any(w in _MEETINGS for w in words)


def _this_period(hit: Found) -> bool:
    """'No update this month': the time of the report, not of the work."""
    return bool(re.fullmatch(r"(?:this|the)\s+(?:week|month|year|quarter)", hit.text.strip(), re.I))


class _Seen(NamedTuple):
    """What the date rules read of one date phrase, worked out once."""

    tokens: Tokens
    hit: Found
    cue: _Cue
    day: date | None
    in_past: bool  # the day itself is gone
    past: bool  # its clause tells of something done ("met on 3 December")
    today: date


NOT_THE_TARGET, ANOTHER_DATE = -2, -1  # ranks for phrases that are not the target


@dataclass(frozen=True)
class DateRule:
    """What one kind of date phrase is: its rank as the target (lower first), or not one."""

    name: str
    reads: Callable[[_Seen], bool]
    rank: int  # 0-4: a candidate for the target; NOT_THE_TARGET; ANOTHER_DATE (offered)
    why: str


def _past_undated(s: _Seen) -> bool:
    return s.past and (s.in_past or not HAS_YEAR.search(s.hit.text))


def _in_passing(s: _Seen) -> bool:
    return (
        _event_clause(s.tokens, s.hit)
        or (bool(s.hit.answer.problem) and not alone(s.tokens, s.hit))
        or not _relative_target(s.tokens, s.hit)
        or (s.hit.answer.needs_confirmation and s.day == s.today)
    )


# Tried in order; the first that reads a phrase says what it is.
DATE_RULES: tuple[DateRule, ...] = (
    DateRule("old target", lambda s: s.cue.old, NOT_THE_TARGET,
             "'missed the December deadline', 'won't be done by March': the date being missed"),
    DateRule("a start", lambda s: _a_start(s.tokens, s.hit), NOT_THE_TARGET,
             "'roll out from October', 'comms go out 1 April': when work begins or goes out"),
    DateRule("a length", lambda s: _a_duration(s.tokens, s.hit), NOT_THE_TARGET,
             "'pushed back a month': how long, not when"),
    DateRule("sent out", lambda s: _sent_out(s.tokens, s.hit), ANOTHER_DATE,
             "'launch comms go out 1 April': something sent, maybe after the work is done"),
    DateRule("a meeting moved",
             lambda s: s.cue.revision and not s.cue.named and _a_meeting_moved(s.tokens, s.hit),
             ANOTHER_DATE, "'the SLT meeting was moved to 20 Jan': a meeting's date"),
    DateRule("new date", lambda s: s.cue.revision and s.cue.named, 0,
             "'new date 31 March', 'revised target': the officer names the new target"),
    DateRule("moved", lambda s: s.cue.revision, 1,
             "'slipped to January', 'extended to 15 Jan': the date moves there"),
    DateRule("finishing", lambda s: s.cue.deadline and s.cue.finish and not _past_undated(s), 2,
             "'finishing 30 June', 'complete by March': the work is done then"),
    DateRule("deadline", lambda s: s.cue.deadline and not _past_undated(s), 3,
             "'by March', 'until 15 January', 'realistically Feb': a time something is done by"),
    DateRule("remaining work",
             lambda s: s.day is not None and not (s.past or s.in_past)
             and _for_remaining_work(s.tokens, s.hit),
             4, "'remaining two booked for Jan': the last of the work is done then"),
    DateRule("for decision", lambda s: not s.in_past and _for_decision(s.tokens, s.hit), 4,
             "'to CLT on 14 January for decision': maybe the end, maybe a step (asked)"),
    DateRule("gone", lambda s: s.in_past, NOT_THE_TARGET, "a day already past: an event"),
    DateRule("a past weekday", lambda s: s.past and _weekday(s.hit), NOT_THE_TARGET,
             "'legal reviewed it on Friday': last Friday, though written without a date"),
    DateRule("in a past clause", lambda s: s.past, ANOTHER_DATE,
             "'rebooked for 12 January': something done about a day still to come"),
    DateRule("in passing", _in_passing, ANOTHER_DATE,
             "a meeting's date, a step, a reason: not the target as said, but offered if asked"),
    DateRule("the point of its clause", lambda s: True, 4,
             "'Delayed, end of March', 'final version April': the date is what the clause says"),
)  # fmt: skip


def _sent_out(tokens: Tokens, hit: Found) -> bool:
    words = words_before(tokens, hit.first, 3)
    while words and words[-1] in ("on", "the", "in", "by"):
        words.pop()
    return len(words) >= 2 and words[-1] == "out" and words[-2] in ("go", "goes", "going", "went")


def _weekday(hit: Found) -> bool:
    return bool(re.fullmatch(rf"(?:on\s+|last\s+)?{one_of(WEEKDAYS)}\.?", hit.text.strip(), re.I))


def weigh_dates(tokens: Tokens, found: Sequence[Found], today: date) -> DateRoles:
    """Each date phrase's role by DATE_RULES; the revised target is the first of `ranked`.

    Meetings and other steps are `others`, which may still be offered when the officer is
    asked. A board's date is soft (maybe only a step); "in the new year" ranks after any date.
    """
    chosen: list[tuple[int, int, DateChoice]] = []
    others: list[Found] = []
    starts: list[date] = []
    for n, hit in enumerate(found):
        cue = _cue(tokens, hit)
        day = hit.answer.day
        past = _past_clause(tokens, hit) or (hit.first > 0 and tokens[hit.first - 1].word == "last")
        seen = _Seen(tokens, hit, cue, day, day is not None and day < today, past, today)
        rule = next(r for r in DATE_RULES if r.reads(seen))
        if rule.rank == ANOTHER_DATE:
            latest = hit.latest
            if latest is not None and latest >= today and not _this_period(hit):
                others.append(hit)
            continue
        if rule.rank == NOT_THE_TARGET:
            if rule.name == "a start" and hit.latest is not None and hit.latest > today:
                starts.append(hit.latest)
            continue
        rank = rule.rank + (5 if new_year(hit) else 0)  # "in the new year - say end of Jan"
        # a board's date, or the last of the work ("goes to Cabinet on 9 Feb"): maybe a step
        board = rule.name == "remaining work" and _to_a_board(tokens, hit)
        soft = cue.soft or _for_decision(tokens, hit) or board
        choice = DateChoice(hit, cue.revision, seen.in_past, soft, rank, cue.named)
        chosen.append((rank, n, choice))
    chosen.sort(key=lambda c: (c[0], c[1]))
    return DateRoles([c[2] for c in chosen], others, tuple(starts))


def named_by_the_officer(
    text: str, tokens: Tokens, dates: Sequence[Found], roles: DateRoles
) -> DateRoles:
    """'... their 11 March meeting, so let's make that the new target': the date named just
    before is the new target, as if written 'new date 11 March'."""
    match = NAMES_THE_TARGET.search(text)
    if match is None:
        return roles
    at = tokens.at(match.start())
    before = [f for f in dates if f.last < at and (f.answer.day or f.event_day) is not None]
    if not before:
        return roles
    hit = max(before, key=lambda f: f.last)
    day = hit.answer.day or hit.event_day
    named_hit = hit._replace(answer=DateAnswer(hit.text, day))  # "their 11 March meeting"
    named = DateChoice(named_hit, True, False, rank=0, named=True)
    ranked = [named] + [c for c in roles.ranked if c.found is not hit]
    return DateRoles(ranked, [f for f in roles.others if f is not hit], roles.starts)


def choose_date(tokens: Tokens, found: Sequence[Found], today: date) -> DateChoice | None:
    """The revised date among the phrases: revision cue first, then deadline cue, then none."""
    ranked = weigh_dates(tokens, found, today).ranked
    return ranked[0] if ranked else None


def new_year(hit: Found) -> bool:
    """'in the new year': a time, not a date (see _unreadable)."""
    return hit.answer.day is None and hit.text.lower().endswith("new year")


_TO_A_BOARD = re.compile(r"(?:going|goes|off|now) to |for (?:approval|sign|adoption)", re.I)


def _to_a_board(tokens: Tokens, hit: Found) -> bool:
    """'... goes to Cabinet with the draft budget on 9 Feb': a board's date, maybe after the
    work is done."""
    return bool(_TO_A_BOARD.search(" ".join(words_before(tokens, hit.first, 8)) + " "))


def _for_remaining_work(tokens: Tokens, hit: Found) -> bool:
    """The date's clause is about the work still to do ('remaining two booked for Jan')."""
    words = " ".join(words_before(tokens, hit.first, 8))  # near words only: replies run to pages
    return any(not m.group().lower().startswith("with") for m in REMAINING.finditer(words))


_DECISIONS = frozenset({"decision", "approval", "agreement", "sign-off", "signoff", "ratification"})
_DECISIONS |= {"adoption", "endorsement", "noting", "consideration", "information"}


def _for_decision(tokens: Tokens, hit: Found) -> bool:
    """'to CLT on 14 January for decision': the day a board decides, which may end the action."""
    after = [t.word for t in tokens[hit.last + 1 : hit.last + 3]]
    return len(after) == 2 and after[0] == "for" and after[1] in _DECISIONS


MISSING = re.compile(rf"(?<![\w-]){phrases(MISSING_WORDS)}(?![\w-])", re.IGNORECASE)


def due_after_new_year(action: Candidate | None, today: date) -> bool:
    """The action's target already lies in the new year, so 'in the new year' changes nothing."""
    return action is not None and action.target is not None and action.target.year > today.year


TARGET_KEPT = re.compile(rf"(?<![\w-]){phrases(TARGET_KEPT_WORDS)}(?![\w-])", re.IGNORECASE)


def a_later_step(tokens: Tokens, dates: Sequence[Found], hit: Found) -> bool:
    """'Out for consultation until 20 Jan, then to Cabinet in March': the date isn't the end."""
    if later_step_date(tokens, dates, hit) is not None:
        return True
    # "Internal one runs until 22 Jan. Then PH decision.": a step after it, undated
    after = [t for t in tokens[hit.last + 1 :] if t.sentence > tokens[hit.last].sentence]
    return bool(after) and after[0].word == "then"


def later_step_date(tokens: Tokens, dates: Sequence[Found], hit: Found) -> Found | None:
    """The dated step after 'then', if there is one."""
    for later in dates:
        if later.first <= hit.last or later.answer.day is None:
            continue
        span = tokens.spans[tokens[later.first].clause]
        if any(tokens[k].word == "then" for k in span if k < later.first):
            return later
    return None


def finishes(tokens: Tokens, hit: Found) -> bool:
    """The date's clause says the work is finished then ('then the final version ... on
    10 March', 'then sign-off in May')."""
    span = tokens.spans[tokens[hit.first].clause]
    return any(k < hit.first and TARGET_VERBS.search(tokens[k].word) for k in span)


# "... at their 11 March meeting, so let's make that the new target": the date just named.
NAMES_THE_TARGET = re.compile(
    r"(?<![\w-])(?:(?:make|making|set|put|have|call) (?:that|this|it) (?:as )?(?:the|our) "
    r"(?:new )?(?:target|date|deadline|end date)|(?:that|this)'?s (?:the|our) new "
    r"(?:target|date|deadline)|that'?s when (?:[\w']+ ){0,3}?(?:sign|close|finish|complete|done))"
    r"(?![\w-])",
    re.IGNORECASE,
)

# The phrases the deadline rules read (see residue.py).
READ_PHRASES = (TARGET_KEPT, MISSING, NAMES_THE_TARGET)

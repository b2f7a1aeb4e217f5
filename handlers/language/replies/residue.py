"""The residue of a reply: what the rules did not account for, and what in it could bear on
the status or the date.

The rules read a reply by the phrases they know. What they did not explain is its residue:
the officer's own words once these are set aside: greetings, thanks, sign-offs, when the news
happened, emoji that carry no meaning (SET_ASIDE); the actions' references and the action's
own title words; and every phrase a rule read (a status phrase, a date, a vague time, a
deadline cue: each was judged, whatever the judgement). Quoted and pasted text is gone before
(note.py). What in the residue could bear on a field, and on which, is the table DOUBTS: a
time the reader could not read as a date, a question, a hedge, a condition, a contrast, a
status word the rules did not use, a slip in one, text in a language the reader does not
read, an opening exclamation in words it does not know. settled.py asks about each field
a doubt bears on, rather than showing it as settled.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from handlers.language.english import is_english, meant, slip_of_english
from handlers.language.replies import deadlines, evidence, progress, status, vague
from handlers.language.replies.dates import Found, all_dates
from handlers.language.replies.model import Candidate, ParsedReply
from handlers.language.replies.tokens import Tokens, future_tense, negated, tokenize, words_before
from handlers.language.replies.which import stem, title_stems
from handlers.language.targets import parse_date_answer
from handlers.language.vocabulary import MONTHS, WEEKDAYS
from models.tables import Status


class Field(StrEnum):
    STATUS = "status"
    DATE = "date"


# ---------------------------------------------------------------------------------------------
# What is not residue


@dataclass(frozen=True)
class SetAside:
    """Words of a reply that say nothing about the action's status or date, and why."""

    name: str
    words: str  # a regular expression, case-insensitive
    why: str


SET_ASIDE = (
    SetAside(
        "greeting",
        r"(?:^|(?<=[\n.!?]))\s*(?:hi|hello|hiya|hey|dear|morning|afternoon"
        r"|good (?:morning|afternoon)|bore da|prynhawn da|helo|shw?mae|s'?mae)\b"
        r"[^\n.!?,:]{0,25}[,.!:]?",
        "An opening says who is written to, not how the work stands.",
    ),
    SetAside(
        "wishes",
        r"(?:happy|merry|eid mubarak|season'?s greetings|nadolig llawen|blwyddyn newydd dda)"
        r"[^\n.!?]{0,40}[.!]*",
        "Wishes for a festival are not a date for the work ('Eid Mubarak to those celebrating').",
    ),
    SetAside(
        "thanks",
        r"(?:many |big )?(?:thanks|thank you|thx|cheers|diolch(?: yn fawr| i bawb)?)"
        r"(?: (?:very much|so much|a lot|again|all))?"
        r"(?: (?:for|am) (?:the|this|your|y|chasing|checking|asking)"
        r"(?: [\w']+){0,3})?[.!]*",
        "Thanks for the reminder: politeness.",
    ),
    SetAside(
        "sign-off",
        r"(?:kind |best |warm )?regards|best wishes|cofion(?: gorau)?|speak soon"
        r"|have a (?:good|great|nice) (?:day|weekend|christmas|break)|hope (?:this|that) helps"
        r"|hwyl(?: fawr)?|(?:let me know|shout) if (?:you|there'?s|anything)[^.!?\n]*"
        r"|any (?:questions|problems)[^.!?\n]*let me know"
        r"|sorry for the (?:slow|late) (?:reply|response)",
        "A closing offers help; it says nothing of the work.",
    ),
    SetAside(
        "deputy",
        r"(?:covering|replying|answering|writing|responding) (?:for|on behalf of) (?:[\w']+ ?){1,3}"
        r"(?=[-\u2013\u2014:,.]|$)",
        "Who is answering ('covering for Sam -'), not how the work stands.",
    ),
    SetAside(
        "told when",
        r"(?:yesterday|today|tonight|this (?:morning|afternoon|evening)|last (?:night|week|month"
        r"|year|time)|earlier (?:today|this week)|(?:\w+ )?(?:days?|weeks?|months?) ago|ddoe"
        r"|heddiw|bore 'ma)",
        "When the news happened dates the news, not the target.",
    ),
    SetAside(
        "emoji",
        r"[\U0001f300-\U0001f5ff\U0001f600-\U0001f64f\U0001f680-\U0001f6ff\U0001f900-\U0001f9ff"
        r"\u2600-\u26ff\u2700-\u27bf\ufe0f\u200d](?<![\u2705\u2714\u2611\u274c\u2716\u23f3\u231b])",
        "A smile or a party popper colours the news; ticks, crosses and hourglasses are read.",
    ),
)
_SET_ASIDE = tuple(re.compile(s.words, re.IGNORECASE) for s in SET_ASIDE)

# Words whose meaning the reader knows though no rule reads them: calendar names, and the small
# words the reader's own rules are built of.
_KNOWN = frozenset(MONTHS) | frozenset(WEEKDAYS) | {"ok", "fyi", "re", "asap", "tbc", "approx"}
# The shorthand of work chat is English too.
_KNOWN |= {"tbh", "etc", "prob", "ish", "lol", "imo", "btw", "eop", "eod", "cob", "tbd", "thx"}
_KNOWN |= {"nb", "ps", "wc", "wb", "thru", "tho", "pls", "plz", "ta", "gonna", "wanna", "dunno"}


# ---------------------------------------------------------------------------------------------
# What in the residue could bear on a field


class Reach(StrEnum):
    """Which field a doubt bears on."""

    DATE = "the date"
    STATUS = "the status"
    UNREAD = "the status, when nothing was read in its sentence"
    NEAR = "what its sentence says, else the status"
    NEAR_ONLY = "what its sentence says"
    FINAL = "a status that says the work is over, and a date said in its sentence"
    FINAL_STATUS = "a status that says the work is over"
    UNCUED = "the date, unless one was said to be the new target"


@dataclass(frozen=True)
class DoubtRule:
    """One kind of thing a reply may say that the rules did not account for."""

    name: str
    words: str  # a regular expression, case-insensitive, on the residue
    reach: Reach
    why: str
    lean: Status | None = None  # the status it suggests, offered first when asked
    news: bool = False  # a status word: no doubt when negated, promised, or already read


_NUMBER = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|a|an|a couple of|a few|few)"
_UNIT = r"(?:days?|weeks?|fortnights?|months?|years?|terms?|quarters?|semesters?)"
_TIME_WORD = (
    rf"{_UNIT}|{'|'.join(sorted(MONTHS, key=len, reverse=True))}|spring|summer|autumn|winter"
    r"|easter|christmas|xmas|\d{1,2}(?:st|nd|rd|th)?"
)
# Words that may follow a day-and-month ("30/4 at the latest"); another word makes it a count.
_FOLLOWS = r"(?:and|or|for|then|at|as|is|if|so|now|please|latest|earliest|deadline|target|ok)\b"


def _any(*alternatives: str) -> str:
    """Alternatives matched as whole words (or whole signs: a tick, a question mark)."""
    return rf"(?<![\w-])(?:{'|'.join(alternatives)})(?![\w])"


DOUBTS: tuple[DoubtRule, ...] = (
    DoubtRule(
        "time",
        _any(
            r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}",  # "12.1.27"
            # "30/4" (not a count: "6/6", "5/7 schools", "41/58"); "1.3" is a reference
            r"(?!(\d{1,2})/\1(?!\d))(?:[12]?\d|3[01])/(?:0?[1-9]|1[0-2])(?!\s+of\b)(?!\s+(?!"
            + _FOLLOWS
            + r")[a-z]{3,})",
            r"\d\d/\d\d",  # a financial year, "27/28"
            # "31.03", "15.06": a day and month with a dot, never a ref ("1.3", "4.2")
            r"(?:(?:1[3-9]|2\d|3[01])\.(?:0?[1-9]|1[0-2])|(?:0?[1-9]|[12]\d|3[01])\.0[1-9])(?![.\d])",
            r"\d{1,2}(?:st|nd|rd|th)(?!\s+(?!of\b)[a-z])",  # "the 25th", not "2nd phase"
            r"(?:19|20)\d\d(?:/\d\d)?",
            # a month and a two-digit year, "Mar-27"
            rf"(?:{'|'.join(sorted(MONTHS, key=len, reverse=True))})[-']\d\d",
            rf"{_NUMBER}(?:[ -]\w+)? {_UNIT}(?:-?ish)?",  # "three weeks-ish", "a few more weeks"
            rf"(?:next|this|coming|following) {_UNIT}",
            r"(?:q|p|h|qtr|period|quarter) ?\d{1,2}",  # quarters and accounting periods ("P3")
            r"f/?y|financial year|year[ -]end|asap|a\.s\.a\.p|soon|shortly|imminent(?:ly)?",
            r"eventually|in due course|at some point|tbc|tbd",
            r"whit(?:sun)?|eid|diwali|ramadan|hanukkah|passover|lent|advent|pentecost",
            r"half[ -]term|bank holiday|(?:the )?holidays|elections?|purdah|recess",
            r"etholiad(?:au)?|nadolig|pasg|wythnos(?:au)?|blwyddyn|flwyddyn|tymor|yfory",
            "\u23f3|\u231b",  # an hourglass: it will take time
        ),
        Reach.DATE,
        "A time the reader could not read as a date: when is the target, then?",
    ),
    DoubtRule(
        "request",
        r"(?:^|(?<=[.!?\n]))[ \t]*(?:(?:so|and|but|also|please|sorry|just)\W+)*"
        r"(?:can|could|may|shall|would|will) (?:we|i|you)\b[^.!?\n]*\?",
        Reach.UNREAD,
        "'Can we say end of Jan?': a request for what the rules read in it; with nothing read "
        "there ('can you stop reminding me?'), it may be about the status.",
    ),
    DoubtRule(
        "question",
        r"\?|"
        + _any(
            r"not sure|unsure|no idea|don'?t know|wondering",
            r"(?:do|did|would) you (?:want|need)|is (?:that|this) (?:ok|okay|enough|right)",
        ),
        Reach.NEAR,
        "The officer asks, or isn't sure, about what its sentence says: only they can settle it.",
    ),
    DoubtRule(
        "rated red",
        r"^\W*(?:rag:?\s*)?red\b(?!\s+(?:tape|book|line|flag))",
        Reach.DATE,
        "'Red. Consultants went bust.': a RAG rating of red, with a reason: whatever date the "
        "reply gives or keeps, the officer is asked.",
        lean=Status.DELAYED,
    ),
    DoubtRule(
        "no date yet",
        _any(
            r"can'?t (?:put|give|set|promise)(?: you)? (?:a|any) (?:\w+ )?(?:date|timescale)",
            r"no (?:firm |fixed |new |real )?(?:date|timescale|timeline)(?: yet)?",
            r"(?:don'?t|do not) know when|not in (?:my|our) gift|out of (?:my|our) hands",
            r"(?:won'?t|will not|shan'?t) know (?:\w+ ){0,2}?(?:till|until|when|before)",
            r"(?:bring|brought|pull|pulled) (?:it|this|that|them) forward",
            # "until the new Chief Exec starts": held for an event, not a day (a day after
            # "until" is read as a date and blanked from the residue)
            r"(?:until|till|til) (?:the |a |an |we |they )?(?:[a-z][\w'-]*)",
        ),
        Reach.UNCUED,
        "'I can't put a date on it', 'not in my gift', 'can we bring this forward?': "
        "the target moves, or may, to a day nobody has given: asked, not kept.",
    ),
    DoubtRule(
        "date to follow",
        _any(r"(?:i'?ll|we'?ll|will) (?:give|send|get) you (?:a|the) (?:\w+ )?(?:date|timescale)"),
        Reach.DATE,
        "'I'll give you a proper date when I'm back': whatever date it sits beside, the target "
        "is still to come.",
    ),
    DoubtRule(
        "ellipsis",
        r"(?<![\w'-])(?:is|isn'?t|are|aren'?t|was|wasn'?t|were|weren'?t|has|hasn'?t|have"
        r"|haven'?t|does|doesn'?t|did|didn'?t)(?![\w'-])",
        Reach.STATUS,
        "'PB's not started. The annual report is.': a sentence that stops at its verb borrows "
        "its meaning from another; what it says of the status is not in its own words.",
    ),
    DoubtRule(
        "hedged time",
        rf"(?<![\w-])(?:{_TIME_WORD})-?ish(?![\w])",
        Reach.DATE,
        "'Three weeks-ish', 'May-ish': a time, roughly.",
    ),
    DoubtRule(
        "hedge",
        r"[\w']+-ish(?![\w])|-ish(?![\w])|"
        + _any(
            r"ish|as good as|more or less|pretty much|sort of|kind of",
            r"i (?:think|believe|guess|reckon)|nearly|almost|virtually|practically|all but",
            r"not (?:quite|entirely|fully|100%)|wouldn'?t (?:call|say)|in theory",
            r"fingers crossed|touch wood|just about|mostly|largely|substantially",
        ),
        Reach.NEAR,
        "A hedge ('done-ish', 'as good as done', 'I think'): not quite what it says; a part.",
        lean=Status.PARTIALLY_COMPLETE,
    ),
    DoubtRule(
        "maybe",
        _any(r"probably|prob|maybe|perhaps|possibly|hopefully|likely|might"),
        Reach.NEAR_ONLY,
        "'Prob Feb', 'hopefully done': a guess about what it sits beside.",
    ),
    DoubtRule(
        "condition",
        _any(
            r"subject to|once|pending|provid(?:ed|ing)|as long as|assuming|if|unless",
            r"depend(?:s|ing|ent) on|conditional|awaiting|yn amodol",
        ),
        Reach.FINAL,
        "A completion or a date on a condition ('complete, subject to CMT approval') is not yet.",
    ),
    DoubtRule(
        "contrast",
        _any(
            r"but|apart from|except|still|however|although|though|excluding|other than|ond",
            r"heblaw",
        ),
        Reach.FINAL_STATUS,
        "'Done, but ...', 'all except ...': the rest may not be.",
    ),
    DoubtRule(
        "done-like",
        _any(
            r"tick(?:ed|s)? (?:off|it|that)|ticked|in the bag|wrapped(?: up)?|sorted|dusted",
            r"nailed|finali[sz]ed|concluded|accomplished|over the line|up and running",
            r"good to go|in place|live|launched|issued|circulated|rolled out|implemented",
            r"embedded|approved|ratified|endorsed|signed|mandatory",
            r"(?:we|finally|at last)\W+got there|(?:we'?ve|we have) done it",
            # "the forward plan went on the website": put where people can see it
            r"went (?:up|live|out|online|on(?:to)? (?:the |our )?(?:web ?site|intranet|web))",
            # "all 5", said alone: every one of them done
            r"all (?:\d+|two|three|four|five|six|seven|eight|nine|ten)(?=\s*(?:[.!\u2705]|$))",
            "\u2705|\u2714|\u2611",
            r"https?://\S+",  # a link to the thing: there it is
        ),
        Reach.STATUS,
        "A word of work finished that no status rule read ('In the bag', 'all 5 \u2705', a link).",
        lean=Status.COMPLETE,
        news=True,
    ),
    DoubtRule(
        "late-like",
        _any(
            r"late|later|overdue|blocked|backlog|rescheduled|extension|on ice|kicked",
            r"parked|held off|hold(?:ing)? off|frozen",
            r"(?:not|never|\w+n'?t)(?: \w+){0,2} make it|miss(?:ing)?",
            "\u274c|\u2716",
        ),
        Reach.STATUS,
        "A word of work held up that no status rule read.",
        lean=Status.DELAYED,
        news=True,
    ),
    DoubtRule(
        "fine-like",
        _any(
            r"should be (?:ok|okay|fine|alright|all right|good)|looking (?:ok|okay|fine|good)",
            r"(?:we'?re|we are|it'?s|it is|all) (?:ok|okay|fine|good) (?:for|with) (?:time|that)",
            r"back on (?:track|schedule)|(?:we'?re|we are) ok(?:ay)?",
        ),
        Reach.STATUS,
        "'December should be OK', 'back on track': going as planned, said in words no status "
        "rule read; news when the action is not already in progress.",
        lean=Status.IN_PROGRESS,
        news=True,
    ),
    DoubtRule(
        "ended-like",
        _any(
            r"scrapped|axed|shelved|abandoned|ditched|binned|stopped|not mine|no longer",
            r"handed (?:over|on)|transferred|moved to",
            # "please take this off your plan", "we've had to pull it", "drop the members one"
            r"take (?:it|this|that|them) off|off (?:the|your|our|my) (?:plan|list)",
            r"pull(?:ed)? (?:it|this|that|the plug)|drop(?:ped|ping)?(?!-)",
            r"not doing|any ?more|(?:merged|folded|rolled|absorbed) into|superseded",
        ),
        Reach.STATUS,
        "A word of work stopped or handed on that no status rule read.",
        lean=Status.WITHDRAWN,
        news=True,
    ),
)
_DOUBTS = tuple(re.compile(rule.words, re.IGNORECASE) for rule in DOUBTS)
# Slips of the keyboard meant as these are status words too ('compleet', 'signd').
_MEANT: dict[str, Status] = {
    **dict.fromkeys(
        ("complete", "completed", "finished", "done", "signed", "published", "delivered"),
        Status.COMPLETE,
    ),
    **dict.fromkeys(("delayed", "postponed", "slipped", "waiting"), Status.DELAYED),
    **dict.fromkeys(("withdrawn", "cancelled", "dropped"), Status.WITHDRAWN),
    **dict.fromkeys(("started", "progress", "progressing", "ongoing"), Status.IN_PROGRESS),
}
_MEANT_WORDS = frozenset(_MEANT)


@dataclass(frozen=True)
class Doubt:
    """Something in the residue that bears on a field."""

    kind: str
    words: str  # as the officer wrote them
    fields: frozenset[Field]
    lean: Status | None = None
    day: date | None = None  # a day the words may mean, offered when the date is asked
    problem: str = ""  # the question to ask about the date, when not the usual one


@dataclass(frozen=True)
class Read:
    """What the rules read of a reply, and where: what the residue is checked against."""

    note: str
    tokens: Tokens
    dates: Sequence[Found]  # every date phrase found
    ruled: Sequence[tuple[int, int]]  # every phrase a rule read, as character spans
    reading: ParsedReply  # what the rules made of it
    action: Candidate | None
    today: date
    status_at: Sequence[int] = field(default_factory=tuple)  # where the status was read from
    date_at: Sequence[int] = field(default_factory=tuple)  # where the date was read from
    date_cued: bool = False  # the date read was said to be the target ('new date', 'by')
    kept: bool = False  # the reply keeps the target in so many words ('target stays')


# ---------------------------------------------------------------------------------------------
# The residue

# Every phrase a rule reads, whatever it made of it: the rules have accounted for these.
_READ = (
    *status.READ_PHRASES,
    *vague.READ_PHRASES,
    *deadlines.READ_PHRASES,
    *evidence.READ_PHRASES,
    *progress.READ_PHRASES,
)


# One scan for all of them: where two overlap, the first found covers its words.
_ANY_READ = re.compile("|".join(f"(?:{p.pattern})" for p in _READ), re.IGNORECASE)


def phrases_read(note: str) -> list[tuple[int, int]]:
    """Where the rules' phrases are in the reply, as character spans."""
    return [m.span() for m in _ANY_READ.finditer(note) if m.end() > m.start()]


def residue(read: Read) -> str:
    """The reply with every accounted-for word blanked out (places kept)."""
    chars = list(read.note)
    spans = list(read.ruled) + phrases_read(read.note)
    spans += [(read.tokens[f.first].start, read.tokens[f.last].end) for f in read.dates]
    for pattern in _SET_ASIDE:
        spans += [m.span() for m in pattern.finditer(read.note)]
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    text = "".join(chars)
    own = _title_stems(read.action)
    if own:
        text = re.sub(
            r"[A-Za-z][\w'-]*",
            lambda m: " " * len(m.group()) if stem(m.group().lower()) in own else m.group(),
            text,
        )
    return text


def unaccounted(note: str, action: Candidate | None, today: date) -> str:
    """The residue of a reply as the tables alone leave it (no reading): for looking at."""
    tokens = tokenize(note)
    reading = ParsedReply(None, (), None, note, None, "", None, False, False)
    dates = all_dates(note, tokens, today)
    return residue(Read(note, tokens, dates, (), reading, action, today))


def _title_stems(action: Candidate | None) -> set[str]:
    return title_stems(action.text) if action is not None else set()


def doubts(read: Read) -> list[Doubt]:
    """Everything in the residue that could bear on the status or the date."""
    left = residue(read)
    found: list[Doubt] = []
    requests: list[range] = []
    taken: list[range] = []
    for rule, pattern in zip(DOUBTS, _DOUBTS, strict=True):
        for m in pattern.finditer(left):
            if rule.name == "request":
                requests.append(range(m.start(), m.end()))
            if rule.name == "question" and any(m.start() in span for span in requests):
                continue  # the request's question mark: weighed as a request
            if rule.news and rule.lean is not None and _not_news(left, m, rule.lean, read):
                continue
            if any(m.start() in span for span in taken):
                continue  # part of a doubt found already ("three weeks-ish")
            if rule.name == "ellipsis" and not _STOPS.match(read.note, m.end()):
                continue  # the verb goes on in the reply as written ("is done")
            fields = _reach(rule, read, m.start())
            if fields:
                day = None
                if rule.name == "time" and not _DONE_THEN.search(read.note[: m.start()]):
                    day = _day(m.group(), read.today)  # not "published 1/7": a day gone
                words = _question(read.note, m) if rule.name == "question" else m.group()
                found.append(Doubt(rule.name, words.strip(), fields, rule.lean, day))
                taken.append(range(m.start(), m.end()))
    found += _slips(left)
    foreign, at = _foreign(left)
    if foreign:  # what it says of the status can't be known; of a date read beside it, neither
        fields = frozenset({Field.STATUS}) | (_near(read, at) & {Field.DATE})
        found.append(Doubt("foreign", foreign, fields))
    missed = _MISSED_PERIOD.search(read.note)
    if missed and read.reading.status is not Status.DELAYED:
        fields = frozenset({Field.STATUS, Field.DATE})
        found.append(Doubt("missed", missed.group(), fields, Status.DELAYED))
    headline = _headline(left, read)
    if headline:
        found.append(Doubt("headline", headline, frozenset({Field.STATUS})))
    return found


# "Won't be this FY", "not going to reach 1% this FY": the work misses the period it was due
# in, whatever status words sit beside it; the dates rules read the period, not the miss.
_MISSED_PERIOD = re.compile(
    r"(?<![\w'])(?:won'?t|will not|not going to|isn'?t going to|aren'?t going to|not)"
    r"(?:\s+[\w'%]+){0,4}?\s+this\s+(?:f/?y|financial year|year|quarter)(?![\w])",
    re.IGNORECASE,
)


def _question(note: str, m: re.Match[str]) -> str:
    """The question a question mark ends, as the officer wrote it ('Done-ish?')."""
    if m.group() != "?":
        return m.group()
    start = max(note.rfind(stop, 0, m.start()) for stop in ".!?\n") + 1
    return note[start : m.end()].strip()[-60:]


# After a verb, the end of its sentence, in the reply as written (not the residue, where the
# words a rule read are blanked): "The annual report is." stops; "is done." does not.
_STOPS = re.compile(r"\s*(?:[.!]|$)")
_PROMISE = re.compile(r"\s+(?:by|before|soon|shortly|next|once|when|in time)\b", re.IGNORECASE)


def _not_news(text: str, m: re.Match[str], lean: Status, read: Read) -> bool:
    """A status word that tells nothing new: negated or still to come ('not signed yet',
    'live by Friday'), or the status already read says as much."""
    said = read.reading.status
    current = read.action.status if read.action is not None else None
    if lean is Status.COMPLETE and said in (Status.COMPLETE, Status.PARTIALLY_COMPLETE):
        return True  # something finished: read already, whole or in part
    if lean in (said, said or current):
        return True
    if _PROMISE.match(text, m.end()):
        return True
    if negated(m.group().lower().split()):
        return False  # "not gonna make it": the negation is the news
    before = words_before(read.tokens, read.tokens.at(m.start()), 4)
    return negated(before) or future_tense(before)


def _sentence(read: Read, at: int) -> int:
    index = min(read.tokens.at(at), len(read.tokens) - 1)
    return read.tokens[index].sentence if index >= 0 else 0


def _near(read: Read, at: int) -> frozenset[Field]:
    """The fields read from the same sentence as position `at`."""
    if not read.tokens:
        return frozenset()
    here = _sentence(read, at)
    fields = set()
    if any(_sentence(read, k) == here for k in read.status_at):
        fields.add(Field.STATUS)
    if any(_sentence(read, k) == here for k in read.date_at):
        fields.add(Field.DATE)
    return frozenset(fields)


_FINAL = frozenset({Status.COMPLETE, Status.WITHDRAWN})


def _reach(rule: DoubtRule, read: Read, at: int) -> frozenset[Field]:
    """The fields a doubt found at `at` bears on (see Reach)."""
    near = _near(read, at)
    status = read.reading.status
    final = {Field.STATUS} if status in _FINAL else set()
    reach = {
        Reach.DATE: {Field.DATE} | ({Field.STATUS} if status is Status.COMPLETE else set()),
        Reach.STATUS: {Field.STATUS},
        Reach.UNREAD: set() if near else {Field.STATUS},
        Reach.NEAR: near or {Field.STATUS},
        Reach.NEAR_ONLY: near,
        Reach.FINAL: final | (near & {Field.DATE}),
        Reach.FINAL_STATUS: final,
        Reach.UNCUED: set() if read.date_cued else {Field.DATE},
    }
    return frozenset(reach[rule.reach])


# "published 1/7", "approved 28/6": a day something was done, already gone.
_DONE_THEN = re.compile(
    r"\b(?:\w+ed|held|met|sent|went|ran|began|done|signed off)\s*$", re.IGNORECASE
)


def _day(words: str, today: date) -> date | None:
    """The day a time the rules could not place may mean read alone ('30/4'), if any."""
    answer = parse_date_answer(re.sub(r"-?ish$", "", words.strip()), today=today)
    return answer.day if answer.day is not None and answer.day >= today else None


_WORD = re.compile(r"[A-Za-z\u00c0-\u017f][\w'\u00c0-\u017f]*")
_LINK = re.compile(r"https?://\S+|www\.\S+|\S+@\S+", re.IGNORECASE)


def _slips(text: str) -> list[Doubt]:
    """Words no dictionary knows that were meant as status words ('compleet', 'signd')."""
    found = []
    for m in _WORD.finditer(_LINK.sub(" ", text)):
        word = m.group()
        if word.lower() in _KNOWN or is_english(word):
            continue
        target = meant(word, _MEANT_WORDS)
        if target is not None:
            found.append(Doubt("slip", word, frozenset({Field.STATUS}), _MEANT[target]))
    return found


_MOST_UNKNOWN = 0.3  # of a clause's words: more than this and it is in another language
_FEW_WORDS = 3  # in a clause this short, one word the reader can't read is enough
_CLAUSES = re.compile(r"[.!?\n,;:()]|\s[-\u2013\u2014]\s")


def _foreign(text: str) -> tuple[str, int]:
    """Words of the first clause written in a language the reader doesn't read, and where."""
    text = _LINK.sub(lambda m: " " * len(m.group()), text)
    start = 0
    for stop in [*_CLAUSES.finditer(text), None]:
        end = stop.start() if stop is not None else len(text)
        clause = text[start:end]
        words = [m.group() for m in _WORD.finditer(clause) if not _a_name(clause, m)]
        unknown = [w for w in words if _unknown(w)]
        # one word alone must be lower case: a capital opening a clause may be a name
        alone = [w for w in unknown if w.islower()] and len(words) <= _FEW_WORDS
        if (len(unknown) >= 2 or alone) and len(unknown) > _MOST_UNKNOWN * len(words):
            return " ".join(unknown[:4]), start
        start = stop.end() if stop is not None else end
    return "", 0


def _a_name(clause: str, m: re.Match[str]) -> bool:
    """A capital inside a clause, an acronym, a reference: a name of a person, a team, a
    system or an action, in any language."""
    word = m.group()
    inside = word[0].isupper() and bool(clause[: m.start()].strip())
    return inside or (word.isupper() and len(word) > 1) or any(c.isdigit() for c in word)


def _unknown(word: str) -> bool:
    """Not a word of English, nor a slip in one."""
    if len(word) < 3 or word.lower() in _KNOWN or is_english(word):
        return False
    return not slip_of_english(word)


_HEADLINE = re.compile(r"\W*([^\W\d][^.!?:,;\n\-\u2013\u2014]{0,24}?)\s*(?:!+|\s[-\u2013\u2014]\s)")
# Openings that announce a reply rather than say where the work stands.
_ANNOUNCES = re.compile(
    r"(?:quick |brief |short |an? )?(?:update|note|reply|answer|response|one|point|fyi|status|"
    r"progress|apologies|sorry|ok|okay|right|so|well|yes|no|yep|nope|hello|hi|morning|thanks)",
    re.IGNORECASE,
)


_LABEL = re.compile(r"\d|\b[A-Z]{2,}\b|(?i:^(?:re|regarding|as for|on)\b)")


def _headline(text: str, read: Read) -> str:
    """A short opening exclamation no rule read and nothing set aside ('In the bag -', 'Bit
    of a saga!'): where officers put the status, in words the reader does not know."""
    m = _HEADLINE.match(read.note)
    if m is None or len(m.group(1).split()) > 4 or _ANNOUNCES.fullmatch(m.group(1).strip()):
        return ""
    if _LABEL.search(m.group(1)):
        return ""  # "R11 - on hold", "PSPO - opens 2 Aug", "Re the panel -": a subject
    if text[: m.end(1)] != read.note[: m.end(1)]:
        return ""  # a rule read some of it, or it is a greeting: accounted for
    return m.group(1).strip()

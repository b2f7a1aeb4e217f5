"""A reply about several actions, read part by part: which part of the reply is whose.

The ways a reply's parts are told apart are tried in order (PART_FINDERS); the first that
finds two or more parts wins. A reply nothing splits is read whole, for the one action it is
about, or with `ref` None when the bot must ask which.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import NamedTuple

from handlers.language.replies.model import Candidate, ParsedReply
from handlers.language.replies.note import without_echo
from handlers.language.replies.offered import leans
from handlers.language.replies.progress import reports_progress
from handlers.language.replies.reading import parse_reply
from handlers.language.replies.which import ref_pattern, refs_mentioned, title_words
from handlers.language.vocabulary import MONTHS, WEEKDAYS, one_of

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
        for found in ref_pattern(candidate.ref).finditer(text):
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


Part = tuple[Candidate, str]  # an action, and the words of the reply about it


@dataclass(frozen=True)
class PartFinder:
    """One way of telling a reply's parts apart: what it reads, and why."""

    name: str
    find: Callable[[str, Sequence[Candidate], date], list[Part] | None]
    why: str
    # Parts told apart by title words alone may be split wrong ("Also can you send me the
    # wording of the annual report?"): each is confirmed, one action at a time.
    by_words: bool = False


def read_replies(
    text: str, candidates: Sequence[Candidate], *, today: date
) -> tuple[ParsedReply, ...]:
    """One reading per action the reply is about, in the order the officer wrote them.

    "R1 done. R4 delayed to March" is read part by part; "R1 and R7 both on track" gives
    both the same reading. Anything else is one reading, whose ref is None when the bot must
    ask which action.
    """
    plain = without_echo(text.replace("\u2019", "'").strip(), candidates)
    if len(candidates) > 1:
        for finder in PART_FINDERS:
            parts = finder.find(plain, candidates, today)
            if parts:
                readings = (parse_reply(body, [action], today=today) for action, body in parts)
                return tuple(replace(r, ref_unsure=finder.by_words) for r in readings)
    return (parse_reply(text, candidates, today=today),)


def _headed_by_refs(plain: str, candidates: Sequence[Candidate], today: date) -> list[Part] | None:
    heads = _heads(plain, candidates)
    if not heads or len(heads) < 2:
        return None
    if _says_something(plain[: heads[0].start], today):
        return None  # "Both delayed: R1 ..., R4 ..."
    by_ref = {c.ref: c for c in candidates}
    parts: list[Part] = []
    group: list[_Mention] = []
    for k, head in enumerate(heads):
        group.append(head)
        after = heads[k + 1].start if k + 1 < len(heads) else len(plain)
        body = plain[head.end : after]
        if k + 1 < len(heads) and _JOINED.fullmatch(body):
            continue  # "R1 and R7 both on track": R1 shares R7's part
        body = _LEAD_SEPARATOR.sub("", body).strip().rstrip(",;&").strip()
        if not body:  # "R1, R4": named, but nothing said about them
            return None
        parts += [(by_ref[mention.ref], body) for mention in group]
        group = []
    return parts


_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")


def sentences_of(text: str) -> list[str]:
    return [s for s in _SENTENCE.findall(text) if s.strip()]


def _by_sentences_with_refs(
    plain: str, candidates: Sequence[Candidate], today: date
) -> list[Part] | None:
    """'The toolkit options section (R15) is finished. R5 guide also signed off': each
    sentence belongs to the ref that opens it, or the only ref it names."""
    owner: dict[str, list[str]] = {}
    order: list[str] = []
    last: str | None = None
    leading: list[str] = []  # "Two things." before any action is named: with the first
    for sentence in sentences_of(plain):
        named = refs_mentioned(sentence, candidates)
        opening = [r for r in named if ref_pattern(r).match(sentence.strip())]
        ref = opening[0] if opening else named[0] if len(named) == 1 else last
        if ref is None and not _says_something(sentence, today):
            leading.append(sentence)
            continue
        if ref is None:
            return None  # news before any action is named: whose?
        if ref not in owner:
            owner[ref], last = [*leading] if not order else [], ref
            order.append(ref)
        owner[ref].append(sentence)
        last = ref
    if len(order) < 2:
        return None
    by_ref = {c.ref: c for c in candidates}
    return [(by_ref[ref], "".join(owner[ref]).strip()) for ref in order]


_OTHERS = re.compile(
    r"^\s*(?:and\s+)?(?:(?:the\s+)?(?:other|remaining)\s+(?:two|three|four|ones?)|(?:the\s+)?others"
    r"|the\s+rest|both\s+the\s+others)\b",
    re.IGNORECASE,
)


def _the_others(plain: str, candidates: Sequence[Candidate], today: date) -> list[Part] | None:
    """'3.3 finished last week. The other two haven't started': one named (by its ref or its
    title's words: 'Screening report - on track. Other two no change.'), then the rest."""
    sentences = _clauses(plain) if "\n" not in plain and len(sentences_of(plain)) < 2 else None
    sentences = sentences or sentences_of(plain)
    cut = next((k for k, s in enumerate(sentences) if k and _OTHERS.match(s)), None)
    if cut is None:
        return None
    first, rest = "".join(sentences[:cut]), "".join(sentences[cut:])
    named = refs_mentioned(plain, candidates)
    by_ref = {c.ref: c for c in candidates}
    if len(named) > 1:  # "EC2 done bar the protocol, EC9 closes Friday, the other two as before"
        return _several_then_the_others(first, rest, named, candidates, today)
    if not named and (claimed := title_words(first, candidates)) is not None:
        named = (claimed,)
    if len(named) != 1 or not (refs_mentioned(first, candidates) or title_words(first, candidates)):
        return None
    if _NOT_MINE.search(rest):  # "The other two are Sarah's.": no news of them
        return [(by_ref[named[0]], first.strip())]
    others = [c for c in candidates if c.ref != named[0]]
    return [(by_ref[named[0]], first.strip())] + [(c, rest.strip()) for c in others]


def _several_then_the_others(
    first: str, rest: str, named: Sequence[str], candidates: Sequence[Candidate], today: date
) -> list[Part] | None:
    """Several named, each heading its part, then 'the other two': the rest alike."""
    parts = _headed_by_refs(first.strip().rstrip(",;"), candidates, today)
    if not parts or {c.ref for c, _ in parts} != set(named):
        return None
    if _NOT_MINE.search(rest):
        return parts
    others = [c for c in candidates if c.ref not in named]
    return parts + [(c, rest.strip()) for c in others] if others else None


_NOT_MINE = re.compile(
    r"\b(?:not (?:mine|me|ours|us|my \w+)|(?-i:[A-Z][a-z]+)'s\s*[.!]?\s*$|someone else'?s"
    r"|another (?:team|officer)'?s?|(?:with|for) (?:another|a different) (?:team|officer))",
    re.IGNORECASE,
)


# "Nothing new on any of these", "all as before", "everything else fine": said of them all.
_OF_ALL = re.compile(
    r"\b(?:(?:any|all|each|none) of (?:these|them|those|the (?:\w+ )?actions)|all (?:two|three"
    r"|four|five|six)\b|everything(?: else)?|the lot|across the board|all (?:as|the same as)"
    r" (?:before|was|last time|per (?:my )?last))",
    re.IGNORECASE,
)


def _all_and_one(plain: str, candidates: Sequence[Candidate], today: date) -> list[Part] | None:
    """'Nothing new on any of these since last month. CP4 still with Legal.': one sentence said
    of them all, the others about one action named: that one its own, the rest the first."""
    sentences = sentences_of(plain)
    general = [
        s
        for s in sentences
        if _OF_ALL.search(s)
        and not refs_mentioned(s, candidates)
        and title_words(s, candidates) is None
    ]
    if len(general) != 1 or len(sentences) < 2:
        return None
    own = "".join(s for s in sentences if s is not general[0])
    named = refs_mentioned(own, candidates)
    if not named and (claimed := title_words(own, candidates)) is not None:
        named = (claimed,)
    if len(named) != 1:
        return None
    by_ref = {c.ref: c for c in candidates}
    others = [c for c in candidates if c.ref != named[0]]
    return [(by_ref[named[0]], own.strip())] + [(c, general[0].strip()) for c in others]


_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4}
_ORDINAL_HEAD = re.compile(
    r"(?:^|[.;,\n]\s*)(?:the\s+)?(first|second|third|fourth|fifth|last)(?:\s+one)?(?:'s)?\b",
    re.IGNORECASE,
)


_ORDINAL_LEAD = re.compile(r"^\s*(?:'s|is|was)?\s*[-:\u2013\u2014,]?\s*", re.IGNORECASE)


def _by_ordinals(plain: str, candidates: Sequence[Candidate], today: date) -> list[Part] | None:
    """'first one's on track, second one hasn't started': the actions in the order listed."""
    heads = list(_ORDINAL_HEAD.finditer(plain))
    if len(heads) < 2:
        return None
    parts: list[Part] = []
    for k, head in enumerate(heads):
        word = head[1].lower()
        index = len(candidates) - 1 if word == "last" else _ORDINALS[word]
        if index >= len(candidates):
            return None
        end = heads[k + 1].start() if k + 1 < len(heads) else len(plain)
        # the part's own words, without "First one's": "one's done" is no count of one
        body = _ORDINAL_LEAD.sub("", plain[head.end() : end])
        parts.append((candidates[index], body.strip(" ,;.\n")))
    return parts if len({c.ref for c, _ in parts}) == len(parts) else None


_ALL = re.compile(
    r"^\s*(?:(?:they'?re\s+)?both|neither|all\s+(?:of\s+(?:them|these)|(?:two|three|four|five)))\b",
    re.IGNORECASE,
)


def title_parts(text: str, candidates: Sequence[Candidate]) -> list[Part]:
    """Each sentence given to the action whose own title words it uses; unclaimed sentences
    go with the one before them, and one about 'both' or 'all' with every part."""
    parts: list[tuple[str, str]] = []  # (ref, text)
    alike: list[str] = []
    leading = ""  # words before any action is named go with the first one named
    for sentence in sentences_of(text):
        ref = title_words(sentence, candidates)
        if parts and ref is not None and not _news_in(sentence):
            ref = None  # "Tenants' Panel were happy with that.": of the news before it
        if ref is not None and sentence.rstrip().endswith("?") and not _HEADED.match(sentence):
            ref = None  # "is the steering group's channel being archived?": asked, no news
        if ref is not None and (not parts or parts[-1][0] != ref):
            parts.append((ref, leading + sentence))
            leading = ""
        elif _ALL.match(sentence):
            alike.append(sentence)  # "Both fine for March."
        elif parts:
            parts[-1] = (parts[-1][0], parts[-1][1] + sentence)
        else:
            leading += sentence
    if len({ref for ref, _ in parts}) != len(parts):
        return []  # the same action in two places: tangled, not guessed
    by_ref = {c.ref: c for c in candidates}
    return [(by_ref[ref], (body + " " + " ".join(alike)).strip()) for ref, body in parts]


def _news_in(sentence: str) -> bool:
    """A sentence that says how some work stands: progress words, or words leaning to a
    status, or a day."""
    if reports_progress(sentence) or leans(sentence) or _A_DAY.search(sentence):
        return True
    return bool(_HEADED.match(sentence) or _PLAIN_NEWS.search(sentence))


# "Surveys: sorry, haven't touched it", "b) walkabouts - fine": a heading names its subject.
_HEADED = re.compile(r"^\s*(?:\w\)\s*)?[^.!?:\n]{1,40}?(?:\s[-\u2013\u2014]\s|:\s)")
_PLAIN_NEWS = re.compile(
    r"\b(?:fine|ok|okay|good|great|grand|as before|as was|no change|unchanged|same|on track"
    r"|carr(?:y|ies) on|booked|touched|happen\w*|mine|not me|yet|cracking|sorted|going|left)\b",
    re.IGNORECASE,
)


_A_DAY = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?|{one_of(MONTHS)}|{one_of(WEEKDAYS)}|week|month"
    r"|spring|summer|autumn|winter|q[1-4])\b",
    re.IGNORECASE,
)


_ITEM = re.compile(r"^[ \t]*(?:[-*\u2022\u2013]|\(?\d{1,2}[.):])[ \t]+(\S.*)$", re.MULTILINE)


def _a_list_in_order(plain: str, candidates: Sequence[Candidate], today: date) -> list[Part] | None:
    """'1. mystery shopper guidelines - complete / 2. equality monitoring - not started ...':
    a list with one item per action listed, in the reminder's order. An item naming another
    action's words ends it: the order is then not the reminder's."""
    return _in_order([item.strip() for item in _ITEM.findall(plain)], candidates)


def _in_order(items: Sequence[str], candidates: Sequence[Candidate]) -> list[Part] | None:
    """One item per action, in the reminder's order, unless an item names another action."""
    if len(items) != len(candidates) or len(items) < 2:
        return None
    for item, candidate in zip(items, candidates, strict=True):
        claimed = title_words(item, candidates)
        if claimed is not None and claimed != candidate.ref:
            return None
    return [(c, item) for c, item in zip(candidates, items, strict=True)]


_LINE_NUMBER = re.compile(r"(?:^|(?<=\s))\(?([1-9])[.)]\s+")


def _lines_in_order(plain: str, candidates: Sequence[Candidate], today: date) -> list[Part] | None:
    """'Framework: on track / YSWD: now end of May / Equality Qs: no change', or '1) 35/40
    2) done 3) stuck': as many lines (or numbered items) as actions listed, none naming another
    action's words or ref: the reminder's order."""
    numbered = list(_LINE_NUMBER.finditer(plain))
    if [int(m[1]) for m in numbered] == list(range(1, len(candidates) + 1)):
        ends = [m.start() for m in numbered[1:]] + [len(plain)]
        items = [plain[m.end() : end].strip() for m, end in zip(numbered, ends, strict=True)]
    else:
        items = [line.strip() for line in plain.splitlines() if line.strip()]
        if refs_mentioned(plain, candidates):
            return None
    return _in_order(items, candidates)


_ALIKE = re.compile(
    r"^\W*(?:(?:answering|replying|speaking) for (?:all|both)\b[^:.\n]*[:.-]?\s*)?"
    r"(?:(?:they'?re |these are |they are )?both\b|all (?:of (?:them|these|those)|two|three|four"
    r"|five|six|the (?:above|actions))\b|(?:the |y )?ddau\b|pob un\b|(?:answering|replying) for "
    r"(?:all|both))",
    re.IGNORECASE,
)


def _all_alike(plain: str, candidates: Sequence[Candidate], today: date) -> list[Part] | None:
    """'Both done', 'All three fine, nothing to report', 'both late, sorry': what is said is
    said of every action listed, when none is named apart."""
    if not _ALIKE.match(plain) or refs_mentioned(plain, candidates):
        return None
    if title_parts(plain, candidates):
        return None
    return [(c, plain) for c in candidates]


def _clauses(text: str) -> list[str]:
    """'toolkit fine, forums fine, mapping behind - Jan': the clauses of one sentence."""
    return [c for c in re.findall(r"[^,;]+(?:[,;]|$)", text) if c.strip()]


def _clauses_by_titles(
    plain: str, candidates: Sequence[Candidate], today: date
) -> list[Part] | None:
    """'toolkit fine, forums fine, mapping behind (GIS backlog) - Jan': one sentence, a clause
    for each action, each opening with its title's words."""
    if "\n" in plain.strip() or len(sentences_of(plain)) > 1 or refs_mentioned(plain, candidates):
        return None
    parts: list[tuple[str, str]] = []
    for clause in _clauses(plain):
        ref = title_words(clause, candidates)
        if ref is None and not parts:
            return None
        if ref is None or (parts and parts[-1][0] == ref):
            parts[-1] = (parts[-1][0], parts[-1][1] + clause)
        else:
            parts.append((ref, clause))
    if len(parts) < 2 or len({ref for ref, _ in parts}) != len(parts):
        return None
    by_ref = {c.ref: c for c in candidates}
    return [(by_ref[ref], body.strip(" ,;")) for ref, body in parts]


def _by_titles(plain: str, candidates: Sequence[Candidate], today: date) -> list[Part] | None:
    """'Website: still delayed ... Social media strategy: draft approved ...': parts headed
    by the words of each action's title, where no reference is given."""
    if refs_mentioned(plain, candidates):
        return None
    parts = title_parts(plain, candidates)
    return parts if len(parts) >= 2 else None


PART_FINDERS = (
    PartFinder("the others", _the_others,
               "'3.3 finished. The other two haven't started': one or more named, then the rest."),
    PartFinder("headed by refs", _headed_by_refs,
               "'R1 done. R4 delayed to March': each ref opens its part."),
    PartFinder("sentences with refs", _by_sentences_with_refs,
               "'The options section (R15) is finished. R5 guide signed off': a ref per sentence."),
    PartFinder("all, and one", _all_and_one,
               "'Nothing new on any of these. CP4 still with Legal.': one named, the rest alike."),
    PartFinder("ordinals", _by_ordinals,
               "'first one's on track, second one hasn't started': in the order listed."),
    PartFinder("a list in order", _a_list_in_order,
               "'1. guidelines - complete / 2. monitoring - not started': one item per action."),
    PartFinder("by titles", _by_titles,
               "'Website: delayed. Strategy: on track.': each part names its action's words.",
               by_words=True),
    PartFinder("clauses by titles", _clauses_by_titles,
               "'toolkit fine, forums fine, mapping behind - Jan': a clause per action.",
               by_words=True),
    PartFinder("lines in order", _lines_in_order,
               "'1) 35/40 2) done 3) stuck': a line or numbered item per action, in order."),
    PartFinder("all alike", _all_alike,
               "'Both done', 'All three fine': the same said of every action listed."),
)  # fmt: skip


def _says_something(prefix: str, today: date) -> bool:
    """Words before the first ref that carry a status or a date ("Delayed: R1 and R4")."""
    if not prefix.strip(" \n\t:,.-"):
        return False
    parsed = parse_reply(prefix, [], today=today)
    return parsed.status is not None or bool(parsed.date_text)

"""A reply about several actions, each heading its own part, read part by part."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from handlers.language.replies.model import Candidate, ParsedReply
from handlers.language.replies.note import without_echo
from handlers.language.replies.reading import parse_reply
from handlers.language.replies.which import ref_pattern

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


def read_replies(
    text: str, candidates: Sequence[Candidate], *, today: date
) -> tuple[ParsedReply, ...]:
    """One reading per action the reply is about, in the order the officer wrote them.

    A reply naming several actions, each heading its own part ("R1 done. R4 delayed to
    March"), is read part by part; "R1 and R7 both on track" gives both the same reading.
    Anything else is one reading, whose ref is None when the bot must ask which action.
    """
    plain = without_echo(text.replace("\u2019", "'").strip(), candidates)
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

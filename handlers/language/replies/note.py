"""The officer's own words: the reminder quoted back left out, the leading ref taken off."""

from __future__ import annotations

import re
from collections.abc import Sequence

from handlers.language.replies.model import Candidate
from handlers.language.replies.tokens import NOTE_FILLER
from handlers.language.replies.which import ref_pattern, refs_mentioned

# ---------------------------------------------------------------------------------------------
# The note


def strip_leading_ref(text: str, candidates: Sequence[Candidate], several: bool) -> str:
    """'R1: done' -> 'done'; 'R1 - done' -> 'done'; 'R1 done' -> 'done' unless more refs follow."""
    for candidate in candidates:
        m = ref_pattern(candidate.ref).match(text)
        if m:
            rest = text[m.end() :]
            sep = re.match(r"\s*[:\-\u2013\u2014.,)]+\s*|\s+|$", rest)
            if sep and (sep.group().strip() or not rest or not several):
                return rest[sep.end() :].strip()
    return text


def only_status_and_date(note: str, spans: Sequence[tuple[int, int]]) -> bool:
    """Nothing but status words, the date and filler: 'Done', 'Delayed until the spring'."""
    chars = list(note)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    words = re.findall(r"[\w']+", "".join(chars).lower())
    return all(w in NOTE_FILLER for w in words)


# ---------------------------------------------------------------------------------------------
# parse_reply


_QUOTED_LINE = re.compile(r"^[ \t]*>.*(?:\n|$)", re.MULTILINE)


# "@engagebot both fine": who the reply is addressed to, as a Teams or Slack habit.
AT_THE_BOT = re.compile(r"^\s*@[\w.-]+[:,]?\s*")


def without_echo(text: str, candidates: Sequence[Candidate]) -> str:
    """The reply without the reminder copied back into it: its '>' quoted lines (as email
    quotes them) and any action's own words, which tell what was asked, not what was done."""
    text = AT_THE_BOT.sub("", _QUOTED_LINE.sub("", text))
    for candidate in candidates:
        words = candidate.text.split()
        if len(words) < 3:  # too short to be told from the officer's own words
            continue
        own = r"\s+".join(re.escape(w) for w in words)
        text = re.sub(rf"[\"'\u201c\u2018]?{own}[\"'\u201d\u2019]?", " ", text, flags=re.I)
    return text.strip()


# Where text pasted from elsewhere begins: a forwarded message, or an email's header lines.
_PASTED = re.compile(
    r"^[ \t]*(?:-{2,}[ \t]*(?:forwarded|original) message[ \t]*-*|from:[ \t]+\S.*\n"
    r"(?:[ \t]*(?:sent|date|to|cc|subject):.*\n?){1,4})",
    re.IGNORECASE | re.MULTILINE,
)
_HEADER_LINE = re.compile(r"[ \t]*(?:-{2,}.*|(?:from|sent|date|to|cc|subject):.*)$", re.I)
# A pasted message ends at its sign-off or its small print.
_SIGN_OFF = re.compile(
    r"^[ \t]*(?:kind regards|best regards|regards|best wishes|many thanks|thanks|cheers|"
    r"this (?:e-?mail|message) (?:and any|is confidential)|registered in)\b",
    re.IGNORECASE | re.MULTILINE,
)


def pasted_apart(text: str) -> tuple[str, str]:
    """The officer's own words, and the body of a message they pasted or forwarded below
    them ('See below from the web team.' over 'From: Web Team ...'), headers and small print
    left out."""
    match = _PASTED.search(text)
    if match is None:
        return text, ""
    own, pasted = text[: match.start()].strip(), text[match.start() :]
    lines = [line for line in pasted.splitlines() if not _HEADER_LINE.fullmatch(line)]
    body = "\n".join(lines).strip()
    end = _SIGN_OFF.search(body)
    return own, (body[: end.start()] if end else body).strip()


def quoted_ref(text: str, candidates: Sequence[Candidate]) -> tuple[str, ...]:
    """The one action named in the quoted lines ('> S4: Roll out ...'): what is answered."""
    quoted = "\n".join(m.group() for m in _QUOTED_LINE.finditer(text))
    refs = refs_mentioned(quoted, candidates)
    return refs if len(refs) == 1 else ()

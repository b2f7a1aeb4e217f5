"""Slips of the keyboard in officers' replies: 'compelte', 'delyed', 'Feburary'.

Only the words a reply's reading hangs on are put right (status words and month names), and
only for one slip (a letter wrong, missing or extra, or two neighbours swapped) with the first
letter right; real words one slip away ("as stated", "groups compete") are left alone. The
note keeps what the officer wrote: this is only for reading it. Linear in the reply's length.
"""

from __future__ import annotations

import re

from handlers.language.vocabulary import MONTH_NAMES, PARTLY_QUALIFIERS

__all__ = ["fix_typos"]


# The words a slip must not hide: status words and month names (a misspelt date is no date).
_SPELLED = frozenset(
    {"complete", "completed", "finished", "delayed", "postponed", "withdrawn", "started"}
    | {"progress", "partially", "partly", "ongoing", "until", "cancelled", "slipped"}
    | {"deferred", "superseded", "track", "signed"}
    | {name.lower() for name in MONTH_NAMES if len(name) > 4}
)
# Real words one slip away from those: left alone ("as stated", "groups compete").
_REAL_WORDS = frozenset(
    {"stated", "compete", "competed", "match", "marsh", "parch", "trace", "tract", "truck"}
    | {"trick", "delays", "relayed", "decayed", "starter", "starts", "staked", "stalled"}
    | {"progressed", "tracks", "tracked", "until", "julie", "julia", "junes", "augusta"}
    | {"finishes", "finisher", "completes", "completer", "starter", "started", "starts"}
)
_SHORT_SLIPS = {"trak": "track", "dne": "done", "compelete": "complete", "pubd": "published"}
_QUALIFYING = frozenset(PARTLY_QUALIFIERS) | {"fully", "now", "is", "all", "been"}


def _one_slip(word: str, target: str) -> bool:
    """One letter wrong, missing, extra, or two neighbours swapped (and the first right)."""
    if word[0] != target[0] or abs(len(word) - len(target)) > 1 or word == target:
        return False
    if len(word) == len(target):
        diff = [k for k, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        if len(diff) == 1:
            return True
        a, b = diff[0], diff[-1]
        return len(diff) == 2 and b == a + 1 and word[a] == target[b] and word[b] == target[a]
    short, long_ = (word, target) if len(word) < len(target) else (target, word)
    pairs = zip(short, long_[: len(short)], strict=True)
    k = next((k for k, (a, b) in enumerate(pairs) if a != b), len(short))
    return short[k:] == long_[k + 1 :]


def _corrected(word: str, previous: str) -> str | None:
    lower = word.lower()
    if lower in _SHORT_SLIPS:
        return _SHORT_SLIPS[lower]
    if len(lower) < 5 or lower in _SPELLED:
        return None
    if lower == "compete" and previous in _QUALIFYING:  # "partially compete"
        return "complete"
    if lower in _REAL_WORDS:
        return None
    return next((target for target in _SPELLED if _one_slip(lower, target)), None)


def fix_typos(text: str) -> str:
    """The text with slips in status words and month names put right ('delyed', 'Feburary')."""
    out: list[str] = []
    last, previous = 0, ""
    for m in re.finditer(r"[A-Za-z]+", text):
        fixed = _corrected(m.group(), previous)
        if fixed is not None:
            out.append(text[last : m.start()] + fixed)
            last = m.end()
        previous = m.group().lower()
    out.append(text[last:])
    fixed = _SIGNED_OF.sub(r"\1 off", "".join(out))
    return _WK.sub(lambda m: "weeks" if m[0].lower().endswith("s") else "week", fixed)


# "prob next wk", "back in 2 wks": the week, shortened.
_WK = re.compile(r"\bwks?\b", re.IGNORECASE)

# "signed it of tues": 'off', the one slip no dictionary sees, as 'of' is a word too.
_SIGNED_OF = re.compile(r"\b(signed(?: it| them| this)?) of\b", re.IGNORECASE)

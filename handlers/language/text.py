"""Text as people can read it, store it and open it in Word: no control characters."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # not tab or line breaks
_LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})  # vertical tab: Mac Excel, FileMaker
_CONTROL_NAMES = {"\x00": "NUL", "\x7f": "DEL"}


def without_controls(text: str) -> tuple[str, str]:
    """The text with control characters removed, and the names of those removed ("" if none).

    NUL and friends can't be stored by PostgreSQL, shown in chat or written to Word, and no one
    types them on purpose: they come from copying out of other systems.
    """
    text = text.translate(_LINE_BREAKS)
    found = sorted(set(_CONTROL.findall(text)))
    if not found:
        return text, ""
    names = ", ".join(_CONTROL_NAMES.get(c, f"U+{ord(c):04X}") for c in found)
    return _CONTROL.sub("", text), names


def readable(text: str) -> str:
    """The text without control characters (line breaks and tabs kept)."""
    return without_controls(text)[0]


def one_line(text: str) -> str:
    """A name, title or area: readable, on one line, spaces collapsed."""
    return " ".join(readable(text).split())


def folded(text: str) -> str:
    """The text for matching a search: accents and case set aside ("Môn" is "mon", "Café" is
    "cafe"), so a resident without a Welsh or French keyboard still finds it."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.casefold()


# Titles and honorifics that come before a name: "Good morning Dr." is not a greeting.
_TITLES = {
    "dr", "cllr", "councillor", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "sir",
    "dame", "lord", "lady", "rev", "revd", "the", "hon",
}  # fmt: skip


def given_name(name: str) -> str:
    """The name to greet someone by: 'Dr Ruth Okafor' → 'Ruth', 'Cllr Pat Doyle' → 'Pat'."""
    words = [w for w in name.replace(",", " ").split() if "@" not in w]
    for word in words:
        if word.lower().rstrip(".") not in _TITLES:
            return word
    return ""

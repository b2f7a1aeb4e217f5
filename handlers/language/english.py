"""Which words are English, and which English word a slip was meant to be.

The reader reads English (and Welsh dates): a run of words it has never seen is text it can't
read, and it must not settle anything on it. The word list is pyspellchecker's English
dictionary (words seen in subtitles and the like, mostly American spellings), loaded once, on
first use; British spellings and the endings of plain English are tried too.
"""

from __future__ import annotations

import functools
import re

from spellchecker import SpellChecker

# British spellings, and endings a dictionary of word forms may lack.
_VARIANTS = (
    (re.compile(r"is(e|ed|es|ing|ation|ations)$"), r"iz\1"),  # "finalised", "organisation"
    (re.compile(r"our$"), "or"),  # "colour"
    (re.compile(r"ours$"), "ors"),
    (re.compile(r"tre$"), "ter"),  # "centre"
    (re.compile(r"(?<=.)(s|es|ed|d|ing|ly)$"), ""),  # plurals, past and -ing forms
)
_CLITIC = re.compile(r"'(?:s|ll|re|ve|d|m)$|n't$")


@functools.cache
def _dictionary() -> SpellChecker:
    return SpellChecker(language="en", distance=1)


@functools.lru_cache(maxsize=8192)
def is_english(word: str) -> bool:
    """A word of English ('signed', 'bag', 'finalised'), not a foreign or misspelt one."""
    word = _CLITIC.sub("", word.lower().strip("'"))
    checker = _dictionary()
    if word in checker or any(pattern.sub(to, word) in checker for pattern, to in _VARIANTS):
        return True
    return _compound(word, checker)


def _compound(word: str, checker: SpellChecker) -> bool:
    """Two English words written as one ('rollout', 'signoff', 'helpdesk')."""
    return any(word[:k] in checker and word[k:] in checker for k in range(3, len(word) - 2))


@functools.lru_cache(maxsize=8192)
def slip_of_english(word: str) -> bool:
    """A longer word one letter away from an English one ('residnets', 'aproval'): a slip."""
    return len(word) >= 5 and bool(_dictionary().candidates(word.lower()))


@functools.lru_cache(maxsize=8192)
def meant(word: str, among: frozenset[str]) -> str | None:
    """The word of `among` a slip of one letter was meant to be ('compleet', 'signd')."""
    word = word.lower()
    if len(word) < 4:
        return None
    found = _dictionary().candidates(word) or set()
    hits = sorted(found & among)
    return hits[0] if hits else None

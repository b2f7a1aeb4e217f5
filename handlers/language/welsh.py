"""Welsh, read as its English: councils in Wales are answered in both languages, often in one
message ("Deisebau: wedi gorffen ✅", "bydd y log yn fyw o ddydd Mawrth nesaf").

Two tables. `PHRASES` turns the Welsh an officer uses about progress and time into the
English the reader already knows, for reading only: the note keeps what the officer wrote.
`TITLE_WORDS` gives the English of the nouns action titles are made of, so "hyfforddiant
Safonau'r Gymraeg" finds "Welsh Language Standards training". Both list the mutated forms
Welsh grammar makes of a word ("canllaw", "ganllaw", "nghanllaw"), as officers write them.
"""

from __future__ import annotations

import re

_WEEKDAYS = {
    "llun": "monday",
    "mawrth": "tuesday",  # "dydd Mawrth" is Tuesday; "Mawrth" alone is March
    "mercher": "wednesday",
    "iau": "thursday",
    "gwener": "friday",
    "sadwrn": "saturday",
    "sul": "sunday",
}
_NEXT = r"nesaf|nesa"
_LAST = r"diwethaf|diwetha|dwetha"

# Phrases, most specific first. Each reads as what an English-writing officer would type.
PHRASES: tuple[tuple[str, str], ...] = (
    (rf"\bd?dydd ({'|'.join(_WEEKDAYS)}) (?:{_NEXT})\b", "next {0}"),
    (rf"\bd?dydd ({'|'.join(_WEEKDAYS)}) (?:{_LAST})\b", "last {0}"),
    (rf"\bd?dydd ({'|'.join(_WEEKDAYS)})\b", "{0}"),
    (rf"\bwythnos (?:{_NEXT})\b", "next week"),
    (rf"\bwythnos (?:{_LAST})\b", "last week"),
    (rf"\bmis (?:{_NEXT})\b", "next month"),
    (rf"\bmis (?:{_LAST})\b", "last month"),
    (r"\bwedi(?:'i|'u| ei| eu)? (?:gorffen|orffen|gwblhau|chwblhau|cwblhau)\b", "completed"),
    (r"\bwedi(?:'i|'u| ei| eu)? (?:gyhoeddi|chyhoeddi|cyhoeddi)\b", "published"),
    (r"\bwedi(?:'i|'u| ei| eu)? (?:gymeradwyo|chymeradwyo|cymeradwyo)\b", "approved"),
    (r"\bwedi(?:'i|'u| ei| eu)? (?:ohirio|gohirio)\b|\bgohiriwyd\b", "postponed"),
    (r"\bwedi(?:'i|'u| ei| eu)? (?:dynnu|thynnu)(?: yn ôl|'n ôl|'n ol)\b", "withdrawn"),
    (r"\bwedi(?:'i|'u| ei| eu)? (?:gynnal|chynnal)\b|\bcynhaliwyd\b", "held"),
    (r"\bwedi(?:'i|'u| ei| eu)? (?:drefnu|threfnu)\b", "arranged"),
    (r"\bwedi (?:dechrau|cychwyn)\b", "started"),
    (r"\bheb (?:ddechrau|gychwyn)\b", "not started"),
    (r"\bwedi cau\b", "closed"),
    (r"\bwedi(?:'i|'u| ei| eu)? (?:wneud|gwneud)\b", "done"),
    (r"\b(?:gellir|gallwch|mae modd) (?:ei |eu )?(?:gau|cau)\b", "can be closed"),
    (r"\bbron (?:â|a) gorffen\b", "nearly finished"),
    (r"\bbron yn barod\b", "nearly ready"),
    (r"\bbron yna\b", "nearly there"),
    (r"\b(?:dal )?ar y trywydd iawn\b", "on track"),
    (r"\bar y gweill\b", "under way"),
    (r"\bdim byd eto\b", "nothing yet"),
    (r"\bdim eto\b", "not yet"),
    (r"\byn fyw\b", "live"),
    (r"\byn barod\b", "ready"),
    (r"\byn hwyr\b", "late"),
    (r"\byn dechrau\b", "starting"),
    (r"\btarged newydd\b", "new target"),
    (r"\byn y ddwy iaith\b", "in both languages"),
    (r"\byn [gc]ymraeg a saesneg\b", "in Welsh and English"),
    (r"\bsut i gymryd rhan\b", "how to take part"),
    (r"\bnid fy ngwaith i\b|\bddim yn waith i mi\b", "not mine"),
    (r"\bgofynnwch i\b", "ask"),
    (r"\bnewyddion da\b", "good news"),
    (r"\bbore da\b", "good morning"),
    (r"\bdiweddariad\b", "update"),
    (r"\bgobeithio\b", "hopefully"),
    (r"\berbyn\b", "by"),
    (r"\bar (?:ôl|ol)\b", "after"),
    (r"\btan\b", "until"),
    (r"\bheddiw\b", "today"),
    (r"\bddoe\b", "yesterday"),
    (r"\byfory\b", "tomorrow"),
    (r"\bdiolch\b", "thanks"),
    (r"\bsori\b", "sorry"),
    (r"\bhelo\b", "hello"),
)
_PHRASES = tuple((re.compile(p, re.IGNORECASE), english) for p, english in PHRASES)
_ANY = re.compile("|".join(f"(?:{p})" for p, _ in PHRASES), re.IGNORECASE)


def _english(match: re.Match[str], english: str) -> str:
    if "{0}" in english:
        return english.format(_WEEKDAYS[match[1].lower()])
    return english


def phrases_in_english(text: str) -> str:
    """The Welsh phrases of progress and time in a message as their English."""
    if not _ANY.search(text):
        return text
    for pattern, english in _PHRASES:
        text = pattern.sub(lambda m, e=english: _english(m, e), text)  # type: ignore[misc]
    return text


# The nouns action titles are made of, with their mutated forms.
TITLE_WORDS: dict[str, str] = {
    "hyfforddiant": "training",
    "hyfforddi": "training",
    "safonau": "standards",
    "safon": "standard",
    "strategaeth": "strategy",
    "cyfranogiad": "participation",
    "canllaw": "guide",
    "ganllaw": "guide",
    "nghanllaw": "guide",
    "deiseb": "petition",
    "ddeiseb": "petition",
    "deisebau": "petitions",
    "gweddarlledu": "webcast",
    "weddarlledu": "webcast",
    "cronfa": "database",
    "gronfa": "database",
    "grwpiau": "groups",
    "cymunedol": "community",
    "dinasyddion": "citizens",
    "adroddiad": "report",
    "hadroddiad": "report",
    "cynllun": "plan",
    "gynllun": "plan",
    "ymgynghoriad": "consultation",
    "ymgynghori": "consultation",
    "ymgysylltu": "engagement",
    "cymraeg": "welsh",
    "gymraeg": "welsh",
    "cyllideb": "budget",
    "gyllideb": "budget",
    "ieuenctid": "youth",
    "arolwg": "survey",
    "harolwg": "survey",
    "polisi": "policy",
    "templed": "template",
    "gwefan": "website",
    "wefan": "website",
    "mewnrwyd": "intranet",
    "fewnrwyd": "intranet",
    "cyfieithu": "translation",
    "pwyllgor": "committee",
    "craffu": "scrutiny",
    "aelodau": "members",
    "swyddogion": "officers",
    "partneriaid": "partners",
    "sesiwn": "session",
    "fforwm": "forum",
    "fforymau": "forums",
    "ysgol": "school",
    "ysgolion": "schools",
    "pobl": "people",
    "ifanc": "young",
    "sesiynau": "sessions",
}

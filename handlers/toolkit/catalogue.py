"""The duty catalogue: what each law asks of a council before it decides, nation by nation.

A duty is data (handlers/toolkit/duties.yaml, read and checked with the flowchart): its Act and
section, the nations it applies in, the kind of process it sets, what it requires, who must be
consulted or told, the timing, where it came from and when that was checked. This module holds
the vocabulary (nations, kinds, fields), the Duty itself, and the search that matches an
officer's words ("closing the library", "double yellows") to the duties.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

NATIONS = {
    "england": "England",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern_ireland": "Northern Ireland",
}
DEFAULT_NATION = "england"  # an engine walk given no nation (the chat always gives one)

# The kinds of statutory process, and the words an ending shows for each.
KINDS = {
    "consultation": "consultation",
    "notice_and_objections": "notice and objections",
    "referendum": "referendum",
    "request_to_decide": "request to decide",
    "staff_consultation": "staff consultation",
    "involvement_duty": "involvement duty",
    "equality_or_language_duty": "equality or language duty",
    # not a process the council runs: the answer is to tell people (and engage if it chooses)
    "another_body": "another body decides",
    "no_statutory_process": "no statutory process",
}
# The kinds above that are no statutory process of the council's own.
NOT_A_PROCESS = ("another_body", "no_statutory_process")

# The areas of a council's work the catalogue is organised by.
FIELDS = {
    "finance": "finance",
    "housing": "housing and homelessness",
    "licensing": "licensing and gambling",
    "highways": "highways and traffic",
    "planning": "planning",
    "culture": "libraries, leisure and culture",
    "education": "education and young people",
    "staff": "staff and employment",
    "community": "community rights",
    "health": "health service changes",
    "equality": "equality and language",
    "involvement": "involvement duties",
    "land": "land and property",
    "community_safety": "community safety",
    "emergencies": "emergencies",
}

# How a duty's text was checked: against the law's own text, official guidance, or memory.
CHECKED = ("legislation", "guidance", "memory")


@dataclass(frozen=True)
class Source:
    checked: str  # one of CHECKED
    where: str  # the address or document it was checked against
    date: str  # when, as YYYY-MM-DD


@dataclass(frozen=True)
class Duty:
    """What a law (or the courts' fairness rules) asks before deciding: shown at the end."""

    id: str
    name: str
    law: str
    asks: str
    who: tuple[str, ...] = ()  # who must be consulted or told
    timing: str = ""
    # (nation name, how its law differs): shown only when the council's nation is not known
    elsewhere: tuple[tuple[str, str], ...] = ()
    nations: tuple[str, ...] = tuple(NATIONS)  # where it applies
    kind: str = ""  # a KINDS key; "" for the courts' fairness tests
    label: str = ""  # the button offering it on the law question
    fields: tuple[str, ...] = ()  # FIELDS keys
    common: bool = False  # offered on the law question in its nations
    always: bool = False  # on every ending in its nations
    words: tuple[str, ...] = ()  # what an officer might say of it, for the search
    also: tuple[str, ...] = ()  # other duty ids it brings in
    instead: tuple[tuple[str, str], ...] = ()  # (nation key, the duty id that applies there)
    notes: tuple[tuple[str, str], ...] = ()  # (nation key, what differs there)
    not_here: tuple[tuple[str, str], ...] = ()  # (nation key, what applies instead, in words)
    source: Source | None = None

    def applies_in(self, nation: str) -> bool:
        return nation in self.nations

    def note_for(self, nation: str) -> str:
        return dict(self.notes).get(nation, "")

    def button(self) -> str:
        return self.label or self.name

    def where(self) -> str:
        """The nations it applies in, in words: "England and Wales"."""
        names = [NATIONS[n] for n in self.nations]
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


_STOP_WORDS = (
    "a an and the of to for in on at by or with from our we us is are be it its this that "
    "do does not no new next use into out off up can need must should about per via our "
    "council councils want wants"
)
_STOP = set(_STOP_WORDS.split())


def terms(text: str) -> tuple[str, ...]:
    """The words of a text as the search compares them, in order: lower case, no plural s."""
    found = re.findall(r"[a-z0-9]+", text.lower().replace("'", "").replace("\u2019", ""))
    return tuple(_stem(w) for w in found if w not in _STOP)


def _stem(word: str) -> str:
    for ending in ("ies", "es", "s"):
        if len(word) > 4 and word.endswith(ending) and not word.endswith("ss"):
            return word[: -len(ending)] + ("y" if ending == "ies" else "")
    return word


def relevance(duty: Duty, said: tuple[str, ...]) -> int:
    """How well an officer's words fit a duty: the words of each of its phrases they used,
    in the phrase's order ("licensing board" is not in "policy for the board's licensing")."""
    score = 0
    for phrase in duty.words:
        wanted = terms(phrase)
        if wanted and _contains(said, wanted):
            score += len(wanted)
    return score


def _contains(said: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(said[i : i + size] == phrase for i in range(len(said) - size + 1))


def search(
    duties: Iterable[Duty],
    text: str,
    nation: str | None,
    fields: tuple[str, ...] = (),
    limit: int = 4,
) -> list[Duty]:
    """The duties an officer's words point to, best first (in `nation`, if given)."""
    said = terms(text)
    found = [
        (relevance(d, said), i, d)
        for i, d in enumerate(duties)
        if (nation is None or d.applies_in(nation))
        and (not fields or set(d.fields) & set(fields))
        and d.kind
    ]
    ranked = sorted((f for f in found if f[0] > 0), key=lambda f: (-f[0], f[1]))
    return [d for _, _, d in ranked[:limit]]

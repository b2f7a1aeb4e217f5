"""Which action a reply is about: its reference, or the distinctive words of its text."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from handlers.language.replies.model import Candidate
from handlers.language.replies.tokens import wordset
from handlers.language.welsh import TITLE_WORDS

# ---------------------------------------------------------------------------------------------
# Which action


def ref_pattern(ref: str) -> re.Pattern[str]:
    """'R1' as r1 / R 1 / recommendation 1; '1.3' as 1.3 / action 1.3; a bare '3' needs a word."""
    body = re.escape(ref.strip())
    m = re.fullmatch(r"([A-Za-z]+)\.?\s*(\d+(?:\.\d+)*)", ref.strip())
    if m:
        body = rf"(?:{re.escape(m[1])}\.?\s?|(?:recommendation|rec|action)\s*){re.escape(m[2])}"
    elif ref.strip().isdigit():
        body = rf"(?:recommendation|rec|action|item|no\.?|#)\s*{body}"
    else:
        body = rf"(?:(?:recommendation|rec|action|item)\s*)?{body}"
    return re.compile(rf"(?<![\w.£$/&-]){body}(?![\w/]|\.\d)", re.IGNORECASE)


def refs_mentioned(text: str, candidates: Sequence[Candidate]) -> tuple[str, ...]:
    """Candidate refs named in the text, in order of first mention."""
    positions: list[tuple[int, str]] = []
    for candidate in candidates:
        m = ref_pattern(candidate.ref).search(text)
        if m and candidate.ref not in (ref for _, ref in positions):
            positions.append((m.start(), candidate.ref))
    return tuple(ref for _, ref in sorted(positions))


_STOPWORDS = wordset(
    "a an the and or of to in on at by for with from that this these those is are was were be "
    "been it its we our us you your they their he she his her i me my as so than then there "
    "which who what when where how all any each some more most other into about also has have "
    "had not no yes will would should can could may might must do does did done new now still "
    "council councils recommend recommends recommended recommendation produce produces make "
    "ensure ensures ensuring level wide action actions work working plan whether up out over "
    "complete completed delayed track progress started live use used using just "
    # time and linking words: 'still a fair bit to do before June' names no action
    "before after until till since during while again only very both such same own being "
    "through between within without across against once per via fair bit lot lots them "
    # "a 12-week consultation" is not named by "last week"
    "day days week weeks month months year years last first next time times "
    # what a message calls itself: 'wee update for your records' names no action
    "update updates news fyi"
)
# Officers rarely echo the recommendation's words: a few council synonyms.
_SYNONYMS = {
    "register": "record",
    "log": "record",
    "database": "record",
    "tracker": "record",
    "spreadsheet": "record",
    "guidance": "guide",
    "toolkit": "guide",
    "handbook": "guide",
    "manual": "guide",
    "expenditure": "spend",
    "spending": "spend",
    "cost": "spend",
    "costs": "spend",
    "budget": "spend",
    "eqia": "equality",  # an equality impact assessment
    "eia": "equality",
    "reg": "regulation",  # "the Reg 19 plan": officers shorten a title's long words
    "regs": "regulation",
    "comms": "communications",
    "cttee": "committee",
    "mgmt": "management",
    "consultation": "consult",
    "consultations": "consult",
    "consulting": "consult",
}


@functools.lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """A crude stem so 'guides' meets 'guide' and 'engaged' meets 'engagement'."""
    word = TITLE_WORDS.get(word, word)  # "hyfforddiant" is "training"
    word = _SYNONYMS.get(word, word)
    for suffix in ("ments", "ment", "ings", "ing", "ions", "ion", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return _SYNONYMS.get(word, word).rstrip("e")


def content_words(text: str) -> set[str]:
    words = re.findall(r"[a-z]+", text.lower())
    return {stem(w) for w in words if w not in _STOPWORDS and len(w) > 2}


def title_stems(text: str) -> set[str]:
    """Content words, and adjacent pairs joined ('flow charts' is a 'flowchart')."""
    words = re.findall(r"[a-z]+", text.lower())
    pairs = zip(words, words[1:], strict=False)
    joined = {stem(a + b) for a, b in pairs if not ({a, b} & _STOPWORDS) and len(a) > 2}
    return content_words(text) | joined


_NAME_RUN = re.compile(r"(?:[A-Z][a-z]+(?:\s+(?:of|&)\s+|\s+))+[A-Z][a-z]+")
_LINKS = frozenset({"and", "of", "&"})
_BODIES = frozenset({"board", "committee", "cabinet", "council", "team", "executive"})


@functools.lru_cache(maxsize=4096)
def initials(text: str) -> frozenset[str]:
    """The initials of each run of capitalised words, three letters or more: 'Community
    Risk Management Plan' is the crmp."""
    runs = (run.split() for run in _NAME_RUN.findall(text))
    # a deciding body ('the IJB moved its meeting') is who acts, not what the action is
    runs = (run for run in runs if run[-1].lower() not in _BODIES)
    found = ("".join(w[0].lower() for w in run if w not in _LINKS) for run in runs)
    return frozenset(letters for letters in found if len(letters) >= 3)


# Words in many titles of a plan: they tell one action from another only by accident.
TOO_COMMON = frozenset({"partnership", "engag", "community", "staff", "team", "officer", "meet"})
# A deciding body named in a title ('across the Board area') is named in news of any action
# ('approved by the Board'): it points nowhere.
TOO_COMMON |= {stem("board"), stem("cabinet"), stem("committee")}


def _own(candidates: Sequence[Candidate]) -> dict[str, set[str]]:
    """Each action's title words that no other of the candidates shares."""
    words = {c.ref: title_stems(c.text) - TOO_COMMON for c in candidates}
    return {
        ref: mine - set().union(*(w for r, w in words.items() if r != ref))
        for ref, mine in words.items()
    }


def title_words(text: str, candidates: Sequence[Candidate]) -> str | None:
    """The one action whose own title words (shared with no other) the text uses.

    For news volunteered without a reference: 'the flowchart's been delayed' is about
    'Flow charts to help officers decide...', if no other action of the officer's is.
    """
    said = title_stems(text)
    scores = sorted(
        ((len(said & words), ref) for ref, words in _own(candidates).items()), reverse=True
    )
    best, ref = scores[0]
    second = scores[1][0] if len(scores) > 1 else 0
    if best >= 1 and second == 0:
        return ref
    if best == 0:
        return _by_initials(text, candidates)
    return None


def _by_initials(text: str, candidates: Sequence[Candidate]) -> str | None:
    """The one action a name's initials stand for, when no title word is used: 'the new SPG
    reps' for 'representation on the Strategic Planning Group'."""
    said = {w.lower() for w in re.findall(r"\b[A-Z]{3,6}\b", text)}
    refs = [c.ref for c in candidates if said & initials(c.text)] if said else []
    return refs[0] if len(refs) == 1 else None


# "Re the social media strategy though - ...": the reply turns to another subject.
_TURN = re.compile(
    r"(?:^|[.;!?\n]\s*)(?:re|regarding|as for|as regards|also on|on the subject of)\s+(?:the\s+)?"
    r"(?P<topic>[^.\-\u2013\u2014,:;]{3,60}?)(?:\s+(?:though|too|as well|one))?"
    r"\s*[\-\u2013\u2014:,]",
    re.IGNORECASE,
)


def this_subject(text: str, action: Candidate | None) -> str:
    """The reply up to where it turns to a subject that is not the action's own ('website: no
    change. Re the social media strategy though - approved'), for reading; the rest is kept in
    the note but is about something else."""
    if action is None:
        return text
    own = title_stems(action.text)
    for match in _TURN.finditer(text):
        topic = title_stems(match["topic"]) - TOO_COMMON
        if match.start() > 0 and topic and not topic & own:
            return text[: match.start()]
    return text


def overlapping(text: str, candidates: Sequence[Candidate]) -> list[str]:
    """The actions whose own title words the text uses at all, most shared first."""
    said = title_stems(text)
    shared = [(len(said & (title_stems(c.text) - TOO_COMMON)), c.ref) for c in candidates]
    return [ref for n, ref in sorted(shared, key=lambda s: -s[0]) if n]


def most_shared(text: str, candidates: Sequence[Candidate]) -> list[str]:
    """The actions sharing the most title words with the text (several when they tie)."""
    said = title_stems(text)
    shared = {c.ref: len(said & (title_stems(c.text) - TOO_COMMON)) for c in candidates}
    best = max(shared.values(), default=0)
    return [ref for ref, n in shared.items() if n == best] if best else []


# "Complete the EqIAs ... and train all managers": a new step after "and", or after a ";".
_STEP = re.compile(
    r";|\(\w\)|\band (?=(?:then )?(?:train|publish|report|produce|develop|establish|review"
    r"|agree|hold|deliver|run|set up|create|consult|engage|promote|provide|monitor|launch"
    r"|share|circulate|update|adopt|embed|appoint|introduce|brief|translate|recruit|evaluate"
    r"|pilot|roll out|build|design|write|commission)\b)",
    re.IGNORECASE,
)


def steps_of(text: str) -> list[set[str]]:
    """The title words of each step of a bundled action ('... and train all managers')."""
    steps = [content_words(part) for part in _STEP.split(text)]
    return [step for step in steps if step]


# "the engagement document, summary and Easy Read version": a list, with a comma in it.
_A_LIST = re.compile(r"(?:[\w' -]+,\s*)+[\w' -]+?\s(?:and|&)\s[\w' -]+", re.IGNORECASE)
_ITEM = re.compile(r",\s*|\s+(?:and|&)\s+", re.IGNORECASE)


_IN_BRACKETS = re.compile(r"\(([^()]*,[^()]*)\)")


def items_of(text: str) -> list[set[str]]:
    """The title words of each item of an action's list of things ('the engagement document,
    summary and Easy Read version', 'in each locality (North, Central, South)'), when it lists
    three or more; else none."""
    found = _A_LIST.search(text) or _IN_BRACKETS.search(text)
    if found is None:
        return []
    listed = found.group(1) if found.re is _IN_BRACKETS else found.group()
    items = [content_words(part) for part in _ITEM.split(listed)]
    items = [item for item in items if item]
    return items if len(items) >= 3 else []


# One own word names an action only by luck as often as not ('the locality sessions', said of
# one action's sessions and another's localities): it takes two to settle which, else asked.
SURE_WORDS = 2

# Words in nearly every engagement plan's actions: shared, they point nowhere.
_IN_EVERY_PLAN = TOO_COMMON | {stem("consultation"), stem("council"), stem("public")}


def _word_match(text: str, candidates: Sequence[Candidate]) -> str | None:
    """The one candidate whose distinctive words the reply uses clearly more than any other's."""
    words = {c.ref: content_words(c.text) for c in candidates}
    reply = content_words(text)
    scores: list[tuple[int, str]] = []
    for ref, own in words.items():
        others = set().union(*(w for r, w in words.items() if r != ref))
        scores.append((len(reply & (own - others)), ref))  # shared words tell nothing
    scores.sort(reverse=True)
    best, ref = scores[0]
    second = scores[1][0] if len(scores) > 1 else 0
    shared = reply - _IN_EVERY_PLAN
    if best == 1 and any(shared & own for r, own in words.items() if r != ref):
        return None  # 'the locality sessions': one word its own, one it shares with another
    if best >= 1 and (second == 0 or best >= 2 * second + 1):
        return ref
    return None


def own_words_used(text: str, ref: str, candidates: Sequence[Candidate]) -> int:
    """How many of the action's own title words (shared with no other) the text uses."""
    return len(title_stems(text) & _own(candidates)[ref])


def which_action(
    text: str, candidates: Sequence[Candidate], mentioned: tuple[str, ...]
) -> str | None:
    if len(mentioned) == 1:
        return mentioned[0]
    if mentioned or not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0].ref
    return _word_match(text, candidates)

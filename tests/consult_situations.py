"""Situations written blind, walked through the console chat and scored point by point.

Each situation in tests/fixtures/consult_situations_*.yaml was written by someone who never saw
the product: a council's nation, a title as an officer types it, a story, the answers to the
walk's questions, and the ending a consultation lawyer would expect (the kind of process, the
level, the law, who must be consulted or told, the timing, and the duties that do not apply in
that nation).

`walk` plays the officer: it answers each question the chat asks from the situation (the
question is recognised by its text in the flowchart), names the law by picking the choice
whose words match the title, or says "another law" and types the title when none does, and
returns the ending. `score` then marks six points; a point the writer left nothing to check
for is None (not counted):

- process: the kind of process the ending names ("Process: notice and objections"); an ending
  with no such line counts as a consultation when it says the law requires consulting, else as
  no statutory process;
- level: the ending's "Level:" against the expected level;
- law: every expected law (the Act's title and year, and its first section number) is named in
  a duty the ending says applies;
- consultees: at least 60% of the kinds of people the writer expects (police, tenants,
  parents, ...) are named in the ending's duties;
- timing: at least half of the writer's figures (21 days, 10 weeks, 11 March, 5 years ...)
  appear in the ending's duties;
- not_here: no duty that does not apply in the council's nation is named as applying (the
  ending may name it under "Not in <nation>").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

FIXTURES = Path(__file__).parent / "fixtures"
POINTS = ("process", "level", "law", "consultees", "timing", "not_here")
NATION_NAMES = {
    "england": "England",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern_ireland": "Northern Ireland",
}


@dataclass(frozen=True)
class Situation:
    id: str
    batch: str  # "dev" or "held"
    nation: str
    title: str
    story: str
    answers: dict[str, Any]
    expect: dict[str, Any]
    confidence: str = ""
    source: str = ""
    disputed: str = ""  # where we believe the writer's expectation is wrong, and why


def load(batch: str) -> list[Situation]:
    """The situations of one batch ("dev" or "held"), as written."""
    path = FIXTURES / f"consult_situations_{batch}.yaml"
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Situation(
            id=row["id"],
            batch=batch,
            nation=row["nation"],
            title=row["title"],
            story=row.get("story", ""),
            answers=row["answers"],
            expect=row["expect"],
            confidence=row.get("confidence", ""),
            source=row.get("source", ""),
            disputed=row.get("disputed", ""),
        )
        for row in rows
    ]


def batches() -> list[str]:
    """The batches in tests/fixtures, dev first."""
    found = [
        p.stem.removeprefix("consult_situations_")
        for p in FIXTURES.glob("consult_situations_*.yaml")
    ]
    return sorted(found, key=lambda b: (b != "dev", b))


# ---------------------------------------------------------------- playing the officer

_STOP_WORDS = (
    "a an and the of to for in on at by or with from our we us is are be it its this that "
    "do does not no new next year use into out off up can need must should about per via - "
    "council councils policy review proposal proposed plan scheme change"
)
_STOP = set(_STOP_WORDS.split())
_OPTION = re.compile(r"^\s*\[(\d+)\] (.+)$", re.M)
_CONTROLS = {"Why are you asking?", "Back", "Start again"}


def words(text: str) -> set[str]:
    """The content words of a text, lower-case, a plural's s dropped."""
    found = re.findall(r"[a-z0-9]+", text.lower().replace("'", ""))
    return {w[:-1] if len(w) > 4 and w.endswith("s") else w for w in found if w not in _STOP}


def options(reply: str) -> list[str]:
    return [label for _, label in _OPTION.findall(reply) if label not in _CONTROLS]


def best_match(labels: Iterable[str], text: str) -> str | None:
    """The label sharing the most content words with text (the first on a tie), or None."""
    wanted = words(text)
    scored = [(len(words(label) & wanted), -i, label) for i, label in enumerate(labels)]
    scored = [s for s in scored if s[0] > 0]
    return max(scored)[2] if scored else None


def _size(people: str) -> str:
    numbers = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", people)]
    wide = re.search(r"whole|borough|county|district|wide|all\b", people.lower())
    biggest = max(numbers, default=0)
    if wide or biggest >= 3000:
        return "The whole borough"
    return "One neighbourhood or ward" if biggest >= 300 else "A few people or one street"


def _fairness(s: Situation) -> str:
    a = s.answers
    for key, label in (
        ("promised", "We have promised to consult on this"),
        ("before", "We have always consulted on changes like this"),
        ("taking_away", "It takes away a service or benefit people have now"),
        ("heavy", "It would hit one place or one group hard"),
    ):
        if a.get(key):
            return label
    return "None of these"


def _influence(s: Situation) -> str:
    told = f"{s.title} {s.story}".lower()
    if re.search(r"co-produc|with the friends|designed? with|together with", told):
        return "They can help shape the options and decide with us"
    if re.search(r"run (it|them) themselves|community-run by|deliver it themselves", told):
        return "They will help run or deliver it themselves"
    return "They can comment on options we have drawn up"


def _law(s: Situation, labels: list[str], reply: str = "") -> str:
    """The law question: the choice the product says matches the title, else the one whose
    words the title uses, else "another law" if one applies."""
    fixed = [x for x in labels if re.match(r"(another law|no, none|not sure)", x, re.I)]
    duties = [x for x in labels if x not in fixed]
    suggested = re.search(r"Matching your title: (.+?)\.$", reply, re.M)
    if suggested:
        top = suggested.group(1).split("; ")[0]
        if top in duties:
            return top
    picked = best_match(duties, s.title)
    if picked:
        return picked
    has_law = bool(s.expect.get("law")) or s.expect.get("process", "none") != "none"
    other = next((x for x in fixed if x.lower().startswith("another law")), None)
    if has_law and other:
        return other
    return next((x for x in fixed if x.lower().startswith("no, none")), "No, none of these")


def _pick(s: Situation, labels: list[str]) -> str:
    """Search results: the match that best fits the title and story, else the first."""
    found = [x for x in labels if not re.match(r"(none of these|no, none|not sure)", x, re.I)]
    if not found:
        return next(x for x in labels if re.match(r"(none of these|no, none)", x, re.I))
    return best_match(found, f"{s.title} {s.story}") or found[0]


Answerer = Callable[..., str]  # (situation, the choices offered[, the reply]) -> the answer


def _yes_no(key: str, yes: str, no: str) -> Answerer:
    return lambda s, labels: yes if s.answers.get(key) else no


DECIDED = _yes_no("decided", "Agreed in principle, or already decided", "No, it's still open")
ANSWERS: dict[str, Answerer] = {
    "title": lambda s, labels: s.title,
    "nation": lambda s, labels: NATION_NAMES[s.nation],
    "area": lambda s, labels: "skip",
    "start_date": lambda s, labels: "skip",
    "end_date": lambda s, labels: "skip",
    "budget": lambda s, labels: "skip",
    "who": _yes_no(
        "staff_only",
        "Only council staff",
        "Residents, service users, businesses or community groups",
    ),
    "urgent": _yes_no("emergency", "Yes, it's an emergency", "No, there is time to plan"),
    "size": lambda s, labels: next(
        x for x in labels if x.startswith(_size(str(s.answers.get("people", ""))))
    ),
    "protected": _yes_no("groups_more", "Yes, or it might", "No, it affects everyone alike"),
    "audience": lambda s, labels: "skip all" if "Skip these details" in labels else "skip",
    "legal_duty": _law,
    "staff_law": _law,
    "emergency_law": _law,
    "law_search": lambda s, labels: s.title,
    "law_pick": _pick,
    "expectation": lambda s, labels: _fairness(s),
    "expectation_none": lambda s, labels: _fairness(s),
    "decided_duty": DECIDED,
    "decided_expected": DECIDED,
    "decided": _yes_no("decided", "Yes, it's fixed", "No, it's still open"),
    "recent": lambda s, labels: "No, not that I know of",
    "influence": lambda s, labels: _influence(s),
}


@dataclass
class Walked:
    ending: str
    said: list[tuple[str, str]] = field(default_factory=list)  # (node id, answer)


def walk(send: Callable[[str], str], s: Situation, questions: dict[str, str]) -> Walked:
    """Answer the chat's questions as the situation's officer would, to the ending.

    `questions` maps each question's text to its node id (from the flowchart in use).
    """
    reply = send("should I consult?")
    said: list[tuple[str, str]] = []
    for _ in range(40):
        if "Level:" in reply:
            return Walked(reply, said)
        node = _which(reply, questions)
        if node is None or node not in ANSWERS:
            raise AssertionError(f"{s.id}: a question the officer can't answer:\n{reply}")
        answerer = ANSWERS[node]
        answer = (
            answerer(s, options(reply), reply) if answerer is _law else answerer(s, options(reply))
        )
        said.append((node, answer))
        reply = send(answer)
    raise AssertionError(f"{s.id}: the walk did not end:\n{reply}")


def _which(reply: str, questions: dict[str, str]) -> str | None:
    """The node whose question the reply asks (the longest question text found)."""
    found = [(len(q), node) for q, node in questions.items() if q and q in reply]
    return max(found)[1] if found else None


# ---------------------------------------------------------------- scoring the ending


@dataclass(frozen=True)
class Score:
    situation: Situation
    points: dict[str, bool | None]
    ending: str = ""

    @property
    def perfect(self) -> bool:
        return all(v is not False for v in self.points.values())


def blocks(ending: str) -> list[tuple[str, str]]:
    """The ending's items as (heading, body) in the console's rendering."""
    found: list[tuple[str, str]] = []
    for part in re.split(r"\n  • ", "\n" + ending)[1:]:
        heading, _, body = part.partition("\n")
        found.append((heading.strip(), body))
    return found


def applying(ending: str, nation: str) -> list[tuple[str, str]]:
    """The duty items the ending says apply (a Law: line), not those under "Not in ..."."""
    return [
        (h, b)
        for h, b in blocks(ending)
        if "Law:" in b and not h.startswith(("Not in", "Does not apply", "Elsewhere"))
    ]


_NATION_LINE = re.compile(r"^\s*(England|Wales|Scotland|Northern Ireland): .*$", re.M)


def _duty_text(ending: str, nation: str) -> str:
    """The applying duties' text, without the notes on how other nations differ."""
    return "\n".join(_NATION_LINE.sub("", f"{h}\n{b}") for h, b in applying(ending, nation))


def _law_lines(ending: str, nation: str) -> list[str]:
    return [
        line.strip()
        for _, body in applying(ending, nation)
        for line in body.splitlines()
        if line.strip().startswith("Law:")
    ]


def _norm(text: str) -> str:
    text = text.lower().replace("’", "'").replace("'", "")
    text = re.sub(
        r"\b(ss?|regs?|arts?|sch|paras?|section|sections|regulations?)\.?\s*(\d)", r" \2", text
    )
    return " ".join(re.findall(r"[a-z0-9]+", text))


def parse_law(law: str) -> tuple[set[str], str, str]:
    """An expected law as (its title's words, its year, its first section number)."""
    match = re.search(r"\b(1[89]\d\d|20\d\d)\b", law)
    if match is None:
        return words(law), "", ""
    title, rest = law[: match.start()], law[match.end() :]
    rest = rest.split("(")[0] if not re.match(r"\s*\(", rest) else rest
    section = re.search(r"\d+[A-Za-z]?", rest)
    return words(title) - {"act"}, match.group(1), section.group(0).lower() if section else ""


def names(lines: Iterable[str], law: str) -> bool:
    """Whether a line names this law: its year, most of its title's words, and its section."""
    title, year, section = parse_law(law)
    for line in lines:
        normal = _norm(line)
        if year and year not in normal.split():
            continue
        got = words(line)
        if title and len(title & got) / len(title) < 0.8:
            continue
        if section and section not in normal.split():
            continue
        return True
    return False


_KINDS = (
    "consultation",
    "notice and objections",
    "referendum",
    "request to decide",
    "staff consultation",
    "involvement duty",
    "equality or language duty",
)


def process_of(ending: str) -> str:
    found = re.search(r"Process: ([a-z ]+)", ending)
    if found:
        said = found.group(1).strip()
        kind = next((k for k in sorted(_KINDS, key=len, reverse=True) if said.startswith(k)), "")
        return kind.replace(" ", "_") or "none"
    if ending.startswith(("Consult formally; the law requires it", "Consult before the final")):
        return "consultation" if "Law:" in ending else "none"
    if ending.startswith("Plan to consult, and ask legal services"):
        return "unknown"
    return "none"


def level_of(ending: str) -> str:
    found = re.search(r"Level: ([A-Za-z ]+?) \(", ending)
    return found.group(1).strip().lower().replace(" ", "_") if found else ""


_WHO = {
    "police": r"police|constable|psni",
    "fire": r"\bfire\b",
    "ambulance": r"ambulance",
    "health": r"health board|public health|\bnhs\b|health and social care|\btrust\b",
    "bus": r"\bbus",
    "freight": r"freight|haulage|road user",
    "tenants": r"tenant",
    "residents": r"resident|people who live|households|local people|electors|catchment",
    "landlords": r"landlord",
    "agents": r"\bagent",
    "businesses": r"business|trader|chamber|\bfsb\b",
    "ratepayers": r"ratepayer",
    "precepting": r"precept",
    "claimants": r"claimant",
    "parents": r"parent",
    "pupils": r"pupil",
    "staff": r"\bstaff|employee",
    "unions": r"union",
    "governors": r"governor",
    "diocese": r"diocese|church",
    "local councils": r"parish|town council|community council",
    "schools": r"school",
    "users": r"\buser",
    "young people": r"young people|youth",
    "voluntary": r"voluntary|third sector|community (group|organisation|bod)",
    "owners": r"\bowner",
    "occupiers": r"occupier",
    "commissioner": r"commissioner",
    "ministers": r"minister",
    "consultation bodies": r"consultation bod|statutory consultee|specific consultation",
    "equality groups": r"equality scheme|section 75|s75|protected characteristic",
    "disabled people": r"disab",
    "licence holders": r"licen[cs]e(s)? holder|licensees|certificate holder",
    "public": r"public|anyone|everyone",
}


def who_of(text: str) -> set[str]:
    lowered = text.lower()
    return {kind for kind, pattern in _WHO.items() if re.search(pattern, lowered)}


_NUMBERS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirty": "30",
    "twenty": "20", "fourteen": "14", "fifteen": "15", "eighteen": "18", "forty-five": "45",
}  # fmt: skip
_FACT = re.compile(
    r"\b(\d+)(?:\s*(?:-|to|or)\s*\d+)?\s*(working days?|school days?|days?|weeks?|months?|years?)\b"
    r"|\b(\d{1,2}) (january|february|march|april|may|june|july|august|september|october|"
    r"november|december)\b"
)


def facts(text: str) -> set[str]:
    """The figures of a timing: "21 day", "10 week", "11 march"."""
    lowered = text.lower().replace("’", "'")
    for word, digit in _NUMBERS.items():
        lowered = re.sub(rf"\b{word}\b", digit, lowered)
    found: set[str] = set()
    for number, unit, day, month in _FACT.findall(lowered):
        if number:
            found.add(f"{number} {unit.rstrip('s')}")
        else:
            found.add(f"{day} {month}")
    return found


def _share(expected: set[str], got: set[str], enough: float) -> bool | None:
    if not expected:
        return None
    return len(expected & got) / len(expected) >= enough


def score(s: Situation, ending: str) -> Score:
    """The six points for one situation's ending (None where nothing was expected)."""
    e = s.expect
    duty = _duty_text(ending, s.nation)
    laws = _law_lines(ending, s.nation)
    duty_lines = duty.splitlines()
    expected_law = [str(x) for x in e.get("law") or []]
    points: dict[str, bool | None] = {
        "process": process_of(ending) == e.get("process", "none"),
        "level": level_of(ending) == e.get("level"),
        "law": all(names(duty_lines, x) for x in expected_law) if expected_law else None,
        "consultees": _share(who_of(" ".join(e.get("consultees") or [])), who_of(duty), 0.6),
        "timing": _share(facts(str(e.get("timing") or "")), facts(duty), 0.5),
        "not_here": not any(names(laws, str(x)) for x in e.get("not_here") or []),
    }
    return Score(s, points, ending)


def tally(scores: list[Score]) -> dict[str, tuple[int, int]]:
    """For each point, and "all": (met, counted)."""
    out: dict[str, tuple[int, int]] = {}
    for point in POINTS:
        counted = [sc.points[point] for sc in scores if sc.points[point] is not None]
        out[point] = (sum(1 for v in counted if v), len(counted))
    out["all"] = (sum(1 for sc in scores if sc.perfect), len(scores))
    return out


def line(name: str, counts: dict[str, tuple[int, int]]) -> str:
    """One row of the score table: met/counted for each point, then "all"."""
    return f"{name:<12}" + "".join(
        f"{f'{met}/{n}':>12}" for met, n in (counts[p] for p in (*POINTS, "all"))
    )


HEADER = f"{'batch':<12}" + "".join(f"{p:>12}" for p in (*POINTS, "all"))


# ---------------------------------------------------------------- running them


@cache
def questions() -> dict[str, str]:
    """Each question's text in the default flowchart, to its node id."""
    from handlers.flows import consult
    from handlers.toolkit.flowchart import load as load_chart

    asked = {node.question: node.id for node in load_chart().nodes.values()}
    nation = getattr(consult, "NATION_QUESTION", "")  # asked while the council's is not set
    return {**asked, nation: "nation"} if nation else asked


def play(
    chat_for: Callable[[str], Callable[[str], str]], situations: list[Situation]
) -> list[Score]:
    """Walk each situation as its own officer (a fresh console conversation) and score it."""
    asked = questions()
    scores = []
    for s in situations:
        send = chat_for(f"officer.{s.id.lower()}@example.org")
        scores.append(score(s, walk(send, s, asked).ending))
    return scores


def play_in_memory(situations: list[Situation]) -> list[Score]:
    """The same, on a fresh database in a temporary folder (for the bench)."""
    import tempfile
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.channels.console import ConsoleChannel
    from bot.conversation import Conversation
    from handlers.chat.clock import FixedClock
    from handlers.chat.context import AppContext
    from models.db import make_engine, upgrade

    london = ZoneInfo("Europe/London")
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/engagebot.db")
        upgrade(engine)
        ctx = AppContext(
            engine=engine, clock=FixedClock(datetime(2026, 11, 23, 10, tzinfo=london)), tz=london
        )
        conversation = Conversation(ctx)
        try:
            return play(lambda user: ConsoleChannel(conversation, user).send, situations)
        finally:
            engine.dispose()

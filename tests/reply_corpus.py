"""The reply corpus (tests/fixtures/reply_corpus.yaml) and how a reading of it is scored.

Each row is one officer's reply to a reminder, with the reading a careful colleague would give
it. `score` runs the product's reader (`read_replies`, the function the reminder flow uses) and
says, part by part, whether the bot would confirm the right thing ("read"), ask the officer
("asked": with the status buttons, a date question or "which action?"), or confirm something
wrong ("wrong": the failure that matters, since officers press Save on what they are shown).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from handlers.language.replies import Candidate, ParsedReply, read_replies
from models.tables import Status

CORPUS = Path(__file__).parent / "fixtures" / "reply_corpus.yaml"

KEEP, ASK, NONE = "keep", "ask", "none"
STATUS_WORDS = {s.name.lower(): s for s in Status} | {
    "partial": Status.PARTIALLY_COMPLETE,
    "in_progress": Status.IN_PROGRESS,
    "not_started": Status.NOT_STARTED,
}


class Verdict(StrEnum):
    READ = "read"
    ASKED = "asked"
    WRONG = "wrong"


@dataclass(frozen=True)
class Expected:
    """What one action's reading should be: acceptable statuses and dates."""

    statuses: frozenset[object]  # Status, KEEP or ASK
    dates: frozenset[object]  # date, NONE or ASK


@dataclass(frozen=True)
class Row:
    number: int
    reply: str
    today: date
    candidates: tuple[Candidate, ...]
    expected: dict[str, Expected]  # by ref
    which: frozenset[str] = field(default_factory=frozenset)  # refs (or ASK) for "which action"
    batch: int = 1  # when the row was written (see the corpus's header)

    @property
    def label(self) -> str:
        return f"{self.number:03d} {self.reply[:60]}"


@dataclass(frozen=True)
class Score:
    verdict: Verdict
    why: str = ""


def _many(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _statuses(value: Any) -> frozenset[object]:
    return frozenset(v if v in (KEEP, ASK) else STATUS_WORDS[v] for v in _many(value))


def _dates(value: Any) -> frozenset[object]:
    out: set[object] = set()
    for v in _many(value):
        assert isinstance(v, date) or v in (NONE, ASK), f"bad date {v!r}"
        out.add(v)
    return frozenset(out)


def load() -> list[Row]:
    data = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    actions: dict[str, Candidate] = {}
    for key, a in data["actions"].items():
        status = Status(a["status"])
        actions[key] = Candidate(str(a["ref"]), a["text"], status=status, target=a["target"])
    rows = []
    written = [(1, raw) for raw in data["rows"]]
    for batch in range(2, 10):
        written += [(batch, raw) for raw in data.get(f"batch_{batch}", [])]
    for n, (batch, raw) in enumerate(written, start=1):
        candidates = tuple(actions[k] for k in raw["a"])
        if "x" in raw:
            expected = {
                str(ref): Expected(_statuses(s), _dates(d)) for ref, (s, d) in raw["x"].items()
            }
            which: frozenset[str] = frozenset()
        else:
            refs = [str(r) for r in _many(raw.get("ref", candidates[0].ref))]
            expected = {
                ref: Expected(_statuses(raw["s"]), _dates(raw["d"])) for ref in refs if ref != ASK
            }
            which = frozenset(refs)
        today = raw.get("t", data["today"])
        rows.append(Row(n, raw["r"], today, candidates, expected, which, batch))
    return rows


def _status_verdict(reading: ParsedReply, current: Status | None, want: Expected) -> Score:
    if reading.ask_status:
        return Score(Verdict.READ if ASK in want.statuses else Verdict.ASKED, "asked status")
    shown = reading.status or current
    if reading.status is None and KEEP in want.statuses:
        return Score(Verdict.READ)
    if shown in want.statuses or (KEEP in want.statuses and shown == current):
        return Score(Verdict.READ)
    said = reading.status.label if reading.status else f"kept {current}"
    return Score(Verdict.WRONG, f"status {said}")


def _date_verdict(reading: ParsedReply, target: date | None, want: Expected) -> Score:
    if reading.ask_date:
        return Score(Verdict.READ if ASK in want.dates else Verdict.ASKED, "asked date")
    shown: object = reading.new_date or NONE
    if shown in want.dates or (shown == target and NONE in want.dates):  # the same date again
        return Score(Verdict.READ)
    return Score(Verdict.WRONG, f"date {shown}")


def _combine(scores: Iterable[Score]) -> Score:
    scores = list(scores)
    for verdict in (Verdict.WRONG, Verdict.ASKED):
        found = [s.why for s in scores if s.verdict is verdict]
        if found:
            return Score(verdict, "; ".join(found))
    return Score(Verdict.READ)


def score(row: Row) -> Score:
    """What the bot would do with this reply, against what the row expects."""
    readings = read_replies(row.reply, row.candidates, today=row.today)
    current = {c.ref: c for c in row.candidates}
    if len(readings) == 1 and readings[0].ref is None:  # "which action is that about?"
        return Score(Verdict.READ if ASK in row.which else Verdict.ASKED, "asked which action")
    got = {r.ref: r for r in readings if r.ref is not None}
    if row.which:  # a reply about one action
        if len(got) != 1 or next(iter(got)) not in row.expected:
            return Score(Verdict.WRONG, f"read as about {sorted(got)}")
        ref, reading = next(iter(got.items()))
        return _one(reading, current[ref], row.expected[ref])
    scores = []
    for ref, want in row.expected.items():
        if ref in got:
            scores.append(_one(got[ref], current[ref], want))
        else:
            scores.append(Score(Verdict.ASKED, f"nothing read for {ref}"))
    if extra := set(got) - set(row.expected):
        scores.append(Score(Verdict.WRONG, f"read an update for {sorted(extra)}"))
    return _combine(scores)


def _one(reading: ParsedReply, action: Candidate, want: Expected) -> Score:
    return _combine(
        [_status_verdict(reading, action.status, want), _date_verdict(reading, action.target, want)]
    )


def tally(rows: Sequence[Row]) -> dict[Verdict, list[tuple[Row, Score]]]:
    out: dict[Verdict, list[tuple[Row, Score]]] = {v: [] for v in Verdict}
    for row in rows:
        s = score(row)
        out[s.verdict].append((row, s))
    return out

"""The reply corpus and how a reading of it is scored.

The corpus is tests/fixtures/reply_corpus.yaml (batches 1 to 7) and one file per later batch
in tests/fixtures/reply_batches/ (batch_8.yaml ...), each kept exactly as its blind writer
wrote it (the format is in that folder's README). Each row is one officer's reply, with the
reading a careful colleague would give it.

`score` runs the product's reader the way the chat does: `read_replies` for a reply to a
reminder, `read_volunteered` for an update the officer volunteered (`v: true`: a direct
message with no reminder before it). It counts each reply as the issue does:

- read: the bot would confirm the right status and date;
- asked: rightly asked: where the expected reading is `ask`, or with the right answer among
  the candidates the question offers as buttons (the statuses it found, best first, at most
  three; each date it found; "keep the target" always; the right action among those listed);
- unoffered: asked, but without the right answer on offer (the officer has to type it), or
  the message was not understood at all;
- wrong: a wrong status or date shown as settled, for Save: the failure that matters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from handlers.language.replies import (
    Candidate,
    ParsedReply,
    parse_reply,
    read_replies,
    read_volunteered,
)
from models.tables import Status

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = FIXTURES / "reply_corpus.yaml"
BATCHES = FIXTURES / "reply_batches"

KEEP, ASK, NONE = "keep", "ask", "none"
STATUS_WORDS = {s.name.lower(): s for s in Status} | {
    "partial": Status.PARTIALLY_COMPLETE,
    "in_progress": Status.IN_PROGRESS,
    "not_started": Status.NOT_STARTED,
}
# A question offering more statuses than this offers nothing in particular.
MOST_STATUSES_OFFERED = 3


class Verdict(StrEnum):
    READ = "read"
    ASKED = "asked"  # rightly asked
    UNOFFERED = "unoffered"  # asked without the right answer on offer, or not understood
    WRONG = "wrong"


# Worst first: a reply's verdict is the worst of its fields' and actions' verdicts.
_WORST_FIRST = (Verdict.WRONG, Verdict.UNOFFERED, Verdict.ASKED, Verdict.READ)


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
    volunteered: bool = False  # sent with no reminder before it (`v: true`)
    kind: str = ""  # what the row tries, in its writer's words (`k`)
    alike: Expected | None = None  # the reading `s` and `d` give, for whichever action

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


def _actions(data: dict[str, Any]) -> dict[str, Candidate]:
    actions: dict[str, Candidate] = {}
    for key, a in data["actions"].items():
        status = Status(a["status"])
        actions[key] = Candidate(str(a["ref"]), a["text"], status=status, target=a["target"])
    return actions


def _written() -> list[tuple[int, dict[str, Any], dict[str, Candidate], date]]:
    """Every row as (batch, row, its file's actions, its file's today), in the order written."""
    data = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    actions, today = _actions(data), data["today"]
    written = [(1, raw, actions, today) for raw in data["rows"]]
    for batch in range(2, 8):
        written += [(batch, raw, actions, today) for raw in data.get(f"batch_{batch}", [])]
    files = sorted(BATCHES.glob("batch_*.yaml"), key=lambda p: int(p.stem.split("_")[1]))
    for path in files:
        more = yaml.safe_load(path.read_text(encoding="utf-8"))
        batch = int(path.stem.split("_")[1])
        written += [(batch, raw, _actions(more), more["today"]) for raw in more["rows"]]
    return written


def load() -> list[Row]:
    rows = []
    for n, (batch, raw, actions, today) in enumerate(_written(), start=1):
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
        alike = Expected(_statuses(raw["s"]), _dates(raw["d"])) if "s" in raw else None
        rows.append(
            Row(
                n,
                raw["r"],
                raw.get("t", today),
                candidates,
                expected,
                which,
                batch,
                volunteered=bool(raw.get("v", False)),
                kind=str(raw.get("k", "")),
                alike=alike,
            )
        )
    return rows


# -- one field -------------------------------------------------------------------------------


def _offered_statuses(reading: ParsedReply) -> tuple[object, ...]:
    """The statuses a status question offers as its first buttons (None: keep as it is)."""
    offered = reading.status_options[:MOST_STATUSES_OFFERED]
    return tuple(KEEP if s is None else s for s in offered)


def _offered_dates(reading: ParsedReply) -> tuple[object, ...]:
    """The dates a date question offers as buttons, and "keep the target" (always offered)."""
    return (*(option.day for option in reading.date_options), NONE)


def _status_verdict(reading: ParsedReply, current: Status | None, want: Expected) -> Score:
    if reading.ask_status:
        offered = _offered_statuses(reading)
        if ASK in want.statuses or any(_status_fits(s, current, want) for s in offered):
            return Score(Verdict.ASKED, "asked status")
        return Score(Verdict.UNOFFERED, f"asked status, offering {_names(offered)}")
    if reading.status is None and KEEP in want.statuses:
        return Score(Verdict.READ)
    if _status_fits(reading.status or current, current, want):
        return Score(Verdict.READ)
    said = reading.status.label if reading.status else f"kept {current}"
    return Score(Verdict.WRONG, f"status {said}")


def _status_fits(shown: object, current: Status | None, want: Expected) -> bool:
    if shown == KEEP:
        shown = current
    return shown in want.statuses or (KEEP in want.statuses and shown == current)


def _names(offered: Sequence[object]) -> str:
    return ", ".join(s.label if isinstance(s, Status) else str(s) for s in offered) or "nothing"


def _date_fits(shown: object, target: date | None, want: Expected) -> bool:
    """The date shown is one expected; the target kept and the target given again are one."""
    same = {shown, target} if shown in (NONE, target) and target is not None else {shown}
    return bool(same & want.dates) or (NONE in want.dates and shown == target)


def _date_verdict(reading: ParsedReply, target: date | None, want: Expected) -> Score:
    if reading.ask_date:
        offered = _offered_dates(reading)
        if ASK in want.dates or any(_date_fits(d, target, want) for d in offered):
            return Score(Verdict.ASKED, "asked date")
        return Score(Verdict.UNOFFERED, f"asked date, offering {', '.join(map(str, offered))}")
    shown: object = reading.new_date or NONE
    if _date_fits(shown, target, want):
        return Score(Verdict.READ)
    if reading.date_needs_confirmation:  # "Do you mean Friday 4 December?": asked, Yes or No
        return Score(Verdict.UNOFFERED, f"asked to confirm {shown}")
    return Score(Verdict.WRONG, f"date {shown}")


def _combine(scores: Iterable[Score]) -> Score:
    scores = list(scores)
    for verdict in _WORST_FIRST:
        found = [s.why for s in scores if s.verdict is verdict and s.why]
        if any(s.verdict is verdict for s in scores):
            return Score(verdict, "; ".join(found))
    return Score(Verdict.READ)


def _one(reading: ParsedReply, action: Candidate, want: Expected) -> Score:
    return _combine(
        [_status_verdict(reading, action.status, want), _date_verdict(reading, action.target, want)]
    )


# -- one reply ---------------------------------------------------------------------------------


def readings_of(row: Row) -> tuple[ParsedReply, ...]:
    """What the chat would make of the reply: a reminder's reply, or an update volunteered."""
    if not row.volunteered:
        return read_replies(row.reply, row.candidates, today=row.today)
    return read_volunteered(row.reply, row.candidates, today=row.today)


def score(row: Row) -> Score:
    """What the bot would do with this reply, against what the row expects."""
    readings = readings_of(row)
    if not readings:
        return Score(Verdict.UNOFFERED, "not understood")
    current = {c.ref: c for c in row.candidates}
    if len(readings) == 1 and readings[0].ref is None:
        return _asked_which(row, readings[0].ref_options)
    got = {r.ref: r for r in readings if r.ref is not None}
    if len(got) > 1 and not all(_plain(r) for r in got.values()):
        return _one_at_a_time(row, got)
    if row.which and _of_them_all(row, got):  # "Both on track", where either would do
        assert row.alike is not None
        return _combine(_one(got[c.ref], c, row.alike) for c in row.candidates)
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
            scores.append(Score(Verdict.UNOFFERED, f"nothing read for {ref}"))
    if extra := set(got) - set(row.expected):
        scores.append(Score(Verdict.WRONG, f"read an update for {sorted(extra)}"))
    return _combine(scores)


def _plain(reading: ParsedReply) -> bool:
    """Shown with Save as it stands: nothing about it is asked (as the chat decides)."""
    asked = reading.ask_status or reading.ask_date or reading.date_needs_confirmation
    return not (asked or reading.ref_unsure)


def _one_at_a_time(row: Row, got: dict[str, ParsedReply]) -> Score:
    """Read for several actions, some of it to check: the chat asks which action first,
    offering those read, and after each "which next?" with *That's all*. Each action the row
    expects must be on offer and its part read right; an action it does not expect is offered,
    never saved unless picked, so it is asked, not wrong."""
    asked = Score(Verdict.ASKED, "asked which action first")
    if row.which and _of_them_all(row, got):  # "Both on track": each picked in turn
        assert row.alike is not None
        return _combine([asked, *(_one(got[c.ref], c, row.alike) for c in row.candidates)])
    if row.which:  # about one action: the officer picks it, and says that's all
        picked = [
            _one(got[ref], _action(row, ref), row.expected[ref])
            for ref in row.expected
            if ref in got
        ]
        if picked:
            return _combine([asked, _best(picked)])
        if ASK in row.which:
            return asked
        return Score(
            Verdict.UNOFFERED, f"asked which action first, {sorted(row.expected)} not on offer"
        )
    scores = [asked]
    for ref, want in row.expected.items():
        if ref not in got:
            scores.append(Score(Verdict.UNOFFERED, f"nothing read for {ref}"))
        else:
            scores.append(_one(got[ref], _action(row, ref), want))
    return _combine(scores)


def _best(scores: Sequence[Score]) -> Score:
    """The best of several verdicts: the officer picks the action that was read best."""
    return max(scores, key=lambda s: _WORST_FIRST.index(s.verdict))


def _action(row: Row, ref: str) -> Candidate:
    return next(c for c in row.candidates if c.ref == ref)


def _of_them_all(row: Row, got: dict[str, ParsedReply]) -> bool:
    """Read for every action listed, where the row leaves open which one ('ref: [R1, R2,
    ask]'): said of them all ('Both on track'), each reading is scored against `s` and `d`."""
    either = ASK in row.which or len(row.which) > 1
    return either and row.alike is not None and set(got) == {c.ref for c in row.candidates}


def _asked_which(row: Row, offered: tuple[str, ...] = ()) -> Score:
    """Asked which action, with the listed actions as buttons; then, once the right one is
    picked, the reply is read for it alone (as the chat does). The actions not picked stay on
    offer ("Was your message about another action too?"), so a reply about several is read
    for each of them in turn."""
    asked = Score(Verdict.ASKED, "asked which action")
    if not row.which:  # a reply about several actions: each must be on offer, and read right
        return _combine([asked, *(_picked(row, ref, offered) for ref in sorted(row.expected))])
    if ASK in row.which and not row.expected:
        return asked
    ref = next(iter(sorted(row.expected)))
    if offered and ref not in offered:
        return Score(Verdict.UNOFFERED, f"asked which action, offering {', '.join(offered)}")
    action = next(c for c in row.candidates if c.ref == ref)
    then = parse_reply(row.reply, [action], today=row.today)
    return _combine([asked, _one(then, action, row.expected[ref])])


def _picked(row: Row, ref: str, offered: tuple[str, ...]) -> Score:
    """One action of a reply about several, picked from the buttons and read alone."""
    action = next((c for c in row.candidates if c.ref == ref), None)
    if action is None or (offered and ref not in offered):
        return Score(Verdict.UNOFFERED, f"asked which action, {ref} not on offer")
    return _one(parse_reply(row.reply, [action], today=row.today), action, row.expected[ref])


def asks(row: Row) -> bool:
    """The bot asks something before Save: a status, a date, a date read back, which action;
    or it did not understand. The price of reading safely, counted by the bench."""
    readings = readings_of(row)
    return not readings or any(r.ref is None or not _plain(r) for r in readings)


def tally(rows: Sequence[Row]) -> dict[Verdict, list[tuple[Row, Score]]]:
    out: dict[Verdict, list[tuple[Row, Score]]] = {v: [] for v in Verdict}
    for row in rows:
        s = score(row)
        out[s.verdict].append((row, s))
    return out

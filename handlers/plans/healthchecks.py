"""Health checks kept per organisation, team and financial year, and this year against last.

The questions and their guidance live in handlers/toolkit/healthcheck.py; this module only
stores answers by question key and reads scores back. What a level or dimension is called is
passed in as `Labels` (built from the guidance by the caller), so the store needs no guidance.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from handlers.chat import intents
from handlers.chat.messages import Choice, Reply
from handlers.language.years import FinancialYear
from handlers.plans.rendering import png_of, pyplot
from models.tables import Consultation, HealthCheck, Person, PlanAdmin, Role, RoleHolder

EXAMPLES_WITHIN = timedelta(days=365)  # "examples from the past 12 months"
# Score colours for the heat map, poor to high performing (and "not asked").
COLOURS = {1: "#d73027", 2: "#fc8d59", 3: "#91cf60", 4: "#1a9850"}
NOT_SCORED = "#eeeeee"


@dataclass(frozen=True)
class Labels:
    """The names of the levels and dimensions, in the guidance's order."""

    levels: tuple[tuple[str, str], ...]  # (id, title)
    dimensions: tuple[tuple[str, str], ...]
    not_for: frozenset[tuple[str, str]] = frozenset()  # (level, dimension) never scored
    top: int = 4


def team_key(team: str) -> str:
    """Teams match whatever the case or punctuation: "Youth services" is "youth-services"."""
    return " ".join(re.findall(r"[a-z0-9]+", team.lower().replace("&", " and ")))


def find(session: Session, team: str, year: FinancialYear) -> HealthCheck | None:
    query = select(HealthCheck).where(
        HealthCheck.team_key == team_key(team), HealthCheck.year == str(year)
    )
    return session.exec(query).first()


def begin(
    session: Session, team: str, year: FinancialYear, who: Person, guidance: str, now: datetime
) -> HealthCheck:
    """This year's check for the team: the one under way (or done), else a new one."""
    found = find(session, team, year)
    if found is not None:
        return found
    check = HealthCheck(
        team=" ".join(team.split())[:100],
        team_key=team_key(team),
        year=str(year),
        guidance=guidance,
        person_id=who.id,
        who_name=who.name,
        started_at=now,
        updated_at=now,
    )
    session.add(check)
    session.flush()
    return check


def answer(check: HealthCheck, key: str, value: str | int, now: datetime) -> None:
    """Keep one answer (a new dict, so the JSON column is seen to change)."""
    check.answers = {**check.answers, key: value}
    check.updated_at = now


def unanswer(check: HealthCheck, key: str, now: datetime) -> None:
    check.answers = {k: v for k, v in check.answers.items() if k != key}
    check.finished_at = None
    check.updated_at = now


def restart(check: HealthCheck, who: Person, now: datetime) -> None:
    """This year's check done again: the earlier answers go (the export keeps no history)."""
    check.answers, check.finished_at, check.updated_at = {}, None, now
    check.person_id, check.who_name = who.id, who.name


def scores(check: HealthCheck | None) -> dict[tuple[str, str], int]:
    """(level, dimension) -> score, from a check's answers."""
    if check is None:
        return {}
    found: dict[tuple[str, str], int] = {}
    for key, value in check.answers.items():
        level, _, dimension = key.partition(".")
        if isinstance(value, int) and "." not in dimension:
            found[(level, dimension)] = value
    return found


def examples_given(check: HealthCheck, level: str) -> list[str]:
    """The examples written for a level, skipped ones left out."""
    prefix = f"{level}.example."
    return [str(v) for k, v in sorted(check.answers.items()) if k.startswith(prefix) and v]


def recent_activities(session: Session, level: str, today: date) -> list[Consultation]:
    """Register entries of one level that ran in the past 12 months, newest first: the examples
    offered. An entry is dated by its planned dates, or when it was added if it has none."""
    since = today - EXAMPLES_WITHIN
    entries = session.exec(select(Consultation).where(Consultation.level == level)).all()
    found = [c for c in entries if since <= _ran_until(c) and _began(c) <= today]
    return sorted(found, key=lambda c: (_began(c), c.id or 0), reverse=True)


def _began(entry: Consultation) -> date:
    return entry.planned_start or entry.planned_end or entry.created_at.date()


def _ran_until(entry: Consultation) -> date:
    return entry.planned_end or entry.planned_start or entry.created_at.date()


# -- this year against last ---------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    team: str
    year: FinancialYear
    this: HealthCheck | None
    last: HealthCheck | None
    labels: Labels

    def rows(self) -> list[tuple[str, str, int | None, int | None]]:
        """(level title, dimension title, last year's score, this year's) for each pair asked."""
        now, before = scores(self.this), scores(self.last)
        return [
            (level, dimension, before.get((lid, did)), now.get((lid, did)))
            for lid, level in self.labels.levels
            for did, dimension in self.labels.dimensions
            if (lid, did) not in self.labels.not_for
        ]

    @property
    def who(self) -> str:
        """The team as it was first written, else as asked for."""
        stored = next((c.team for c in (self.this, self.last) if c is not None), self.team)
        return stored or "the whole organisation"


def compare(session: Session, team: str, year: FinancialYear, labels: Labels) -> Comparison:
    return Comparison(
        team, year, find(session, team, year), find(session, team, year.previous), labels
    )


def state_of(check: HealthCheck | None) -> str:
    if check is None:
        return "not done"
    return "done" if check.finished_at else "under way"


def text_table(comparison: Comparison) -> str:
    """The scores as a terminal table: each level and dimension, last year, this year, change."""
    c = comparison
    head = (
        f"Health check for {c.who}: {c.year} ({state_of(c.this)}) against "
        f"{c.year.previous} ({state_of(c.last)}). Scores 1 (poor) to {c.labels.top} (high)."
    )
    rows = [("Level", "Dimension", str(c.year.previous), str(c.year), "Change")]
    for level, dimension, before, now in c.rows():
        change = f"{now - before:+d}" if now is not None and before is not None else ""
        rows.append((level, dimension, _score(before), _score(now), change))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join([head, "", *(line.rstrip() for line in lines)])


def _score(value: int | None) -> str:
    return "—" if value is None else str(value)


def heat_map_png(comparison: Comparison) -> bytes:
    """Last year and this year side by side: a grid of levels by dimensions, coloured by score."""
    plt = pyplot()
    from matplotlib.colors import to_rgb

    c = comparison
    levels, dimensions = c.labels.levels, c.labels.dimensions
    figure, axes = plt.subplots(
        1, 2, figsize=(12, 1.6 + 0.7 * len(levels)), dpi=100, sharey=True, squeeze=False
    )
    for axis, year, check in zip(axes[0], (c.year.previous, c.year), (c.last, c.this), strict=True):
        given = scores(check)
        grid = [
            [to_rgb(COLOURS.get(given.get((lid, did), 0), NOT_SCORED)) for did, _ in dimensions]
            for lid, _ in levels
        ]
        axis.imshow(grid, aspect="auto")
        for row, (lid, _) in enumerate(levels):
            for column, (did, _) in enumerate(dimensions):
                text = "n/a" if (lid, did) in c.labels.not_for else _score(given.get((lid, did)))
                axis.text(column, row, text, ha="center", va="center", fontsize=12)
        axis.set_xticks(range(len(dimensions)), [_wrap(t) for _, t in dimensions], fontsize=8)
        axis.set_yticks(range(len(levels)), [t for _, t in levels])
        axis.set_title(f"{year} ({state_of(check)})")
    figure.suptitle(f"Community engagement health check: {c.who}")
    return png_of(figure)


def heat_map_html(comparison: Comparison) -> str:
    """The same heat map as an HTML page of two tables with coloured cells."""
    c = comparison
    parts = [
        "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>",
        f"<title>Health check: {html.escape(c.who)}, {c.year}</title>",
        "<style>body{font-family:Arial,sans-serif}table{border-collapse:collapse;margin:1em 0}"
        "th,td{border:1px solid #555;padding:6px 10px;text-align:center}</style></head><body>",
        f"<h1>Community engagement health check: {html.escape(c.who)}</h1>",
    ]
    for year, check in ((c.year, c.this), (c.year.previous, c.last)):
        parts.append(f"<h2>{year} ({state_of(check)})</h2>")
        parts.append(heat_map_table(c.labels, scores(check)))
    parts.append("</body></html>")
    return "\n".join(parts)


def heat_map_table(labels: Labels, given: dict[tuple[str, str], int]) -> str:
    """One year's scores as an HTML table with coloured cells (all text escaped)."""
    head = "".join(f"<th>{html.escape(t)}</th>" for _, t in labels.dimensions)
    rows = [f"<table><thead><tr><th>Level</th>{head}</tr></thead><tbody>"]
    for lid, level in labels.levels:
        cells = []
        for did, _ in labels.dimensions:
            score = given.get((lid, did))
            text = "n/a" if (lid, did) in labels.not_for else _score(score)
            colour = COLOURS.get(score or 0, NOT_SCORED)
            cells.append(f"<td style='background:{colour}'>{text}</td>")
        rows.append(f"<tr><th>{html.escape(level)}</th>{''.join(cells)}</tr>")
    rows.append("</tbody></table>")
    return "".join(rows)


def _wrap(title: str) -> str:
    """Two lines for a long dimension title, so the columns do not overlap."""
    words = title.split()
    if len(words) < 2:
        return title
    half = (len(words) + 1) // 2
    return " ".join(words[:half]) + "\n" + " ".join(words[half:])


# -- the April nudge ----------------------------------------------------------------------------


def chairs(session: Session) -> list[Person]:
    """Who is told the check is due: whoever holds a chair's role ("Steering Group Chair"), or,
    with no such role held, the admins of the organisation's plans (the chair, the team)."""
    holders = session.exec(
        select(Person)
        .join(RoleHolder, col(RoleHolder.person_id) == col(Person.id))
        .join(Role, col(Role.id) == col(RoleHolder.role_id))
        .where(col(Role.key).contains("chair"), col(RoleHolder.deputy).is_(False))
    ).all()
    if holders:
        return _unique(holders)
    admins = session.exec(
        select(Person).join(PlanAdmin, col(PlanAdmin.person_id) == col(Person.id))
    ).all()
    return _unique(admins)


def _unique(people: Sequence[Person]) -> list[Person]:
    return list({p.id: p for p in sorted(people, key=lambda p: p.id or 0)}.values())


def due_message(check: HealthCheck | None, year: FinancialYear, answered: int, total: int) -> Reply:
    """The chair's April reminder: this year's check is due (or under way and unfinished)."""
    if check is None or not answered:
        text = (
            f"The community engagement health check for {year} is due this April. It takes "
            f"{total} short questions, one at a time, and can be paused and carried on. Say "
            "'health check' (or 'health check for TEAM') to start it."
        )
        return Reply(text, choices=(Choice("Start the health check", intents.health_check()),))
    text = (
        f"The community engagement health check for {year} was started but not finished: "
        f"{answered} of {total} questions answered. Say 'health check' to carry on."
    )
    return Reply(text, choices=(Choice("Carry on", intents.health_check()),))

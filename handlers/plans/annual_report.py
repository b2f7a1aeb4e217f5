"""The annual report to Full Council: a financial year of community engagement, in figures.

Its sections: the activities in the engagement register (by level, area and topic), their
participation, "you said, we did", the action plans' progress (the summary's figures), the
toolkit's use (the walks recorded) and the health check's scores, with charts. Everything is
read from the database for one organisation and one financial year ("2026/27" = 1 April 2026 to
31 March 2027); handlers/plans/annual_report_writers.py writes it as DOCX or HTML.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from handlers.language.targets import format_date
from handlers.language.years import FinancialYear
from handlers.plans import annual_report_charts as charts
from handlers.plans import healthchecks
from handlers.plans.annual_report_charts import Chart
from handlers.plans.healthchecks import Labels
from handlers.plans.summary import BUCKETS, summarise
from models.tables import Consultation, FlowchartWalk, HealthCheck, Plan, ProgressNote, Status

FORMATS = ("docx", "html")
NOT_STATED = "Not stated"
# An activity's topic is the one staff gave it for the public page; failing that, it is read
# from its title and audience, first match wins (these are the services councils consult on
# most).
TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Budget and council tax", ("budget", "council tax", "fees", "charges", "savings")),
    ("Libraries, leisure and culture", ("librar", "leisure", "museum", "arts", "culture", "sport")),
    ("Parks, play and open spaces", ("park", "play", "garden", "open space", "allotment")),
    ("Roads, transport and parking", ("road", "transport", "parking", "bus", "cycl", "traffic")),
    ("Waste and recycling", ("bin", "waste", "recycl", "litter", "fly-tip")),
    ("Housing and tenants", ("housing", "tenant", "homes", "homeless")),
    ("Health and social care", ("health", "care", "wellbeing")),
    ("Children and young people", ("child", "young people", "youth", "school", "famil", "parent")),
    ("Community safety", ("safety", "crime", "anti-social", "antisocial", "pspo", "police")),
    ("Planning and regeneration", ("planning", "regeneration", "town centre", "local plan")),
)
OTHER_TOPIC = "Other"


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    title: str = ""


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class AnnualReport:
    organisation: str
    year: FinancialYear
    on: date  # the day it was produced
    sections: list[Section]

    @property
    def title(self) -> str:
        return f"Community engagement annual report {self.year}"

    @property
    def subtitle(self) -> str:
        who = f"{self.organisation}: " if self.organisation else ""
        return (
            f"{who}a report to Full Council on community engagement from "
            f"{format_date(self.year.first_day)} to {format_date(self.year.last_day)}, "
            f"produced on {format_date(self.on)}."
        )


def build(
    session: Session,
    year: FinancialYear,
    organisation: str,
    labels: Labels,
    now: datetime,
) -> AnnualReport:
    """Every section of the report, read once from the database."""
    today = now.date()
    entries = activities_in(session, year)
    sections = [
        _activities(entries, year, labels),
        _participation(entries, labels),
        _you_said_we_did(entries, year),
        _action_plans(session, year, today, now),
        _toolkit(session, year, labels),
        _health_check(session, year, labels),
    ]
    return AnnualReport(organisation, year, today, sections)


# -- activities ---------------------------------------------------------------------------------


def activities_in(session: Session, year: FinancialYear) -> list[Consultation]:
    """Register entries that ran at some time in the year (by their planned dates, or when
    they were added if they have none), in date order."""
    entries = session.exec(select(Consultation).order_by(col(Consultation.id))).all()
    found = [e for e in entries if _began(e) <= year.last_day and _ended(e) >= year.first_day]
    return sorted(found, key=lambda e: (_began(e), e.id or 0))


def _began(entry: Consultation) -> date:
    return entry.planned_start or entry.planned_end or entry.created_at.date()


def _ended(entry: Consultation) -> date:
    return entry.planned_end or entry.planned_start or entry.created_at.date()


def topic_of(entry: Consultation) -> str:
    if entry.topic.strip():
        return entry.topic.strip()
    text = f"{entry.title} {entry.audience}".lower()
    return next((name for name, words in TOPICS if any(w in text for w in words)), OTHER_TOPIC)


def _level_name(level: str, labels: Labels) -> str:
    return dict(labels.levels).get(level, level.capitalize() or NOT_STATED)


def _activities(entries: list[Consultation], year: FinancialYear, labels: Labels) -> Section:
    section = Section("Activities")
    if not entries:
        section.paragraphs.append(f"No activities in the engagement register ran in {year}.")
        return section
    section.paragraphs.append(
        f"{_count(len(entries), 'activity', 'activities')} in the engagement register ran in "
        f"{year}, at each level of engagement, in these areas and on these topics."
    )
    levels = Counter(e.level for e in entries)
    by_level = [[title, str(levels[lid])] for lid, title in labels.levels]
    by_level += [
        [_level_name(lv, labels), str(n)] for lv, n in levels.items() if not _known(lv, labels)
    ]
    section.tables.append(Table(["Level", "Activities"], by_level, "By level of engagement"))
    areas = Counter(" ".join(e.area.split()) or NOT_STATED for e in entries)
    section.tables.append(Table(["Area", "Activities"], _counted(areas), "By area"))
    topics = Counter(topic_of(e) for e in entries)
    section.tables.append(Table(["Topic", "Activities"], _counted(topics), "By topic"))
    section.charts.append(charts.bars("Activities by level of engagement", by_level))
    return section


def _known(level: str, labels: Labels) -> bool:
    return level in dict(labels.levels)


def _counted(counts: Counter[str]) -> list[list[str]]:
    """Most first, then by name; "not stated" and "other" last."""
    last = (NOT_STATED, OTHER_TOPIC)
    ordered = sorted(counts.items(), key=lambda kv: (kv[0] in last, -kv[1], kv[0].lower()))
    return [[name, str(n)] for name, n in ordered]


# -- participation and feedback -----------------------------------------------------------------

_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")


def participants(text: str) -> int | None:
    """The first number in a participation note ("212 responses", "1,050 visits"), if any."""
    match = _NUMBER.search(text)
    return int(match[0].replace(",", "")) if match else None


def _participation(entries: list[Consultation], labels: Labels) -> Section:
    section = Section("Participation")
    counted = [(e, participants(e.participation)) for e in entries]
    known = [(e, n) for e, n in counted if n is not None]
    total = sum(n for _, n in known)
    missing = len(entries) - len(known)
    section.paragraphs.append(
        f"{total:,} people took part (responses, attendees or members, as each activity counts "
        f"them) in {_count(len(known), 'activity', 'activities')} that recorded a number."
        + (
            f" {_count(missing, 'activity has', 'activities have')} none recorded."
            if missing
            else ""
        )
    )
    rows = [
        [e.title, _level_name(e.level, labels), e.participation or "—", e.status] for e in entries
    ]
    if rows:
        section.tables.append(Table(["Activity", "Level", "Participation", "Status"], rows))
    return section


def _you_said_we_did(entries: list[Consultation], year: FinancialYear) -> Section:
    section = Section("You said, we did")
    fed_back = [e for e in entries if e.you_said_we_did.strip()]
    if not fed_back:
        section.paragraphs.append(f"No feedback to participants was recorded for {year}.")
        return section
    section.paragraphs.append(
        f"What people told us, and what changed as a result, for "
        f"{_count(len(fed_back), 'activity', 'activities')}."
    )
    rows = [[e.title, e.findings or "—", e.you_said_we_did] for e in fed_back]
    section.tables.append(Table(["Activity", "You said", "We did"], rows))
    return section


# -- action plans and the toolkit ---------------------------------------------------------------


def _action_plans(session: Session, year: FinancialYear, today: date, now: datetime) -> Section:
    section = Section("Action-plan progress")
    plans = list(session.exec(select(Plan).order_by(col(Plan.name))).all())
    if not plans:
        section.paragraphs.append("There are no action plans.")
        return section
    on = min(today, year.last_day)
    headers = ["Plan", "Actions", *(b.capitalize() for b in BUCKETS), "Rating"]
    rows = []
    for plan in plans:
        summary = summarise(session, [plan], on, None, now, lists=False)
        counts = [str(summary.counts[b]) for b in BUCKETS]
        rows.append([plan.title or plan.name, str(summary.total), *counts, summary.rag.upper()])
    notes, completed = _year_of_notes(session, year)
    section.paragraphs.append(
        f"Where each action plan stands on {format_date(on)}. During {year}, "
        f"{_count(notes, 'progress update was', 'progress updates were')} recorded and "
        f"{_count(completed, 'action was', 'actions were')} marked complete."
    )
    section.tables.append(Table(headers, rows))
    section.charts.append(charts.status_bars("Action plans by status", rows, list(BUCKETS)))
    return section


def _year_of_notes(session: Session, year: FinancialYear) -> tuple[int, int]:
    """Progress notes written in the year (the import's first notes aside), and completions."""
    notes = [
        n
        for n in session.exec(select(ProgressNote).where(ProgressNote.source != "import")).all()
        if year.holds(n.created_at.date())
    ]
    done = {n.action_id for n in notes if n.status == Status.COMPLETE}
    return len(notes), len(done)


def _toolkit(session: Session, year: FinancialYear, labels: Labels) -> Section:
    section = Section("Toolkit use")
    walks = [
        w for w in session.exec(select(FlowchartWalk)).all() if year.holds(w.started_at.date())
    ]
    finished = [w for w in walks if w.finished_at is not None]
    added = sum(1 for w in finished if w.consultation_id)
    section.paragraphs.append(
        f"The consult-or-engage toolkit was used {_count(len(walks), 'time', 'times')} in "
        f"{year}: {len(finished)} walked to an answer, and {added} added to the register."
    )
    levels = Counter(w.level for w in finished)
    rows = [[title, str(levels[lid])] for lid, title in labels.levels]
    section.tables.append(Table(["Advice given", "Walks"], rows))
    return section


# -- the health check ---------------------------------------------------------------------------


def _health_check(session: Session, year: FinancialYear, labels: Labels) -> Section:
    section = Section("Health check")
    done = [
        c
        for c in session.exec(select(HealthCheck).where(HealthCheck.year == str(year))).all()
        if c.finished_at is not None
    ]
    if not done:
        section.paragraphs.append(f"No health check was completed for {year}.")
        return section
    done.sort(key=lambda c: (c.team_key != "", c.team_key))  # the organisation's first
    section.paragraphs.append(
        f"The self-assessment scores for {year}, from 1 (poor performing) to {labels.top} (high "
        f"performing), with {year.previous}'s where there was a check."
    )
    for check in done:
        comparison = healthchecks.compare(session, check.team, year, labels)
        section.tables.append(_scores_table(comparison))
    first = healthchecks.compare(session, done[0].team, year, labels)
    png = healthchecks.heat_map_png(first)
    section.charts.append(Chart(f"Health check: {first.who}, {year.previous} and {year}", png))
    return section


def _scores_table(comparison: healthchecks.Comparison) -> Table:
    c = comparison
    rows = [
        [level, dimension, _score(before), _score(now)]
        for level, dimension, before, now in c.rows()
    ]
    headers = ["Level", "Dimension", str(c.year.previous), str(c.year)]
    return Table(headers, rows, f"Scores: {c.who}")


def _score(value: int | None) -> str:
    return "—" if value is None else str(value)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"

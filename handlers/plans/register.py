"""The engagement register: one record of every consultation and engagement, to join teams up.

"Ask once, use many times": before an activity is added, similar ones from the last 12 months
(same area or audience, or a similar title) are shown, so teams can reuse or join up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from handlers.language.targets import format_date
from models.tables import Consultation, FlowchartWalk, Person, PlanAdmin

STATUSES = ("planned", "open", "closed", "feedback published")
SIMILAR_WITHIN = timedelta(days=365)
_STOP = {"the", "a", "an", "of", "to", "and", "for", "on", "in", "our", "new", "about"}


@dataclass(frozen=True)
class Activity:
    """What a new register entry says, before it is stored."""

    title: str
    level: str = ""
    audience: str = ""
    area: str = ""
    planned_start: date | None = None
    planned_end: date | None = None
    legal_advice: bool = False
    budget: str = ""


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP and len(w) > 2}


def similar_title(a: str, b: str) -> bool:
    """Titles about the same thing: most words shared, or nearly the same text."""
    wa, wb = _words(a), _words(b)
    if wa and wb and len(wa & wb) / min(len(wa), len(wb)) >= 0.5:
        return True
    return SequenceMatcher(None, a.lower(), b.lower()).ratio() >= 0.75


def _same(a: str, b: str) -> bool:
    a, b = a.strip().lower(), b.strip().lower()
    return bool(a and b and (a == b or a in b or b in a))


def similar(session: Session, activity: Activity, today: date) -> list[tuple[Consultation, str]]:
    """Register entries from the last 12 months like this one, each with the reason."""
    since = today - SIMILAR_WITHIN
    query = select(Consultation).where(
        or_(
            col(Consultation.planned_end) >= since,
            col(Consultation.planned_start) >= since,
            col(Consultation.created_at) >= datetime.combine(since, time(), tzinfo=UTC),
        )
    )
    found = []
    for entry in session.exec(query.order_by(col(Consultation.id))).all():
        reasons = []
        if similar_title(activity.title, entry.title):
            reasons.append("a similar title")
        if _same(activity.area, entry.area):
            reasons.append(f"the same area ({entry.area})")
        if _same(activity.audience, entry.audience):
            reasons.append(f"the same audience ({entry.audience})")
        if reasons:
            found.append((entry, " and ".join(reasons)))
    return found


def not_allowed(session: Session, who: Person | None) -> str | None:
    """Why `who` may not add to the register (only people the bot knows may), or None."""
    if who is not None:
        return None
    admins = session.exec(
        select(Person.name)
        .join(PlanAdmin, col(PlanAdmin.person_id) == col(Person.id))
        .distinct()
        .order_by(col(Person.name))
    ).all()
    ask = f"your engagement team ({', '.join(admins[:3])})" if admins else "your engagement team"
    return (
        "Only people I know can add to the engagement register, and I don't know who you are "
        f"yet, so nothing was added. Ask {ask} to add you: "
        'engagebot people assign "<your role>" --email <you>'
    )


def add(session: Session, activity: Activity, lead: Person | None, now: datetime) -> Consultation:
    entry = Consultation(
        title=activity.title.strip()[:300],
        level=activity.level,
        lead_name=lead.name if lead else "",
        lead_id=lead.id if lead else None,
        planned_start=activity.planned_start,
        planned_end=activity.planned_end,
        audience=activity.audience.strip()[:300],
        area=activity.area.strip()[:300],
        status="planned",
        legal_advice=activity.legal_advice,
        budget=activity.budget.strip()[:100],
        created_at=now,
    )
    session.add(entry)
    session.flush()
    return entry


def describe(entry: Consultation) -> str:
    when = _period(entry.planned_start, entry.planned_end)
    parts = [entry.level.capitalize() if entry.level else "", when, entry.audience, entry.area]
    lead = f"lead {entry.lead_name}" if entry.lead_name else ""
    return " · ".join(p for p in [*parts, lead, entry.status] if p)


def _period(start: date | None, end: date | None) -> str:
    if start and end:
        return f"{format_date(start)} to {format_date(end)}"
    day = start or end
    return format_date(day) if day else ""


def as_json(entry: Consultation) -> dict[str, Any]:
    return {
        "id": entry.id,
        "title": entry.title,
        "level": entry.level,
        "lead": entry.lead_name,
        "planned_start": entry.planned_start.isoformat() if entry.planned_start else None,
        "planned_end": entry.planned_end.isoformat() if entry.planned_end else None,
        "audience": entry.audience,
        "area": entry.area,
        "status": entry.status,
        "legal_advice": entry.legal_advice,
        "budget": entry.budget,
        "participation": entry.participation,
        "findings": entry.findings,
        "you_said_we_did": entry.you_said_we_did,
    }


def stats(session: Session) -> dict[str, Any]:
    """The councils' measures, counted from what the bot recorded."""
    walks = session.exec(select(FlowchartWalk)).all()
    finished = [w for w in walks if w.finished_at is not None]
    by_level: dict[str, int] = {}
    for walk in finished:
        by_level[walk.level] = by_level.get(walk.level, 0) + 1
    by_status = dict(
        session.exec(
            select(Consultation.status, func.count()).group_by(col(Consultation.status))
        ).all()
    )
    return {
        "projects_using_the_strategy": len(finished),
        "walks_started": len(walks),
        "outcomes_by_level": by_level,
        "walks_added_to_register": sum(1 for w in finished if w.consultation_id),
        "register_by_status": by_status,
    }

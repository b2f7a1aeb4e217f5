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
from sqlalchemy.orm import object_session
from sqlmodel import Session, col, or_, select

from handlers.language.targets import format_date
from handlers.language.text import one_line, readable
from models.tables import Consultation, FlowchartWalk, Organisation, Person, PlanAdmin

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
        title=one_line(activity.title)[:300],
        level=activity.level,
        lead_name=lead.name if lead else "",
        lead_id=lead.id if lead else None,
        planned_start=activity.planned_start,
        planned_end=activity.planned_end,
        audience=one_line(activity.audience)[:300],
        area=one_line(activity.area)[:300],
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
        "published": entry.published,
        **{name: getattr(entry, name) for name in PUBLIC_FIELDS},
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


# -- the public engagement page ------------------------------------------------------------

# What the public page shows beside the title, dates and area, with each field's length limit.
PUBLIC_FIELDS = {
    "summary": ("what it is about", 2000),
    "who_can_take_part": ("who can take part", 300),
    "how_to_take_part": ("how to take part (a link or a few words)", 1000),
    "topic": ("topic", 100),
    "contact_name": ("contact name", 100),
    "contact_email": ("contact e-mail", 200),
    "contact_phone": ("contact phone", 40),
}
# Closed entries need no "how to take part": nobody can any more.
NEEDED_TO_PUBLISH = ("summary", "who_can_take_part", "how_to_take_part", "topic", "contact_name")
# Fields of several lines (paragraphs kept); the others are one line.
MULTILINE = frozenset(
    {"summary", "how_to_take_part", "participation", "findings", "you_said_we_did"}
)
# What `engagebot consultations update` records, with each field's length limit.
PROGRESS_FIELDS = {
    "participation": ("who took part", 1000),
    "findings": ("findings (you said)", 10000),
    "you_said_we_did": ("'we did'", 10000),
}
# The public text that may also be given in Welsh, with its limit.
WELSH_FIELDS = {
    "title": 300,
    "summary": 2000,
    "who_can_take_part": 300,
    "how_to_take_part": 1000,
    "area": 300,
    "topic": 100,
    "participation": 1000,
    "findings": 10000,
    "you_said_we_did": 10000,
}
_EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[a-z]{2,}", re.IGNORECASE)
_PHONE = re.compile(r"\+?[0-9][0-9 ()-]{5,30}")


def cleaned(name: str, value: str) -> str:
    """Text as it is stored: no control characters (Word's line break becomes a line break),
    and one line unless the field holds paragraphs."""
    return readable(value).strip() if name in MULTILINE else one_line(value)


def touch(entry: Consultation, now: datetime) -> None:
    """Something residents may see has changed: the feed's <updated>, the page's version, and
    the first publication and first "we did" (the events subscribers hear of)."""
    moment = now.astimezone(UTC)
    entry.public_updated_at = moment
    entry.public_version = (entry.public_version or 0) + 1
    if entry.published and entry.first_published_at is None:
        entry.first_published_at = moment
    if entry.published and entry.you_said_we_did.strip() and entry.we_did_at is None:
        entry.we_did_at = moment
    session = object_session(entry)
    if session is not None and entry.org_id is not None:
        table = Organisation.__table__  # type: ignore[attr-defined]
        bump = table.update().where(table.c.id == entry.org_id)
        session.execute(bump.values(public_version=table.c.public_version + 1))


def public_problem(name: str, value: str) -> str | None:
    """Why `value` cannot be the public field `name`, in words staff can act on, or None."""
    label, limit = PUBLIC_FIELDS[name]
    if len(value) > limit:
        return f"The {label} is {len(value)} characters; please keep it under {limit}."
    if name == "contact_email" and value and not _EMAIL.fullmatch(value):
        return f"'{value}' doesn't look like an e-mail address (e.g. engage@council.gov.uk)."
    if name == "contact_phone" and value and not _PHONE.fullmatch(value):
        return f"'{value}' doesn't look like a phone number (e.g. 01253 478000)."
    return None


def set_public(entry: Consultation, name: str, value: str, now: datetime) -> str | None:
    """Set one public field; returns the problem and changes nothing if there is one."""
    value = cleaned(name, value)
    problem = public_problem(name, value)
    if problem is None:
        setattr(entry, name, value)
        touch(entry, now)
    return problem


def set_progress(entry: Consultation, name: str, value: str, now: datetime) -> str | None:
    """Record who took part, the findings or "we did"; returns the problem, changing nothing."""
    label, limit = PROGRESS_FIELDS[name]
    value = cleaned(name, value)
    if len(value) > limit:
        return f"The {label} is {len(value):,} characters; please keep it under {limit:,}."
    setattr(entry, name, value)
    touch(entry, now)
    return None


def set_area(entry: Consultation, value: str, now: datetime) -> None:
    entry.area = one_line(value)[:300]
    touch(entry, now)


def set_welsh(entry: Consultation, name: str, value: str, now: datetime) -> str | None:
    """Give one public field in Welsh ("" removes it); returns the problem, changing nothing."""
    limit = WELSH_FIELDS[name]
    value = cleaned(name, value)
    if len(value) > limit:
        label = name.replace("_", " ")
        return f"The Welsh {label} is {len(value):,} characters; keep it under {limit:,}."
    welsh = {k: v for k, v in (entry.welsh or {}).items() if k != name}
    if value:
        welsh[name] = value
    entry.welsh = welsh  # a new dict, so the JSON column is written
    touch(entry, now)
    return None


def missing_to_publish(entry: Consultation) -> list[str]:
    """The public fields an entry still needs before it can go on the page, by their labels."""
    needed = [n for n in NEEDED_TO_PUBLISH if not getattr(entry, n).strip()]
    if entry.status in ("closed", "feedback published") and "how_to_take_part" in needed:
        needed.remove("how_to_take_part")
    missing = [PUBLIC_FIELDS[n][0] for n in needed]
    if not (entry.contact_email.strip() or entry.contact_phone.strip()):
        missing.append("a contact e-mail or phone")
    return missing


def publish(entry: Consultation, now: datetime, *, public: bool = True) -> list[str]:
    """Put an entry on the public page (or take it off); what is missing stops it going on."""
    if public:
        missing = missing_to_publish(entry)
        if missing:
            return missing
    entry.published = public
    touch(entry, now)
    return []

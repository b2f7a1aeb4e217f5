"""What the public may see of the register: published entries, public fields only.

An entry is shaped into a `PublicEntry` here and nowhere else, so the page, the feed and the
open data can only ever show these fields: never the lead's name, the budget or legal advice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from models.tables import Consultation

OPEN, UPCOMING, CLOSED = "open", "upcoming", "closed"
STATUS_LABELS = {OPEN: "Open", UPCOMING: "Opening soon", CLOSED: "Closed"}
# "We did" is promised this long after an activity closes (ENGAGEBOT_FEEDBACK_WITHIN_DAYS).
FEEDBACK_WITHIN = timedelta(days=28)


@dataclass(frozen=True)
class PublicEntry:
    """One activity as the public page shows it."""

    id: int
    title: str
    kind: str  # "Consultation" or "Engagement"
    status: str  # OPEN, UPCOMING or CLOSED
    summary: str
    who_can_take_part: str
    how_to_take_part: str
    area: str
    topic: str
    opens: date | None
    closes: date | None
    contact_name: str
    contact_email: str
    contact_phone: str
    participation: str
    findings: str
    we_did: str
    we_did_due: date | None  # when "we did" is promised by, while it is missing
    we_did_late: bool  # that date has passed
    updated: datetime

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def matches(self, words: str) -> bool:
        """Every word of a search appears somewhere in what the entry says."""
        text = " ".join(
            (self.title, self.summary, self.area, self.topic, self.who_can_take_part, self.kind)
        ).lower()
        return all(word in text for word in words.lower().split())


@dataclass(frozen=True)
class Filters:
    """What a visitor asked for: search words, an area, a topic, a status ("" for any)."""

    q: str = ""
    area: str = ""
    topic: str = ""
    status: str = ""

    @classmethod
    def from_query(cls, query: dict[str, str]) -> Filters:
        def one(name: str) -> str:
            return " ".join(str(query.get(name, "")).split())[:200]

        status = one("status")
        return cls(one("q"), one("area"), one("topic"), status if status in STATUS_LABELS else "")

    def keep(self, entry: PublicEntry) -> bool:
        return (
            (not self.q or entry.matches(self.q))
            and (not self.area or entry.area.lower() == self.area.lower())
            and (not self.topic or entry.topic.lower() == self.topic.lower())
            and (not self.status or entry.status == self.status)
        )

    @property
    def any(self) -> bool:
        return bool(self.q or self.area or self.topic or self.status)


def public_status(entry: Consultation, today: date) -> str:
    """Open, opening soon or closed, from the register's status and the dates."""
    if entry.status in ("closed", "feedback published"):
        return CLOSED
    if entry.planned_end is not None and entry.planned_end < today:
        return CLOSED
    if entry.status == "open":
        return OPEN
    if entry.planned_start is not None and entry.planned_start <= today:
        return OPEN
    return UPCOMING


def as_utc(moment: datetime) -> datetime:
    """A stored time (naive values were stored as UTC) as an aware UTC time."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def shape(entry: Consultation, today: date, feedback: timedelta = FEEDBACK_WITHIN) -> PublicEntry:
    status = public_status(entry, today)
    we_did = entry.you_said_we_did.strip()
    due = None
    if status == CLOSED and not we_did and entry.planned_end is not None:
        due = entry.planned_end + feedback
    stamp = entry.public_updated_at or datetime.combine(entry.created_at.date(), time())
    return PublicEntry(
        id=entry.id or 0,
        title=entry.title,
        kind="Consultation" if entry.level == "consult" else "Engagement",
        status=status,
        summary=entry.summary,
        who_can_take_part=entry.who_can_take_part,
        how_to_take_part=entry.how_to_take_part,
        area=entry.area,
        topic=entry.topic,
        opens=entry.planned_start,
        closes=entry.planned_end,
        contact_name=entry.contact_name,
        contact_email=entry.contact_email,
        contact_phone=entry.contact_phone,
        participation=entry.participation,
        findings=entry.findings,
        we_did=we_did,
        we_did_due=due,
        we_did_late=due is not None and due < today,
        updated=as_utc(stamp),
    )


def _order(entry: PublicEntry) -> tuple[int, float, int]:
    """Open first (closing soonest), then opening soon, then closed (most recent first)."""
    rank = {OPEN: 0, UPCOMING: 1, CLOSED: 2}[entry.status]
    day = entry.closes or entry.opens or date.max
    sign = -1 if entry.status == CLOSED else 1
    return rank, sign * day.toordinal(), entry.id


def published(
    session: Session, today: date, feedback: timedelta = FEEDBACK_WITHIN
) -> list[PublicEntry]:
    """Every published entry of the session's organisation, in the page's order."""
    rows = session.exec(select(Consultation).where(col(Consultation.published))).all()
    return sorted((shape(row, today, feedback) for row in rows), key=_order)


def one(
    session: Session, entry_id: int, today: date, feedback: timedelta = FEEDBACK_WITHIN
) -> PublicEntry | None:
    """A published entry by its number, or None (unpublished and unknown look the same)."""
    row = session.get(Consultation, entry_id)
    return shape(row, today, feedback) if row is not None and row.published else None


def choices(entries: list[PublicEntry]) -> tuple[list[str], list[str]]:
    """The areas and topics to filter by: those the published entries have."""
    areas = sorted({e.area for e in entries if e.area}, key=str.lower)
    topics = sorted({e.topic for e in entries if e.topic}, key=str.lower)
    return areas, topics

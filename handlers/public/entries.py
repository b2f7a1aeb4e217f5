"""What the public may see of the register: published entries, public fields only.

An entry is shaped into a `PublicEntry` here and nowhere else, so the page, the feed and the
open data can only ever show these fields: never the lead's name, the budget or legal advice.
Text is made safe here too (no control characters, whatever path stored it), so a stray
character from Word can neither break the Atom feed nor reach the page.

`Catalogue` keeps each organisation's shaped entries until something residents would see
changes (one small query a request says whether it has), so a request for page 3 of 10,000
activities shapes nothing.
"""

from __future__ import annotations

import hashlib
import threading
import time as clock
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func
from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from handlers.language.text import folded, one_line, readable
from models.scoping import org_of
from models.tables import Consultation, Document

OPEN, UPCOMING, CLOSED = "open", "upcoming", "closed"
STATUS_LABELS = {OPEN: "Open", UPCOMING: "Opening soon", CLOSED: "Closed"}
# "We did" is promised this long after an activity closes (ENGAGEBOT_FEEDBACK_WITHIN_DAYS).
FEEDBACK_WITHIN = timedelta(days=28)
# Fields shown as paragraphs; the rest are one line.
PARAGRAPHS = frozenset({"summary", "how_to_take_part", "participation", "findings", "we_did"})
# Public field names, as PublicEntry has them, for each name the register stores in Welsh.
WELSH_NAMES = {"you_said_we_did": "we_did"}


@dataclass(frozen=True)
class PublicDocument:
    """A document attached to an activity, as the page lists it."""

    id: int
    title: str
    title_cy: str
    filename: str
    media_type: str
    size: int


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
    welsh: dict[str, str] = field(default_factory=dict)  # public fields given in Welsh
    documents: tuple[PublicDocument, ...] = ()
    search_text: str = ""  # folded title, summary, area, topic, audience and kind, both languages

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def matches(self, words: str) -> bool:
        """Every word of a search appears somewhere in what the entry says (accents aside)."""
        text = self.search_text or _searchable(self)
        return all(word in text for word in folded(words).split())

    def local(self, name: str, lang: str) -> tuple[str, str]:
        """A field in `lang` where it was given in it, else in English: (text, its language)."""
        if lang == "cy" and self.welsh.get(name):
            return self.welsh[name], "cy"
        return str(getattr(self, name)), "en"


def _searchable(entry: PublicEntry) -> str:
    parts = [entry.title, entry.summary, entry.area, entry.topic, entry.who_can_take_part]
    parts += [entry.kind, *(entry.welsh.get(n, "") for n in ("title", "summary", "area", "topic"))]
    return folded(" ".join(parts))


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
            return one_line(str(query.get(name, "")))[:200]

        status = one("status")
        return cls(one("q"), one("area"), one("topic"), status if status in STATUS_LABELS else "")

    def keep(self, entry: PublicEntry) -> bool:
        return (
            (not self.q or entry.matches(self.q))
            and (not self.area or folded(entry.area) == folded(self.area))
            and (not self.topic or folded(entry.topic) == folded(self.topic))
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


def safe(name: str, text: str | None) -> str:
    """Stored text as the page may show it: control characters gone, whatever wrote them."""
    text = text or ""
    return readable(text).strip() if name in PARAGRAPHS else one_line(text)


def shape(
    entry: Consultation,
    today: date,
    feedback: timedelta = FEEDBACK_WITHIN,
    documents: tuple[PublicDocument, ...] = (),
) -> PublicEntry:
    status = public_status(entry, today)
    we_did = safe("we_did", entry.you_said_we_did)
    due = None
    if status == CLOSED and not we_did and entry.planned_end is not None:
        due = entry.planned_end + feedback
    stamp = entry.public_updated_at or datetime.combine(entry.created_at.date(), time())
    welsh = {}
    for name, text in (entry.welsh or {}).items():
        shown = WELSH_NAMES.get(name, name)
        if isinstance(text, str) and safe(shown, text):
            welsh[shown] = safe(shown, text)
    shaped = PublicEntry(
        id=entry.id or 0,
        title=safe("title", entry.title),
        kind="Consultation" if entry.level == "consult" else "Engagement",
        status=status,
        summary=safe("summary", entry.summary),
        who_can_take_part=safe("who_can_take_part", entry.who_can_take_part),
        how_to_take_part=safe("how_to_take_part", entry.how_to_take_part),
        area=safe("area", entry.area),
        topic=safe("topic", entry.topic),
        opens=entry.planned_start,
        closes=entry.planned_end,
        contact_name=safe("contact_name", entry.contact_name),
        contact_email=safe("contact_email", entry.contact_email),
        contact_phone=safe("contact_phone", entry.contact_phone),
        participation=safe("participation", entry.participation),
        findings=safe("findings", entry.findings),
        we_did=we_did,
        we_did_due=due,
        we_did_late=due is not None and due < today,
        updated=as_utc(stamp),
        welsh=welsh,
        documents=documents,
    )
    return _with_search_text(shaped)


def _with_search_text(entry: PublicEntry) -> PublicEntry:
    object.__setattr__(entry, "search_text", _searchable(entry))
    return entry


def _order(entry: PublicEntry) -> tuple[int, float, int]:
    """Open first (closing soonest), then opening soon, then closed (most recent first)."""
    rank = {OPEN: 0, UPCOMING: 1, CLOSED: 2}[entry.status]
    day = entry.closes or entry.opens or date.max
    sign = -1 if entry.status == CLOSED else 1
    return rank, sign * day.toordinal(), entry.id


def _documents(session: Session, ids: list[int]) -> dict[int, list[PublicDocument]]:
    """The attachments of these entries, without their bytes."""
    found: dict[int, list[PublicDocument]] = {}
    if not ids:
        return found
    query = (
        columns(
            col(Document.id),
            col(Document.consultation_id),
            col(Document.title),
            col(Document.title_cy),
            col(Document.filename),
            col(Document.media_type),
            col(Document.size),
        )
        .where(col(Document.role) == "attachment", col(Document.consultation_id).in_(ids))
        .order_by(col(Document.id))
    )
    for doc_id, entry_id, title, title_cy, filename, media_type, size in session.execute(query):
        document = PublicDocument(
            doc_id or 0, one_line(title), one_line(title_cy), filename, media_type, size
        )
        found.setdefault(entry_id or 0, []).append(document)
    return found


def published(
    session: Session, today: date, feedback: timedelta = FEEDBACK_WITHIN
) -> list[PublicEntry]:
    """Every published entry of the session's organisation, in the page's order."""
    rows = session.exec(select(Consultation).where(col(Consultation.published))).all()
    documents = _documents(session, [row.id or 0 for row in rows])
    shaped = (shape(row, today, feedback, tuple(documents.get(row.id or 0, ()))) for row in rows)
    return sorted(shaped, key=_order)


def one(
    session: Session, entry_id: int, today: date, feedback: timedelta = FEEDBACK_WITHIN
) -> PublicEntry | None:
    """A published entry by its number, or None (unpublished and unknown look the same)."""
    row = session.get(Consultation, entry_id)
    if row is None or not row.published:
        return None
    return shape(row, today, feedback, tuple(_documents(session, [entry_id]).get(entry_id, ())))


def choices(entries: list[PublicEntry] | tuple[PublicEntry, ...]) -> tuple[list[str], list[str]]:
    """The areas and topics to filter by: those the published entries have."""
    areas = sorted({e.area for e in entries if e.area}, key=folded)
    topics = sorted({e.topic for e in entries if e.topic}, key=folded)
    return areas, topics


@dataclass(frozen=True)
class Listing:
    """An organisation's published entries at one version of the register."""

    entries: tuple[PublicEntry, ...]
    version: str  # changes whenever anything the page shows changes, and every day
    modified: datetime  # the newest change (or the day's start: statuses change at midnight)
    areas: list[str]
    topics: list[str]
    welsh_names: dict[str, str]  # an area's or topic's Welsh name, where given

    by_id: dict[int, PublicEntry]

    def get(self, entry_id: int) -> PublicEntry | None:
        return self.by_id.get(entry_id)


RECHECK_SECONDS = 30.0  # a change made outside `touch` (by hand in SQL) shows within this


class Catalogue:
    """Each organisation's shaped entries, kept until the register's public side changes.

    Every change through the register bumps the organisation's `public_version`, which the
    page reads with the organisation on each request: when it has not moved (and the day is
    the same), the kept entries are current with no query at all. Otherwise, or every
    RECHECK_SECONDS, a summary of the published rows decides whether to read them again."""

    def __init__(self, feedback: timedelta = FEEDBACK_WITHIN) -> None:
        self.feedback = feedback
        self._kept: dict[int | None, tuple[tuple[object, ...], float, Listing]] = {}
        self._lock = threading.Lock()

    def listing(self, session: Session, today: date, org_version: int | None = None) -> Listing:
        org = org_of(session)
        trigger = (today, org_version)
        found = self._kept.get(org)
        fresh = found is not None and clock.monotonic() - found[1] < RECHECK_SECONDS
        if found is not None and org_version is not None and found[0] == trigger and fresh:
            return found[2]
        stamp = _stamp(session, today)
        version = hashlib.sha256(repr((org, stamp)).encode()).hexdigest()[:24]
        kept = found[2] if found is not None else None
        if kept is not None and kept.version == version:
            with self._lock:
                self._kept[org] = (trigger, clock.monotonic(), kept)
            return kept
        entries = tuple(published(session, today, self.feedback))
        areas, topics = choices(entries)
        midnight = datetime.combine(today, time(), tzinfo=UTC)
        newest = max((e.updated for e in entries), default=midnight)
        listing = Listing(
            entries,
            version,
            max(newest, midnight),
            areas,
            topics,
            _welsh_names(entries),
            {e.id: e for e in entries},
        )
        with self._lock:
            self._kept[org] = (trigger, clock.monotonic(), listing)
        return listing


def _stamp(session: Session, today: date) -> tuple[object, ...]:
    """A small summary of the published entries that changes whenever any of them does.

    Asked on every request, so as a plain SQL query on the connection, filtered by the
    organisation here (the ORM's per-query scoping costs more than the query itself)."""
    table = Consultation.__table__  # type: ignore[attr-defined]
    query = columns(
        func.count(),
        func.max(table.c.public_updated_at),
        func.sum(table.c.public_version),
        func.max(table.c.id),
        func.sum(table.c.id),
    ).where(table.c.published, table.c.org_id == org_of(session))
    return (today.isoformat(), *(str(v) for v in session.connection().execute(query).one()))


def _welsh_names(entries: tuple[PublicEntry, ...]) -> dict[str, str]:
    names: dict[str, str] = {}
    for entry in entries:
        for name in ("area", "topic"):
            english, welsh = getattr(entry, name), entry.welsh.get(name, "")
            if english and welsh:
                names.setdefault(english, welsh)
    return names

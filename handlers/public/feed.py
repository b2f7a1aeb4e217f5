"""The Atom feed (RFC 4287) of published activities: one entry per activity, newest change first.

Built with ElementTree, so every text is escaped as XML. Each entry has the elements RFC 4287
requires (id, title, updated, and an author through the feed), a link to its page and a
plain-text summary.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from handlers.language.targets import format_date
from handlers.public.entries import PublicEntry

ATOM = "http://www.w3.org/2005/Atom"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _summary(entry: PublicEntry) -> str:
    dates = []
    if entry.opens:
        dates.append(f"Opens {format_date(entry.opens)}")
    if entry.closes:
        dates.append(f"closes {format_date(entry.closes)}")
    parts = [f"{entry.status_label}. {', '.join(dates)}." if dates else f"{entry.status_label}."]
    parts.append(entry.summary)
    if entry.we_did:
        parts.append(f"We did: {entry.we_did}")
    return " ".join(p for p in parts if p)


def atom(
    council: str,
    entries: list[PublicEntry],
    *,
    feed_url: str,
    page_url: str,
    entry_url: Callable[[PublicEntry], str],
    now: datetime,
) -> bytes:
    """The feed as UTF-8 XML. `now` is the feed's <updated> when there are no entries."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "en-GB"})
    _add(feed, "id", feed_url)
    _add(feed, "title", f"{council}: consultations and engagement")
    _add(feed, "subtitle", "Have your say, and what we did with what you told us.")
    newest = max((e.updated for e in entries), default=now)
    _add(feed, "updated", _stamp(newest))
    author = _add(feed, "author")
    _add(author, "name", council)
    _add(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    _add(feed, "link", rel="alternate", type="text/html", href=page_url)
    for entry in sorted(entries, key=lambda e: (e.updated, e.id), reverse=True):
        item = _add(feed, "entry")
        url = entry_url(entry)
        _add(item, "id", url)
        _add(item, "title", entry.title)
        _add(item, "updated", _stamp(entry.updated))
        _add(item, "link", rel="alternate", type="text/html", href=url)
        _add(item, "summary", _summary(entry), type="text")
        for term in (entry.topic, entry.area):
            if term:
                _add(item, "category", term=term)
    xml: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return xml

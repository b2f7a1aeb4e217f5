"""The Atom feed (RFC 4287) of published activities: newest change first, fifty to a page.

Built with ElementTree, so every text is escaped as XML; characters XML 1.0 cannot hold at all
(control characters) are removed here too, whatever the register holds, so one stray character
cannot make the whole feed unreadable. Each entry has the elements RFC 4287 requires (id,
title, updated, and an author through the feed), a link to its page and a plain-text summary.
Later pages are linked as an RFC 5005 paged feed (first, previous, next, last).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from handlers.public.entries import PublicEntry
from handlers.public.paging import Pages
from handlers.public.words import Words

ATOM = "http://www.w3.org/2005/Atom"
# What XML 1.0 cannot contain (§2.2): C0 controls but tab and line breaks, surrogates, FFFE/F.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _summary(entry: PublicEntry, words: Words) -> str:
    dates = []
    if entry.opens:
        dates.append(f"{words('Opens')} {words.date(entry.opens)}")
    if entry.closes:
        dates.append(f"{words('closes')} {words.date(entry.closes)}")
    status = words(entry.status_label)
    parts = [f"{status}. {', '.join(dates)}." if dates else f"{status}."]
    parts.append(entry.local("summary", words.lang)[0])
    if entry.we_did:
        parts.append(f"{words('We did')}: {entry.local('we_did', words.lang)[0]}")
    return " ".join(p for p in parts if p)


def atom(
    council: str,
    pages: Pages[PublicEntry],
    *,
    feed_url: Callable[[int], str],
    page_url: str,
    entry_url: Callable[[PublicEntry], str],
    now: datetime,
    newest: datetime | None = None,
    lang: str = "en",
) -> bytes:
    """One page of the feed as UTF-8 XML. Its <updated> is the newest change of all (`newest`),
    or `now` when there are no entries."""
    words = Words(lang)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "cy" if lang == "cy" else "en-GB"})
    _add(feed, "id", feed_url(1))
    _add(feed, "title", f"{council}: {words('consultations and engagement')}")
    _add(feed, "subtitle", words("Have your say, and what we did with what you told us."))
    latest = newest or max((e.updated for e in pages.items), default=now)
    _add(feed, "updated", _stamp(latest))
    author = _add(feed, "author")
    _add(author, "name", council)
    _add(feed, "link", rel="self", type="application/atom+xml", href=feed_url(pages.number))
    _add(feed, "link", rel="alternate", type="text/html", href=page_url)
    if pages.count > 1:
        _add(feed, "link", rel="first", href=feed_url(1))
        _add(feed, "link", rel="last", href=feed_url(pages.count))
    if pages.previous:
        _add(feed, "link", rel="previous", href=feed_url(pages.previous))
    if pages.next:
        _add(feed, "link", rel="next", href=feed_url(pages.next))
    for entry in pages.items:
        item = _add(feed, "entry")
        url = entry_url(entry)
        _add(item, "id", url)
        _add(item, "title", entry.local("title", lang)[0])
        _add(item, "updated", _stamp(entry.updated))
        _add(item, "link", rel="alternate", type="text/html", href=url)
        _add(item, "summary", _summary(entry, words), type="text")
        for term in (entry.topic, entry.area):
            if term:
                _add(item, "category", term=term)
    xml: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return xml


def newest_first(entries: tuple[PublicEntry, ...] | list[PublicEntry]) -> list[PublicEntry]:
    return sorted(entries, key=lambda e: (e.updated, e.id), reverse=True)

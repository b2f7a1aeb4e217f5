"""How the public page's answers become HTTP responses: conditional requests (ETag and
Last-Modified, answered 304), compression (brotli, else gzip) and the caching headers.

Pages are rendered from data with a version (handlers/public/entries.py), so an answer's ETag
is known before anything is rendered: a reader whose copy is current gets 304 at the cost of
one small query, and a page rendered (and compressed) once is kept for the next reader until
the register changes.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

import brotli

from handlers.public.page import rendering_version

HEADERS = {
    # Nothing on the page runs script, so nothing may; and nobody may frame it.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
PUBLIC = "public, max-age=300"
PRIVATE = "no-store"
TYPES = {
    "html": "text/html; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml",
}
COMPRESSIBLE = frozenset(TYPES) | {"text/plain"}
SMALLEST = 1024  # bytes: below this, compression saves too little to be worth it
KEPT_BYTES = 64 * 1024 * 1024  # rendered and compressed answers kept, all pages together


@dataclass(frozen=True)
class Answer:
    """What a page request produced, before encoding."""

    status: int
    kind: str  # a key of TYPES, or a media type (a document)
    body: str | bytes
    filename: str = ""
    inline: bool = False  # shown in the browser (a PDF) rather than downloaded
    etag: str = ""
    modified: datetime | None = None
    cache: str = PUBLIC
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def data(self) -> bytes:
        return self.body.encode() if isinstance(self.body, str) else self.body


@dataclass(frozen=True)
class Prepared:
    """A response ready to send: status, headers and the (perhaps compressed) bytes."""

    status: int
    headers: dict[str, str]
    body: bytes


def etag_of(*parts: object) -> str:
    """A weak validator (the same page compressed or not is the same page)."""
    digest = hashlib.sha256(repr((rendering_version(), *parts)).encode()).hexdigest()
    return f'W/"{digest[:32]}"'


def not_modified(headers: Mapping[str, str], etag: str, modified: datetime | None) -> bool:
    """The reader's copy is current: If-None-Match names this ETag, or (without it)
    If-Modified-Since is no older than the last change (RFC 9110 §13.2.2)."""
    tags = headers.get("If-None-Match")
    if tags is not None:
        offered = {t.strip().removeprefix("W/") for t in tags.split(",")}
        return "*" in offered or etag.removeprefix("W/") in offered
    since = headers.get("If-Modified-Since")
    if since and modified is not None:
        try:
            then = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if then.tzinfo is None:
            return False
        return modified.astimezone(UTC).replace(microsecond=0) <= then
    return False


def coding_for(accept: str) -> str:
    """The best encoding the reader accepts: br, else gzip, else none."""
    offered: dict[str, float] = {}
    for part in accept.split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        offered[name.strip().lower()] = quality
    for coding in ("br", "gzip"):
        if offered.get(coding, offered.get("*", 0.0)) > 0:
            return coding
    return ""


def _compress(data: bytes, coding: str) -> bytes:
    if coding == "br":
        return bytes(brotli.compress(data, quality=5))
    return gzip.compress(data, compresslevel=6, mtime=0)


class Kept:
    """Answers rendered and encoded, by ETag and encoding, least recently used dropped first."""

    def __init__(self, budget: int = KEPT_BYTES) -> None:
        self.budget = budget
        self._items: OrderedDict[tuple[str, str], tuple[Answer, bytes]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, etag: str, coding: str) -> tuple[Answer, bytes] | None:
        with self._lock:
            found = self._items.get((etag, coding))
            if found is not None:
                self._items.move_to_end((etag, coding))
            return found

    def put(self, etag: str, coding: str, answer: Answer, body: bytes) -> None:
        size = len(body)
        if size > self.budget // 8:
            return
        with self._lock:
            old = self._items.pop((etag, coding), None)
            if old is not None:
                self._size -= len(old[1])
            self._items[(etag, coding)] = (answer, body)
            self._size += size
            while self._size > self.budget and self._items:
                _, (dropped, dropped_body) = self._items.popitem(last=False)
                self._size -= len(dropped_body)


@dataclass(frozen=True)
class Later:
    """A page whose version is known but which is not rendered yet: rendered only if the
    reader's copy is out of date and no reader has had this version before."""

    kind: str
    etag: str
    modified: datetime | None
    render: Callable[[], Answer]
    cache: str = PUBLIC


def prepare(result: Answer | Later, request_headers: Mapping[str, str], kept: Kept) -> Prepared:
    """The response: 304 when the reader's copy is current, else the body in the best
    encoding they accept (rendered and compressed at most once per version)."""
    coding = coding_for(request_headers.get("Accept-Encoding", ""))
    if isinstance(result, Later):
        shell = Answer(200, result.kind, b"", etag=result.etag, modified=result.modified)
        shell = replace(shell, cache=result.cache)
        if not_modified(request_headers, result.etag, result.modified):
            return Prepared(304, _headers(shell, ""), b"")
        found = kept.get(result.etag, coding)
        if found is not None:
            return Prepared(200, _headers(found[0], coding), found[1])
        answer = replace(result.render(), etag=result.etag, modified=result.modified)
        answer = replace(answer, cache=result.cache)
        coding = _coding(answer, coding)
        body = _compress(answer.data, coding) if coding else answer.data
        if answer.status == 200:
            kept.put(result.etag, coding, replace(answer, body=b""), body)
        return Prepared(answer.status, _headers(answer, coding), body)
    fresh = result.etag and not_modified(request_headers, result.etag, result.modified)
    if fresh and result.status == 200:
        return Prepared(304, _headers(result, ""), b"")
    coding = _coding(result, coding)
    body = _compress(result.data, coding) if coding else result.data
    return Prepared(result.status, _headers(result, coding), body)


def _coding(answer: Answer, accepted: str) -> str:
    return accepted if _compressible(answer) and len(answer.data) >= SMALLEST else ""


def _compressible(answer: Answer) -> bool:
    return answer.kind in COMPRESSIBLE


def _headers(answer: Answer, coding: str) -> dict[str, str]:
    headers = {**HEADERS, "Cache-Control": answer.cache, **answer.headers}
    headers["Content-Type"] = TYPES.get(answer.kind, answer.kind)
    if _compressible(answer):
        headers["Vary"] = "Accept-Encoding"
    if coding:
        headers["Content-Encoding"] = coding
    if answer.etag:
        headers["ETag"] = answer.etag
    if answer.modified is not None:
        headers["Last-Modified"] = format_datetime(answer.modified.astimezone(UTC), usegmt=True)
    if answer.filename:
        how = "inline" if answer.inline else "attachment"
        headers["Content-Disposition"] = f'{how}; filename="{answer.filename}"'
    if answer.status == 503:
        headers["Retry-After"] = "120"
        headers["Cache-Control"] = PRIVATE
    return headers

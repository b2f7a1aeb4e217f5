"""Files on the public page: documents attached to an activity, and an organisation's logo.

What a file is comes from its bytes, never its name: a PDF starts `%PDF-`, a Word document is
a zip holding `word/document.xml` (and no macros), an OpenDocument text names its type in its
first entry. Anything else, or anything too big, is refused with the reason.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from sqlmodel import Session, col, select

from handlers.language.text import one_line
from handlers.plans.register import touch
from models.tables import Consultation, Document, id_of

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
PNG, JPEG, SVG = "image/png", "image/jpeg", "image/svg+xml"
# How a format is named to residents, as GOV.UK names them.
FORMATS = {PDF: "PDF", DOCX: "MS Word Document", ODT: "ODT", PNG: "PNG", JPEG: "JPEG", SVG: "SVG"}
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", ODT: ".odt", PNG: ".png", JPEG: ".jpg", SVG: ".svg"}
MAX_DOCUMENT = 20 * 1024 * 1024  # ENGAGEBOT_ATTACHMENT_MAX_MB
MAX_LOGO = 256 * 1024
MAX_PER_ACTIVITY = 20


class DocumentError(ValueError):
    """A file that cannot be attached, in words an officer can act on."""


@dataclass(frozen=True)
class Upload:
    """A file as an officer gave it: its name and its bytes."""

    filename: str
    content: bytes


def sniff(content: bytes) -> str | None:
    """The media type the bytes show, or None for anything not accepted."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        return _zipped(content)
    head = content[:1024].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in content[:4096].lower():
        return SVG
    return None


def _zipped(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                return ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return None if "word/vbaProject.bin" in names else DOCX
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return None
    return None


def human_size(size: int) -> str:
    """A size as GOV.UK shows it: 245 KB, 1.2 MB."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def safe_filename(name: str, media_type: str) -> str:
    """A name to download as: the officer's name without its folders or odd characters, with
    the extension its bytes deserve."""
    stem = PurePath(name.replace("\\", "/")).stem
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "-", one_line(stem)).strip(" .-")[:80] or "document"
    return stem + EXTENSIONS[media_type]


def _refuse_active_svg(content: bytes) -> None:
    lowered = content.lower()
    if any(bad in lowered for bad in (b"<script", b"javascript:", b"<foreignobject")) or re.search(
        rb"\son[a-z]+\s*=", lowered
    ):
        raise DocumentError("That SVG has scripts in it; export it again as a plain picture.")


def attach(
    session: Session,
    entry: Consultation,
    upload: Upload,
    *,
    title: str,
    by: str,
    now: datetime,
    limit: int = MAX_DOCUMENT,
    title_cy: str = "",
) -> Document:
    """Attach a document (PDF, Word or ODT) to a register entry."""
    media_type = sniff(upload.content)
    if media_type not in (PDF, DOCX, ODT):
        raise DocumentError(
            f"'{PurePath(upload.filename).name}' is not a PDF, Word (.docx) or OpenDocument "
            "(.odt) document (I look at what is inside, not the name), so it was not attached."
        )
    if len(upload.content) > limit:
        raise DocumentError(
            f"'{PurePath(upload.filename).name}' is {human_size(len(upload.content))}; "
            f"documents can be up to {human_size(limit)}. Make it smaller or split it."
        )
    count = len(_attachments(session, id_of(entry)))
    if count >= MAX_PER_ACTIVITY:
        raise DocumentError(f"'{entry.title}' already has {count} documents; remove one first.")
    title = one_line(title)[:200] or PurePath(upload.filename).stem[:200] or "Document"
    document = Document(
        consultation_id=entry.id,
        role="attachment",
        title=title,
        title_cy=one_line(title_cy)[:200],
        filename=safe_filename(upload.filename, media_type),
        media_type=media_type,
        size=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        content=upload.content,
        created_at=now,
        added_by=one_line(by)[:200],
    )
    session.add(document)
    touch(entry, now)  # the page and the feed show the change
    session.add(entry)
    session.flush()
    return document


def _attachments(session: Session, entry_id: int) -> list[Document]:
    query = select(Document).where(
        col(Document.consultation_id) == entry_id, col(Document.role) == "attachment"
    )
    return list(session.exec(query.order_by(col(Document.id))))


def listed(session: Session, entry_id: int) -> list[tuple[int, str, str, int]]:
    """An entry's documents for staff: (number, title, format, size), without their bytes."""
    query = (
        select(Document.id, Document.title, Document.media_type, Document.size)
        .where(col(Document.consultation_id) == entry_id, col(Document.role) == "attachment")
        .order_by(col(Document.id))
    )
    return [(i or 0, t, FORMATS.get(m, m), s) for i, t, m, s in session.exec(query)]


def detach(session: Session, entry: Consultation, document_id: int, now: datetime) -> Document:
    document = session.get(Document, document_id)
    if document is None or document.consultation_id != entry.id:
        raise DocumentError(
            f"'{entry.title}' has no document {document_id}. "
            f"'engagebot consultations documents {entry.id}' lists them."
        )
    session.delete(document)
    touch(entry, now)
    session.add(entry)
    return document


def set_logo(session: Session, org_id: int, upload: Upload, now: datetime) -> Document:
    """The organisation's logo for its public page (PNG, JPEG or SVG without scripts)."""
    media_type = sniff(upload.content)
    if media_type not in (PNG, JPEG, SVG):
        raise DocumentError("A logo must be a PNG, JPEG or SVG picture (checked from its bytes).")
    if len(upload.content) > MAX_LOGO:
        raise DocumentError(
            f"That logo is {human_size(len(upload.content))}; keep it under {human_size(MAX_LOGO)}."
        )
    if media_type == SVG:
        _refuse_active_svg(upload.content)
    mine = select(Document).where(col(Document.role) == "logo", col(Document.org_id) == org_id)
    for old in session.exec(mine):
        session.delete(old)
    logo = Document(
        org_id=org_id,
        role="logo",
        title="logo",
        filename=safe_filename(upload.filename, media_type),
        media_type=media_type,
        size=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        content=upload.content,
        created_at=now,
    )
    session.add(logo)
    return logo

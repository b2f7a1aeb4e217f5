"""The published register as open data: JSON and CSV, the same entries and fields as the page.

The CSV starts with a UTF-8 byte-order mark, so Excel reads "Môn" as "Môn" and not "MÃ´n".
Long lists come in pages: JSON says where the next page is, CSV has a `Link` header.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from handlers.plans.report import csv_cell
from handlers.public.entries import PublicEntry

FIELDS = (
    "id",
    "url",
    "title",
    "type",
    "status",
    "summary",
    "who_can_take_part",
    "how_to_take_part",
    "area",
    "topic",
    "opens",
    "closes",
    "contact_name",
    "contact_email",
    "contact_phone",
    "participation",
    "you_said",
    "we_did",
    "updated",
)


def record(entry: PublicEntry, url: str) -> dict[str, Any]:
    """One entry as an open-data record; `url` is its page."""
    return {
        "id": entry.id,
        "url": url,
        "title": entry.title,
        "type": entry.kind,
        "status": entry.status,
        "summary": entry.summary,
        "who_can_take_part": entry.who_can_take_part,
        "how_to_take_part": entry.how_to_take_part,
        "area": entry.area,
        "topic": entry.topic,
        "opens": entry.opens.isoformat() if entry.opens else None,
        "closes": entry.closes.isoformat() if entry.closes else None,
        "contact_name": entry.contact_name,
        "contact_email": entry.contact_email,
        "contact_phone": entry.contact_phone,
        "participation": entry.participation,
        "you_said": entry.findings,
        "we_did": entry.we_did,
        "updated": entry.updated.isoformat(timespec="seconds"),
    }


BOM = "\ufeff"


def to_json(
    council: str, records: list[dict[str, Any]], paging: dict[str, Any] | None = None
) -> str:
    document = {"publisher": council, **(paging or {}), "activities": records}
    return json.dumps(document, indent=2, ensure_ascii=False)


def to_csv(records: list[dict[str, Any]]) -> str:
    """CSV with a header row; cells Excel would run as formulas are quoted with a leading '."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for row in records:
        writer.writerow(csv_cell("" if row[name] is None else str(row[name])) for name in FIELDS)
    return buffer.getvalue()

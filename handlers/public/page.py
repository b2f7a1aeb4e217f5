"""The public page's HTML: Jinja2 templates with autoescape on, so everything shown is escaped."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from handlers.plans.branding import Accessibility
from handlers.plans.documents import FORMATS, human_size
from handlers.public.entries import (
    CLOSED,
    OPEN,
    STATUS_LABELS,
    UPCOMING,
    Filters,
    PublicDocument,
    PublicEntry,
)
from handlers.public.paging import Pages
from handlers.public.site import Site
from handlers.public.words import Words

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
_LINK = re.compile(r"https?://[^\s<>\"']+$")
GROUPS = (
    (OPEN, "Open now: have your say"),
    (UPCOMING, "Opening soon"),
    (CLOSED, "Closed: we asked, you said, we did"),
)
LONG_FORMATS = {
    "PDF": "Portable Document Format",
    "MS Word Document": "Microsoft Word document",
    "ODT": "OpenDocument Text",
}


@pass_context
def _date(context: Context, day: Any) -> str:
    words: Words = context.get("_") or Words()
    return words.date(day) if isinstance(day, date) else ""


def _is_link(text: str) -> bool:
    return bool(_LINK.match(text.strip()))


def _format(document: PublicDocument) -> str:
    return FORMATS.get(document.media_type, "File")


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["uk_date"] = _date
    env.tests["link"] = _is_link
    env.globals["doc_format"] = _format
    env.globals["doc_format_long"] = lambda d: LONG_FORMATS.get(_format(d), _format(d))
    env.globals["doc_size"] = lambda d: human_size(d.size)
    return env


@cache
def rendering_version() -> str:
    """Changes with the templates and the style sheet, so cached pages and ETags follow an
    upgrade."""
    digest = hashlib.sha256()
    for path in sorted([*TEMPLATES.iterdir(), *STATIC.iterdir()]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def _render(name: str, site: Site, **values: Any) -> str:
    return _environment().get_template(name).render(site=site, _=Words(site.lang), **values)


def index(
    site: Site,
    pages: Pages[PublicEntry],
    filters: Filters,
    areas: list[str],
    topics: list[str],
) -> str:
    """The list page: the filter form, then this page of open, opening-soon and closed."""
    groups = [
        (status, heading, [e for e in pages.items if e.status == status])
        for status, heading in GROUPS
    ]
    return _render(
        "index.html.j2",
        site,
        groups=[g for g in groups if g[2]],
        count=pages.total,
        pages=pages,
        filters=filters,
        areas=areas,
        topics=topics,
        statuses=STATUS_LABELS,
        csv_url=site.data_path("csv", filters),
        json_url=site.data_path("json", filters),
    )


def activity(site: Site, entry: PublicEntry) -> str:
    """One activity's own page."""
    words = Words(site.lang)

    def subject(document: PublicDocument) -> str:
        return words("Accessible format request") + f": {document.title}"

    return _render("activity.html.j2", site, entry=entry, accessible_subject=subject)


def not_found(site: Site) -> str:
    return _render("not_found.html.j2", site)


def unavailable(site: Site) -> str:
    """The database cannot be reached: a GOV.UK-style 'problem with the service' page."""
    return _render("unavailable.html.j2", site)


def subscribe(
    site: Site,
    areas: list[str],
    topics: list[str],
    form: dict[str, str],
    errors: dict[str, str],
) -> str:
    """The form to subscribe by e-mail to new activities (all, in an area, about a topic)."""
    return _render("subscribe.html.j2", site, areas=areas, topics=topics, form=form, errors=errors)


def message(
    site: Site,
    heading: str,
    paragraphs: list[str],
    *,
    button: str = "",
    action: str = "",
    panel: bool = False,
) -> str:
    """A short page: a heading, a few sentences, and perhaps one button that posts."""
    words = Words(site.lang)
    return _render(
        "message.html.j2",
        site,
        heading=words(heading),
        paragraphs=[words(p) for p in paragraphs],
        button=words(button) if button else "",
        action=action,
        panel=panel,
    )


def accessibility(site: Site, statement: Accessibility, today: date) -> str:
    """The accessibility statement, filled from the organisation's settings."""
    brand = site.branding
    return _render(
        "accessibility.html.j2",
        site,
        statement=statement,
        contact_email=statement.contact_email or brand.contact_email,
        contact_phone=statement.contact_phone or brand.contact_phone,
        today=today,
    )


def brand_css(site: Site) -> str:
    """The organisation's colours, as a style sheet (the page allows no inline styles)."""
    brand = site.branding
    return (
        f".header {{ background: {brand.colour}; border-bottom-color: {brand.accent}; }}\n"
        f".header-link:focus {{ color: #0b0c0c; }}\n"
    )


def favicon(site: Site) -> str:
    """A small square in the organisation's colours, for the browser tab."""
    brand = site.branding
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
        f'<rect width="32" height="32" rx="4" fill="{brand.colour}"/>'
        f'<rect y="24" width="32" height="8" fill="{brand.accent}"/>'
        '<path d="M9 8h14v3H12.5v3H21v3h-8.5v3H23v3H9z" fill="#fff"/></svg>'
    )

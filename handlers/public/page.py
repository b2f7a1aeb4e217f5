"""The public page's HTML: Jinja2 templates with autoescape on, so everything shown is escaped."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from handlers.language.targets import format_date
from handlers.public.entries import CLOSED, OPEN, STATUS_LABELS, UPCOMING, Filters, PublicEntry

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
_LINK = re.compile(r"https?://[^\s<>\"']+$")


@dataclass(frozen=True)
class Site:
    """Who publishes the page and where it lives: `base` is its path, ending in '/'."""

    council: str
    base: str
    logo: str = ""  # the logo's address, or "" for the council's name alone

    def entry_path(self, entry_id: int) -> str:
        return f"{self.base}activities/{entry_id}"

    def data_path(self, fmt: str, filters: Filters) -> str:
        query = _query(filters)
        return f"{self.base}activities.{fmt}" + (f"?{query}" if query else "")


def _query(filters: Filters) -> str:
    pairs = {k: v for k, v in vars(filters).items() if v}
    return urlencode(pairs)


def _date(day: Any) -> str:
    return format_date(day) if day else ""


def _is_link(text: str) -> bool:
    return bool(_LINK.match(text.strip()))


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
    return env


def _render(name: str, **values: Any) -> str:
    return _environment().get_template(name).render(**values)


def index(
    site: Site,
    entries: list[PublicEntry],
    filters: Filters,
    areas: list[str],
    topics: list[str],
) -> str:
    """The list page: the filter form, then open, opening-soon and closed activities."""
    groups = [
        (OPEN, "Open now: have your say", [e for e in entries if e.status == OPEN]),
        (UPCOMING, "Opening soon", [e for e in entries if e.status == UPCOMING]),
        (CLOSED, "Closed: we asked, you said, we did", [e for e in entries if e.status == CLOSED]),
    ]
    return _render(
        "index.html.j2",
        site=site,
        groups=[g for g in groups if g[2]],
        count=len(entries),
        filters=filters,
        areas=areas,
        topics=topics,
        statuses=STATUS_LABELS,
        csv_url=site.data_path("csv", filters),
        json_url=site.data_path("json", filters),
    )


def activity(site: Site, entry: PublicEntry) -> str:
    """One activity's own page."""
    return _render("activity.html.j2", site=site, entry=entry)


def not_found(site: Site) -> str:
    return _render("not_found.html.j2", site=site)


def unavailable(site: Site) -> str:
    """The database cannot be reached: a GOV.UK-style 'problem with the service' page."""
    return _render("unavailable.html.j2", site=site)

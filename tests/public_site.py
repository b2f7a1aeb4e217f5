"""A register with published and unpublished entries, and the public page served over HTTP.

Shared by tests/test_public_page.py and tests/test_public_browser.py. Entries get into the
register as the toolkit walk puts them there; staff publish them with the real command line.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from typer.testing import Result

from bot.public_web import PublicPage
from bot.server import start_in_thread
from handlers.chat.context import AppContext
from models.db import transaction
from models.tables import Consultation, Person
from tests.conftest import SAM

COUNCIL = "Blackpool Council"
LIBRARY, PLAY_AREA, BUDGET, CAR_PARK = 1, 2, 3, 4


def add_register(ctx: AppContext) -> None:
    """Four activities led by Sam; the car park one stays internal."""
    with transaction(ctx.engine) as session:
        sam = Person(name="Sam Patel", email=SAM)
        session.add(sam)
        session.flush()
        rows = [
            ("Closing Hallgate library", "consult", date(2026, 11, 1), date(2026, 12, 20), "open"),
            ("Moor Park play area", "involve", date(2026, 9, 1), date(2026, 10, 20), "closed"),
            ("Budget 2027/28", "consult", date(2027, 1, 5), date(2027, 2, 15), "planned"),
            ("Staff car park charges", "consult", date(2026, 11, 1), date(2026, 12, 1), "open"),
        ]
        areas = ["Hallgate", "Moor Park", "Borough-wide", "Town hall"]
        for (title, level, start, end, status), area in zip(rows, areas, strict=True):
            session.add(
                Consultation(
                    title=title,
                    level=level,
                    planned_start=start,
                    planned_end=end,
                    status=status,
                    area=area,
                    lead_id=sam.id,
                    lead_name=sam.name,
                    budget="£2,000",
                    created_at=ctx.now(),
                )
            )


def publish_register(cli: Callable[..., Result]) -> None:
    """Staff publish three of the four from the command line."""
    common = ["--contact-name", "The engagement team", "--contact-email", "engage@blackpool.gov.uk"]
    results = [
        cli(
            "consultations", "publish", str(LIBRARY),
            "--summary", "We propose to close Hallgate library & open a library hub at the school.",
            "--who", "Anyone who lives, works or studies in Blackpool",
            "--how", "https://consult.blackpool.gov.uk/hallgate-library",
            "--topic", "Libraries", *common,
        ),
        cli("consultations", "update", str(PLAY_AREA), "--participation", "212 responses",
            "--findings", "Most wanted more swings and a fence by the road.",
            "--you-said-we-did", "We added four swings and fenced the road side."),
        cli(
            "consultations", "publish", str(PLAY_AREA),
            "--summary", "What should the new Moor Park play area have?",
            "--who", "Families who use Moor Park", "--topic", "Parks", *common,
        ),
        cli(
            "consultations", "publish", str(BUDGET),
            "--summary", "How should we balance the budget for 2027/28?",
            "--who", "Everyone in Blackpool", "--how", "An online survey opens on 5 January.",
            "--topic", "Budget", *common,
        ),
    ]  # fmt: skip
    for result in results:
        assert result.exit_code == 0, result.output


@dataclass
class Page:
    """The public page on a real server: `get(path)` gives (status, headers, body)."""

    url: str

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        """The text (a CSV's byte-order mark read as Excel reads it, not as text)."""
        status, headers, body = self.fetch(path)
        return status, headers, body.decode("utf-8-sig")

    def fetch(
        self, path: str, headers: dict[str, str] | None = None, data: bytes | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """The raw bytes, with request headers (and a body, to POST)."""
        request = urllib.request.Request(self.url + path, headers=headers or {}, data=data)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()


@contextmanager
def serve_page(ctx: AppContext, *, logo: Path | None = None, **options: Any) -> Iterator[Page]:
    running = start_in_thread([PublicPage(ctx, council=COUNCIL, logo=logo, **options)])
    try:
        yield Page(running.url)
    finally:
        running.stop()

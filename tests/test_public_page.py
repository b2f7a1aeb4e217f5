"""The public engagement page, as a resident sees it over HTTP, and as staff publish to it.

Staff publish register entries with the command line or in chat; residents read /engage/ (and
/engage/<council>/) with no login: the list with search and filters, one page per activity,
the Atom feed and the same entries as CSV and JSON. Only published entries, and nothing about
people but the named contact, ever appear.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import feedparser
import httpx
import pytest
from typer.testing import CliRunner, Result

from bot.channels.console import ConsoleChannel
from bot.cli import app
from bot.conversation import Conversation
from handlers.chat.context import AppContext
from handlers.plans.organisations import add as add_org
from models.db import transaction
from models.scoping import ALL
from models.tables import Consultation
from tests.conftest import LONDON, NOW, SAM, STRANGER, Chat
from tests.outages import vanished
from tests.public_site import (
    BUDGET,
    CAR_PARK,
    COUNCIL,
    LIBRARY,
    PLAY_AREA,
    Page,
    add_register,
    publish_register,
    serve_page,
)
from tests.test_serve import _env, _free_port, _wait_until_up

LOGO = Path(__file__).parent / "fixtures" / "public" / "council-logo.svg"
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # feedparser's own


@pytest.fixture
def page(ctx: AppContext, cli: Callable[..., Result]) -> Iterator[Page]:
    add_register(ctx)
    publish_register(cli)
    with serve_page(ctx) as served:
        yield served


def linked_ids(html: str) -> list[int]:
    """The activities a list page links to, in order."""
    return [int(n) for n in re.findall(r'href="/engage/activities/(\d+)"', html)]


def test_the_page_lists_open_upcoming_and_closed_activities_and_nothing_unpublished(
    page: Page,
) -> None:
    status, headers, html = page.get("/engage/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert f"<title>Consultations and engagement – {COUNCIL}</title>" in html
    assert linked_ids(html) == [LIBRARY, BUDGET, PLAY_AREA]  # open, opening soon, closed
    for heading in ("Open now: have your say", "Opening soon", "Closed: we asked, you said"):
        assert heading in html
    assert "Staff car park charges" not in html
    # Nothing about people but the named contact: not the lead, not the budget.
    assert "Sam Patel" not in html and "£2,000" not in html
    assert "script-src" not in headers["Content-Security-Policy"]  # no script may run


def test_an_activity_page_says_who_can_take_part_how_and_whom_to_ask(page: Page) -> None:
    status, _, html = page.get(f"/engage/activities/{LIBRARY}")
    assert status == 200
    assert '<h1 dir="auto" class="heading-xl">Closing Hallgate library</h1>' in html
    assert "open a library hub at the school" in html and "&amp; open" in html
    assert "Anyone who lives, works or studies in Blackpool" in html
    link = "https://consult.blackpool.gov.uk/hallgate-library"
    assert f'<a href="{link}">{link}</a>' in html
    assert 'href="mailto:engage@blackpool.gov.uk"' in html
    assert "1 November 2026" in html and "20 December 2026" in html
    assert "Sam Patel" not in html


def test_a_closed_activity_shows_we_asked_you_said_we_did(page: Page) -> None:
    _, _, html = page.get(f"/engage/activities/{PLAY_AREA}")
    asked, said, did = (html.index(h) for h in (">We asked<", ">You said<", ">We did<"))
    assert asked < said < did
    assert "212 responses" in html and "more swings and a fence" in html
    assert "We added four swings and fenced the road side." in html


def test_an_unpublished_or_unknown_activity_is_not_found(page: Page) -> None:
    for path in (f"/engage/activities/{CAR_PARK}", "/engage/activities/999", "/engage/nope/"):
        status, _, html = page.get(path)
        assert status == 404 and "Page not found" in html
        assert "Staff car park" not in html


def test_search_and_filters_narrow_the_list(page: Page) -> None:
    assert linked_ids(page.get("/engage/?q=library+hub")[2]) == [LIBRARY]
    assert linked_ids(page.get("/engage/?q=swings")[2]) == []  # findings are not searched
    assert linked_ids(page.get("/engage/?area=Moor+Park")[2]) == [PLAY_AREA]
    assert linked_ids(page.get("/engage/?topic=budget")[2]) == [BUDGET]
    assert linked_ids(page.get("/engage/?status=closed")[2]) == [PLAY_AREA]
    assert linked_ids(page.get("/engage/?status=open&topic=Parks")[2]) == []
    _, _, html = page.get("/engage/?q=car+park")
    assert "There are no activities to show for this search" in html
    _, _, html = page.get("/engage/?area=Hallgate")
    assert '<option value="Hallgate" selected>' in html  # the form remembers the choice


def test_the_feed_is_valid_atom_with_every_published_activity(page: Page) -> None:
    status, headers, body = page.get("/engage/feed.atom")
    assert status == 200 and headers["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == f"{COUNCIL}: consultations and engagement"
    assert feed.feed.author == COUNCIL and feed.feed.id and feed.feed.updated
    assert any(link.rel == "self" for link in feed.feed.links)
    ids = set()
    for entry in feed.entries:
        assert entry.id and entry.title and entry.updated and entry.link  # RFC 4287 §4.1.2
        ids.add(entry.id)
        status, _, html = page.get(entry.link.removeprefix(page.url))
        assert status == 200 and entry.title in html  # each entry leads to its page
    assert len(ids) == 3 and not any(str(CAR_PARK) in i.rsplit("/", 1)[1] for i in ids)


def test_csv_and_json_hold_the_same_entries_as_the_page(page: Page) -> None:
    for query in ("", "?status=closed", "?q=budget", "?topic=Libraries"):
        shown = linked_ids(page.get(f"/engage/{query}")[2])
        status, headers, body = page.get(f"/engage/activities.json{query}")
        data = json.loads(body)
        assert [a["id"] for a in data["activities"]] == shown
        status, headers, body = page.get(f"/engage/activities.csv{query}")
        assert headers["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(body)))
        assert [int(r["id"]) for r in rows] == shown
    record = json.loads(page.get("/engage/activities.json")[2])["activities"][2]
    assert record["we_did"] == "We added four swings and fenced the road side."
    assert record["contact_email"] == "engage@blackpool.gov.uk"
    # No internal fields: the lead, the budget, legal advice.
    assert not {"lead", "budget", "legal_advice"} & set(record)
    assert "Sam Patel" not in page.get("/engage/activities.csv")[2]


def test_a_formula_in_a_title_is_neutralised_in_the_csv_and_markup_is_shown_as_text(
    ctx: AppContext, cli: Callable[..., Result]
) -> None:
    add_register(ctx)
    publish_register(cli)
    with transaction(ctx.engine) as session:
        entry = session.get(Consultation, BUDGET)
        assert entry is not None
        entry.title = '=HYPERLINK("http://evil.example","Budget")'
        entry.summary = "<script>alert('x')</script> -5% uptake"
        session.add(entry)
    with serve_page(ctx) as page:
        rows = list(csv.DictReader(io.StringIO(page.get("/engage/activities.csv")[2])))
        budget = next(r for r in rows if r["id"] == str(BUDGET))
        assert budget["title"].startswith("'=HYPERLINK")
        html = page.get(f"/engage/activities/{BUDGET}")[2]
        assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;x&#39;)" in html
        feed = page.get("/engage/feed.atom")[2]
        assert "<script>" not in feed and not feedparser.parse(feed).bozo


def test_each_council_has_its_own_page_and_sees_nothing_of_the_others(
    ctx: AppContext, cli: Callable[..., Result]
) -> None:
    add_register(ctx)
    publish_register(cli)
    with transaction(ctx.engine, ALL) as session:
        add_org(session, "south-ribble", "South Ribble Borough Council", NOW)
    with transaction(ctx.engine, "south-ribble") as session:
        session.add(
            Consultation(
                title="Leyland market hall",
                planned_start=NOW.date(),
                area="Leyland",
                status="open",
                summary="Tell us about the market.",
                published=True,
                created_at=NOW,
            )
        )
    with serve_page(ctx) as page:
        status, _, html = page.get("/engage/south-ribble/")
        assert status == 200 and "South Ribble Borough Council" in html
        assert "Leyland market hall" in html and "Hallgate" not in html
        south_ids = re.findall(r'href="/engage/south-ribble/activities/(\d+)"', html)
        assert len(south_ids) == 1
        # Blackpool's activity numbers find nothing under South Ribble's address.
        assert page.get(f"/engage/south-ribble/activities/{LIBRARY}")[0] == 404
        assert "Leyland" not in page.get("/engage/")[2]  # the default council's page
        assert page.get(f"/engage/activities/{south_ids[0]}")[0] == 404
        data = json.loads(page.get("/engage/south-ribble/activities.json")[2])
        assert [a["title"] for a in data["activities"]] == ["Leyland market hall"]
        assert data["publisher"] == "South Ribble Borough Council"


def test_publishing_from_the_cli_explains_what_is_missing(
    ctx: AppContext, cli: Callable[..., Result]
) -> None:
    add_register(ctx)
    result = cli("consultations", "publish", str(CAR_PARK), "--summary", "Charges for staff")
    assert result.exit_code == 1
    assert "needs who can take part, how to take part" in result.output
    assert "a contact e-mail or phone" in result.output
    result = cli("consultations", "publish", str(CAR_PARK), "--contact-email", "not an address")
    assert result.exit_code == 1 and "doesn't look like an e-mail address" in result.output
    assert "not on the public page" not in cli("consultations", "list").output
    with serve_page(ctx) as page:
        assert linked_ids(page.get("/engage/")[2]) == []


def test_unpublishing_takes_an_activity_off_the_page_feed_and_data(
    page: Page, cli: Callable[..., Result]
) -> None:
    assert cli("consultations", "unpublish", str(LIBRARY)).exit_code == 0
    assert LIBRARY not in linked_ids(page.get("/engage/")[2])
    assert page.get(f"/engage/activities/{LIBRARY}")[0] == 404
    assert "Hallgate library" not in page.get("/engage/feed.atom")[2]
    assert "Hallgate library" not in page.get("/engage/activities.csv")[2]


def test_the_lead_publishes_in_chat_answering_what_the_page_needs(
    ctx: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    add_register(ctx)
    sam = chat_as(SAM)
    answer = sam.send("publish consultation 4")
    assert "Let's put 'Staff car park charges' on the public page. I need 6 things." in answer
    assert "What is it about?" in answer
    assert "Who can take part?" in sam.send("Charges for parking at the town hall from April.")
    assert "How can people take part?" in sam.send("Council staff and visitors")
    assert "Which topic" in sam.send("https://consult.blackpool.gov.uk/car-park")
    assert "named contact" in sam.send("Transport")
    assert "e-mail address or phone number" in sam.send("Parking services")
    assert "doesn't look like a phone number" in sam.send("call us")
    preview = sam.send("01253 478000")
    assert "This is what the public page will show" in preview
    assert "Charges for parking at the town hall" in preview and "01253 478000" in preview
    published = sam.send("publish")
    # The register number, and a link that can be followed from chat (not a bare path).
    assert f"Published register entry {CAR_PARK}, 'Staff car park charges'" in published
    assert f"at /engage/default/activities/{CAR_PARK} (set ENGAGEBOT_PUBLIC_URL" in published
    known_site = replace(ctx, public_url="https://engage.example.gov.uk")
    site = ConsoleChannel(Conversation(known_site), SAM)
    site.send(f"unpublish {CAR_PARK}")
    site.send(f"publish {CAR_PARK}")
    link = f"https://engage.example.gov.uk/engage/default/activities/{CAR_PARK}"
    assert link in site.send("publish")
    with serve_page(ctx) as page:
        html = page.get(f"/engage/activities/{CAR_PARK}")[2]
        assert "Parking services" in html and 'href="tel:01253478000"' in html


def test_only_the_lead_or_the_engagement_team_can_publish(
    ctx: AppContext, chat_as: Callable[[str], Chat]
) -> None:
    add_register(ctx)
    answer = chat_as(STRANGER).send("publish consultation 1")
    assert "Only the lead of 'Closing Hallgate library' or the engagement team" in answer
    assert "There is no register entry 99" in chat_as(SAM).send("publish consultation 99")
    sam = chat_as(SAM)
    assert "What is it about?" in sam.send("publish consultation 1")
    assert "Nothing was saved" in sam.send("cancel")
    with serve_page(ctx) as page:
        assert linked_ids(page.get("/engage/")[2]) == []


def remind_at(db_url: str, when: datetime) -> str:
    """`engagebot remind --now` at another moment than the suite's clock."""
    env = {"DATABASE_URL": db_url, "ENGAGEBOT_NOW": when.isoformat()}
    result = CliRunner().invoke(app, ["remind", "--now"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_lead_is_nudged_when_a_closed_activity_on_the_page_has_no_we_did(
    ctx: AppContext,
    cli: Callable[..., Result],
    chat_as: Callable[[str], Chat],
    db_url: str,
) -> None:
    add_register(ctx)
    publish_register(cli)  # the play area has its "we did": nobody is asked about it
    cli("consultations", "update", str(CAR_PARK), "--status", "closed")
    published = cli(
        "consultations", "publish", str(CAR_PARK), "--summary", "Charges for staff parking",
        "--who", "Council staff", "--topic", "Transport", "--contact-name", "Parking services",
        "--contact-phone", "01253 478000",
    )  # fmt: skip
    assert published.exit_code == 0, published.output
    dry_run = cli("remind", "--dry-run").output
    assert "closed, on the public page with no 'we did' (we-did)" in dry_run
    remind_at(db_url, NOW)
    inbox = chat_as(SAM).inbox()
    assert "A consultation you lead has closed" in inbox
    assert "Staff car park charges" in inbox and "'we did' is missing" in inbox
    assert "Moor Park" not in inbox
    remind_at(db_url, NOW.replace(hour=14))  # the same day again: nothing more
    assert "Staff car park" not in chat_as(SAM).inbox()
    # Four weeks on, still nothing: asked once more; after that, no more.
    remind_at(db_url, datetime(2026, 12, 21, 10, 0, tzinfo=LONDON))
    assert "A second reminder." in chat_as(SAM).inbox()
    remind_at(db_url, datetime(2027, 1, 25, 10, 0, tzinfo=LONDON))
    later = chat_as(SAM).inbox()
    assert "Staff car park" not in later
    assert "Closing Hallgate library (on the public page)" in later  # closed 20/12, none yet


def test_an_officer_erased_on_request_is_no_longer_the_public_contact(
    page: Page, cli: Callable[..., Result]
) -> None:
    cli("consultations", "publish", str(LIBRARY), "--contact-name", "Sam Patel",
        "--contact-email", SAM)  # fmt: skip
    assert "Sam Patel" in page.get(f"/engage/activities/{LIBRARY}")[2]
    assert cli("people", "forget", SAM, "--yes").exit_code == 0
    html = page.get(f"/engage/activities/{LIBRARY}")[2]
    assert "Sam Patel" not in html and SAM not in html
    assert "Sam Patel" not in page.get("/engage/activities.json")[2]


def test_engagebot_serve_public_shows_the_councils_name_and_logo(
    tmp_path: Path, ctx: AppContext, cli: Callable[..., Result], db_url: str
) -> None:
    add_register(ctx)
    publish_register(cli)
    port = _free_port()
    env = _env(
        DATABASE_URL=db_url,
        ENGAGEBOT_NOW=NOW.isoformat(),
        ENGAGEBOT_COUNCIL_NAME="Blackpool Council",
        ENGAGEBOT_COUNCIL_LOGO=str(LOGO),
        ENGAGEBOT_PUBLIC_URL="https://engage.blackpool.gov.uk",
    )
    command = [sys.executable, "-m", "bot", "serve", "public", "--port", str(port)]
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, process)
        html = httpx.get(f"{url}/engage/").text
        assert '<span class="council">Blackpool Council</span>' in html
        assert '<img src="/engage/logo" alt=""' in html
        logo = httpx.get(f"{url}/engage/logo")
        assert logo.headers["content-type"] == "image/svg+xml" and b"<svg" in logo.content
        moved = httpx.get(f"{url}/engage", follow_redirects=True)
        assert moved.status_code == 200 and moved.url.path == "/engage/"
        feed = feedparser.parse(httpx.get(f"{url}/engage/feed.atom").text)
        assert feed.feed.id == "https://engage.blackpool.gov.uk/engage/feed.atom"
        assert {e.link for e in feed.entries} == {
            f"https://engage.blackpool.gov.uk/engage/activities/{n}"
            for n in (LIBRARY, PLAY_AREA, BUDGET)
        }
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_while_the_database_is_away_residents_get_a_plain_problem_page(
    page: Page, ctx: AppContext
) -> None:
    with vanished(ctx):
        status, headers, html = page.get("/engage/")
        assert status == 503 and headers["Retry-After"] == "120"
        assert "Sorry, there is a problem with the service" in html
        assert "Traceback" not in html and "sqlite" not in html.lower()
        assert page.get("/engage/feed.atom")[0] == 503
    assert linked_ids(page.get("/engage/")[2]) == [LIBRARY, BUDGET, PLAY_AREA]

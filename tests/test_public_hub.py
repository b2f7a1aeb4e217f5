"""The public page as a council's consultation hub: awkward text, many activities, caching,
branding, Welsh, the accessibility statement and documents, as residents and staff meet them.

Each defect the issue found has its test here (named for what a resident sees); each failed
before its fix.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import brotli
import feedparser
import pytest
from docx import Document as WordDocument
from typer.testing import CliRunner, Result

from bot.cli import app
from handlers.chat.context import AppContext
from handlers.plans.organisations import add as add_org
from handlers.public.welsh import WELSH
from models.db import transaction
from models.scoping import ALL
from models.tables import Consultation
from tests.conftest import NOW, SAM, Chat
from tests.public_site import (
    LIBRARY,
    PLAY_AREA,
    Page,
    add_register,
    publish_register,
    serve_page,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # feedparser's own
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n" + b"0" * 3000 + b"\n%%EOF\n"
TEMPLATES = Path(__file__).parents[1] / "handlers" / "public" / "templates"


@pytest.fixture
def page(ctx: AppContext, cli: Callable[..., Result]) -> Iterator[Page]:
    add_register(ctx)
    publish_register(cli)
    with serve_page(ctx) as served:
        yield served


def linked_ids(html: str, base: str = "/engage/") -> list[int]:
    return [int(n) for n in re.findall(rf'href="{base}activities/(\d+)"', html)]


def many_published(ctx: AppContext, count: int, **fields: str) -> None:
    """`count` open activities on the page, as a busy council would have."""
    with transaction(ctx.engine) as session:
        for n in range(count):
            session.add(
                Consultation(
                    title=fields.get("title", f"Activity {n:03d}"),
                    planned_start=date(2026, 11, 1),
                    planned_end=date(2026, 12, 1) + timedelta(days=n),
                    status="open",
                    area=fields.get("area", "Hallgate"),
                    topic="Parks",
                    summary=fields.get("summary", "Tell us what you think."),
                    published=True,
                    public_updated_at=NOW,
                    created_at=NOW,
                )
            )


# -- awkward text -------------------------------------------------------------------------


def test_a_line_break_from_word_is_kept_as_a_line_break_and_never_breaks_the_feed(
    page: Page, cli: Callable[..., Result], ctx: AppContext
) -> None:
    done = cli("consultations", "update", str(PLAY_AREA), "--you-said-we-did",
               "We added swings.\x0bWe fenced the road.\x07")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert cli("consultations", "publish", str(LIBRARY), "--area", "Hall\x1bgate").exit_code == 0
    with transaction(ctx.engine) as session:
        entry = session.get(Consultation, PLAY_AREA)
        library = session.get(Consultation, LIBRARY)
        assert entry is not None and library is not None
        assert entry.you_said_we_did == "We added swings.\nWe fenced the road."
        assert library.area == "Hallgate"
        # Whatever wrote them (an old release, a script), the page and feed stay sound.
        entry.findings = "Most\x0b wanted\x00 swings\x1f"
        entry.title = "Moor Park\x0c play area"
        session.add(entry)
    feed = page.get("/engage/feed.atom")[2]
    parsed = feedparser.parse(feed)
    assert not parsed.bozo, parsed.get("bozo_exception")
    html = page.get(f"/engage/activities/{PLAY_AREA}")[2]
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", html + feed)
    assert "Moor Park play area" in html and "Most\n wanted swings" in html


def test_a_walk_title_with_control_characters_is_stored_clean(
    ctx: AppContext, chat_as: Chat
) -> None:
    from handlers.plans.register import Activity
    from handlers.plans.register import add as add_entry

    with transaction(ctx.engine) as session:
        entry = add_entry(session, Activity(title="Skate\x0bpark\x1b[31m plan", area="Pen\x00y"),
                          None, NOW)  # fmt: skip
        assert (entry.title, entry.area) == ("Skate park[31m plan", "Peny")


def test_right_to_left_words_are_isolated_from_the_sentence_around_them(
    ctx: AppContext, cli: Callable[..., Result]
) -> None:
    add_register(ctx)
    publish_register(cli)
    with transaction(ctx.engine) as session:
        entry = session.get(Consultation, LIBRARY)
        assert entry is not None
        entry.title = "مكتبة Hallgate library"
        session.add(entry)
    with serve_page(ctx) as page:
        html = page.get(f"/engage/activities/{LIBRARY}")[2]
        assert '<h1 dir="auto" class="heading-xl">مكتبة Hallgate library</h1>' in html
        assert '<span dir="auto">مكتبة Hallgate library</span>' in page.get("/engage/")[2]


def test_search_finds_words_whatever_their_accents(
    ctx: AppContext, cli: Callable[..., Result]
) -> None:
    add_register(ctx)
    publish_register(cli)
    with transaction(ctx.engine) as session:
        for number, title, area in ((LIBRARY, "Café at the library", "Ynys Môn"),):
            entry = session.get(Consultation, number)
            assert entry is not None
            entry.title, entry.area = title, area
            session.add(entry)
    with serve_page(ctx) as page:
        assert linked_ids(page.get("/engage/?q=cafe")[2]) == [LIBRARY]
        assert linked_ids(page.get("/engage/?q=Mon")[2]) == [LIBRARY]
        assert linked_ids(page.get("/engage/?q=CAF%C3%89+m%C3%B4n")[2]) == [LIBRARY]


def test_a_closed_activity_no_longer_says_how_to_take_part(
    page: Page, cli: Callable[..., Result]
) -> None:
    assert "How to take part" in page.get(f"/engage/activities/{LIBRARY}")[2]
    cli("consultations", "update", str(LIBRARY), "--status", "closed")
    html = page.get(f"/engage/activities/{LIBRARY}")[2]
    assert "How to take part" not in html and "consult.blackpool.gov.uk" not in html
    assert ">We asked<" in html


def test_the_csv_opens_in_excel_with_its_accents(page: Page, cli: Callable[..., Result]) -> None:
    cli("consultations", "publish", str(LIBRARY), "--area", "Ynys Môn")
    raw = page.fetch("/engage/activities.csv")[2]
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel looks for
    assert "Ynys Môn" in raw.decode("utf-8-sig")


def test_every_page_has_a_description_and_a_favicon(page: Page) -> None:
    html = page.get(f"/engage/activities/{LIBRARY}")[2]
    description = re.search(r'<meta name="description" content="([^"]+)">', html)
    assert description and description.group(1).startswith("We propose to close Hallgate")
    assert '<link rel="icon" href="/engage/favicon.svg" type="image/svg+xml">' in html
    status, headers, icon = page.get("/engage/favicon.svg")
    assert status == 200 and headers["Content-Type"] == "image/svg+xml" and "<svg" in icon
    assert '<meta name="description" content="Have your say' in page.get("/engage/")[2]


# -- addresses: never from the Host header --------------------------------------------------


def test_a_forged_host_header_never_reaches_the_feed_or_the_open_data(page: Page) -> None:
    forged = {"Host": "attacker.invalid"}
    for path in ("/engage/feed.atom", "/engage/activities.json", "/engage/activities.csv",
                 "/engage/", f"/engage/activities/{LIBRARY}"):  # fmt: skip
        body = page.fetch(path, forged)[2].decode("utf-8-sig")
        assert "attacker.invalid" not in body, path
    feed = feedparser.parse(page.fetch("/engage/feed.atom", forged)[2])
    assert feed.feed.id == f"{page.url}/engage/feed.atom"  # the address the server is bound to


def test_canonical_links_come_only_from_the_public_address(
    ctx: AppContext, cli: Callable[..., Result]
) -> None:
    add_register(ctx)
    publish_register(cli)
    with serve_page(ctx, public_url="https://engage.blackpool.gov.uk") as page:
        html = page.fetch(f"/engage/activities/{LIBRARY}", {"Host": "attacker.invalid"})[2]
        canonical = f"https://engage.blackpool.gov.uk/engage/activities/{LIBRARY}"
        assert f'<link rel="canonical" href="{canonical}">' in html.decode()
    with serve_page(ctx) as page:
        assert 'rel="canonical"' not in page.get("/engage/")[2]  # unknown: none is invented


def test_serve_public_needs_the_public_address_unless_it_serves_this_machine_only(
    db_url: str,
) -> None:
    env = {"DATABASE_URL": db_url, "ENGAGEBOT_PUBLIC_URL": ""}
    result = CliRunner().invoke(
        app, ["serve", "public", "--host", "0.0.0.0", "--port", "1"], env=env
    )
    assert result.exit_code == 1
    assert "Set ENGAGEBOT_PUBLIC_URL" in result.output and "--host 127.0.0.1" in result.output


def test_one_councils_not_found_page_carries_its_own_name(
    ctx: AppContext, cli: Callable[..., Result]
) -> None:
    with transaction(ctx.engine, ALL) as session:
        add_org(session, "south-ribble", "South Ribble Borough Council", NOW)
    with serve_page(ctx) as page:
        status, _, html = page.get("/engage/south-ribble/activities/999")
        assert status == 404 and "Page not found" in html
        assert "South Ribble Borough Council" in html and "Blackpool" not in html
        assert "Blackpool" not in page.get("/engage/nowhere/")[2]


# -- many activities: paging, compression, conditional requests -----------------------------


def test_a_long_list_comes_twenty_at_a_time_with_pages_to_follow(ctx: AppContext) -> None:
    many_published(ctx, 45)
    with serve_page(ctx) as page:
        first = page.get("/engage/")[2]
        assert len(linked_ids(first)) == 20 and "<strong>45</strong> activities" in first
        assert "Showing 1 to 20 of 45" in first
        assert 'href="/engage/?page=2" rel="next"' in first
        third = page.get("/engage/?page=3")[2]
        assert len(linked_ids(third)) == 5 and 'aria-current="page"' in third
        assert "Showing 41 to 45 of 45" in third and 'rel="prev"' in third
        assert page.get("/engage/?page=4")[0] == 404
        search = page.get("/engage/?q=activity+04&area=Hallgate")[2]  # 004, 040 to 044
        assert len(linked_ids(search)) == 6 and "Showing" not in search


def test_the_feed_and_open_data_come_in_pages_too(ctx: AppContext) -> None:
    many_published(ctx, 120)
    with serve_page(ctx) as page:
        feed = feedparser.parse(page.get("/engage/feed.atom")[2])
        assert len(feed.entries) == 50
        following = {link.rel: link.href for link in feed.feed.links}
        assert following["next"].endswith("/engage/feed.atom?page=2")
        assert following["last"].endswith("/engage/feed.atom?page=3")
        last = feedparser.parse(page.get("/engage/feed.atom?page=3")[2])
        assert len(last.entries) == 20
        data = json.loads(page.get("/engage/activities.json?per_page=100")[2])
        assert (data["total"], data["pages"], len(data["activities"])) == (120, 2, 100)
        assert data["next"].endswith("/engage/activities.json?page=2&per_page=100")
        status, headers, _ = page.get("/engage/activities.csv?per_page=100")
        assert '?page=2&per_page=100>; rel="next"' in headers["Link"]


def test_pages_are_compressed_for_readers_that_accept_it(page: Page) -> None:
    plain = page.fetch("/engage/")[2]
    status, headers, body = page.fetch("/engage/", {"Accept-Encoding": "gzip, deflate, br"})
    assert headers["Content-Encoding"] == "br" and headers["Vary"] == "Accept-Encoding"
    assert brotli.decompress(body) == plain and len(body) < len(plain) / 3
    status, headers, body = page.fetch("/engage/feed.atom", {"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body).startswith(b"<?xml")
    assert "Content-Encoding" not in page.fetch("/engage/", {"Accept-Encoding": "br;q=0"})[1]


def test_a_reader_whose_copy_is_current_gets_304_until_something_changes(
    page: Page, cli: Callable[..., Result]
) -> None:
    for path in ("/engage/", f"/engage/activities/{PLAY_AREA}", "/engage/feed.atom",
                 "/engage/activities.json"):  # fmt: skip
        status, headers, _ = page.fetch(path)
        tag, modified = headers["ETag"], headers["Last-Modified"]
        assert page.fetch(path, {"If-None-Match": tag})[0] == 304, path
        assert page.fetch(path, {"If-Modified-Since": modified})[0] == 304, path
    status, headers, _ = page.fetch("/engage/feed.atom")
    cli("consultations", "update", str(PLAY_AREA), "--you-said-we-did", "Swings, and a fence.")
    status, after, body = page.fetch("/engage/feed.atom", {"If-None-Match": headers["ETag"]})
    assert status == 200 and after["ETag"] != headers["ETag"] and b"a fence" in body


# -- branding -----------------------------------------------------------------------------


def test_orgs_set_gives_a_council_its_own_name_logo_colours_and_contact(
    ctx: AppContext, cli: Callable[..., Result]
) -> None:
    with transaction(ctx.engine, ALL) as session:
        add_org(session, "south-ribble", "South Ribble Borough Council", NOW)
    logo = Path(__file__).parent / "fixtures" / "public" / "council-logo.svg"
    done = cli("orgs", "set", "south-ribble", "--colour", "#003078", "--accent", "#00703c",
               "--logo", str(logo), "--contact-email", "consult@southribble.gov.uk",
               "--contact-phone", "01772 421491")  # fmt: skip
    assert done.exit_code == 0, done.output
    bad = cli("orgs", "set", "south-ribble", "--colour", "#ffdd00")
    assert bad.exit_code == 1 and "contrast of 1.3:1" in bad.output and "WCAG" in bad.output
    with serve_page(ctx) as page:
        html = page.get("/engage/south-ribble/")[2]
        assert "South Ribble Borough Council" in html
        assert 'href="mailto:consult@southribble.gov.uk"' in html and "01772 421491" in html
        logo_path = re.search(r'<img src="(/engage/south-ribble/logo\?v=\w+)"', html)
        assert logo_path is not None
        status, headers, body = page.fetch(logo_path.group(1))
        assert headers["Content-Type"] == "image/svg+xml" and body == logo.read_bytes()
        css = page.get("/engage/south-ribble/brand.css")[2]
        assert "background: #003078" in css and "#00703c" in css
        assert "#003078" not in page.get("/engage/brand.css")[2]  # the other council's
        assert "consult@southribble" not in page.get("/engage/")[2]


def test_a_logo_that_is_not_a_picture_is_refused(
    ctx: AppContext, cli: Callable[..., Result], tmp_path: Path
) -> None:
    bad = tmp_path / "logo.svg"
    bad.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    result = cli("orgs", "set", "default", "--logo", str(bad))
    assert result.exit_code == 1 and "scripts" in result.output
    bad.write_text("just text")
    assert "PNG, JPEG or SVG" in cli("orgs", "set", "default", "--logo", str(bad)).output


# -- Welsh --------------------------------------------------------------------------------


def test_a_welsh_council_gets_the_page_in_welsh_and_english(
    ctx: AppContext, cli: Callable[..., Result]
) -> None:
    add_register(ctx)
    publish_register(cli)
    assert cli("orgs", "set", "default", "--languages", "cy,en",
               "--welsh-name", "Cyngor Blackpool").exit_code == 0  # fmt: skip
    done = cli("consultations", "welsh", str(LIBRARY), "--title", "Cau llyfrgell Hallgate",
               "--summary", "Rydym yn cynnig cau llyfrgell Hallgate.")  # fmt: skip
    assert done.exit_code == 0, done.output
    with serve_page(ctx, public_url="https://engage.example.gov.uk") as page:
        welsh = page.get("/engage/")[2]  # Welsh first: the default
        assert '<html lang="cy">' in welsh and "Ymgynghori ac ymgysylltu" in welsh
        assert '<span dir="auto">Cau llyfrgell Hallgate</span>' in welsh
        # an activity not given in Welsh is shown in English, and marked so
        assert '<span dir="auto" lang="en">Moor Park play area</span>' in welsh
        assert 'hreflang="en-GB" href="https://engage.example.gov.uk/engage/?lang=en"' in welsh
        assert '<a href="/engage/?lang=en" hreflang="en" lang="en">English</a>' in welsh
        assert "Tachwedd 2026" in welsh and "Cyngor Blackpool" in welsh
        english = page.get("/engage/?lang=en")[2]
        assert '<html lang="en-GB">' in english and "Closing Hallgate library" in english
        assert f'href="/engage/activities/{LIBRARY}?lang=en"' in english  # stays in English
        one = page.get(f"/engage/activities/{LIBRARY}")[2]
        assert '<h1 dir="auto" class="heading-xl">Cau llyfrgell Hallgate</h1>' in one
        assert "Pwy all gymryd rhan" in one
        feed = feedparser.parse(page.get("/engage/feed.atom")[2])
        assert "Cau llyfrgell Hallgate" in {e.title for e in feed.entries}


def test_every_word_of_the_interface_has_its_welsh() -> None:
    from handlers.public.entries import STATUS_LABELS
    from handlers.public.page import GROUPS

    found: set[str] = set()
    for path in TEMPLATES.glob("*.j2"):
        found |= {m[1] for m in re.findall(r'_\((["\'])(.*?)\1\)', path.read_text())}
    code = Path(__file__).parents[1]
    for name in ("bot/public_web.py", "handlers/subscriptions/mails.py",
                 "handlers/subscriptions/subscribe.py", "handlers/public/feed.py"):  # fmt: skip
        text = (code / name).read_text()
        found |= {m[1] for m in re.findall(r'words\((["\'])(.*?)\1', text)}
        found |= (
            set(re.findall(r'^\s+"([A-Z][^"{]*[.:]?)",?$', text, re.M)) if "web" in name else set()
        )
    found |= set(STATUS_LABELS.values()) | {heading for _, heading in GROUPS}
    found |= {"Consultation", "Engagement"}
    missing = sorted(found - set(WELSH) - {""})
    assert not missing, missing


# -- the accessibility statement -----------------------------------------------------------


def test_each_council_has_an_accessibility_statement_from_its_settings(
    page: Page, cli: Callable[..., Result]
) -> None:
    done = cli("orgs", "set", "default", "--accessibility-email", "access@blackpool.gov.uk",
               "--statement-prepared", "01/09/2026", "--tested-on", "2026-11-02",
               "--tested-by", "the digital team",
               "--known-issues", "Some older PDFs are scans without text.")  # fmt: skip
    assert done.exit_code == 0, done.output
    status, _, html = page.get("/engage/accessibility")
    assert status == 200
    assert "Accessibility statement for Blackpool Council&#39;s consultations" in html
    assert 'href="mailto:access@blackpool.gov.uk"' in html
    assert "partially compliant" in html and "Some older PDFs are scans" in html
    assert "prepared on 1 September 2026" in html and "2 November 2026 by the digital team" in html
    assert 'href="/engage/accessibility">Accessibility statement</a>' in page.get("/engage/")[2]


# -- documents ----------------------------------------------------------------------------


def word_file(path: Path) -> Path:
    document = WordDocument()
    document.add_paragraph("Hallgate library: the consultation document.")
    document.save(str(path))
    return path


def test_an_officer_attaches_documents_shown_with_their_format_and_size(
    page: Page, cli: Callable[..., Result], tmp_path: Path
) -> None:
    pdf = tmp_path / "Hallgate consultation.pdf"
    pdf.write_bytes(PDF)
    done = cli(
        "consultations", "attach", str(LIBRARY), str(pdf), "--title", "Consultation document"
    )
    assert done.exit_code == 0 and "Attached document" in done.output, done.output
    docx = word_file(tmp_path / "options.docx")
    assert cli("consultations", "attach", str(LIBRARY), str(docx)).exit_code == 0
    html = page.get(f"/engage/activities/{LIBRARY}")[2]
    assert "Consultation document" in html and ">PDF</abbr>, <span>3 KB</span>" in html
    assert ">MS Word Document</abbr>" in html and "Request an accessible format" in html
    link = re.search(
        r'href="(/engage/activities/1/documents/\d+/Hallgate consultation\.pdf)"', html
    )
    assert link is not None
    status, headers, body = page.fetch(link.group(1).replace(" ", "%20"))
    assert status == 200 and body == PDF and headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith("attachment;")
    listed = cli("consultations", "documents", str(LIBRARY)).output
    assert "Consultation document\tPDF, 3 KB" in listed
    first = listed.split("\t", 1)[0]
    assert cli("consultations", "detach", str(LIBRARY), first).exit_code == 0
    assert "Consultation document" not in page.get(f"/engage/activities/{LIBRARY}")[2]
    assert page.fetch(link.group(1).replace(" ", "%20"))[0] == 404


def test_a_file_that_is_not_what_its_name_says_or_too_big_is_refused(
    ctx: AppContext, cli: Callable[..., Result], tmp_path: Path, db_url: str
) -> None:
    add_register(ctx)
    fake = tmp_path / "report.pdf"
    fake.write_text("MZ this is a program, not a PDF")
    result = cli("consultations", "attach", str(LIBRARY), str(fake))
    assert result.exit_code == 1 and "is not a PDF, Word (.docx) or OpenDocument" in result.output
    big = tmp_path / "big.pdf"
    big.write_bytes(PDF + b"0" * (1024 * 1024))
    env = {"DATABASE_URL": db_url, "ENGAGEBOT_ATTACHMENT_MAX_MB": "1"}
    result = CliRunner().invoke(app, ["consultations", "attach", str(LIBRARY), str(big)], env=env)
    assert result.exit_code == 1 and "documents can be up to 1.0 MB" in result.output
    assert "No documents" in cli("consultations", "documents", str(LIBRARY)).output


def test_the_lead_attaches_a_document_in_chat(
    ctx: AppContext, chat_as: Chat, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    add_register(ctx)
    publish_register(cli)
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(PDF)
    answer = chat_as(SAM).send(f"attach {pdf} to consultation {LIBRARY} as The plan")
    assert "Attached 'The plan' (PDF, 3 KB) to 'Closing Hallgate library'" in answer
    assert "Send the document with your message" in chat_as(SAM).send("attach to consultation 1")
    answer = chat_as("nobody@example.org").send(f"attach {pdf} to consultation {LIBRARY}")
    assert "Only the lead of 'Closing Hallgate library'" in answer
    with serve_page(ctx) as page:
        assert "The plan" in page.get(f"/engage/activities/{LIBRARY}")[2]

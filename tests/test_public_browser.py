"""The public engagement page in a real browser (Chromium through Playwright): a resident
searches, filters, opens an activity and follows the feed, with JavaScript off; every page type
passes an axe-core scan (WCAG 2.2 AA) with no serious or critical violation; it reflows at
320 px and prints without its navigation.

Set ENGAGEBOT_SCREENSHOTS=docs to refresh the README's screenshots.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from handlers.chat.context import AppContext
from tests.public_site import BUDGET, LIBRARY, PLAY_AREA, Page, add_register, publish_register
from tests.public_site import serve_page as serve

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
axe_api = pytest.importorskip("axe_playwright_python.sync_playwright", reason="no axe-playwright")

LOGO = Path(__file__).parent / "fixtures" / "public" / "council-logo.svg"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def chromium_path() -> str | None:
    """The system Chromium (`apt-get install chromium`): Playwright cannot download one here."""
    for name in (os.environ.get("ENGAGEBOT_CHROMIUM", ""), "chromium", "chromium-browser"):
        found = shutil.which(name) if name else None
        if found:
            return found
    return None


pytestmark = pytest.mark.skipif(
    chromium_path() is None,
    reason="no Chromium on this machine: apt-get install -y chromium (.ci/run does, as root)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium_path())
        yield launched
        launched.close()


@pytest.fixture
def site(ctx: AppContext, cli: Callable[..., Result]) -> Iterator[Page]:
    add_register(ctx)
    publish_register(cli)
    with serve(ctx, logo=LOGO) as page:
        yield page


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    """A browser tab with JavaScript off: the page must work without it."""
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1100, "height": 900}
    )
    yield context.new_page()
    context.close()


def shoot(page: Any, name: str, tmp_path: Path, **options: Any) -> None:
    """A full-page screenshot, kept in ENGAGEBOT_SCREENSHOTS when set (docs/ for the README)."""
    folder = Path(os.environ.get("ENGAGEBOT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"public-{name}.png"
    page.screenshot(path=str(path), full_page=True, **options)
    assert path.stat().st_size > 5000


def test_a_resident_searches_filters_opens_an_activity_and_follows_the_feed(
    site: Page, tab: Any, tmp_path: Path
) -> None:
    tab.goto(site.url + "/engage/")
    assert tab.title() == "Consultations and engagement – Blackpool Council"
    assert tab.get_by_role("heading", level=1).inner_text() == "Consultations and engagement"
    shoot(tab, "list", tmp_path)

    tab.get_by_role("searchbox", name="Search").fill("library")
    tab.get_by_role("button", name="Apply filters").click()
    assert "q=library" in tab.url
    titles = tab.locator(".entry h3").all_inner_texts()
    assert titles == ["Closing Hallgate library"]
    assert tab.locator("#result-count").inner_text() == "1 activity match your search"

    tab.get_by_role("link", name="Clear filters").click()
    tab.get_by_label("Area").select_option("Moor Park")
    tab.get_by_role("radio", name="Closed").check()
    tab.get_by_role("button", name="Apply filters").click()
    assert tab.locator(".entry h3").all_inner_texts() == ["Moor Park play area"]

    tab.get_by_role("link", name="Moor Park play area").click()
    assert tab.url.endswith(f"/engage/activities/{PLAY_AREA}")
    for heading in ("We asked", "You said", "We did"):
        assert tab.get_by_role("heading", name=heading, level=2).is_visible()
    assert "We added four swings" in tab.locator("main").inner_text()
    shoot(tab, "closed-activity", tmp_path)

    tab.get_by_role("link", name="Consultations and engagement").first.click()
    tab.get_by_role("link", name="Closing Hallgate library").click()
    assert tab.get_by_role("link", name="engage@blackpool.gov.uk").is_visible()
    shoot(tab, "activity", tmp_path)

    feed = tab.get_by_role("link", name="Atom feed of activities")
    response = tab.request.get(site.url + feed.get_attribute("href"))
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert "<title>Closing Hallgate library</title>" in response.text()


@pytest.mark.parametrize(
    "path",
    [
        "/engage/",
        "/engage/?q=budget&status=upcoming",
        f"/engage/activities/{LIBRARY}",
        f"/engage/activities/{PLAY_AREA}",
        f"/engage/activities/{BUDGET}",
        "/engage/activities/999",
    ],
    ids=["list", "search-results", "open-activity", "closed-activity", "upcoming", "not-found"],
)
def test_every_page_type_passes_axe_with_no_serious_or_critical_violation(
    site: Page, browser: Any, path: str
) -> None:
    context = browser.new_context()  # axe runs as a script: this tab allows it
    page = context.new_page()
    page.goto(site.url + path)
    options = {"runOnly": {"type": "tag", "values": WCAG_22_AA}}
    results = axe_api.Axe().run(page, options=options)
    context.close()
    found = [(v["id"], v["impact"], v["help"]) for v in results.response["violations"]]
    assert [v for v in found if v[1] in ("serious", "critical")] == [], found
    assert found == []  # none of any impact, as it stands: keep it that way
    assert results.response["passes"], "axe ran no checks"


def test_keyboard_users_skip_to_the_content_and_see_where_focus_is(
    site: Page, browser: Any
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(site.url + "/engage/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    skip = page.get_by_role("link", name="Skip to main content")
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and skip.is_visible()  # on screen once focused
    colour = skip.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(255, 221, 0)"  # the GOV.UK focus yellow
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    context.close()


def test_the_page_reflows_at_320_pixels_and_prints_without_navigation(
    site: Page, browser: Any, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(site.url + "/engage/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the page scrolls sideways at 320 px ({width} px wide)"
    shoot(page, "mobile", tmp_path)
    page.set_viewport_size({"width": 1000, "height": 900})
    page.goto(site.url + f"/engage/activities/{LIBRARY}")
    page.emulate_media(media="print")
    assert not page.locator(".footer").is_visible()
    assert not page.locator(".breadcrumbs").is_visible()
    assert not page.locator(".filters").count() or not page.locator(".filters").is_visible()
    # On paper a link must say where it goes: the page writes addresses out as the link text.
    link = page.locator("main dd a").first
    assert link.inner_text() == link.get_attribute("href")
    shoot(page, "print", tmp_path)
    context.close()


# -- the hub: awkward words, many activities, Welsh, new pages ---------------------------------

LONG_PLACE = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch"
LONG_LINK = "https://consult.example.gov.uk/" + "hallgate-library-consultation-" * 4 + "2026"
# WCAG 1.4.12: text must survive these spacings without loss of content or function.
SPACING = (
    "* { line-height: 1.5 !important; letter-spacing: 0.12em !important; "
    "word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }"
)
CLIPPED = """() => [...document.querySelectorAll('body *')].filter(e => {
  const style = getComputedStyle(e);
  const hidden = ['hidden', 'clip'];
  const hides = hidden.includes(style.overflowY) || hidden.includes(style.overflowX);
  return hides && !e.classList.contains('visually-hidden') && e.offsetParent !== null
    && (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1);
}).map(e => e.tagName + '.' + e.className)"""


@pytest.fixture(scope="module")
def hub(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    """A bilingual council with long words, a document, 45 activities and e-mail on: built
    once for the module's tests, which only read it."""
    from datetime import date, timedelta

    from typer.testing import CliRunner

    from bot.cli import app
    from handlers.chat.clock import FixedClock
    from models.db import make_engine, transaction
    from models.tables import Consultation
    from tests.conftest import LONDON, NOW

    tmp_path = tmp_path_factory.mktemp("hub")
    shutil.copy(template_db, tmp_path / "engagebot.db")
    url = f"sqlite:///{tmp_path / 'engagebot.db'}"
    ctx = AppContext(engine=make_engine(url), clock=FixedClock(NOW), tz=LONDON)
    env = {"DATABASE_URL": url, "ENGAGEBOT_NOW": NOW.isoformat()}

    def cli(*args: str) -> Result:
        return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)

    add_register(ctx)
    publish_register(cli)
    cli("consultations", "publish", str(LIBRARY), "--how", LONG_LINK, "--area", LONG_PLACE)
    cli("consultations", "update", str(PLAY_AREA), "--findings", f"{LONG_PLACE} " * 3)
    pdf = tmp_path / "Hallgate.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + b"0" * 2000)
    cli("consultations", "attach", str(LIBRARY), str(pdf), "--title", f"{LONG_PLACE} report")
    cli("orgs", "set", "default", "--languages", "en,cy", "--contact-email", "engage@bpl.gov.uk")
    cli("consultations", "welsh", str(LIBRARY), "--title", f"Cau llyfrgell {LONG_PLACE}")
    with transaction(ctx.engine) as session:
        for n in range(45):
            session.add(
                Consultation(title=f"Neighbourhood plan {n:02d}", planned_start=date(2026, 11, 1),
                             planned_end=date(2027, 1, 1) + timedelta(days=n), status="open",
                             area="Hallgate", topic="Planning", summary="Tell us.",
                             published=True, public_updated_at=NOW, created_at=NOW)
            )  # fmt: skip
    with serve(ctx, logo=LOGO, mail=True) as page:
        yield page
    ctx.engine.dispose()


HUB_PAGES = [
    "/engage/",
    "/engage/?page=2",
    f"/engage/activities/{LIBRARY}",
    f"/engage/activities/{PLAY_AREA}",
    "/engage/activities/999",
    "/engage/accessibility",
    "/engage/subscribe",
    "/engage/?lang=cy",
    f"/engage/activities/{LIBRARY}?lang=cy",
]


def test_long_words_reflow_at_320_pixels_and_400_percent_with_text_spacing(
    hub: Page, browser: Any
) -> None:
    """WCAG 1.4.10 (320 CSS px: a phone, and 1280 px at 400% zoom) and 1.4.12 (text spacing):
    no page scrolls sideways and no text is cut off, with a Welsh place name, a long link and
    a long document title on the page."""
    context = browser.new_context(bypass_csp=True)  # to add the spacing style sheet
    tab = context.new_page()
    problems = []
    # 320 x 640: a phone; 320 x 256: 1280 x 1024 at 400%; 1280: a desktop, text spaced.
    views = ((320, 640, (False, True)), (320, 256, (True,)), (1280, 800, (True,)))
    for width, height, spacings in views:
        tab.set_viewport_size({"width": width, "height": height})
        for path in HUB_PAGES:
            for spaced in spacings:
                tab.goto(hub.url + path, wait_until="load")  # its style sheet applied
                if spaced:
                    tab.add_style_tag(content=SPACING)
                wide = tab.evaluate("document.documentElement.scrollWidth")
                if wide > width:
                    problems.append(f"{path} at {width}px{' spaced' if spaced else ''}: {wide}px")
                cut = tab.evaluate(CLIPPED)
                if cut:
                    problems.append(f"{path} at {width}px spaced={spaced}: clipped {cut}")
    context.close()
    assert problems == []


def test_keyboard_users_page_through_the_list(hub: Page, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=True)
    tab = context.new_page()
    tab.goto(hub.url + "/engage/")
    for _ in range(200):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.getAttribute('rel')") == "next":
            break
    else:
        raise AssertionError("Tab never reached the Next page link")
    colour = tab.evaluate("getComputedStyle(document.activeElement).backgroundColor")
    assert colour == "rgb(255, 221, 0)"  # focus is visible
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/engage/?page=2")
    assert tab.locator("a[aria-current=page]").inner_text() == "2"
    assert tab.locator(".entry h3").count() == 20
    context.close()


def test_a_resident_switches_between_english_and_welsh(hub: Page, tab: Any) -> None:
    tab.goto(hub.url + f"/engage/activities/{LIBRARY}")
    assert tab.get_attribute("html", "lang") == "en-GB"
    tab.get_by_role("link", name="Cymraeg").click()
    assert tab.get_attribute("html", "lang") == "cy"
    assert tab.get_by_role("heading", level=1).inner_text() == f"Cau llyfrgell {LONG_PLACE}"
    assert tab.get_by_text("Pwy all gymryd rhan").is_visible()
    tab.get_by_role("link", name="Ymgynghori ac ymgysylltu").first.click()
    assert "lang=cy" in tab.url and tab.get_attribute("html", "lang") == "cy"
    tab.get_by_role("link", name="English").click()
    assert tab.get_attribute("html", "lang") == "en-GB" and "lang=" not in tab.url


NEW_PAGE_TYPES = [
    "/engage/?page=2",
    f"/engage/activities/{LIBRARY}?lang=cy",  # Welsh, with a document
    "/engage/accessibility",
    "/engage/subscribe",
    "subscribe-errors",
    "/engage/subscribe/sent",
]


@pytest.mark.parametrize("path", NEW_PAGE_TYPES)
def test_every_new_page_passes_axe(hub: Page, browser: Any, path: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    if path == "subscribe-errors":
        page.goto(hub.url + "/engage/subscribe")
        page.get_by_label("Your e-mail address").fill("not an address")
        page.get_by_role("button", name="Subscribe").click()
        assert page.get_by_role("alert").is_visible()
    else:
        page.goto(hub.url + path)
    options = {"runOnly": {"type": "tag", "values": WCAG_22_AA}}
    results = axe_api.Axe().run(page, options=options)
    context.close()
    found = [(v["id"], v["impact"], v["help"]) for v in results.response["violations"]]
    assert found == []

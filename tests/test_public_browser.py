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

"""The site as Chromium shows it: accessible (WCAG 2.1 AA, axe-core) and private, on desktop and phone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Request, expect

from praatmee import texts
from praatmee.edition import load_edition
from praatmee.laptop.serve import site_pages

pytestmark = pytest.mark.browser

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
DOCS = Path(__file__).parents[1] / "docs"
PAGES = sorted(
    "/" if md.stem == "index" else f"/{md.relative_to(DOCS).with_suffix('').as_posix()}/"
    for md in DOCS.rglob("*.md")
)


def violations(page: Page) -> list[str]:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_no_axe_violations(page: Page, site_url: str, path: str, viewport: str) -> None:
    page.set_viewport_size(VIEWPORTS[viewport])  # type: ignore[arg-type]
    page.goto(site_url + path)

    assert violations(page) == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_requests_nothing_from_another_origin(
    page: Page, site_url: str, path: str, viewport: str
) -> None:
    requested: list[str] = []

    def note(request: Request) -> None:
        requested.append(request.url)

    page.on("request", note)
    page.set_viewport_size(VIEWPORTS[viewport])  # type: ignore[arg-type]
    page.goto(site_url + path, wait_until="networkidle")

    site = urlsplit(site_url).netloc
    assert requested, "the page made no requests at all"
    assert [url for url in requested if urlsplit(url).netloc != site] == []


def test_pages_are_served_as_built(built_site: Path) -> None:
    assert site_pages(built_site) == PAGES


def test_pages_are_dutch_with_a_skip_link_and_a_visible_focus(page: Page, site_url: str) -> None:
    page.goto(site_url + "/bijeenkomsten/")

    assert page.get_attribute("html", "lang") == "nl"
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " return {text: e.textContent.trim(), href: e.getAttribute('href'),"
        " outline: s.outlineStyle, width: parseFloat(s.outlineWidth), shadow: s.boxShadow}; }"
    )
    assert focused["text"] == "Ga naar inhoud"
    assert focused["href"].startswith("#")
    assert focused["outline"] == "solid"
    assert focused["width"] >= 3
    assert focused["shadow"] != "none"


def test_text_is_never_justified_and_lines_stay_readable(page: Page, site_url: str) -> None:
    page.set_viewport_size(VIEWPORTS["desktop"])  # type: ignore[arg-type]
    page.goto(site_url + "/privacy/")

    paragraphs = page.evaluate(
        "() => [...document.querySelectorAll('article.md-typeset p, article.md-typeset li')].map(p => {"
        " const s = getComputedStyle(p);"
        " return {align: s.textAlign, width: p.getBoundingClientRect().width,"
        " font: parseFloat(s.fontSize)}; })"
    )
    assert paragraphs
    assert {p["align"] for p in paragraphs} <= {"left", "start"}
    # At most about 80 characters a line: an average character is about half the font size wide.
    assert max(p["width"] / (p["font"] * 0.5) for p in paragraphs) <= 80
    assert min(p["font"] for p in paragraphs) >= 16


MENU_WIDTHS = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 1024, "height": 768}}
FOCUSED = (
    "() => { const e = document.activeElement; const r = e.getBoundingClientRect();"
    " return {id: e.id, inDrawer: !!e.closest('.md-sidebar--primary'), tag: e.tagName,"
    " visible: r.width > 0 && r.height > 0 && r.right > 0 && r.left < innerWidth"
    " && getComputedStyle(e).visibility === 'visible'}; }"
)


@pytest.mark.parametrize("viewport", MENU_WIDTHS)
def test_below_1220_px_the_menu_opens_by_keyboard_and_its_closed_links_are_skipped(
    page: Page, site_url: str, viewport: str
) -> None:
    # Given a page on a phone or tablet, where the navigation is a drawer behind the menu button
    page.set_viewport_size(MENU_WIDTHS[viewport])  # type: ignore[arg-type]
    page.goto(site_url + "/bijeenkomsten/")
    menu = page.get_by_role("checkbox", name="Menu")

    # When someone walks the page with Tab while the drawer is closed
    seen = []
    for _ in range(25):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED))

    # Then the menu button is reached, and nothing invisible or inside the closed drawer takes focus
    assert seen[0]["id"] == "__drawer"
    assert [s for s in seen if s["inDrawer"]] == []
    assert [s for s in seen[1:] if not s["visible"]] == []

    # And Space on the menu button opens the drawer, whose links are then reached and visible
    menu.focus()
    page.keyboard.press("Space")
    assert menu.is_checked()
    page.wait_for_function(  # the drawer has slid in
        "() => document.querySelector('.md-sidebar--primary').getBoundingClientRect().left >= 0"
    )
    in_drawer = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["inDrawer"]:
            in_drawer.append(focused)
    assert in_drawer, "no link of the open drawer took focus"
    assert all(f["visible"] for f in in_drawer)
    # And Space closes it again
    menu.focus()
    page.keyboard.press("Space")
    assert not menu.is_checked()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_dutch_404_page_has_no_axe_violations(page: Page, site_url: str, viewport: str) -> None:
    page.set_viewport_size(VIEWPORTS[viewport])  # type: ignore[arg-type]
    answer = page.goto(site_url + "/niet/bestaand/")

    assert answer is not None
    assert answer.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Deze pagina bestaat niet"
    assert violations(page) == []


def test_after_the_deadline_every_page_says_sign_up_is_closed(page: Page, site_url: str) -> None:
    # Given the site built before the deadline (the test edition closes on 1 March next year)
    closing = dt.datetime(dt.date.today().year + 1, 3, 1, tzinfo=dt.UTC)
    notice = page.locator(".pm-closed")

    # When it is read before the deadline, the notice stays hidden
    page.clock.set_fixed_time(closing - dt.timedelta(days=2))
    page.goto(site_url + "/")
    expect(notice).to_be_hidden()

    # And when it is read after the deadline, the home page and the form say sign-up is closed
    page.clock.set_fixed_time(closing + dt.timedelta(days=1))
    for path in ("/", "/aanmelden/", "/bijeenkomsten/"):
        page.goto(site_url + path)
        expect(notice).to_be_visible()
        last_day = texts.long_date(dt.date(closing.year, 2, 28))
        expect(notice).to_contain_text(f"Aanmelden is gesloten. Dat kon tot en met {last_day}.")
    assert violations(page) == []


def test_a_site_built_after_the_deadline_shows_the_notice_without_javascript() -> None:
    from hooks.edition import sign_up_closed

    edition = load_edition()
    closes = edition.registration_closes_at

    assert sign_up_closed(edition, closes - dt.timedelta(seconds=1))["now"] is False
    assert sign_up_closed(edition, closes)["now"] is True

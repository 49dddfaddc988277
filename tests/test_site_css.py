"""The pages load one small stylesheet (hooks/purge.py): only the theme rules they use, then our own. A reader
sees no difference: the pages look the same, pixel for pixel, as with Material's whole stylesheet."""

from __future__ import annotations

import hashlib
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import material  # type: ignore[import-untyped]
import pytest
from mkdocs.exceptions import PluginError
from playwright.sync_api import Browser, Page

from hooks.purge import bundle_site
from praatmee.laptop.serve import make_server
from tests.test_site_browser import violations

DOCS = Path(__file__).parents[1] / "docs"
MATERIAL_CSS = next((Path(material.__file__).parent / "templates/assets/stylesheets").glob("main.*.min.css"))
BUNDLE = re.compile(
    r'<link rel="stylesheet" href="(?:\.\./|/)*(assets/stylesheets/main\.([0-9a-f]{8})\.min\.css)">'
)


def full_css() -> bytes:
    """What the pages loaded before: Material's whole stylesheet, then ours."""
    return MATERIAL_CSS.read_bytes() + b"\n" + (DOCS / "assets" / "praatmee.css").read_bytes()


def test_every_page_loads_one_small_stylesheet_named_by_its_content(built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    linked = set()
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert len(re.findall(r'rel="stylesheet"', html)) == 1, page
        [(path, digest)] = BUNDLE.findall(html)
        linked.add((path, digest))
    [(path, digest)] = linked
    bundle = (built_site / path).read_bytes()

    assert hashlib.sha256(bundle).hexdigest()[:8] == digest  # cached a year: a new content, a new name
    assert len(bundle) < len(full_css()) / 3
    assert bundle.endswith((DOCS / "assets" / "praatmee.css").read_bytes())
    assert not (built_site / MATERIAL_CSS.relative_to(MATERIAL_CSS.parents[2])).exists()
    assert list((built_site / "assets" / "stylesheets").glob("main.*.map")) == []
    # The API's own pages still link our stylesheet by its fixed name
    assert (built_site / "assets" / "praatmee.css").is_file()


def test_the_site_holds_every_file_its_pages_load_and_of_the_themes_files_no_other(built_site: Path) -> None:
    # Given every file below assets/ that a built page links (relative or from the root)
    linked = set()
    for page in built_site.rglob("*.html"):
        url = "/" + page.relative_to(built_site).as_posix()
        for ref in re.findall(r'(?:href|src)="([^"#?]+)', page.read_text(encoding="utf-8")):
            path = urlsplit(urljoin(url, ref)).path
            if not urlsplit(ref).scheme and path.startswith("/assets/"):
                linked.add(path.removeprefix("/"))

    # Then each is in the site, and nothing of the theme's own folders that no page loads is deployed
    assert sorted(name for name in linked if not (built_site / name).is_file()) == []
    theme_files = {
        path.relative_to(built_site).as_posix()
        for folder in ("images", "javascripts", "stylesheets")
        for path in (built_site / "assets" / folder).rglob("*")
        if path.is_file()
    }
    assert sorted(theme_files - linked) == []
    # And our own files stay, also those only the API's pages and the room link
    own = {path.relative_to(DOCS).as_posix() for path in (DOCS / "assets").iterdir()}
    assert sorted(name for name in own if not (built_site / name).is_file()) == []


def test_every_custom_property_the_small_stylesheet_uses_is_still_defined(built_site: Path) -> None:
    # (states no screenshot shows, such as hover, use custom properties too: none may lose its value)
    def used_but_undefined(css: str) -> set[str]:
        return set(re.findall(r"var\((--[\w-]+)", css)) - set(re.findall(r"(--[\w-]+)\s*:", css))

    [bundle] = (built_site / "assets" / "stylesheets").glob("main.*.min.css")

    # Then only what Material leaves undefined itself (its fonts, with `font: false`) has no value
    assert used_but_undefined(bundle.read_text(encoding="utf-8")) <= used_but_undefined(full_css().decode())


def test_a_build_without_purgecss_stops_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(PluginError, match="npm ci"):
        bundle_site(tmp_path, [], purgecss=tmp_path / "purgecss")


# -- the same pictures with the whole stylesheet and with the small one ----------------------------------

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def open_menu(page: Page) -> None:
    page.locator("#__drawer").focus()
    page.keyboard.press("Space")


def show_errors(page: Page) -> None:
    page.get_by_role("button", name="Aanmelden").click()
    page.locator("#pm-error-summary").wait_for(state="visible")
    # The summary takes the focus, and the browser scrolls to it: a picture taken mid-scroll would put the
    # sticky header elsewhere. Wait until two frames in a row have the same scroll position, then take both
    # pictures from the top, so the header is where it is in both.
    settled = (
        "() => new Promise(done => { const y = scrollY;"
        " requestAnimationFrame(() => requestAnimationFrame(() => done(scrollY === y))); })"
    )
    page.wait_for_function(settled)
    page.evaluate("() => window.scrollTo({top: 0, behavior: 'instant'})")
    page.wait_for_function(f"async () => scrollY === 0 && await ({settled})()")


def nothing(page: Page) -> None:
    return None


def hover_a_menu_link(page: Page) -> None:
    page.locator(".md-sidebar--primary .md-nav__link").nth(2).hover()


def tab_to_a_link(page: Page) -> None:
    for _ in range(3):
        page.keyboard.press("Tab")


CASES: dict[str, tuple[str, dict[str, int], Callable[[Page], None]]] = {
    "home-phone": ("/", PHONE, nothing),
    "home-desktop": ("/", DESKTOP, nothing),
    "home-phone-menu-open": ("/", PHONE, open_menu),
    "meetings-phone": ("/bijeenkomsten/", PHONE, nothing),
    "meetings-desktop": ("/bijeenkomsten/", DESKTOP, nothing),
    "meetings-desktop-menu-hover": ("/bijeenkomsten/", DESKTOP, hover_a_menu_link),
    "meetings-phone-keyboard-focus": ("/bijeenkomsten/", PHONE, tab_to_a_link),
    "form-errors-phone": ("/aanmelden/", PHONE, show_errors),
    "form-errors-desktop": ("/aanmelden/", DESKTOP, show_errors),
}


@pytest.fixture(scope="module")
def full_and_small(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The built site twice: as shipped, and with the small stylesheet's content replaced by the full one."""
    full = tmp_path_factory.mktemp("full-css") / "site"
    shutil.copytree(built_site, full)
    [bundle] = (full / "assets" / "stylesheets").glob("main.*.min.css")
    bundle.write_bytes(full_css())
    servers = [make_server("127.0.0.1", 0, folder) for folder in (full, built_site)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield tuple(f"http://127.0.0.1:{server.server_port}" for server in servers)  # type: ignore[misc]
    for server in servers:
        server.shutdown()
        server.server_close()


def picture(browser: Browser, origin: str, case: str) -> bytes:
    path, viewport, act = CASES[case]
    page = browser.new_page(viewport=viewport)  # type: ignore[arg-type]
    page.goto(origin + path, wait_until="networkidle")
    act(page)
    shot = page.screenshot(full_page=True, animations="disabled", caret="hide")
    page.close()
    return shot


@pytest.mark.browser
@pytest.mark.parametrize("case", CASES)
def test_a_page_looks_the_same_with_the_small_stylesheet(
    browser: Browser, full_and_small: tuple[str, str], screenshots: Path, case: str
) -> None:
    # Given the same page with Material's whole stylesheet and with only the rules the pages use
    full_origin, small_origin = full_and_small

    # When both are shown at the same width, in the same state
    before = picture(browser, full_origin, case)
    after = picture(browser, small_origin, case)

    # Then a reader sees the same pixels
    (screenshots / f"css-{case}.png").write_bytes(after)
    if before != after:
        (screenshots / f"css-{case}-full.png").write_bytes(before)
    assert before == after, f"{case} differs: see css-{case}.png and css-{case}-full.png in {screenshots}"


@pytest.mark.browser
@pytest.mark.parametrize("case", CASES)
def test_every_state_with_the_small_stylesheet_has_no_axe_violations(
    browser: Browser, full_and_small: tuple[str, str], case: str
) -> None:
    path, viewport, act = CASES[case]
    page = browser.new_page(viewport=viewport)  # type: ignore[arg-type]
    page.goto(full_and_small[1] + path, wait_until="networkidle")
    act(page)

    assert violations(page) == []
    page.close()

"""The page "Zo kiezen we" with a published commitment, in Chromium at phone and desktop width: axe clean,
the committed values shown, and the long hashes never widen the page."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from praatmee import beacon, commitment
from praatmee.edition import load_edition
from praatmee.laptop.serve import build_site, make_server
from tests.fixtures import DRAW_SECRET, FIXED_CODE
from tests.test_site_browser import VIEWPORTS, violations

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def committed_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, commitment.Commitment]]:
    """The site built with a (real, not trial) commitment published, served as static files."""
    folder = tmp_path_factory.mktemp("committed")
    edition = load_edition()
    assert edition.draw_moment is not None
    made = edition.registration_closes_at - dt.timedelta(days=10)
    promised = commitment.make(
        edition, DRAW_SECRET, FIXED_CODE, made, beacon.round_after(edition.draw_moment), trial=False
    )
    commitment.write(promised, folder / "commitment.json")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(commitment.FILE_VARIABLE, str(folder / "commitment.json"))
        build_site(folder / "site")
    server = make_server("127.0.0.1", 0, site=folder / "site")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", promised
    server.shutdown()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_page_shows_the_commitment_axe_clean_at_every_width(
    page: Page, committed_site: tuple[str, commitment.Commitment], viewport: str, screenshots: Path
) -> None:
    origin, promised = committed_site
    page.set_viewport_size(VIEWPORTS[viewport])  # type: ignore[arg-type]

    page.goto(f"{origin}/zo-kiezen-we/")

    assert violations(page) == []
    text = page.inner_text("article")
    assert f"ronde {promised.beacon.round} van drand" in text
    assert promised.secret_sha256 in text
    assert promised.sha256 in text
    assert "Regio Zuid" in text
    assert "Ouders: 6 tot 12" in text
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport]["width"], "a hash or the table widens the page"
    page.screenshot(path=screenshots / f"zo-kiezen-we-{viewport}.png", full_page=True)

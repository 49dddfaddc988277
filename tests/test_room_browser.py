"""The organisers' room in Chromium against the local stack (`praatmee serve`, the shipped draw edition)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from praatmee.laptop.serve import ROOT
from tests.conftest import edition_still_open, serve
from tests.fixtures import RECORDED_ROUND
from tests.room_fixtures import PASSWORD, fresh_code
from tests.test_form_browser import sign_up_confirmed, unique_email
from tests.test_mail_browser import open_newest_mail_to
from tests.test_site_browser import VIEWPORTS, violations

pytestmark = pytest.mark.browser

WOLVEGA = "Stationsweg 1, 8471 AA Wolvega"


@pytest.fixture(scope="module")
def room_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("serve-room")
    yield from serve(folder, edition_still_open(folder, first_come=False))


def cli(site: str, *args: str) -> str:
    port = site.rsplit(":", 1)[1]
    done = subprocess.run(
        [sys.executable, "-m", "praatmee.laptop.cli", *args, "--port", port],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout


def new_organiser(site: str) -> tuple[str, str]:
    """`praatmee organisers add` against the running stack; its first password is printed."""
    email = unique_email().replace("deelnemer", "organisator")
    printed = cli(site, "organisers", "add", email)
    return email, printed.rsplit(": ", 1)[1].strip()


def apply(site: str, meeting: str, sector: str, role: str = "ouder") -> str:
    email = unique_email()
    status, _ = sign_up_confirmed(site, {
        "meeting": meeting, "name": "Noor Bakker", "email": email, "role": role, "sector": sector,
        "themes": ["dyslexie"], "privacy_consent": True,
    })  # fmt: skip
    assert status == 200
    return email


def sign_in(page: Page, site: str, screenshots: Path, viewport: str) -> None:
    email, first_password = new_organiser(site)
    page.goto(site + "/organisatie/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen voor de organisatie")
    assert violations(page) == []
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill("Niet-het-goede-wachtwoord-1")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("alert")).to_contain_text("Het e-mailadres of het wachtwoord klopt niet.")
    assert violations(page) == []
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(first_password)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_label("Nieuw wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.get_by_text("Sleutel voor je app")).to_be_visible()
    assert violations(page) == []
    page.screenshot(path=screenshots / f"room-setup-{viewport}.png", full_page=True)
    page.get_by_label("Code uit je app").fill(fresh_code())
    page.get_by_role("button", name="Code controleren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisatie")
    expect(page.get_by_text(f"Ingelogd als {email}.")).to_be_visible()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_an_organiser_signs_in_and_reads_the_counts_and_the_pool(
    page: Page, room_site: str, viewport: str, screenshots: Path
) -> None:
    # Given people who applied for the draw in Utrecht
    page.set_viewport_size(VIEWPORTS[viewport])  # type: ignore[arg-type]
    for _ in range(2):
        apply(room_site, "midden-utrecht", "po")

    # When an organiser signs in with a new password and an authenticator app
    sign_in(page, room_site, screenshots, viewport)

    # Then the room counts the applicants per meeting and shows the pool against the targets
    utrecht = page.get_by_role("region", name="Regio Midden")
    applied = utrecht.locator("dt", has_text="Aangemeld voor de loting").locator(
        "xpath=following-sibling::dd"
    )
    assert int(applied.inner_text()) >= 2
    expect(utrecht.get_by_text("De loting is nog niet geweest")).to_be_visible()
    expect(utrecht.get_by_role("row", name=re.compile("^ouders")).first).to_contain_text("te weinig")
    assert violations(page) == []
    page.screenshot(path=screenshots / f"room-{viewport}.png", full_page=True)


def test_an_organiser_downloads_the_workbook_and_sets_the_address_for_the_confirmation(
    page: Page, room_site: str, screenshots: Path, tmp_path: Path
) -> None:
    # Given a participant who applied for Wolvega, and a signed-in organiser
    participant = apply(room_site, "noord-wolvega", "vo")
    sign_in(page, room_site, screenshots, "desktop")

    # When the organiser makes an export and clicks the workbook
    page.get_by_role("button", name="Maak nu een export").click()
    expect(page.get_by_role("status")).to_have_text("De export is klaar. Je vindt hem bovenaan de lijst.")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download aanmeldingen.xlsx").first.click()
    saved = tmp_path / "aanmeldingen.xlsx"
    download.value.save_as(saved)

    # Then the workbook opens and lists the participant, and the room's address never showed a link
    workbook = openpyxl.load_workbook(saved)
    sheet = workbook["Regio Noord"] if "Regio Noord" in workbook.sheetnames else workbook.worksheets[1]
    assert participant in [cell.value for row in sheet.iter_rows() for cell in row]
    assert "X-Amz" not in page.url

    # When the organiser stores Wolvega's address, with a phone number that is not one
    details = page.locator("#gegevens-noord-wolvega")
    details.get_by_label("Adres van de plek").fill(WOLVEGA)
    details.get_by_label("Telefoonnummer op de dag zelf").fill("bel maar")
    details.get_by_role("button").click()

    # Then the form comes back with what was typed and the problem at its field, accessible
    expect(page.get_by_role("alert")).to_contain_text("alleen cijfers")
    assert page.title().startswith("Fout: ")
    assert violations(page) == []
    page.screenshot(path=screenshots / "room-venue-error.png", full_page=True)
    details = page.locator("#gegevens-noord-wolvega")
    expect(details.get_by_label("Adres van de plek")).to_have_value(WOLVEGA)
    details.get_by_label("Telefoonnummer op de dag zelf").fill("+31 561 123 456")
    details.get_by_role("button").click()
    expect(page.get_by_role("status")).to_contain_text("zijn opgeslagen")
    assert violations(page) == []

    # And the draw, committed (a local trial on a recorded drand round), places the participant (the deadline
    # has passed, as far as `--now` says)
    files = ["--toezegging", str(tmp_path / "c.json"), "--geheim-bestand", str(tmp_path / "s.txt")]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "praatmee.laptop.cli",
            "draw",
            "commit",
            "--proefronde",
            str(RECORDED_ROUND),
            *files,
        ],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=120,
    )
    cli(room_site, "draw", "--now", "2027-03-02T10:00", *files, "--ronde", str(RECORDED_ROUND))

    # Then their confirmation in the local outbox gives the address
    open_newest_mail_to(page, room_site, participant)
    expect(page.get_by_text(f"Adres: {WOLVEGA}")).to_be_visible()

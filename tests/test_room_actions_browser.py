"""Organisers act on requests in Chromium against the local stack (first come, so people hold seats at
once): find a participant by e-mail, move her from Zuid to Midden, erase another, and write to Wolvega."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.test_form_browser import post_json, unique_email
from tests.test_mail_browser import open_newest_mail_to
from tests.test_room_browser import apply, sign_in
from tests.test_site_browser import VIEWPORTS, violations

pytestmark = pytest.mark.browser


def test_an_organiser_finds_moves_erases_and_writes_to_a_meeting(
    page: Page, site_url: str, screenshots: Path
) -> None:
    # Given a parent placed in Zuid, another in Wolvega who asks to be erased, and one more in Wolvega
    zuid = apply(site_url, "zuid-helmond", "po")
    erase_me = apply(site_url, "noord-wolvega", "vo")
    stays = apply(site_url, "noord-wolvega", "vo")
    sign_in(page, site_url, screenshots, "desktop")

    # When the organiser finds the first by her address and moves her to Midden
    page.get_by_role("link", name="Deelnemer zoeken").click()
    page.get_by_label("E-mailadres").fill(zuid)
    page.get_by_role("button", name="Zoeken").first.click()
    expect(page.get_by_role("heading", name="Gevonden")).to_be_visible()
    page.get_by_role("link", name="Noor Bakker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deelnemer: Noor Bakker")
    assert violations(page) == []
    page.set_viewport_size(VIEWPORTS["phone"])  # type: ignore[arg-type]
    assert violations(page) == []
    page.screenshot(path=screenshots / "room-person-phone.png", full_page=True)
    page.set_viewport_size(VIEWPORTS["desktop"])  # type: ignore[arg-type]
    moving = page.locator("#verplaatsen")
    midden = moving.locator("option", has_text="Regio Midden").get_attribute("value")
    moving.get_by_label("Naar bijeenkomst").select_option(value=midden)
    moving.get_by_label(re.compile("Ja, ik weet het zeker")).check()
    moving.get_by_role("button").click()

    # Then the room says so, and her mail says where she is now
    expect(page.get_by_role("status")).to_have_text("De deelnemer is verplaatst.")
    expect(page.locator("dl")).to_contain_text("Regio Midden")
    open_newest_mail_to(page, site_url, zuid)
    expect(page.get_by_text("Op je verzoek hebben we je aanmelding verplaatst.")).to_be_visible()

    # When another asks to be erased
    page.goto(f"{site_url}/organisatie/deelnemers/?email={erase_me}")
    page.get_by_role("link", name="Noor Bakker").click()
    erasing = page.locator("#wissen")
    erasing.get_by_role("button").click()  # not ticked: nothing happens (the browser asks for the box)
    expect(page.get_by_role("heading", level=1)).to_have_text("Deelnemer: Noor Bakker")
    erasing.get_by_label(re.compile("Ja, ik weet het zeker")).check()
    erasing.get_by_role("button").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("De gegevens zijn gewist.")
    page.goto(f"{site_url}/organisatie/deelnemers/?email={erase_me}")
    expect(page.get_by_text("Niemand gevonden.")).to_be_visible()

    # When the organiser writes the route to Wolvega, previews and sends it
    page.goto(f"{site_url}/organisatie/")
    page.get_by_role("link", name="Bericht sturen aan Regio Noord").click()
    page.get_by_label("Je bericht").fill("Vanaf het station is het tien minuten lopen.")
    page.get_by_role("button", name="Bekijk het voorbeeld").click()
    expect(page.locator("pre")).to_contain_text("tien minuten lopen")
    assert violations(page) == []
    page.get_by_role("button", name="Verstuur dit bericht").click()
    expect(page.get_by_role("status")).to_contain_text("Verstuurd aan")

    # Then the participant who stays reads it in the local outbox
    open_newest_mail_to(page, site_url, stays)
    expect(page.get_by_text("Vanaf het station is het tien minuten lopen.")).to_be_visible()


def test_an_organiser_confirms_a_sign_up_whose_mail_did_not_come(
    page: Page, site_url: str, screenshots: Path
) -> None:
    # Given a parent who signed up on the site but never got (or followed) the confirm link
    email = unique_email()
    body: dict[str, Any] = {"meeting": "noord-wolvega", "name": "Noor Bakker", "email": email}
    body |= {"role": "ouder", "sector": "vo", "themes": ["dyslexie"], "privacy_consent": True}
    status, answer = post_json(site_url, "/api/registrations", body)
    assert (status, answer["status"]) == (201, "unconfirmed")
    sign_in(page, site_url, screenshots, "desktop")

    # When the organiser finds her: the room says she has not confirmed yet, and until when she can
    page.goto(f"{site_url}/organisatie/deelnemers/?email={email}")
    expect(page.locator("main li")).to_contain_text("nog niet bevestigd")
    page.get_by_role("link", name="Noor Bakker").click()
    expect(page.locator("dl")).to_contain_text("Bevestigen kan tot")
    assert page.locator("#verplaatsen").count() == 0
    assert violations(page) == []
    page.screenshot(path=screenshots / "room-person-unconfirmed.png", full_page=True)

    # And confirms for her after she said on the phone that her address is right
    confirming = page.locator("#bevestigen")
    confirming.get_by_label(re.compile("dit e-mailadres klopt")).check()
    confirming.get_by_role("button").click()

    # Then her sign-up counts: she has a seat, and the moving and correcting forms are there now
    expect(page.get_by_role("status")).to_have_text(re.compile("De aanmelding is bevestigd."))
    expect(page.locator("dl")).to_contain_text("geplaatst")
    expect(page.locator("#verplaatsen")).to_be_visible()

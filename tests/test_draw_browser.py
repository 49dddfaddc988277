"""Signing up for the draw in Chromium against the local stack with the edition as shipped (the draw)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from praatmee import texts
from praatmee.models import RegistrationStatus
from tests.test_form_browser import FORM, fill_in, follow_confirm_link
from tests.test_mail_browser import open_newest_mail_to
from tests.test_site_browser import VIEWPORTS, violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_participant_applies_for_the_draw_and_reads_what_happens_next(
    page: Page, draw_site_url: str, viewport: str, screenshots: Path
) -> None:
    # Given the form of an edition whose places are given by the draw
    page.set_viewport_size(VIEWPORTS[viewport])  # type: ignore[arg-type]
    page.goto(draw_site_url + FORM)
    availability = page.locator("#meeting-online-hint [data-availability]")
    expect(availability).to_have_text(re.compile(r"^\d+ aangemeld voor 50 plaatsen\. Na de sluiting is er"))
    expect(page.get_by_text("eerlijke loting").first).to_be_visible()
    assert violations(page) == []

    # When someone fills it in, with a second choice, and sends it
    fill_in(page, meeting="Online", sector="Voortgezet onderwijs")
    second_choices = page.locator("#group-second_meeting")
    # (their first choice, and a meeting for primary schools only, cannot be their second)
    expect(second_choices.get_by_role("radio", name=re.compile("^Online:"))).to_be_disabled()
    expect(second_choices.get_by_role("radio", name=re.compile("^Regio Zuid:"))).to_be_disabled()
    second_choices.get_by_role("radio", name=re.compile("^Regio Midden:")).check()
    email = page.get_by_label("Je e-mailadres").input_value()
    page.get_by_role("button", name="Aanmelden").click()
    expect(page).to_have_url(re.compile(r"/aanmelden/resultaat/unconfirmed/#bijeenkomst-[a-z-]+$"))
    follow_confirm_link(page, draw_site_url, email)

    # Then, confirmed, the result page says they take part in the draw and hear two weeks ahead; accessible
    expect(page).to_have_url(re.compile(r"/aanmelden/resultaat/applied/#bijeenkomst-[a-z-]+$"))
    expect(page.get_by_text("Je doet mee aan de loting.")).to_be_visible()
    expect(page.get_by_text("twee weken voor de")).to_be_visible()
    assert violations(page) == []
    page.screenshot(path=screenshots / f"draw-applied-{viewport}.png", full_page=True)

    # And their receipt in the local outbox says the same
    open_newest_mail_to(page, draw_site_url, email)
    expect(page.get_by_text(texts.STATUS_PARAGRAPHS[RegistrationStatus.APPLIED])).to_be_visible()
    expect(page.get_by_text(re.compile("^Je tweede keus: Regio Midden"))).to_be_visible()

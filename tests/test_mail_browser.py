"""The e-mail links in Chromium against the local stack: from the local outbox to a confirmed cancellation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from praatmee import texts
from praatmee.laptop.serve import OUTBOX
from tests.test_form_browser import post_json, sign_up_confirmed, unique_email
from tests.test_site_browser import violations

pytestmark = pytest.mark.browser


def open_newest_mail_to(page: Page, site_url: str, address: str) -> None:
    page.goto(site_url + OUTBOX)
    row = page.get_by_role("row").filter(has_text=address).first
    row.get_by_role("link").click()


def test_a_participant_cancels_from_the_link_in_the_receipt(
    page: Page, site_url: str, screenshots: Path
) -> None:
    # Given someone signed up and got a receipt in the local outbox
    address = unique_email()
    status, answer = sign_up_confirmed(site_url, {
        "meeting": "online", "name": "Noor Bakker", "email": address, "role": "ouder", "sector": "vo",
        "themes": ["dyslexie"], "privacy_consent": True,
    })  # fmt: skip
    assert (status, answer["status"]) == (200, "placed")
    open_newest_mail_to(page, site_url, address)
    expect(page.get_by_text("Hallo Noor Bakker,")).to_be_visible()
    page.screenshot(path=screenshots / "mail-receipt.png", full_page=True)

    # When they follow the cancel link: a page asks first, and is accessible
    page.get_by_role("link", name=texts.CANCEL_LINK_LABEL).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(texts.LINK_PAGES["cancel_title"])
    expect(page.get_by_text("Online, op zondag")).to_be_visible()
    assert violations(page) == []
    page.screenshot(path=screenshots / "cancel-page.png", full_page=True)

    # And they confirm
    page.get_by_role("button", name=texts.LINK_PAGES["cancel_button"]).click()

    # Then they land on the site's page, and the link now says they are already cancelled
    expect(page).to_have_url(re.compile(r"/aanmelden/resultaat/cancelled/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Je bent afgemeld")
    page.go_back()
    page.reload()
    expect(page.get_by_text(texts.LINK_PAGES["cancelled_already"])).to_be_visible()


def test_a_guardian_confirms_from_the_link_in_their_mail(page: Page, site_url: str) -> None:
    guardian = unique_email()
    pupil = unique_email()
    status, answer = post_json(site_url, "/api/registrations", {
        "meeting": "online", "name": "Pim", "email": pupil, "role": "leerling", "sector": "vo",
        "themes": ["dyslexie"], "privacy_consent": True, "under_16": True,
        "guardian": {"name": "Petra", "email": guardian, "consent": True},
    })  # fmt: skip
    assert (status, answer["status"]) == (201, "pending_guardian")

    open_newest_mail_to(page, site_url, guardian)
    page.get_by_role("link", name=texts.CONSENT_LINK_LABEL).click()
    assert violations(page) == []
    page.get_by_role("button", name=texts.LINK_PAGES["consent_yes"]).click()

    expect(page).to_have_url(re.compile(r"/aanmelden/resultaat/consented/$"))
    open_newest_mail_to(page, site_url, pupil)
    expect(page.get_by_text(texts.CONSENTED_INTRO)).to_be_visible()


def test_a_mail_fits_a_phone_screen_also_with_a_long_address_or_link(page: Page) -> None:
    # Given a mail with the edition's long contact address and a link as long as the cancel link
    from praatmee import letters
    from praatmee.edition import load_edition

    contact = load_edition().contact_email
    mail = letters.render(
        "p@example.org",
        "Bevestiging",
        [
            texts.CONTACT_PARAGRAPH.format(contact=contact),
            "x" * 90,
            ("Afmelden", "https://a.example/" + "t" * 80),
        ],
    )

    # When a phone shows it, 390 px wide
    page.set_viewport_size({"width": 390, "height": 844})
    page.set_content(mail.html or "")

    # Then nothing sticks out to the right: no sideways scrolling to read an address
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_text(contact).is_visible()

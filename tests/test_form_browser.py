"""The sign-up form in Chromium against the local stack (`praatmee serve`), as a participant uses it."""

from __future__ import annotations

import html
import json
import re
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import Browser, Page, expect

from praatmee import confirm_texts, texts
from praatmee.laptop.serve import OUTBOX
from tests.test_site_browser import VIEWPORTS, violations

pytestmark = pytest.mark.browser

FORM = "/aanmelden/"


def unique_email() -> str:
    return f"deelnemer-{uuid.uuid4().hex[:12]}@example.nl"


def fill_in(
    page: Page, *, meeting: str, sector: str, role: str = "Ouder of verzorger", under_16: bool = False
) -> str:
    """Fill in the form by its labels, as a person reads it; returns the address given."""
    address = unique_email()
    page.get_by_label("Je naam").fill("Sam de Vries")
    page.get_by_label("Je e-mailadres").fill(address)
    page.get_by_role("radio", name=role, exact=True).check()
    page.get_by_role("radio", name=sector, exact=True).check()
    page.get_by_role("checkbox", name="Lezen, spelling en dyslexie").check()
    page.locator("#group-meeting").get_by_role("radio", name=re.compile(f"^{meeting}:")).check()
    page.get_by_role("radio", name="Ja" if under_16 else "Nee", exact=True).check()
    page.get_by_role("checkbox", name=re.compile("privacyverklaring")).check()
    return address


def post_json(site_url: str, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        site_url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def confirm_query(site_url: str, address: str) -> str:
    """The query of the confirm link in the newest mail to `address`, read from the local outbox."""
    with urllib.request.urlopen(site_url + OUTBOX, timeout=10) as answer:
        listing = answer.read().decode()
    number = re.search(rf"<td>{re.escape(address)}</td>.*?{OUTBOX}(\d+)/", listing)
    assert number is not None, f"no mail to {address}"
    with urllib.request.urlopen(f"{site_url}{OUTBOX}{number.group(1)}/", timeout=10) as answer:
        mail = answer.read().decode()
    link = re.search(r'href="[^"]*/api/confirmations\?([^"]+)"', mail)
    assert link is not None, f"no confirm link in the newest mail to {address}"
    return html.unescape(link.group(1))


def follow_confirm_link(page: Page, site_url: str, address: str) -> None:
    """Open the confirm link of the newest mail to `address` and press its button, as a person does."""
    page.goto(f"{site_url}/api/confirmations?{confirm_query(site_url, address)}")
    page.get_by_role("button", name=confirm_texts.PAGE_BUTTON).click()


def sign_up_confirmed(site_url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Sign up by JSON and confirm with the link mailed to the local outbox: the confirmation's answer."""
    status, answer = post_json(site_url, "/api/registrations", body)
    if status != 201 or answer["status"] != "unconfirmed":
        return status, answer
    query = dict(parse_qsl(confirm_query(site_url, body["email"])))
    return post_json(site_url, "/api/confirmations", query)


@pytest.fixture
def form(page: Page, site_url: str) -> Page:
    page.goto(site_url + FORM)
    # Live places arrive from GET /api/meetings.
    expect(page.locator("#meeting-online-hint [data-availability]")).not_to_be_empty()
    return page


def test_a_new_user_signs_up_confirms_and_sees_a_place(form: Page, site_url: str, screenshots: Path) -> None:
    form.screenshot(path=screenshots / "form-empty.png", full_page=True)
    address = fill_in(form, meeting="Online", sector="Voortgezet onderwijs")

    form.get_by_role("button", name="Aanmelden").click()

    # The result page says plainly what to do next: confirm by the mail's link, within the window
    expect(form).to_have_url(re.compile(r"/aanmelden/resultaat/unconfirmed/#bijeenkomst-[a-z-]+$"))
    expect(form.get_by_role("heading", level=1)).to_have_text("Bevestig je aanmelding")
    expect(form.get_by_text(confirm_texts.NEXT_STEP.format(hours=24))).to_be_visible()
    assert violations(form) == []
    form.screenshot(path=screenshots / "result-unconfirmed.png", full_page=True)

    follow_confirm_link(form, site_url, address)

    expect(form).to_have_url(re.compile(r"/aanmelden/resultaat/placed/#bijeenkomst-[a-z-]+$"))
    expect(form.get_by_role("heading", level=1)).to_have_text("Je bent aangemeld")
    # The result page repeats which meeting, when and where, and only that one
    expect(form.locator("#bijeenkomst-online")).to_be_visible()
    expect(form.locator("#bijeenkomst-online")).to_contain_text("Je bijeenkomst: Online: ")
    expect(form.locator("#bijeenkomst-online")).to_contain_text(" 4 april ")
    expect(form.locator(".pm-chosen:visible")).to_have_count(1)
    form.screenshot(path=screenshots / "result-placed.png", full_page=True)


def test_errors_are_summarised_linked_and_fixable(form: Page, screenshots: Path) -> None:
    title = form.title()

    form.get_by_role("button", name="Aanmelden").click()

    summary = form.locator("#pm-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("Er is een probleem")
    expect(summary).to_be_focused()
    assert form.title() == f"Fout: {title}"
    links = summary.get_by_role("link")
    assert links.count() >= 7
    # The summary is an alert named by its heading (naming a plain div is invalid HTML), in page order
    expect(form.get_by_role("alert", name="Er is een probleem")).to_be_visible()
    order = links.evaluate_all(
        "links => links.map(a => [...document.querySelectorAll('#pm-form input, #pm-form textarea')]"
        ".indexOf(document.querySelector(a.getAttribute('href'))))"
    )
    assert order == sorted(order), order
    assert links.first.get_attribute("href") == "#name"
    for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        target = form.locator(href)
        expect(target).to_have_count(1)
        described = target.evaluate(
            "e => [e, e.closest('fieldset')].map(x => x && x.getAttribute('aria-describedby')).join(' ')"
        )
        assert "-error" in described, f"{href} is not tied to its error message"
    form.screenshot(path=screenshots / "form-errors.png", full_page=True)

    links.first.click()
    expect(form.locator(links.first.get_attribute("href") or "")).to_be_focused()

    fill_in(form, meeting="Regio Midden", sector="Speciaal onderwijs", role="Leraar")
    form.get_by_role("button", name="Aanmelden").click()
    expect(form).to_have_url(re.compile(r"/aanmelden/resultaat/unconfirmed/#bijeenkomst-[a-z-]+$"))


def test_a_meeting_not_for_your_sector_is_explained_not_hidden(form: Page) -> None:
    form.get_by_role("radio", name="Basisonderwijs", exact=True).check()

    noord = form.get_by_role("radio", name=re.compile("^Regio Noord:"))
    expect(noord).to_be_visible()
    expect(noord).to_be_disabled()
    expect(form.locator("#meeting-noord-wolvega-hint")).to_contain_text("Niet voor jouw soort onderwijs")
    expect(form.get_by_role("radio", name=re.compile("^Regio Zuid:"))).to_be_enabled()


def test_a_full_meeting_puts_a_new_sign_up_on_the_waiting_list(
    page: Page, site_url: str, screenshots: Path
) -> None:
    meetings = json.loads(urllib.request.urlopen(site_url + "/api/meetings", timeout=10).read())["meetings"]
    zuid = next(m for m in meetings if m["id"] == "zuid-helmond")
    for _ in range(zuid["seats_left"]):
        status, answer = sign_up_confirmed(site_url, {
            "meeting": "zuid-helmond", "name": "Vul Ler", "email": unique_email(), "role": "leraar",
            "sector": "po", "themes": ["leergedrag"], "privacy_consent": True,
        })  # fmt: skip
        assert (status, answer["status"]) == (200, "placed")
    page.goto(site_url + FORM)
    expect(page.locator("#meeting-zuid-helmond-hint")).to_contain_text("Vol: je komt op de reservelijst")

    address = fill_in(page, meeting="Regio Zuid", sector="Speciaal basisonderwijs")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page).to_have_url(re.compile(r"/aanmelden/resultaat/unconfirmed/#bijeenkomst-[a-z-]+$"))
    follow_confirm_link(page, site_url, address)

    expect(page).to_have_url(re.compile(r"/aanmelden/resultaat/waitlisted/\?positie=1#bijeenkomst-[a-z-]+$"))
    expect(page.locator("#pm-position")).to_have_text(
        "Je bent nummer 1 op de reservelijst, of eerder aan de beurt."
    )
    page.screenshot(path=screenshots / "result-waitlisted.png", full_page=True)


def test_a_pupil_under_16_gives_a_parents_details_only_when_needed(form: Page, screenshots: Path) -> None:
    guardian = form.get_by_label("Naam van je ouder of verzorger")
    expect(guardian).to_be_hidden()

    fill_in(form, meeting="Online", sector="Voortgezet speciaal onderwijs", role="Leerling", under_16=True)
    expect(guardian).to_be_visible()
    guardian.fill("Alex de Vries")
    form.get_by_label("E-mailadres van je ouder of verzorger").fill(unique_email())
    form.get_by_role("checkbox", name=re.compile("vindt het goed")).check()
    form.get_by_role("button", name="Aanmelden").click()

    expect(form).to_have_url(re.compile(r"/aanmelden/resultaat/pending_guardian/#bijeenkomst-[a-z-]+$"))
    form.screenshot(path=screenshots / "result-pending-guardian.png", full_page=True)


def test_the_form_works_without_javascript(browser: Browser, site_url: str, screenshots: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + FORM)

    page.get_by_label("Je naam").fill("Sam Terug")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Je aanmelding is nog niet gelukt")
    assert page.title().startswith("Fout: ")
    page.screenshot(path=screenshots / "nojs-errors.png", full_page=True)

    # The page says how to keep the answers: the browser's Back, which brings them back (the link starts over)
    expect(page.get_by_text(texts.FORM_BACK_HINT)).to_be_visible()
    page.go_back()
    expect(page.get_by_label("Je naam")).to_have_value("Sam Terug")
    address = fill_in(page, meeting="Regio Noord", sector="Voortgezet onderwijs", role="Begeleider")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page).to_have_url(re.compile(r"/aanmelden/resultaat/unconfirmed/#bijeenkomst-[a-z-]+$"))
    # The confirm page is a plain form too: it needs no JavaScript
    follow_confirm_link(page, site_url, address)
    expect(page).to_have_url(re.compile(r"/aanmelden/resultaat/placed/#bijeenkomst-[a-z-]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Je bent aangemeld")
    expect(page.locator("#bijeenkomst-noord-wolvega")).to_contain_text("Regio Noord: ")
    expect(page.locator("#bijeenkomst-noord-wolvega")).to_contain_text(" 18 maart ")
    expect(page.locator(".pm-chosen:visible")).to_have_count(1)
    page.screenshot(path=screenshots / "nojs-result.png", full_page=True)
    context.close()


def test_the_error_page_without_javascript_has_no_axe_violations(page: Page, site_url: str) -> None:
    request = urllib.request.Request(
        site_url + "/api/registrations",
        data=b"name=&email=",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": site_url},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 422

    page.set_content(refused.value.read().decode("utf-8"))
    assert violations(page) == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_form_has_no_axe_violations_empty_with_errors_and_after(
    form: Page, viewport: str, screenshots: Path
) -> None:
    form.set_viewport_size(VIEWPORTS[viewport])  # type: ignore[arg-type]
    assert violations(form) == []

    form.get_by_role("button", name="Aanmelden").click()
    expect(form.locator("#pm-error-summary")).to_be_focused()
    assert violations(form) == []
    form.screenshot(path=screenshots / f"form-errors-{viewport}.png", full_page=True)

    fill_in(form, meeting="Online", sector="Basisonderwijs")
    form.get_by_role("button", name="Aanmelden").click()
    expect(form).to_have_url(re.compile(r"/resultaat/unconfirmed/#bijeenkomst-[a-z-]+$"))
    assert violations(form) == []

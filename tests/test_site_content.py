"""The built site: every fact of the flyer is on it, typed once, and nothing is loaded from elsewhere."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest
from mkdocs.exceptions import PluginError

from hooks.edition import meetings_list, meetings_table, render
from praatmee import texts
from praatmee.edition import Allocation, Role, Theme, load_edition
from praatmee.laptop.serve import ROOT, site_pages

DOCS = Path(__file__).parents[1] / "docs"


def page_text(site: Path, page: str) -> str:
    html = (site / page.lstrip("/") / "index.html").read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def all_text(site: Path) -> str:
    return " ".join(page_text(site, page) for page in site_pages(site))


def test_the_site_has_every_page_the_public_needs(built_site: Path) -> None:
    assert site_pages(built_site) == [
        "/", "/aanmelden/", "/aanmelden/resultaat/applied/", "/aanmelden/resultaat/cancelled/",
        "/aanmelden/resultaat/consented/",
        "/aanmelden/resultaat/declined/", "/aanmelden/resultaat/pending_guardian/",
        "/aanmelden/resultaat/placed/", "/aanmelden/resultaat/unconfirmed/",
        "/aanmelden/resultaat/waitlisted/", "/bijeenkomsten/", "/contact/",
        "/doel/", "/organisaties/", "/privacy/", "/toegankelijkheid/", "/voor-wie/",
        "/wat-is-basisondersteuning/", "/werkwijze/", "/zo-kiezen-we/",
    ]  # fmt: skip


def test_the_form_and_its_result_page_say_a_sign_up_counts_only_once_confirmed(built_site: Path) -> None:
    step = "Kijk in je e-mail en bevestig je aanmelding binnen 24 uur. Pas dan tellen we je aanmelding mee."
    assert step in page_text(built_site, "/aanmelden/")
    assert step in page_text(built_site, "/aanmelden/resultaat/unconfirmed/")


def test_the_meetings_page_shows_each_meeting_with_date_time_place_and_audience(built_site: Path) -> None:
    text = page_text(built_site, "/bijeenkomsten/")

    for row in [
        "Regio Noord Donderdag 18 maart 2027 (datum onder voorbehoud) 19.00 tot 21.00 uur Wolvega "
        "(op locatie) Voortgezet onderwijs en voortgezet speciaal onderwijs",
        "Regio Zuid Zondag 21 maart 2027 (datum onder voorbehoud) 16.00 tot 18.00 uur Helmond (op locatie) "
        "Basisonderwijs, speciaal basisonderwijs en speciaal onderwijs",
        "Regio Midden Vrijdag 26 maart 2027 (datum onder voorbehoud) 19.00 tot 21.00 uur Utrecht "
        "(op locatie) Alle sectoren",
        "Online Zondag 4 april 2027 (datum onder voorbehoud) 19.00 tot 21.00 uur Online Alle sectoren",
    ]:
        assert row in text


def test_unconfirmed_dates_are_marked_on_every_page_that_shows_them(built_site: Path) -> None:
    # Given the shipped edition, whose dates nobody confirmed (two are on a Sunday in 2027)
    # Then the meetings page, the home page's list and the form say so beside every date
    meetings = page_text(built_site, "/bijeenkomsten/")
    assert meetings.count("(datum onder voorbehoud)") == 4
    assert texts.DATES_UNCONFIRMED_NOTE in meetings
    form = page_text(built_site, "/aanmelden/")
    assert form.count("(datum onder voorbehoud)") == 8  # each meeting as first and as second choice


def test_confirmed_dates_carry_no_reservation() -> None:
    edition = load_edition().model_copy(update={"dates_confirmed": True})

    assert "voorbehoud" not in meetings_table(edition) + meetings_list(edition)


def test_every_fact_of_the_flyer_is_on_the_site(built_site: Path) -> None:
    text = all_text(built_site)

    facts = [
        "Praat jij ook mee?",
        "vóór maandag 1 maart 2027",
        "beperkt plek",
        "twee weken voor de bijeenkomst",
        "Ministerie van Onderwijs, Cultuur en Wetenschap".lower(),
        "ex-minister Wiersma",
        "Algemene Onderwijsbond",
        "Ouders & Onderwijs",
        "Expertisecentrum Nederlands",
        "KBA Nijmegen",
        "P2",
        "drie bijeenkomsten op locatie en één online bijeenkomst",
        "signalering",
        "monitoring",
        "twee uur",
        "niet voor te bereiden",
        "eten en drinken",
        "faalangst",
        "plannen",
        "concentreren",
        "basisondersteuning@expertisecentrumnederlands.nl",
        "vastloopt op school",
        "ongelijkheid",
        "hetzelfde basisniveau van ondersteuning",
    ]
    lowered = text.lower().replace("&amp;", "&")
    missing = [fact for fact in facts if fact.lower() not in lowered]
    assert missing == []
    for theme in Theme:
        assert texts.upper_first(texts.THEME_LABELS[theme]) in text
    for role in Role:
        if role is not Role.ANDERS:
            assert texts.upper_first(texts.ROLE_LABELS[role]) in text


def test_dates_places_and_addresses_are_typed_only_in_the_edition_file() -> None:
    edition = load_edition()
    typed_twice = [str(edition.edition), str(edition.contact_email), *texts.MONTHS]
    typed_twice += [m.place for m in edition.meetings if m.place]

    for page in DOCS.rglob("*.md"):
        source = page.read_text(encoding="utf-8")
        found = [word for word in typed_twice if re.search(rf"\b{re.escape(word)}\b", source, re.IGNORECASE)]
        assert found == [], f"{page.name} repeats {found}; use a {{{{ placeholder }}}} from hooks/edition.py"


def test_an_unknown_placeholder_fails_the_build() -> None:
    from hooks.edition import render  # the hook is a file of the repo, not of the package

    with pytest.raises(PluginError, match="unknown placeholder"):
        render("{{ meeting_dates }}", load_edition())


class ResourceCollector(HTMLParser):
    """Every URL a page would load by itself: scripts, styles, images, frames, fonts, icons."""

    LOADING: ClassVar[set[tuple[str, str]]] = {
        ("script", "src"), ("link", "href"), ("img", "src"), ("img", "srcset"), ("iframe", "src"),
        ("source", "src"), ("source", "srcset"), ("video", "src"), ("audio", "src"), ("embed", "src"),
        ("object", "data"), ("input", "src"),
    }  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if (tag, name) in self.LOADING and value:
                # rel=prev/next/canonical are navigation, not loads.
                rel = dict(attrs).get("rel") or ""
                if tag == "link" and rel in {"prev", "next", "canonical", "alternate"}:
                    continue
                self.urls.append(value)


def test_built_pages_load_nothing_from_another_origin(built_site: Path) -> None:
    external: dict[str, list[str]] = {}
    for html in built_site.rglob("*.html"):
        collector = ResourceCollector()
        collector.feed(html.read_text(encoding="utf-8"))
        urls = [u for u in collector.urls if re.match(r"^([a-z]+:)?//", u, re.IGNORECASE)]
        if urls:
            external[str(html.relative_to(built_site))] = urls
    css = " ".join(p.read_text(encoding="utf-8") for p in built_site.rglob("*.css"))

    assert external == {}
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", css)
    assert "fonts.googleapis.com" not in " ".join(
        p.read_text(encoding="utf-8") for p in built_site.rglob("*.html")
    )


def test_the_footer_has_no_generator_link_but_links_privacy_and_accessibility(built_site: Path) -> None:
    html = (built_site / "index.html").read_text(encoding="utf-8")

    assert "Made with" not in html
    assert 'href="privacy/"' in html
    assert 'href="toegankelijkheid/"' in html


def test_the_sign_up_page_says_how_places_are_given_first_come_or_by_a_draw() -> None:
    # Given the sign-up page's text, and the edition first come and with a draw
    page = (ROOT / "docs" / "aanmelden.md").read_text(encoding="utf-8")
    first_come = load_edition().model_copy(update={"allocation": Allocation.FIRST_COME})
    by_draw = load_edition()
    assert by_draw.allocation is Allocation.DRAW

    # Then each says what really happens, and the draw also when people hear the result
    assert "Wie zich eerst aanmeldt, krijgt eerst een plek." in render(page, first_come)
    drawn = render(page, by_draw)
    assert "eerlijke loting" in drawn
    assert "Wie zich eerst aanmeldt" not in drawn
    assert "Je hoort uiterlijk twee weken voor je bijeenkomst of je mee kunt doen." in drawn


def test_the_page_after_signing_up_says_what_confirming_leads_to_first_come_or_by_a_draw() -> None:
    # Given the result page of a sign-up that waits for its confirmation, first come and with a draw
    page = (ROOT / "docs" / "aanmelden" / "resultaat" / "unconfirmed.md").read_text(encoding="utf-8")
    first_come = load_edition().model_copy(update={"allocation": Allocation.FIRST_COME})
    by_draw = load_edition()

    # Then a confirmation gives a place at once only when places go first come; with a draw, a ticket
    assert "Dan hoor je meteen of er een plek voor je is." in render(page, first_come)
    drawn = render(page, by_draw)
    assert "meteen" not in drawn
    assert "Dan doe je mee aan de loting. Je hoort uiterlijk twee weken voor je bijeenkomst" in drawn

"""The edition file and its model: one validated source for meetings, deadline and retention."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from praatmee import texts
from praatmee.edition import Edition, Role, Sector, Theme, load_edition, parse_edition

EDITION_FILE = Path(__file__).parents[1] / "functions" / "praatmee" / "meetings.yaml"


@pytest.fixture
def raw() -> dict[str, Any]:
    data = yaml.safe_load(EDITION_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_shipped_edition_is_the_flyers_2027_edition() -> None:
    edition = load_edition()

    assert [m.id for m in edition.meetings] == ["noord-wolvega", "zuid-helmond", "midden-utrecht", "online"]
    assert [(m.date, m.start, m.end) for m in edition.meetings] == [
        (dt.date(2027, 3, 18), "19:00", "21:00"),
        (dt.date(2027, 3, 21), "16:00", "18:00"),
        (dt.date(2027, 3, 26), "19:00", "21:00"),
        (dt.date(2027, 4, 4), "19:00", "21:00"),
    ]
    assert [m.place for m in edition.meetings] == ["Wolvega", "Helmond", "Utrecht", None]
    assert [sorted(m.audience) for m in edition.meetings] == [
        ["vo", "vso"],
        ["po", "sbo", "so"],
        sorted(Sector),
        sorted(Sector),
    ]
    assert edition.contact_email == "basisondersteuning@expertisecentrumnederlands.nl"


def test_times_are_local_to_amsterdam_across_the_daylight_saving_change() -> None:
    edition = load_edition()
    noord, *_, online = edition.meetings

    # 18 March is winter time (UTC+1); 4 April is summer time (UTC+2).
    assert edition.starts_at(noord).utcoffset() == dt.timedelta(hours=1)
    assert edition.starts_at(online).utcoffset() == dt.timedelta(hours=2)
    assert edition.ends_at(online) - edition.starts_at(online) == dt.timedelta(hours=2)


def test_registration_closes_at_midnight_before_the_deadline_day() -> None:
    edition = load_edition()

    assert edition.registration_closes_at.isoformat() == "2027-03-01T00:00:00+01:00"


def test_every_item_expires_the_day_after_the_retention_date() -> None:
    edition = load_edition()

    expires = dt.datetime.fromtimestamp(edition.expires_at, tz=edition.tz)
    assert expires.date() == edition.retain_until + dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda d: d["meetings"].append(dict(d["meetings"][0])), "unique"),
        (lambda d: d["meetings"][0].update(end="18:00"), "not after start"),
        (lambda d: d["meetings"][0].update(start="7pm"), "pattern"),
        (lambda d: d["meetings"][0].update(audience=["mbo"]), "audience"),
        (lambda d: d["meetings"][0].update(capacity=0), "capacity"),
        (lambda d: d["meetings"][0].update(room="A1"), "room"),
        (lambda d: d.update(register_before=dt.date(2027, 3, 20)), "before the registration deadline"),
        (lambda d: d.update(retain_until=dt.date(2027, 3, 1)), "after the retention date"),
        (lambda d: d.update(timezone="Europe/Atlantis"), "Europe/Atlantis"),
        (lambda d: d.update(contact_email="not an address"), "contact_email"),
    ],
)
def test_a_broken_edition_file_is_refused_with_the_reason(
    raw: dict[str, Any], change: Callable[[dict[str, Any]], object], complaint: str
) -> None:
    change(raw)

    with pytest.raises((ValidationError, ValueError)) as error:
        Edition.model_validate(raw)
    assert complaint in str(error.value)


def test_edition_parses_from_text() -> None:
    assert parse_edition(EDITION_FILE.read_text(encoding="utf-8")) == load_edition()


@pytest.mark.parametrize(("labels", "codes"), [
    (texts.SECTOR_LABELS, Sector), (texts.ROLE_LABELS, Role), (texts.THEME_LABELS, Theme)
])  # fmt: skip
def test_every_code_has_a_dutch_label(labels: dict[StrEnum, str], codes: type[StrEnum]) -> None:
    assert set(labels) == set(codes)
    assert all(label.strip() for label in labels.values())


def test_dates_are_written_the_dutch_way() -> None:
    assert texts.long_date(dt.date(2027, 3, 18)) == "donderdag 18 maart 2027"
    assert texts.long_date(dt.date(2027, 4, 4)) == "zondag 4 april 2027"
    assert texts.deadline(load_edition()) == "vóór maandag 1 maart 2027"
    assert texts.times(load_edition().meetings[1]) == "16.00 tot 18.00 uur"


def test_audience_reads_as_a_sentence() -> None:
    noord, zuid, midden, _ = load_edition().meetings

    assert texts.audience(noord) == "voortgezet onderwijs en voortgezet speciaal onderwijs"
    assert texts.audience(zuid) == "basisonderwijs, speciaal basisonderwijs en speciaal onderwijs"
    assert texts.audience(midden).startswith("alle sectoren: ")

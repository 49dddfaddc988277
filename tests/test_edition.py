"""The edition file and its model: one validated source for meetings, deadline and retention."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from praatmee import texts
from praatmee.edition import (
    ROLE_GROUPS,
    SCHOOL_TYPES,
    Edition,
    Role,
    Sector,
    Theme,
    features,
    load_edition,
    parse_edition,
)

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
        (lambda d: d.update(allocation="lottery"), "allocation"),
        (lambda d: d.update(allocation="draw", draw_at=None), "needs draw_at"),
        (
            lambda d: d.update(allocation="draw") or d["meetings"][1].pop("targets"),
            "missing: ['zuid-helmond']",
        ),
        (lambda d: d.update(draw_at=dt.datetime(2027, 2, 28, 23, 0)), "after the registration deadline"),
        (lambda d: d.update(draw_at=dt.datetime(2027, 3, 1, 23, 0)), "confirm_within_hours after"),
        # Wolvega on 18 March must know by 4 March (14 days ahead).
        (lambda d: d.update(draw_at=dt.datetime(2027, 3, 4, 0, 1)), "noord-wolvega less than 14 days"),
        (lambda d: d["meetings"][0]["targets"]["roles"].pop("anderen"), "every role group"),
        (lambda d: d["meetings"][0]["targets"]["roles"].update(ouders=[12, 6]), "above maximum"),
        (lambda d: d["meetings"][0]["targets"]["roles"].update(ouders=[21, 30]), "cannot add up to 30"),
        (
            lambda d: d["meetings"][0]["targets"]["roles"].update(ouders=[6, 6], anderen=[0, 0]),
            "cannot add up to 30",
        ),
        (lambda d: d["meetings"][0]["targets"]["themes"].update(dyslexie=[31, 40]), "above the capacity"),
        (
            lambda d: d["meetings"][0]["targets"].update(school_types={"basis": [0, 30]}),
            "must name exactly ['voortgezet']",
        ),
    ],
)
def test_a_broken_edition_file_is_refused_with_the_reason(
    raw: dict[str, Any], change: Callable[[dict[str, Any]], object], complaint: str
) -> None:
    change(raw)

    with pytest.raises((ValidationError, ValueError)) as error:
        Edition.model_validate(raw)
    assert complaint in str(error.value)


def test_the_shipped_targets_fit_every_meeting_and_the_draw_leaves_two_weeks() -> None:
    # Given the shipped edition
    edition = load_edition()

    # Then every meeting has a target mix whose role groups can fill exactly its seats
    for meeting in edition.meetings:
        assert meeting.targets is not None
        roles = meeting.targets.roles.values()
        assert sum(b.min for b in roles) <= meeting.capacity <= sum(b.max for b in roles)
    # And the draw comes after the deadline and before the first confirmation is due
    assert edition.draw_at is not None
    at = edition.draw_at.replace(tzinfo=edition.tz)
    assert edition.registration_closes_at <= at
    assert at <= min(edition.confirmation_due(m) for m in edition.meetings)


def test_a_person_counts_for_one_role_group_one_school_type_and_each_of_their_themes() -> None:
    # Given a teacher in special primary education with two themes
    labels = features(Role.LERAAR, Sector.SBO, [Theme.LEERGEDRAG, Theme.DYSLEXIE])

    # Then they count for the teaching group, primary schools and both themes, matching the quota labels
    assert labels == {"rol:onderwijs", "school:basis", "thema:dyslexie", "thema:leergedrag"}
    midden = load_edition().meeting("midden-utrecht")
    assert midden is not None
    assert midden.targets is not None
    assert labels <= set(midden.targets.quotas())


def test_every_role_and_sector_belongs_to_a_group() -> None:
    assert set(ROLE_GROUPS) == set(Role)
    assert set(SCHOOL_TYPES) == set(Sector)


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


def test_the_shipped_edition_warns_about_its_unconfirmed_sunday_meetings() -> None:
    # Given the shipped 2027 edition: the flyer's days fit 2024; in 2027 Zuid and Online fall on a Sunday
    edition = load_edition()

    # When it is checked / Then it warns about those two (and refuses nothing)
    assert not edition.dates_confirmed
    warnings = edition.warnings()
    assert [w.split()[1] for w in warnings] == ["zuid-helmond", "online"]
    assert all("Sunday" in w for w in warnings)


def test_confirmed_dates_give_no_warning() -> None:
    assert load_edition().model_copy(update={"dates_confirmed": True}).warnings() == []


def test_the_readme_checklist_names_every_assumption_of_the_edition_file() -> None:
    # Given every key the edition file marks as an ASSUMPTION (on its line, or the first key below it)
    root = Path(__file__).parents[1]
    lines = (root / "functions" / "praatmee" / "meetings.yaml").read_text(encoding="utf-8").splitlines()
    assumed = set()
    for number, line in enumerate(lines):
        if "ASSUMPTION" not in line or "ASSUMPTION marks" in line:
            continue
        key = next(
            match.group(1) for later in lines[number:] if (match := re.match(r"^\s*(?:- )?([a-z_]+):", later))
        )
        assumed.add(key)
    assert {"dates_confirmed", "capacity", "targets"} <= assumed

    # Then the README's "Before publishing" checklist names each of them
    readme = (root / "README.md").read_text(encoding="utf-8")
    checklist = readme.split("## Before publishing", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^- \[ \] `([a-z_]+)`", checklist, flags=re.MULTILINE))
    assert assumed <= listed, assumed - listed

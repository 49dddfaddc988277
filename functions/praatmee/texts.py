"""Every Dutch word a user reads, in one place, so the site and the API say the same thing."""

from __future__ import annotations

import datetime as dt

from praatmee.edition import Edition, Meeting, Role, Sector, Theme

SECTOR_LABELS: dict[Sector, str] = {
    Sector.PO: "basisonderwijs",
    Sector.SBO: "speciaal basisonderwijs",
    Sector.SO: "speciaal onderwijs",
    Sector.VO: "voortgezet onderwijs",
    Sector.VSO: "voortgezet speciaal onderwijs",
}

ROLE_LABELS: dict[Role, str] = {
    Role.OUDER: "ouder of verzorger",
    Role.LEERLING: "leerling",
    Role.LERAAR: "leraar",
    Role.BEGELEIDER: "begeleider",
    Role.SCHOOLLEIDER: "schoolleider",
    Role.BESTUURDER: "schoolbestuurder",
    Role.SAMENWERKINGSVERBAND: "medewerker van een samenwerkingsverband",
    Role.EXPERT: "expert",
    Role.ANDERS: "anders",
}

THEME_LABELS: dict[Theme, str] = {
    Theme.DYSLEXIE: "lezen, spelling en dyslexie",
    Theme.HOOGBEGAAFDHEID: "meer- en hoogbegaafdheid",
    Theme.LEERGEDRAG: "leergedrag (zoals concentratie, faalangst en plannen)",
}

# Written out here rather than taken from a locale library: nineteen words keep the functions light.
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


def day_month(day: dt.date) -> str:
    """`18 maart`"""
    return f"{day.day} {MONTHS[day.month - 1]}"


def long_date(day: dt.date) -> str:
    """`donderdag 18 maart 2027`"""
    return f"{WEEKDAYS[day.weekday()]} {day_month(day)} {day.year}"


def times(meeting: Meeting) -> str:
    """`19.00 tot 21.00 uur`, the Dutch way of writing clock times."""
    return f"{meeting.start.replace(':', '.')} tot {meeting.end.replace(':', '.')} uur"


def join_words(words: list[str]) -> str:
    """`a, b en c`"""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " en " + words[-1]


def audience(meeting: Meeting) -> str:
    """Who a meeting is for, in the order of the sector list."""
    if set(meeting.audience) == set(Sector):
        return "alle sectoren: " + join_words([SECTOR_LABELS[s] for s in Sector])
    return join_words([SECTOR_LABELS[s] for s in Sector if s in meeting.audience])


def where(meeting: Meeting) -> str:
    """`in Wolvega` or `online`"""
    return "online" if meeting.place is None else f"in {meeting.place}"


def upper_first(text: str) -> str:
    """Capitalise the first letter only (`str.capitalize` would lower the rest)."""
    return text[:1].upper() + text[1:]


def deadline(edition: Edition) -> str:
    """`vóór maandag 1 maart 2027`"""
    return f"vóór {long_date(edition.register_before)}"

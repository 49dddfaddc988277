"""The organisers' files in Dutch: the column headers and labels Excel shows in the exports and the
workbook (the command line's words: laptop/texts.py)."""

from __future__ import annotations

from praatmee import confirm_texts
from praatmee.models import RegistrationStatus

STATUS_LABELS: dict[RegistrationStatus, str] = {
    RegistrationStatus.APPLIED: "aangemeld voor de loting",
    RegistrationStatus.PLACED: "geplaatst",
    RegistrationStatus.WAITLISTED: "reservelijst",
    RegistrationStatus.PENDING_GUARDIAN: "wacht op toestemming ouder",
    RegistrationStatus.CANCELLED: "afgemeld",
    **confirm_texts.STATUS_LABEL,
}

# One sheet (and one CSV file) per meeting; the order of these headers is the order of the columns.
EXPORT_COLUMNS: tuple[str, ...] = (
    "Status",
    "Plek op reservelijst",
    "Naam",
    "E-mailadres",
    "Rol",
    "Soort onderwijs",
    "Onderwerpen",
    "Tweede keus",
    "School of organisatie",
    "Wensen (eten, toegankelijkheid)",
    "Jonger dan 16",
    "Naam ouder of verzorger",
    "E-mailadres ouder of verzorger",
    "E-mails niet verstuurd",
    "Aangemeld op",
)
YES = "ja"
NO = "nee"

OVERVIEW_SHEET = "Overzicht"
OVERVIEW_COLUMNS: tuple[str, ...] = (
    "Bijeenkomst",
    "Datum",
    "Plaatsen",
    "Aangemeld voor de loting",
    "Geplaatst",
    "Reservelijst",
    "Nog niet bevestigd",
    "Wacht op toestemming ouder",
    "Afgemeld",
)
OVERVIEW_TOTAL = "Totaal"
OVERVIEW_BY_ROLE = "Rol (zonder afmeldingen)"
OVERVIEW_BY_SECTOR = "Soort onderwijs (zonder afmeldingen)"
OVERVIEW_BY_THEME = "Onderwerp (zonder afmeldingen)"
OVERVIEW_TARGETS = "Mix voor de loting: nu aangemeld of geplaatst (gewenst: minimaal-maximaal)"

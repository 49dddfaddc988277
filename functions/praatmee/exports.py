"""Organiser exports: who signed up for each meeting, as one Excel workbook and one CSV file per meeting.

The daily schedule calls `lambda_handler`; the command line (`praatmee export`) calls `run_export`. Both read
every registration through the store and write under `exports/<UTC time>/` in the export bucket:

- `aanmeldingen.xlsx`: an overview sheet (per meeting: seats, placed, waiting list, not confirmed yet,
  pending consent, cancelled; counts per role, sector and theme) and one sheet per meeting: placed first (in
  order of sign-up), then the waiting list in order, then pupils waiting for a guardian's consent. Cancelled
  registrations hold no personal data any more, and unconfirmed ones count for nothing yet: both are only
  counted.
- `<meeting id>.csv`: the same rows for Dutch Excel (UTF-8 with BOM, `;`, CRLF).
- `samenvatting.json` (summary): the counts only, written last, so a folder with it is a complete export.

Formula injection: a spreadsheet must never run what someone typed into the form. In the workbook every
value is written as a string cell (never a formula or link), and a value that starts like a formula also
gets Excel's "quote prefix" style, so editing the cell keeps it text; it reads exactly as typed. In a CSV
file there is no cell type, so such a value gets a leading apostrophe (`'=1+1`), the OWASP advice.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from praatmee import export_texts, texts
from praatmee.confirmstore import window_closed
from praatmee.edition import Edition, load_edition
from praatmee.models import RegistrationStatus
from praatmee.table import ExportedRegistration, ExportRecord, MeetingCapacity, UnconfirmedSignUp

if TYPE_CHECKING:
    from praatmee.bucket import ExportBucket
    from praatmee.store import Store

WORKBOOK = "aanmeldingen.xlsx"
SUMMARY = "samenvatting.json"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
JSON_TYPE = "application/json"

# Characters that make a spreadsheet read a cell as a formula (or split it into one), per OWASP.
FORMULA_STARTS = frozenset("=+-@\t\r\n")
CSV_DATE_TIME = "%d-%m-%Y %H:%M"

Cell = str | int | dt.datetime | None
# The first characters worth a closer look: the formula starts, and a space that may hide one.
MAYBE_FORMULA = (*FORMULA_STARTS, " ")
# Called with a stage ("read", "write", "upload") and a number (items read, files written, the key).
Progress = Callable[[str, int | str], None]


def _ignore(stage: str, value: int | str) -> None:
    return None


def starts_like_formula(value: str) -> bool:
    """True for values a spreadsheet could take as a formula, also after leading spaces: the one rule that
    both the workbook (quote prefix) and the CSV files (leading apostrophe) follow."""
    # `startswith` with a tuple is one C-level test, so the common value costs almost nothing.
    return value.startswith(MAYBE_FORMULA) and value.lstrip(" ")[:1] in FORMULA_STARTS


# -- reading ---------------------------------------------------------------------------------------------


@dataclass
class MeetingExport:
    """One meeting's registrations and counts."""

    id: str
    title: str
    date: dt.date | None
    capacity: int
    people: list[ExportedRegistration] = field(default_factory=list)
    cancelled: int = 0
    unconfirmed: int = 0  # signed up, address not confirmed yet, window still open: counted, never listed

    def in_order(self) -> list[ExportedRegistration]:
        """Placed (in order of sign-up), the waiting list (in order of tickets), then pending consent."""
        by_status: dict[RegistrationStatus, list[ExportedRegistration]] = {
            status: [] for status in RegistrationStatus
        }
        for one in self.people:
            by_status[one.status].append(one)
        waiting = by_status.pop(RegistrationStatus.WAITLISTED)
        placed = by_status.pop(RegistrationStatus.PLACED)
        # Then pending consent, and any status added later: never dropped from a sheet.
        rest = [one for group in by_status.values() for one in group]
        return [
            *sorted(placed, key=lambda p: (p.created_at, p.id)),
            *sorted(waiting, key=lambda p: (p.ticket or 0, p.id)),
            *sorted(rest, key=lambda p: (p.status is not RegistrationStatus.PENDING_GUARDIAN, p.created_at)),
        ]

    def count(self, status: RegistrationStatus) -> int:
        if status is RegistrationStatus.CANCELLED:
            return self.cancelled
        if status is RegistrationStatus.UNCONFIRMED:
            return self.unconfirmed
        return sum(1 for one in self.people if one.status is status)

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "capacity": self.capacity,
            **{status.value: self.count(status) for status in RegistrationStatus},
        }


def collect(
    edition: Edition,
    pages: Iterable[Sequence[ExportRecord]],
    progress: Progress = _ignore,
    *,
    now: dt.datetime | None = None,
) -> list[MeetingExport]:
    """Sort the store's meeting and registration records into meetings, in the edition's order. Unconfirmed
    sign-ups are counted while their window is open at `now` (default: the current time); after it they are
    gone, though DynamoDB's TTL may not have removed them yet."""
    at = now or dt.datetime.now(dt.UTC)
    meetings = {
        m.id: MeetingExport(id=m.id, title=m.title, date=m.date, capacity=m.capacity)
        for m in edition.meetings
    }

    def meeting(meeting_id: str) -> MeetingExport:
        if meeting_id not in meetings:  # in the table but not in the edition file: show it, never drop it
            meetings[meeting_id] = MeetingExport(id=meeting_id, title=meeting_id, date=None, capacity=0)
        return meetings[meeting_id]

    read = 0
    for page in pages:
        for one in page:
            if isinstance(one, MeetingCapacity):
                if one.capacity is not None:
                    meeting(one.id).capacity = one.capacity
                continue
            if isinstance(one, UnconfirmedSignUp):
                if not window_closed(one.expires_at, at):
                    meeting(one.meeting).unconfirmed += 1
                continue
            target = meeting(one.meeting)
            if one.status is RegistrationStatus.CANCELLED:
                target.cancelled += 1
            else:
                target.people.append(one)
        read += len(page)
        progress("read", read)
    return list(meetings.values())


# -- rows ------------------------------------------------------------------------------------------------


ROLE_LABELS = {role.value: label for role, label in texts.ROLE_LABELS.items()}
SECTOR_LABELS = {sector.value: label for sector, label in texts.SECTOR_LABELS.items()}
THEME_LABELS = {theme.value: label for theme, label in texts.THEME_LABELS.items()}


class Row(NamedTuple):
    """A row of a meeting's sheet and CSV file: the columns of `export_texts.EXPORT_COLUMNS`, in order."""

    status: str
    waitlist_position: int | None
    name: str
    email: str
    role: str
    sector: str
    themes: str
    second_choice: str
    organisation: str
    needs: str
    under_16: str | None
    guardian_name: str
    guardian_email: str
    mail_failures: int | None
    signed_up_at: dt.datetime | None


def rows(edition: Edition, meeting: MeetingExport) -> list[Row]:
    """The rows of a meeting's sheet, in the order and with the columns of `export_texts.EXPORT_COLUMNS`."""
    tz = edition.tz
    result: list[Row] = []
    position = 0
    make_row, status_labels = Row._make, export_texts.STATUS_LABELS
    titles = {m.id: m.title for m in edition.meetings}
    role_labels, sector_labels, theme_labels = ROLE_LABELS, SECTOR_LABELS, THEME_LABELS
    for one in meeting.in_order():
        waiting: int | None = None
        if one.status is RegistrationStatus.WAITLISTED:
            position += 1
            waiting = position
        created: dt.datetime | None = None
        if one.created_at:
            created = dt.datetime.fromisoformat(one.created_at).astimezone(tz).replace(tzinfo=None)
        # Positional, in the order of Row's fields: keywords made shaping the rows slower (bench_export).
        result.append(
            make_row(
                (
                    status_labels[one.status],
                    waiting,
                    one.name,
                    one.email,
                    role_labels.get(one.role, one.role),
                    sector_labels.get(one.sector, one.sector),
                    "; ".join([theme_labels.get(t, t) for t in one.themes]),
                    titles.get(one.second_meeting, one.second_meeting),
                    one.organisation,
                    one.needs,
                    None if one.under_16 is None else (export_texts.YES if one.under_16 else export_texts.NO),
                    one.guardian_name,
                    one.guardian_email,
                    one.mail_failures or None,
                    created,
                )
            )
        )
    return result


# -- CSV -------------------------------------------------------------------------------------------------


def write_csv(table: Iterable[Row]) -> bytes:
    """A meeting's CSV file that Dutch Excel opens as it is: UTF-8 with BOM (else accents break), `;` (the
    Dutch list separator; `,` is the decimal comma) and CRLF line ends. The csv module quotes separators,
    quotes and line breaks inside a value."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(export_texts.EXPORT_COLUMNS)
    write = writer.writerow

    def text(value: str) -> str:
        # The cheap first-character test spares most values the call; the rule itself decides.
        return "'" + value if value.startswith(MAYBE_FORMULA) and starts_like_formula(value) else value

    # None is written empty; numbers as digits. Only the columns people typed into can hold a formula.
    for row in table:
        write(
            (
                row.status,
                row.waitlist_position,
                text(row.name),
                text(row.email),
                text(row.role),
                text(row.sector),
                text(row.themes),
                row.second_choice,
                text(row.organisation),
                text(row.needs),
                row.under_16,
                text(row.guardian_name),
                text(row.guardian_email),
                row.mail_failures,
                None if row.signed_up_at is None else row.signed_up_at.strftime(CSV_DATE_TIME),
            )
        )
    return out.getvalue().encode("utf-8-sig")


# -- the whole export ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    folder: str  # `exports/<UTC time>/`
    files: dict[str, tuple[bytes, str]]  # file name: (content, content type)
    meetings: list[MeetingExport]

    def summary(self) -> dict[str, Any]:
        return {
            "folder": self.folder,
            "files": sorted(self.files),
            "meetings": [meeting.summary() for meeting in self.meetings],
        }


def folder_for(now: dt.datetime) -> str:
    """`exports/2027-01-15T060000Z/`: sorts by time, says nothing about anyone."""
    return f"exports/{now.astimezone(dt.UTC):%Y-%m-%dT%H%M%SZ}/"


def build_export(
    edition: Edition,
    pages: Iterable[Sequence[ExportRecord]],
    now: dt.datetime,
    progress: Progress = _ignore,
) -> Export:
    meetings = collect(edition, pages, progress, now=now)
    tables = [rows(edition, meeting) for meeting in meetings]
    progress("write", len(meetings) + 1)
    files: dict[str, tuple[bytes, str]] = {
        f"{meeting.id}.csv": (write_csv(table), CSV_TYPE)
        for meeting, table in zip(meetings, tables, strict=True)
    }
    from praatmee import workbook  # it builds on this module's rows

    files[WORKBOOK] = (workbook.write_xlsx(edition, meetings, tables), XLSX_TYPE)
    return Export(folder=folder_for(now), files=files, meetings=meetings)


def run_export(
    store: Store,
    bucket: ExportBucket,
    edition: Edition,
    now: dt.datetime | None = None,
    progress: Progress = _ignore,
) -> Export:
    """Read every registration, build the files and put them in the bucket; the summary goes last."""
    export = build_export(edition, store.export_records(), now or dt.datetime.now(dt.UTC), progress)
    for name, (content, content_type) in export.files.items():
        progress("upload", name)
        bucket.put(export.folder + name, content, content_type)
    summary = json.dumps(export.summary(), ensure_ascii=False, indent=1).encode("utf-8")
    bucket.put(export.folder + SUMMARY, summary, JSON_TYPE)
    return export


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The daily schedule's entry point. Answers and logs counts only, never a name."""
    from aws_lambda_powertools import Logger

    from praatmee.bucket import ExportBucket
    from praatmee.settings import get_export_settings
    from praatmee.store import Store

    settings = get_export_settings()
    export = run_export(Store(settings.table_name), ExportBucket(settings.export_bucket), load_edition())
    summary = export.summary()
    Logger(service="praatmee-export").info("export written", extra=summary)
    return summary

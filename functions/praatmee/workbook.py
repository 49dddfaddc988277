"""The organisers' workbook: an overview sheet (counts, the mix, the draw's targets) and a sheet per meeting.

Every value is written as a string cell (never a formula or link); a value that starts like a formula also
gets Excel's "quote prefix" style, so editing the cell keeps it text (`exports.starts_like_formula`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from praatmee import export_texts, texts
from praatmee.edition import Edition, Role, Sector, Theme
from praatmee.exports import (
    MAYBE_FORMULA,
    ROLE_LABELS,
    SECTOR_LABELS,
    THEME_LABELS,
    Cell,
    MeetingExport,
    starts_like_formula,
)
from praatmee.models import RegistrationStatus
from praatmee.overview import mix_counts
from praatmee.table import ExportedRegistration

DATE_FORMAT = "dd-mm-yyyy"
DATE_TIME_FORMAT = "dd-mm-yyyy hh:mm"
MAX_WIDTH = 50
WIDTH_SAMPLE = 500
# Excel forbids these in sheet names, and allows at most 31 characters.
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str, taken: set[str]) -> str:
    base = SHEET_NAME_FORBIDDEN.sub(" ", title).strip("' ")[:31] or "Bijeenkomst"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name


def _widths(header: Sequence[str], table: Sequence[Sequence[Cell]]) -> list[int]:
    widths = [len(title) + 2 for title in header]
    for row in table[:WIDTH_SAMPLE]:
        for column, value in enumerate(row):
            length = len(value) if isinstance(value, str) else 16 if isinstance(value, dt.datetime) else 6
            widths[column] = max(widths[column], length + 2)
    return [min(width, MAX_WIDTH) for width in widths]


def write_xlsx(
    edition: Edition, meetings: Sequence[MeetingExport], tables: Sequence[Sequence[Sequence[Cell]]]
) -> bytes:
    """The workbook: the overview sheet, then one sheet per meeting."""
    import xlsxwriter  # only the export needs it: the registration function never loads it

    out = io.BytesIO()
    # Strings stay strings: never a formula, a link or a number, whatever they look like.
    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": DATE_TIME_FORMAT,
        },
    )
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    quoted = workbook.add_format({"quote_prefix": True})
    day = workbook.add_format({"num_format": DATE_FORMAT})
    moment = workbook.add_format({"num_format": DATE_TIME_FORMAT})
    taken = {export_texts.OVERVIEW_SHEET.lower()}
    _write_overview(workbook, bold, day, edition, meetings)
    header = export_texts.EXPORT_COLUMNS
    for meeting, table in zip(meetings, tables, strict=True):
        sheet = workbook.add_worksheet(sheet_name(meeting.title, taken))
        _print_setup(sheet)
        for column, width in enumerate(_widths(header, table)):
            sheet.set_column(column, column, width)
        sheet.autofilter(0, 0, max(len(table), 1), len(header) - 1)
        sheet.write_row(0, 0, header, bold)
        write_string, write_number, write_datetime = (
            sheet.write_string,
            sheet.write_number,
            sheet.write_datetime,
        )
        for number, row in enumerate(table, start=1):
            for column, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    # The cheap first-character test spares most cells the call; the rule decides.
                    if value.startswith(MAYBE_FORMULA) and starts_like_formula(value):
                        write_string(number, column, value, quoted)
                    else:
                        write_string(number, column, value)
                elif isinstance(value, dt.datetime):
                    write_datetime(number, column, value, moment)
                else:
                    write_number(number, column, value)
    workbook.close()
    return out.getvalue()


def _print_setup(sheet: Any) -> None:
    """A frozen header row on screen; on paper landscape, A4, as wide as the page, the header on every page
    (a sheet of 15 columns printed as 31 portrait pages before)."""
    sheet.freeze_panes(1, 0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as it takes
    sheet.repeat_rows(0)


def _write_overview(
    workbook: Any, bold: Any, day: Any, edition: Edition, meetings: Sequence[MeetingExport]
) -> None:
    sheet = workbook.add_worksheet(export_texts.OVERVIEW_SHEET)
    _print_setup(sheet)
    sheet.set_column(0, 0, 45)
    sheet.set_column(1, len(meetings) + 1, 16)
    sheet.write_row(0, 0, export_texts.OVERVIEW_COLUMNS, bold)
    statuses = (
        RegistrationStatus.APPLIED,
        RegistrationStatus.PLACED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.UNCONFIRMED,
        RegistrationStatus.PENDING_GUARDIAN,
        RegistrationStatus.CANCELLED,
    )
    row = 1
    for meeting in meetings:
        sheet.write_string(row, 0, meeting.title)
        if meeting.date is not None:
            sheet.write_datetime(row, 1, dt.datetime.combine(meeting.date, dt.time()), day)
        sheet.write_number(row, 2, meeting.capacity)
        for column, status in enumerate(statuses, start=3):
            sheet.write_number(row, column, meeting.count(status))
        row += 1
    sheet.write_string(row, 0, export_texts.OVERVIEW_TOTAL, bold)
    sheet.write_number(row, 2, sum(m.capacity for m in meetings), bold)
    for column, status in enumerate(statuses, start=3):
        sheet.write_number(row, column, sum(m.count(status) for m in meetings), bold)
    row += 2
    # Each breakdown names what it counts of a person (everyone not cancelled; one may count for several
    # themes).
    breakdowns: tuple[
        tuple[str, dict[str, str], list[str], Callable[[ExportedRegistration], Iterable[str]]], ...
    ]
    breakdowns = (
        (export_texts.OVERVIEW_BY_ROLE, ROLE_LABELS, [r.value for r in Role], lambda one: (one.role,)),
        (
            export_texts.OVERVIEW_BY_SECTOR,
            SECTOR_LABELS,
            [s.value for s in Sector],
            lambda one: (one.sector,),
        ),
        (export_texts.OVERVIEW_BY_THEME, THEME_LABELS, [t.value for t in Theme], lambda one: one.themes),
    )
    for title, labels, codes, of in breakdowns:
        counts = [Counter(code for one in meeting.people for code in of(one)) for meeting in meetings]
        sheet.write_row(row, 0, [title, *(m.title for m in meetings), export_texts.OVERVIEW_TOTAL], bold)
        row += 1
        for code in codes:
            sheet.write_string(row, 0, labels[code])
            values = [count[code] for count in counts]
            sheet.write_row(row, 1, [*values, sum(values)])
            row += 1
        row += 1
    _write_targets(sheet, bold, row, edition, meetings)


def _write_targets(
    sheet: Any, bold: Any, row: int, edition: Edition, meetings: Sequence[MeetingExport]
) -> None:
    """The draw's target mix beside who applied or has a seat now, so organisers can reach out to a group
    that is missing before the deadline ("3 (6-12)": three now, six to twelve wanted)."""
    quotas = {meeting.id: meeting.targets.quotas() for meeting in edition.meetings if meeting.targets}
    if not quotas:
        return
    labels = list(dict.fromkeys(label for targets in quotas.values() for label in targets))
    counts = [mix_counts(meeting) for meeting in meetings]
    sheet.write_row(row, 0, [export_texts.OVERVIEW_TARGETS, *(m.title for m in meetings)], bold)
    for label in labels:
        row += 1
        sheet.write_string(row, 0, texts.FEATURE_LABELS.get(label, label))
        for column, (meeting, count) in enumerate(zip(meetings, counts, strict=True), start=1):
            target = quotas.get(meeting.id, {}).get(label)
            if target is not None:
                sheet.write_string(row, column, f"{count[label]} ({target[0]}-{target[1]})")

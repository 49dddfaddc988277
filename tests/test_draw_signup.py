"""Signing up when places are given by a draw (`allocation: draw`): an application, not a seat."""

from __future__ import annotations

import datetime as dt
import io
from email.message import EmailMessage

import openpyxl
import pytest

from praatmee import export_texts, exports, service, texts
from praatmee.edition import Allocation, Edition, load_edition
from praatmee.models import RegistrationStatus
from tests.fixtures import Api, mails_to, pupil, receipts_to, registration_data, sign_up, status_of

APPLIED = RegistrationStatus.APPLIED


@pytest.fixture
def edition() -> Edition:
    """The shipped edition with places given by the draw (its targets and draw moment as shipped)."""
    return load_edition().model_copy(update={"allocation": Allocation.DRAW})


def applicants(ctx: service.Context, meeting: str) -> tuple[int, int]:
    counts = ctx.store.meeting_counts([meeting])[meeting]
    return counts.applied, counts.placed


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def test_a_sign_up_applies_for_the_draw_and_takes_no_seat(app: Api, ctx: service.Context) -> None:
    # When someone signs up before the deadline
    answer = app.register(email="anna@example.org")

    # Then they applied: no seat is taken, the meeting counts one applicant
    assert answer.status == 201
    assert answer.json == {
        "id": answer.json["id"],
        "status": "applied",
        "meeting": "online",
        "waitlist_position": None,
        "confirm_before": None,
    }
    assert applicants(ctx, "online") == (1, 0)
    # And their receipt says a draw decides, and by when they hear (the draw's day)
    [receipt] = receipts_to("anna@example.org")
    assert receipt["Subject"] == texts.RECEIPT_SUBJECTS[APPLIED]
    body = text_of(receipt)
    assert texts.STATUS_PARAGRAPHS[APPLIED] in body
    assert "uiterlijk twee weken voor de bijeenkomst" in body


def test_a_meeting_stays_open_while_more_people_apply_than_it_has_seats(
    client: Api, ctx: service.Context
) -> None:
    # Given a meeting of one seat
    ctx.store.set_capacity("online", 1)

    # When three people apply
    statuses = [client.register(email=f"p{n}@example.org").json["status"] for n in range(3)]

    # Then all three applied, and the meeting still shows open, with three applicants for its one seat
    assert statuses == ["applied"] * 3
    [online] = [m for m in client.get("/api/meetings").json["meetings"] if m["id"] == "online"]
    assert (online["status"], online["applicants"], online["seats_left"], online["capacity"]) == (
        "open",
        3,
        1,
        1,
    )


def test_sending_the_same_form_twice_answers_with_the_same_application(
    client: Api, ctx: service.Context
) -> None:
    first = client.register()
    again = client.register()

    assert again.status == 201
    assert again.json == first.json
    assert applicants(ctx, "online") == (1, 0)


def test_a_pupil_applies_once_the_guardian_agrees(app: Api, ctx: service.Context) -> None:
    # Given a pupil under 16 who signed up
    registered = sign_up(ctx, **pupil(email="pupil@example.org"))
    assert registered.outcome is service.Outcome.PENDING_GUARDIAN
    assert applicants(ctx, "online") == (0, 0)
    assert registered.guardian_token is not None

    # When the guardian agrees
    answer = app.consent(registered.answer.id, registered.guardian_token, "confirm")

    # Then the pupil applies like anyone else, and hears so
    assert answer.json == {"id": registered.answer.id, "status": "applied", "waitlist_position": None}
    assert status_of(ctx.store, registered.answer.id) is APPLIED
    assert applicants(ctx, "online") == (1, 0)
    assert mails_to("pupil@example.org")[-1]["Subject"] == texts.CONSENTED_SUBJECTS[APPLIED]
    # And agreeing again changes nothing
    assert app.consent(registered.answer.id, registered.guardian_token, "confirm").json["status"] == "applied"
    assert applicants(ctx, "online") == (1, 0)


def test_a_pupils_receipt_says_the_guardians_consent_leads_to_the_draw(app: Api) -> None:
    app.register(**pupil(email="pupil@example.org"))

    [receipt] = mails_to("pupil@example.org")
    assert "Dan doe je mee aan de loting" in text_of(receipt)
    assert "reservelijst" not in text_of(receipt)


def test_withdrawing_an_application_frees_the_address_and_the_count(
    client: Api, ctx: service.Context
) -> None:
    # Given someone who applied
    registered = sign_up(ctx, email="anna@example.org")
    assert registered.cancel_token is not None

    # When they cancel with the link from their receipt
    answer = client.cancel(registered.answer.id, registered.cancel_token)

    # Then the application is gone with its personal data, and the address can apply again
    assert answer.json == {"id": registered.answer.id, "status": "cancelled"}
    assert applicants(ctx, "online") == (0, 0)
    data = registration_data(ctx.store, registered.answer.id)
    assert data is not None
    assert "email" not in data
    assert "name" not in data
    assert client.register(email="anna@example.org").json["status"] == "applied"
    assert applicants(ctx, "online") == (1, 0)


def test_before_the_deadline_the_export_shows_the_pool_against_the_draws_targets(
    ctx: service.Context, edition: Edition
) -> None:
    # Given three parents and a pupil applied for the online meeting
    for n in range(3):
        sign_up(ctx, email=f"ouder{n}@example.org")
    sign_up(ctx, email="leerling@example.org", role="leerling", under_16=False)

    # When the organisers open the export's overview
    export = exports.build_export(edition, ctx.store.export_records(), dt.datetime(2027, 2, 1, tzinfo=dt.UTC))
    sheet = openpyxl.load_workbook(io.BytesIO(export.files[exports.WORKBOOK][0]))[export_texts.OVERVIEW_SHEET]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]

    # Then the mix block shows, per group, how many applied beside the range the draw aims for
    start = next(i for i, row in enumerate(rows) if row[0] == export_texts.OVERVIEW_TARGETS)
    online = rows[start].index("Online")
    mix = {row[0]: row[online] for row in rows[start + 1 :] if row[0]}
    assert mix["ouders"] == "3 (10-20)"
    assert mix["leerlingen"] == "1 (6-16)"
    assert mix["leraren en begeleiders"] == "0 (10-20)"
    assert mix["mensen met ervaring met lezen, spelling en dyslexie"] == "4 (8-50)"

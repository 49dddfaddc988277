"""The organisers' room: counts, the mix against the draw's targets, exports, and the meetings' private
details that the two-weeks confirmation uses. On moto in server mode, through the room's handler."""

from __future__ import annotations

import datetime as dt
import io
import logging
import urllib.request
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from typing import Any

import boto3
import openpyxl
import pytest

from praatmee import mail, room, service
from praatmee.edition import load_edition
from praatmee.ses import SesSender
from tests.fixtures import HASH_KEY, SENDER, SITE, Clock, sign_up_unconfirmed, valid_body
from tests.fixtures import sign_up as confirmed_sign_up
from tests.room_fixtures import REGION, Pool, RoomClient, make_room

OVERVIEW = "/api/organisatie/overzicht"


def sign_up(the_room: room.Room, n: int, **changes: Any) -> list[str]:
    ctx = service.Context(the_room.store, the_room.edition, HASH_KEY.encode(), Clock())
    ids = []
    for i in range(n):
        body = valid_body(email=f"deelnemer{i}-{changes.get('role', 'ouder')}@example.org", **changes)
        ids.append(confirmed_sign_up(ctx, **body).answer.id)
    return ids


def meeting(answer: Any, meeting_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(m for m in answer.json["meetings"] if m["id"] == meeting_id)
    return found


@pytest.fixture
def signed_in(desk: RoomClient, pool: Pool) -> RoomClient:
    assert desk.sign_in(pool.organiser()).status == 303
    return desk


def test_the_room_counts_placed_waiting_and_consent_per_meeting(signed_in: RoomClient) -> None:
    # Given three parents placed online, and a pupil under 16 waiting for a guardian
    the_room = signed_in.context
    sign_up(the_room, 3)
    sign_up(
        the_room,
        1,
        role="leerling",
        under_16=True,
        guardian={"name": "Petra Jansen", "email": "petra@example.org", "consent": True},
    )

    # When an organiser opens the overview
    answer = signed_in.get(OVERVIEW)

    # Then it counts them per status, and the mix counts only the people who will come
    online = meeting(answer, "online")
    assert (online["placed"], online["pending_guardian"], online["waitlisted"], online["cancelled"]) == (
        3,
        1,
        0,
        0,
    )
    mix = {row["label"]: row["count"] for row in online["mix"]}
    assert mix["rol:ouders"] == 3
    assert mix["rol:leerlingen"] == 0
    # And nothing about any one person leaves the room
    assert "example.org" not in answer.text
    page = signed_in.get("/organisatie/")
    assert "example.org" not in page.text
    assert "Geplaatst: deze mensen komen" in page.text


def test_the_room_counts_sign_ups_that_wait_for_their_address_confirmation(signed_in: RoomClient) -> None:
    # Given two parents online who confirmed, one who signed up 25 hours ago and never confirmed (the
    # window of 24 hours is over), and two who signed up an hour ago and have not confirmed yet
    the_room = signed_in.context
    sign_up(the_room, 2)
    now = the_room.now()
    clock = Clock(now - dt.timedelta(hours=25))
    ctx = service.Context(the_room.store, the_room.edition, HASH_KEY.encode(), clock)
    sign_up_unconfirmed(ctx, email="te-laat@example.org")
    clock.now = now - dt.timedelta(hours=1)
    for i in range(2):
        assert sign_up_unconfirmed(ctx, email=f"nog-niet{i}@example.org").confirm_token is not None

    # When an organiser opens the overview and the room
    answer = signed_in.get(OVERVIEW)
    page = signed_in.get("/organisatie/").text

    # Then the two within their window are counted as not confirmed yet; the expired one counts for nothing
    online = meeting(answer, "online")
    assert (online["unconfirmed"], online["placed"]) == (2, 2)
    assert {m["id"]: m["unconfirmed"] for m in answer.json["meetings"] if m["id"] != "online"} == {
        "noord-wolvega": 0,
        "zuid-helmond": 0,
        "midden-utrecht": 0,
    }
    section = page.split('id="m-online"', 1)[1].split("</section>", 1)[0]
    assert "<dt>Nog niet bevestigd</dt><dd>2</dd>" in section
    # And the mix counts only the people who confirmed
    mix = {row["label"]: row["count"] for row in online["mix"]}
    assert mix["rol:ouders"] == 2
    # And nothing about any one person leaves the room
    assert "example.org" not in answer.text
    assert "example.org" not in page
    assert "Saskia" not in page


def test_before_the_draw_the_room_shows_the_pool_against_the_targets(local_aws: str, pool: Pool) -> None:
    # Given the shipped edition (places by the draw) and two parents who applied online
    the_room = make_room(local_aws, pool, edition=load_edition())
    desk = RoomClient(the_room)
    desk.sign_in(pool.organiser())
    sign_up(the_room, 2)

    # When an organiser opens the room
    online = meeting(desk.get(OVERVIEW), "online")
    page = desk.get("/organisatie/").text

    # Then the mix is the pool of applicants, each group against its target, with what is missing
    assert online["mix_of"] == "applied"
    targets = load_edition().meeting("online").targets  # type: ignore[union-attr]
    assert targets is not None
    low, high = targets.quotas()["rol:leerlingen"]
    row = next(r for r in online["mix"] if r["label"] == "rol:leerlingen")
    assert (row["count"], row["target"]) == (0, [low, high])
    assert "De loting is nog niet geweest" in page
    assert f"{low} tot {high} ({low} te weinig)" in page


def test_an_organiser_makes_an_export_and_downloads_the_workbook(signed_in: RoomClient) -> None:
    # Given some sign-ups
    sign_up(signed_in.context, 2)

    # When the organiser makes an export
    made = signed_in.post("/api/organisatie/exports")
    assert made.status == 303
    page = signed_in.get(made.headers["location"].split("#")[0]).text
    assert "De export is klaar" in page
    key = next(
        k
        for k in signed_in.context.bucket.objects(signed_in.context.bucket.exports()[0])
        if k.name.endswith(".xlsx")
    ).key
    assert key in page  # as a form field, not as a link

    # And asks for the workbook
    answer = signed_in.post("/api/organisatie/downloads", {"key": key})

    # Then a short-lived link is made for this click, and it gives the workbook
    assert answer.status == 303
    link = answer.headers["location"]
    assert "X-Amz-Expires=60" in link
    assert link not in page
    with urllib.request.urlopen(link, timeout=10) as download:
        assert "attachment" in download.headers["Content-Disposition"]
        workbook = openpyxl.load_workbook(io.BytesIO(download.read()))
    assert "Overzicht" in workbook.sheetnames
    # And the audit trail names who did what, without any participant's data
    actions = [entry.action for entry in signed_in.context.notes.recent()]
    assert sorted(actions) == ["export_downloaded", "export_made", "signed_in"]


def test_a_download_of_anything_but_a_listed_export_file_is_refused(signed_in: RoomClient) -> None:
    signed_in.post("/api/organisatie/exports")
    for key in ("exports/../geheim", "exports/2020-01-01T000000Z/aanmeldingen.xlsx", ""):
        assert signed_in.post("/api/organisatie/downloads", {"key": key}).status == 404


def confirmations_of(the_room: room.Room, registration_id: str) -> EmailMessage:
    boto3.client("sesv2", region_name=REGION).create_email_identity(EmailIdentity=SENDER)
    sender = SesSender(sender=SENDER, reply_to="vragen@example.org")
    context = mail.MailContext(the_room.store, the_room.edition, sender, SITE, Clock())
    assert mail.deliver(context, mail.CONFIRMATION, registration_id)
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    raw = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages[-1].raw_data
    message = BytesParser(_class=EmailMessage, policy=default).parsebytes(raw.encode())
    return message


def test_the_venue_address_goes_into_the_confirmation(signed_in: RoomClient) -> None:
    # Given a participant placed in Wolvega
    the_room = signed_in.context
    [placed] = sign_up(the_room, 1, meeting="noord-wolvega", sector="vo")

    # When an organiser stores the address and the route
    fields = {
        "address": "Stationsweg 1, 8471 AA Wolvega",
        "route": "Tien minuten lopen vanaf het station.",
        "phone": "+31 6 1234 5678",
    }
    answer = signed_in.post("/api/organisatie/bijeenkomsten/noord-wolvega/gegevens", fields)
    assert answer.status == 303
    assert "Stationsweg 1, 8471 AA Wolvega" in signed_in.get("/organisatie/").text

    # Then the two-weeks confirmation says them instead of "we send the address later"
    text = confirmations_of(the_room, placed).get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "Adres: Stationsweg 1, 8471 AA Wolvega" in text
    assert "Route: Tien minuten lopen vanaf het station." in text
    assert "+31 6 1234 5678" in text
    assert "sturen we je nog" not in text
    assert [e.meeting for e in the_room.notes.recent() if e.action == "venue_saved"] == ["noord-wolvega"]


def test_without_details_the_confirmation_says_what_it_said_before(signed_in: RoomClient) -> None:
    [placed] = sign_up(signed_in.context, 1, meeting="noord-wolvega", sector="vo")
    text = confirmations_of(signed_in.context, placed).get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "Het precieze adres en de route sturen we je nog." in text


def test_bad_venue_details_get_a_dutch_message_and_nothing_is_stored(signed_in: RoomClient) -> None:
    answer = signed_in.post(
        "/api/organisatie/bijeenkomsten/online/gegevens",
        {"online_link": "javascript:alert(1)", "phone": "bel maar"},
    )
    assert answer.status == 422
    assert "begint met https://" in answer.text
    assert "alleen cijfers" in answer.text
    # On a page of its own that shows what was typed, at the fields, and offers no downloads
    assert 'value="bel maar"' in answer.text
    assert 'aria-describedby="online-phone-fout"' in answer.text
    assert "/api/organisatie/downloads" not in answer.text
    assert signed_in.context.notes.venue("online") is None
    assert signed_in.post("/api/organisatie/bijeenkomsten/nergens/gegevens", {"address": "x"}).status == 404


def test_the_logs_of_organiser_actions_hold_no_participant_data(signed_in: RoomClient) -> None:
    # Given participants, and an organiser who makes an export, downloads it and stores a venue
    [registration] = sign_up(signed_in.context, 1, name="Fenna Zwart")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(room.logger.registered_handler.formatter)
    room.logger.addHandler(handler)
    signed_in.post("/api/organisatie/exports")
    key = next(o.key for o in signed_in.context.bucket.objects(signed_in.context.bucket.exports()[0]))
    signed_in.post("/api/organisatie/downloads", {"key": key})
    signed_in.post(
        "/api/organisatie/bijeenkomsten/online/gegevens", {"online_link": "https://meet.example/x"}
    )

    # Then the logs name the actions and the organiser's id, never a participant
    room.logger._logger.removeHandler(handler)
    logged = stream.getvalue()
    assert logged.count('"message":"organiser action"') == 3
    for personal in ("Fenna", "Zwart", "deelnemer0", "example.org", registration):
        assert personal not in logged

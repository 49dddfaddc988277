"""Organisers act on requests in the room: find a person, move, correct, erase, send the receipt again, add
someone, and write to a meeting. Through the room's handler on moto in server mode, signed in."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from typing import Any
from urllib.parse import parse_qsl, quote

import boto3
import pytest

from praatmee import actions, confirming, room, service, texts
from praatmee.action_store import ActionStore
from praatmee.edition import Allocation, load_edition
from praatmee.errors import RegistrationNotFound
from praatmee.models import RegistrationStatus
from praatmee.ses import SesSender
from tests.fixtures import (
    HASH_KEY,
    SENDER,
    Clock,
    assert_seat_invariants,
    sign_up_unconfirmed,
    table_items,
    valid_body,
)
from tests.fixtures import sign_up as confirmed_sign_up
from tests.room_fixtures import REGION, Pool, RoomClient, make_room

WOLVEGA, ONLINE = "noord-wolvega", "online"
PEOPLE = "/organisatie/deelnemers/"


def outbox() -> list[EmailMessage]:
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    parse = BytesParser(_class=EmailMessage, policy=default).parsebytes
    return [parse(m.raw_data.encode()) for m in ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages]


def mails_to(address: str) -> list[EmailMessage]:
    return [m for m in outbox() if m["To"] == address]


def text_of(message: EmailMessage) -> str:
    return str(message.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]


@pytest.fixture
def signed_in(the_room: room.Room, pool: Pool) -> RoomClient:
    return sign_in_to(the_room, pool)


def sign_in_to(the_room: room.Room, pool: Pool) -> RoomClient:
    """An organiser in a room that acts for people: the one-person key, and mail through moto's SES."""
    boto3.client("sesv2", region_name=REGION).create_email_identity(EmailIdentity=SENDER)
    sender = SesSender(sender=SENDER, reply_to="vragen@example.org")
    client = RoomClient(dataclasses.replace(the_room, hash_key=HASH_KEY.encode(), sender=sender))
    assert client.sign_in(pool.organiser()).status == 303
    return client


def desk_of(client: RoomClient) -> service.Context:
    the_room = client.context
    ledger = ActionStore(the_room.store.table_name, the_room.store.client)
    return service.Context(ledger, the_room.edition, HASH_KEY.encode(), Clock())


def sign_up(client: RoomClient, name: str, **changes: Any) -> str:
    the_room = client.context
    ctx = service.Context(the_room.store, the_room.edition, HASH_KEY.encode(), Clock())
    body = valid_body(name=name.title(), email=f"{name}@example.org", **changes)
    return confirmed_sign_up(ctx, **body).answer.id


@pytest.fixture
def wolvega(signed_in: RoomClient) -> dict[str, str]:
    """Wolvega has two seats: Anna and Bram have them, Cees waits."""
    signed_in.context.store.set_capacity(WOLVEGA, 2)
    return {name: sign_up(signed_in, name, meeting=WOLVEGA, sector="vo") for name in ("anna", "bram", "cees")}


def test_an_organiser_finds_a_person_by_address_and_sees_their_sign_up(
    signed_in: RoomClient, wolvega: dict[str, str]
) -> None:
    found = signed_in.get(f"{PEOPLE}?email=Cees%40example.org")
    assert found.status == 200
    assert f'href="{PEOPLE}{wolvega["cees"]}/"' in found.text

    page = signed_in.get(f"{PEOPLE}{wolvega['cees']}/")
    assert page.status == 200
    assert page.headers["cache-control"] == "no-store"
    assert "Cees" in page.text
    assert "op de reservelijst" in page.text.lower() or "wachtlijst" in page.text.lower()


def test_a_move_needs_the_box_ticked_then_frees_the_seat_and_mails_the_person(
    signed_in: RoomClient, wolvega: dict[str, str]
) -> None:
    path = f"/api/organisatie/deelnemers/{wolvega['anna']}/verplaatsen"

    refused = signed_in.post(path, {"naar": ONLINE})
    assert refused.status == 422
    assert "Vink aan dat je het zeker weet." in refused.text

    answer = signed_in.post(path, {"naar": ONLINE, "zeker": "ja"})

    assert answer.status == 303
    store = signed_in.context.store
    assert assert_seat_invariants(store, ONLINE).ids(RegistrationStatus.PLACED) == {wolvega["anna"]}
    assert assert_seat_invariants(store, WOLVEGA).ids(RegistrationStatus.PLACED) == {
        wolvega["bram"],
        wolvega["cees"],
    }
    [moved] = mails_to("anna@example.org")
    assert "verplaatst" in moved["Subject"]
    assert "Online" in text_of(moved)
    assert len(mails_to("cees@example.org")) == 1  # a seat is free for her
    assert ("moved", wolvega["anna"]) in [
        (e.action, e.registration_id) for e in signed_in.context.notes.recent()
    ]


def test_a_seat_a_move_finds_free_is_mailed_to_the_person_waiting_there_in_the_same_request(
    signed_in: RoomClient, wolvega: dict[str, str]
) -> None:
    # Given a full online meeting of one seat with Frank waiting, and organisers who add a seat there
    store = signed_in.context.store
    store.set_capacity(ONLINE, 1)
    sign_up(signed_in, "eva", meeting=ONLINE, sector="vo")
    frank = sign_up(signed_in, "frank", meeting=ONLINE, sector="vo")
    store.set_capacity(ONLINE, 2)
    before = {name: len(mails_to(f"{name}@example.org")) for name in ("frank", "cees")}

    # When an organiser moves Anna there (the added seat goes to Frank, who waited first)
    answer = signed_in.post(
        f"/api/organisatie/deelnemers/{wolvega['anna']}/verplaatsen", {"naar": ONLINE, "zeker": "ja"}
    )

    # Then Frank has the seat and its mail at once, as Cees has Anna's old seat; Anna waits
    assert answer.status == 303
    online = assert_seat_invariants(store, ONLINE)
    assert frank in online.ids(RegistrationStatus.PLACED)
    assert online.waiting == [wolvega["anna"]]
    after = {name: len(mails_to(f"{name}@example.org")) for name in ("frank", "cees")}
    assert after == {"frank": before["frank"] + 1, "cees": before["cees"] + 1}
    assert mails_to("frank@example.org")[-1]["Subject"] == texts.PROMOTED_SUBJECT


def test_erasing_on_request_leaves_nothing_of_the_person_and_names_earlier_exports(
    signed_in: RoomClient, wolvega: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert signed_in.post("/api/organisatie/exports").status == 303

    answer = signed_in.post(f"/api/organisatie/deelnemers/{wolvega['anna']}/wissen", {"zeker": "ja"})

    assert answer.status == 200
    assert "exports/" in answer.text  # the export made before holds her: delete it too
    items = table_items(signed_in.context.store)
    # (the audit trail keeps which registration an organiser erased, and nothing else of her)
    kept = [item for item in items if item["pk"]["S"] != "AUDIT"]
    assert not [item for item in items if "anna" in str(item).lower()]
    assert not [item for item in kept if wolvega["anna"] in str(item)]
    logs = capsys.readouterr()
    assert "anna@example.org" not in logs.out + logs.err
    assert "Anna" not in logs.out + logs.err


def test_a_corrected_address_gets_a_fresh_receipt(signed_in: RoomClient, wolvega: dict[str, str]) -> None:
    path = f"/api/organisatie/deelnemers/{wolvega['bram']}/verbeteren"

    fields = {"name": "Bram Bos", "email": "bram.bos@example.org", "needs": "Rolstoel"}
    fields |= {"role": "begeleider", "sector": "vso", "themes": "leergedrag"}

    answer = signed_in.post(path, fields)

    assert answer.status == 303
    [receipt] = mails_to("bram.bos@example.org")
    assert "Bram Bos" in text_of(receipt)
    [bram] = actions.find_by_email(desk_of(signed_in), "bram.bos@example.org")
    assert (bram.role, bram.sector, bram.themes, bram.needs) == (
        "begeleider",
        "vso",
        ("leergedrag",),
        "Rolstoel",
    )
    # A parent cannot become a pupil here (the age question and the guardian would not follow)
    pupil = signed_in.post(path, {**fields, "role": "leerling"})
    assert pupil.status == 422
    assert "Een leerling kan geen andere rol krijgen" in pupil.text
    assert signed_in.get(f"{PEOPLE}?email=bram%40example.org").text.count(PEOPLE + wolvega["bram"]) == 0
    bad = signed_in.post(path, {**fields, "name": "", "email": "geen-adres"})
    assert bad.status == 422


def test_an_organiser_adds_someone_who_phoned_with_the_same_rules(signed_in: RoomClient) -> None:
    fields = {
        "meeting": ONLINE,
        "name": "Dana de Wit",
        "email": "dana@example.org",
        "role": "ouder",
        "sector": "po",
        "themes": "dyslexie",
        "under_16": "nee",
        "privacy_consent": "ja",
    }

    answer = signed_in.post("/api/organisatie/aanmelden", fields)

    assert answer.status == 303
    person = signed_in.get(answer.headers["location"].split("?")[0])
    assert "de organisatie" in person.text
    assert len(mails_to("dana@example.org")) == 1
    # And the same rules: a meeting for another school type is refused in Dutch
    wrong = signed_in.post(
        "/api/organisatie/aanmelden", {**fields, "email": "e@example.org", "meeting": WOLVEGA}
    )
    assert wrong.status == 409
    assert "niet voor jouw soort onderwijs" in wrong.text


def test_a_seat_someone_an_organiser_adds_finds_free_is_mailed_to_the_person_waiting_in_the_same_request(
    signed_in: RoomClient,
) -> None:
    # Given a full online meeting of one seat with Gijs waiting, and organisers who add a seat there
    store = signed_in.context.store
    store.set_capacity(ONLINE, 1)
    sign_up(signed_in, "hanna", meeting=ONLINE, sector="vo")
    gijs = sign_up(signed_in, "gijs", meeting=ONLINE, sector="vo")
    store.set_capacity(ONLINE, 2)
    fields = {
        "meeting": ONLINE,
        "name": "Ilse de Wit",
        "email": "ilse@example.org",
        "role": "ouder",
        "sector": "po",
        "themes": "dyslexie",
        "under_16": "nee",
        "privacy_consent": "ja",
    }

    # When an organiser adds someone who phoned (the added seat goes to Gijs, who waited first)
    answer = signed_in.post("/api/organisatie/aanmelden", fields)

    # Then Gijs has the seat and its mail at once, not a day later
    assert answer.status == 303
    assert gijs in assert_seat_invariants(store, ONLINE).ids(RegistrationStatus.PLACED)
    [promoted] = mails_to("gijs@example.org")
    assert promoted["Subject"] == texts.PROMOTED_SUBJECT


def test_a_message_to_a_meeting_reaches_each_placed_person_once(
    signed_in: RoomClient, wolvega: dict[str, str]
) -> None:
    path = "/api/organisatie/bijeenkomsten/noord-wolvega/bericht"
    text = "Het adres is Stationsweg 1 in Wolvega. Tot dan!"

    preview = signed_in.post(path, {"bericht": text, "stap": "voorbeeld"})
    assert preview.status == 200
    assert "Het gaat naar 2 mensen." in preview.text
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', preview.text))

    sent = signed_in.post(path, hidden)
    again = signed_in.post(path, hidden)  # a double click

    assert (sent.status, again.status) == (303, 303)
    for name in ("anna", "bram"):
        [message] = [m for m in mails_to(f"{name}@example.org") if "Bericht" in m["Subject"]]
        assert text in text_of(message)
        assert "Stationsweg" not in message["Subject"]  # the organisers' text only in the body
    assert not [m for m in mails_to("cees@example.org") if "Bericht" in m["Subject"]]
    history = signed_in.get("/organisatie/bijeenkomsten/noord-wolvega/bericht/")
    assert "2 verstuurd, 0 niet verstuurd." in history.text


# -- someone phones: "I signed up but the mail did not come" (a sign-up not confirmed yet) -------------------

STILL_UNCONFIRMED = "Deze aanmelding is nog niet bevestigd. Bevestig haar eerst, of stuur de link opnieuw."
ACTIONS = "/api/organisatie/deelnemers"


def the_clock(client: RoomClient) -> Clock:
    clock = client.context.now
    assert isinstance(clock, Clock)
    return clock


def unconfirmed(client: RoomClient, address: str, meeting: str = WOLVEGA) -> tuple[str, str]:
    """A sign-up from the site whose first mail did not come: its id and the token of that first link."""
    registered = sign_up_unconfirmed(public_ctx(client), name="Dirk", email=address, meeting=meeting)
    assert registered.answer.status is RegistrationStatus.UNCONFIRMED
    assert registered.confirm_token is not None
    return registered.answer.id, registered.confirm_token


@pytest.fixture
def address() -> str:
    """An address of its own per test (moto's outbox lives as long as its server)."""
    return f"dirk-{uuid.uuid4().hex[:8]}@example.org"


def public_ctx(client: RoomClient) -> service.Context:
    the_room = client.context
    return service.Context(the_room.store, the_room.edition, HASH_KEY.encode(), the_clock(client))


def audited(client: RoomClient) -> list[tuple[str, str]]:
    return [(entry.action, entry.registration_id) for entry in client.context.notes.recent()]


def test_an_unconfirmed_sign_up_is_found_with_its_status_and_its_window(
    signed_in: RoomClient, address: str
) -> None:
    dirk, _ = unconfirmed(signed_in, address)

    found = signed_in.get(f"{PEOPLE}?email={quote(address)}")

    assert found.status == 200
    assert f'href="{PEOPLE}{dirk}/"' in found.text
    assert "nog niet bevestigd" in found.text
    assert "bevestigen kan tot" in found.text
    by_name = signed_in.get(f"{PEOPLE}?naam=dirk&bijeenkomst={WOLVEGA}")
    assert f'href="{PEOPLE}{dirk}/"' in by_name.text
    assert "nog niet bevestigd (bevestigen kan tot" in by_name.text
    page = signed_in.get(f"{PEOPLE}{dirk}/")
    assert "nog niet bevestigd" in page.text
    assert "Bevestigen kan tot" in page.text
    assert f'action="{ACTIONS}/{dirk}/bevestigingslink"' in page.text
    assert f'action="{ACTIONS}/{dirk}/bevestigen"' in page.text
    assert f'action="{ACTIONS}/{dirk}/verplaatsen"' not in page.text  # only for a sign-up that counts


def test_the_link_sent_again_is_new_and_the_old_one_stops_working(
    signed_in: RoomClient, address: str
) -> None:
    dirk, first_token = unconfirmed(signed_in, address)

    answer = signed_in.post(f"{ACTIONS}/{dirk}/bevestigingslink")

    assert answer.status == 303
    assert "De link om te bevestigen is opnieuw verstuurd." in signed_in.get(answer.headers["location"]).text
    [mail] = mails_to(address)
    assert "Bevestig je aanmelding" in mail["Subject"]
    assert "Je hebt ons gevraagd om een nieuwe link." in text_of(mail)  # not "you sent the form again"
    second_token = link_token(mail)
    assert second_token != first_token
    assert ("confirm_link_resent", dirk) in audited(signed_in)
    # Asked again at once (the person phones back): not held back an hour, as a repeated form post is
    assert signed_in.post(f"{ACTIONS}/{dirk}/bevestigingslink").status == 303
    newest = link_token(mails_to(address)[-1])
    for old in (first_token, second_token):
        with pytest.raises(RegistrationNotFound):
            confirming.confirm(public_ctx(signed_in), dirk, old)
    assert confirming.confirm(public_ctx(signed_in), dirk, newest).answer.status == "placed"
    assert signed_in.post(f"{ACTIONS}/{dirk}/bevestigingslink").status == 409  # it counts now


def link_token(mail: EmailMessage) -> str:
    link = re.search(r"/api/confirmations\?\S+", text_of(mail))
    assert link is not None
    return dict(parse_qsl(link.group().partition("?")[2]))["token"]


def test_an_organiser_confirms_on_behalf_a_seat_the_receipt_and_the_audit_trail(
    signed_in: RoomClient, address: str
) -> None:
    signed_in.context.store.set_capacity(WOLVEGA, 1)
    dirk, _ = unconfirmed(signed_in, address)
    path = f"{ACTIONS}/{dirk}/bevestigen"
    assert signed_in.post(path).status == 422  # the box must be ticked

    answer = signed_in.post(path, {"zeker": "ja"})

    assert answer.status == 303
    store = signed_in.context.store
    assert assert_seat_invariants(store, WOLVEGA).ids(RegistrationStatus.PLACED) == {dirk}
    [receipt] = mails_to(address)
    assert re.search(r"/api/cancellations\?|afmelden", text_of(receipt))
    assert ("confirmed_for", dirk) in audited(signed_in)
    assert "De aanmelding is bevestigd." in signed_in.get(f"{PEOPLE}{dirk}/?klaar=bevestigd").text


def test_confirming_on_behalf_in_a_full_meeting_gives_a_reserve_place(
    signed_in: RoomClient, address: str
) -> None:
    signed_in.context.store.set_capacity(WOLVEGA, 1)
    anna = sign_up(signed_in, "anna", meeting=WOLVEGA, sector="vo")
    dirk, _ = unconfirmed(signed_in, address)

    assert signed_in.post(f"{ACTIONS}/{dirk}/bevestigen", {"zeker": "ja"}).status == 303

    counted = assert_seat_invariants(signed_in.context.store, WOLVEGA)
    assert counted.ids(RegistrationStatus.PLACED) == {anna}
    assert counted.ids(RegistrationStatus.WAITLISTED) == {dirk}
    [receipt] = mails_to(address)
    assert "reservelijst" in text_of(receipt)


def test_confirming_on_behalf_in_a_draw_edition_enters_the_draw_and_takes_no_seat(
    local_aws: str, pool: Pool, address: str
) -> None:
    # Given a room of an edition whose places the draw gives, and a sign-up whose first mail did not come
    drawing = sign_in_to(make_room(local_aws, pool, edition=load_edition()), pool)
    assert drawing.context.edition.allocation is Allocation.DRAW
    dirk, _ = unconfirmed(drawing, address)

    # When the organiser confirms for the person
    assert drawing.post(f"{ACTIONS}/{dirk}/bevestigen", {"zeker": "ja"}).status == 303

    # Then the person is in the draw's pool, as after their own click: no seat before the draw
    counted = assert_seat_invariants(drawing.context.store, WOLVEGA)
    assert counted.ids(RegistrationStatus.APPLIED) == {dirk}
    assert counted.placed == 0
    [receipt] = mails_to(address)
    assert "loting" in text_of(receipt)
    assert ("confirmed_for", dirk) in audited(drawing)


@pytest.mark.parametrize("action", ["verplaatsen", "verbeteren", "bevestiging"])
def test_move_correct_and_receipt_are_refused_until_confirmed(
    signed_in: RoomClient, address: str, action: str
) -> None:
    dirk, _ = unconfirmed(signed_in, address)
    fields = {"naar": "online", "zeker": "ja", "name": "Dirk Dam", "email": address}
    fields |= {"role": "ouder", "sector": "vo", "themes": "dyslexie"}

    answer = signed_in.post(f"{ACTIONS}/{dirk}/{action}", fields)

    assert answer.status == 409
    assert STILL_UNCONFIRMED in answer.text
    assert signed_in.context.store.registration(dirk).status is RegistrationStatus.UNCONFIRMED  # type: ignore[union-attr]
    assert mails_to(address) == []


@pytest.mark.parametrize("action", ["afmelden", "wissen"])
def test_an_unconfirmed_sign_up_can_be_cancelled_or_erased(
    signed_in: RoomClient, address: str, action: str
) -> None:
    dirk, _ = unconfirmed(signed_in, address)

    answer = signed_in.post(f"{ACTIONS}/{dirk}/{action}", {"zeker": "ja"})

    assert answer.status in (200, 303)
    stored = signed_in.context.store.registration(dirk)
    assert stored is None or stored.status is RegistrationStatus.CANCELLED  # its data is gone
    assert signed_in.get(f"{PEOPLE}?email={quote(address)}").text.count(f"{PEOPLE}{dirk}/") == 0


def test_an_expired_sign_up_shows_it_expired_and_offers_nothing(signed_in: RoomClient, address: str) -> None:
    dirk, _ = unconfirmed(signed_in, address)
    hours = signed_in.context.edition.confirm_within_hours
    the_clock(signed_in).now += dt.timedelta(hours=hours, minutes=1)

    page = signed_in.get(f"{PEOPLE}{dirk}/")

    assert page.status == 200
    assert "Verlopen op" in page.text
    assert "niet op tijd bevestigd" in page.text
    assert f'action="{ACTIONS}/{dirk}/' not in page.text
    for action in ("bevestigingslink", "bevestigen"):
        refused = signed_in.post(f"{ACTIONS}/{dirk}/{action}", {"zeker": "ja"})
        assert refused.status == 410
        assert "niet op tijd bevestigd" in refused.text
    assert mails_to(address) == []

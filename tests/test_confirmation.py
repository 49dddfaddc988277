"""A sign-up counts only once its address is confirmed (issue 16): invented addresses hold nothing.

Until the link in the first mail is followed, a sign-up holds only its uniqueness marker: no seat, no reserve
place, no entry in the draw's pool; after the edition's window it is gone and the address can sign up again.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from moto import mock_aws

from praatmee import confirming, daily, service
from praatmee.edition import Allocation
from praatmee.laptop.localaws import cheap_transaction_snapshots, serialised_dynamodb
from praatmee.mail import MailContext
from praatmee.models import RegistrationRequest, RegistrationStatus
from praatmee.store import Store
from praatmee.table import ExportedRegistration
from tests.fixtures import (
    SENDER,
    Api,
    Clock,
    assert_seat_invariants,
    confirm_link_token,
    first_come_edition,
    mails_to,
    make_context,
    make_store,
    pupil,
    registration_data,
    sign_up_unconfirmed,
    status_of,
    table_items,
    valid_body,
)
from tests.test_store_concurrency import run_threads

UNCONFIRMED = RegistrationStatus.UNCONFIRMED
WOLVEGA = "noord-wolvega"


def text_of(address: str) -> str:
    [mail] = mails_to(address)[-1:]
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def invent(app: Api, count: int) -> list[str]:
    """A script signs up `count` invented addresses for Wolvega; their ids."""
    ids = []
    for i in range(count):
        answer = app.register_unconfirmed(meeting=WOLVEGA, email=f"nep{i}@example.org")
        assert (answer.status, answer.json["status"]) == (201, "unconfirmed")
        ids.append(answer.json["id"])
    return ids


def test_thirty_invented_addresses_hold_no_seat_and_a_real_person_who_confirms_gets_one(
    app: Api, store: Store
) -> None:
    # Given a script that signs up 30 invented addresses for Wolvega's 30 seats
    invent(app, 30)

    # Then nobody holds a seat or a reserve place, and the meeting still has every seat
    ledger = assert_seat_invariants(store, WOLVEGA)
    assert (ledger.placed, ledger.waitlist_length) == (0, 0)
    assert ledger.ids(UNCONFIRMED) == set(ledger.registrations)
    [wolvega] = [m for m in app.get("/api/meetings").json["meetings"] if m["id"] == WOLVEGA]
    assert (wolvega["seats_left"], wolvega["status"]) == (30, "open")

    # When a real person signs up and follows the link in their mail
    answer = app.register_unconfirmed(meeting=WOLVEGA, email="echt@example.org")
    token = confirm_link_token("echt@example.org", answer.json["id"])
    confirmed = app.confirm(answer.json["id"], token)

    # Then they have a seat, not a place on the waiting list
    assert (confirmed.status, confirmed.json["status"]) == (200, "placed")
    assert assert_seat_invariants(store, WOLVEGA).placed == 1
    # And the organisers' exports and room see only them
    records = [r for page in store.export_records() for r in page if isinstance(r, ExportedRegistration)]
    assert [r.id for r in records] == [answer.json["id"]]


def test_a_confirm_mail_that_failed_is_sent_by_the_daily_job_within_the_window(
    app: Api, store: Store, ses: Any, mail_ctx: MailContext
) -> None:
    # Given SES refused the first mail of a sign-up
    ses.delete_email_identity(EmailIdentity=SENDER)
    answer = app.register_unconfirmed(email="later@example.org")
    assert mails_to("later@example.org") == []

    # When SES works again and the daily job runs
    ses.create_email_identity(EmailIdentity=SENDER)
    assert daily.run_daily(mail_ctx).sent == {"confirm_request": 1}

    # Then its fresh link confirms
    confirmed = app.confirm(answer.json["id"], confirm_link_token("later@example.org", answer.json["id"]))
    assert confirmed.json["status"] == "placed"


def test_invented_addresses_are_not_in_the_draws_pool(api_settings: None) -> None:
    # Given places given by a draw, and 30 invented addresses signed up, one real person who confirmed
    with mock_aws():
        store = make_store()
        edition = first_come_edition().model_copy(update={"allocation": Allocation.DRAW})
        ctx = make_context(store, edition=edition)
        for i in range(30):
            sign_up_unconfirmed(ctx, meeting=WOLVEGA, email=f"nep{i}@example.org")
        real = sign_up_unconfirmed(ctx, meeting=WOLVEGA, email="echt@example.org")
        assert real.confirm_token is not None
        confirmed = confirming.confirm(ctx, real.answer.id, real.confirm_token)

        # Then only the real person applied: the draw's pool and the counter hold one
        from praatmee.draw import _applicants

        assert confirmed.answer.status == "applied"
        assert list(_applicants(store).pool(WOLVEGA)) == [real.answer.id]
        assert store.meeting_counts([WOLVEGA])[WOLVEGA].applied == 1
        assert_seat_invariants(store, WOLVEGA)


def test_after_the_window_the_address_can_sign_up_again_and_the_old_link_has_expired(
    app: Api, store: Store, clock: Clock, mail_ctx: MailContext
) -> None:
    # Given someone who signed up and did not confirm
    first = app.register_unconfirmed(email="laat@example.org")
    window = app.ctx.edition.confirm_window

    # When they send the form again within the window: the same sign-up, no second one (a new link)
    clock.now += window - dt.timedelta(minutes=1)
    assert app.register_unconfirmed(email="laat@example.org").json["id"] == first.json["id"]
    old_token = confirm_link_token("laat@example.org", first.json["id"])

    # When the window has passed (DynamoDB's TTL has not removed anything yet)
    clock.now += dt.timedelta(minutes=2)
    again = app.register_unconfirmed(email="laat@example.org", meeting="midden-utrecht")

    # Then the address signs up anew: the new sign-up holds the marker
    assert (again.status, again.json["status"]) == (201, "unconfirmed")
    assert again.json["id"] != first.json["id"]
    markers = [i["registration_id"]["S"] for i in table_items(store) if i["pk"]["S"].startswith("EMAIL#")]
    assert markers == [again.json["id"]]

    # And the old link says it has expired, on its page and when posted
    old_link = urlencode({"registration_id": first.json["id"], "token": old_token})
    page = app.get(f"/api/confirmations?{old_link}")
    assert page.status == 410
    assert page.shows("Deze link is verlopen, meld je opnieuw aan.")
    posted = app.confirm(first.json["id"], old_token)
    assert (posted.status, posted.codes) == (410, ["confirmation_expired"])

    # And the daily job deletes the old sign-up with its data, and leaves the new one and its marker alone
    report = daily.run_daily(mail_ctx)
    assert report.expired == 1
    assert registration_data(store, first.json["id"]) is None
    assert status_of(store, again.json["id"]) is UNCONFIRMED
    assert len([i for i in table_items(store) if i["pk"]["S"].startswith("EMAIL#")]) == 1


def test_the_confirm_page_changes_nothing_and_its_form_confirms(app: Api, store: Store) -> None:
    # Given a sign-up whose confirm link a mail scanner follows
    answer = app.register_unconfirmed()
    registration_id = answer.json["id"]
    token = confirm_link_token("saskia.devries@example.org", registration_id)
    before = registration_data(store, registration_id)
    link = f"/api/confirmations?{urlencode({'registration_id': registration_id, 'token': token})}"

    # When the link is opened (twice)
    page = app.get(link)
    app.get(link)

    # Then the page asks, and nothing changed: still unconfirmed, no seat, no further mail
    assert page.status == 200
    assert page.shows("Ja, ik bevestig mijn aanmelding")
    assert registration_data(store, registration_id) == before
    assert assert_seat_invariants(store, "online").placed == 0
    assert len(mails_to("saskia.devries@example.org")) == 1

    # When the page's form is sent (no JavaScript)
    posted = app.post_form(
        "/api/confirmations", [("registration_id", registration_id), ("token", token)], base64_encoded=False
    )

    # Then the sign-up has its seat, and the result page says so
    assert posted.status == 303
    assert posted.headers["location"] == "/aanmelden/resultaat/placed/#bijeenkomst-online"
    assert status_of(store, registration_id) is RegistrationStatus.PLACED
    # And a second click of the link only shows what happened
    assert app.get(link).shows("Je aanmelding is al bevestigd.")
    twice = app.confirm(registration_id, token)
    assert (twice.status, twice.json["status"]) == (200, "placed")
    assert assert_seat_invariants(store, "online").placed == 1


def test_the_first_mail_asks_to_confirm_and_the_receipt_with_the_cancel_link_follows(app: Api) -> None:
    # When someone signs up
    answer = app.register_unconfirmed(email="mail@example.org")

    # Then their one mail asks them to confirm within the window, and has no cancel link
    first = text_of("mail@example.org")
    assert "Bevestig je aanmelding" in first
    assert "/api/confirmations?" in first
    assert "binnen 24 uur" in first
    assert "/api/cancellations?" not in first
    assert answer.json["confirm_before"] is not None

    # When they confirm
    app.confirm(answer.json["id"], confirm_link_token("mail@example.org", answer.json["id"]))

    # Then the receipt follows, with the cancel link
    assert len(mails_to("mail@example.org")) == 2
    assert "/api/cancellations?" in text_of("mail@example.org")


def test_the_same_form_again_while_unconfirmed_sends_the_link_again_at_most_once_an_hour(
    app: Api, clock: Clock
) -> None:
    # Given a sign-up whose first mail got lost
    answer = app.register_unconfirmed(email="kwijt@example.org")

    # When the form is sent again, twice at once, and once more an hour later
    app.register_unconfirmed(email="kwijt@example.org")
    app.register_unconfirmed(email="kwijt@example.org")
    assert len(mails_to("kwijt@example.org")) == 2
    clock.now += dt.timedelta(hours=1, minutes=1)
    app.register_unconfirmed(email="kwijt@example.org")

    # Then the link went out again once at once and once after the hour; the newest link confirms
    mails = mails_to("kwijt@example.org")
    assert len(mails) == 3
    assert all("nieuwe link" in str(mail["Subject"]) for mail in mails[1:])
    confirmed = app.confirm(answer.json["id"], confirm_link_token("kwijt@example.org", answer.json["id"]))
    assert confirmed.json["status"] == "placed"


def test_a_pupil_under_16_is_confirmed_by_the_guardians_consent(app: Api, store: Store) -> None:
    # When a pupil under 16 signs up
    answer = app.register_unconfirmed(email="kind@example.org", **pupil())

    # Then the guardian is asked at once, the pupil has no confirm link to follow
    assert answer.json["status"] == "pending_guardian"
    assert "/api/confirmations?" not in text_of("kind@example.org")
    consent_mail = text_of("petra.jansen@example.org")
    query = next(w for w in consent_mail.split() if "/api/consents?" in w).partition("?")[2]
    link = dict(parse_qsl(query))

    # When the guardian agrees
    agreed = app.consent(link["registration_id"], link["token"], "confirm")

    # Then the pupil has a seat
    assert agreed.json["status"] == "placed"
    assert status_of(store, answer.json["id"]) is RegistrationStatus.PLACED


def test_someone_an_organiser_adds_needs_no_confirmation(ctx: service.Context) -> None:
    request = RegistrationRequest.model_validate(valid_body(email="telefoon@example.org"))
    added = service.register(ctx, request, added_by_organiser=True)
    assert (added.answer.status, added.confirm_token) == (RegistrationStatus.PLACED, None)


def test_confirms_at_once_never_take_more_seats_than_there_are(api_settings: None) -> None:
    # Given 60 unconfirmed sign-ups for a meeting of 30 seats, on DynamoDB's serialised local model
    with mock_aws(), serialised_dynamodb(), cheap_transaction_snapshots():
        store = make_store(sleep=time.sleep)
        ctx = make_context(store)
        signed = [sign_up_unconfirmed(ctx, meeting=WOLVEGA, email=f"p{i}@example.org") for i in range(60)]

        # When all 60 follow their link at the same moment, each twice
        def confirm(index: int) -> object:
            one = signed[index % 60]
            assert one.confirm_token is not None
            return confirming.confirm(ctx, one.answer.id, one.confirm_token)

        results = run_threads(120, confirm)

        # Then nobody got an error, 30 have a seat and 30 wait, each confirmed once
        assert [r for _, r in results if isinstance(r, Exception)] == []
        assert sum(r.newly for _, r in results) == 60
        ledger = assert_seat_invariants(store, WOLVEGA)
        assert (ledger.placed, ledger.waitlist_length) == (30, 30)


def test_an_organiser_confirming_while_the_person_clicks_confirms_once(api_settings: None) -> None:
    # Given 40 unconfirmed sign-ups for a meeting of 30 seats, on DynamoDB's serialised local model
    with mock_aws(), serialised_dynamodb(), cheap_transaction_snapshots():
        store = make_store(sleep=time.sleep)
        ctx = make_context(store)
        signed = [sign_up_unconfirmed(ctx, meeting=WOLVEGA, email=f"p{i}@example.org") for i in range(40)]

        # When each follows their link while an organiser confirms for them (they phoned), at the same moment
        def confirm(index: int) -> object:
            one = signed[index % 40]
            if index < 40:
                return confirming.confirm_for(ctx, one.answer.id)
            assert one.confirm_token is not None
            return confirming.confirm(ctx, one.answer.id, one.confirm_token)

        results = run_threads(80, confirm)

        # Then nobody got an error, each was confirmed once (one receipt), and no seat was taken twice
        assert [r for _, r in results if isinstance(r, Exception)] == []
        assert sum(r.newly for _, r in results) == 40
        ledger = assert_seat_invariants(store, WOLVEGA)
        assert (ledger.placed, ledger.waitlist_length) == (30, 10)


@pytest.mark.parametrize("hours", [0, 73])
def test_the_window_is_a_validated_edition_setting(hours: int) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="confirm_within_hours"):
        first_come_edition().model_validate(
            {**first_come_edition().model_dump(), "confirm_within_hours": hours}
        )

"""The journey by e-mail, on moto: receipts, cancel links, promotion, consent and the daily job."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP, default
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import icalendar
import pytest

from praatmee import daily, letters, mail_texts, service, ses, texts
from praatmee.edition import Edition
from praatmee.mail import MailContext
from praatmee.models import RegistrationStatus
from praatmee.ses import Attachment, Mail, SesSender, mime
from tests.fixtures import (
    BEFORE_DEADLINE,
    SENDER,
    SITE,
    Api,
    Clock,
    FakeLambdaContext,
    assert_seat_invariants,
    placed_and_waiting,
    pupil,
    receipts_to,
    registration_data,
    sent,
    status_of,
)

LINK = re.compile(r"https?://\S+")


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def link_in(message: EmailMessage, path: str) -> tuple[str, str]:
    """The registration id and token of the one link to `path` in the mail."""
    [url] = [u for u in LINK.findall(text_of(message)) if urlsplit(u).path == path]
    assert url.startswith(SITE + path + "?")
    query = parse_qs(urlsplit(url).query)
    return query["registration_id"][0], query["token"][0]


# -- the receipt ------------------------------------------------------------------------------------


def test_a_new_sign_up_gets_one_receipt_with_its_status_and_a_working_cancel_link(app: Api) -> None:
    # When someone signs up
    answer = app.register(email="anna@example.org", name="Anna Smit")

    # Then one receipt goes to them, from the sender, with replies to the organisers
    assert answer.status == 201
    [receipt] = receipts_to("anna@example.org")
    assert receipt["From"] == SENDER
    assert receipt["Reply-To"] == "basisondersteuning@expertisecentrumnederlands.nl"
    assert receipt["Subject"] == texts.RECEIPT_SUBJECTS[RegistrationStatus.PLACED]
    body = text_of(receipt)
    assert "Hallo Anna Smit," in body
    assert texts.STATUS_PARAGRAPHS[RegistrationStatus.PLACED] in body
    # (the shipped edition's dates are not confirmed yet, so the mail says so)
    assert "Online, op zondag 4 april 2027 (datum onder voorbehoud) van 19.00 tot 21.00 uur" in body
    assert "uur online" not in body
    assert "twee weken voor de bijeenkomst" in body
    # And the HTML part says the same, with a real link
    assert '<html lang="nl">' in html_of(receipt)
    registration_id, token = link_in(receipt, "/api/cancellations")
    assert registration_id == answer.json["id"]
    assert f'href="{SITE}/api/cancellations?registration_id={registration_id}' in html_of(receipt)
    # And the link's token cancels this registration
    assert app.cancel(registration_id, token).json["status"] == "cancelled"


def test_a_waitlisted_sign_up_hears_its_position(app: Api, mail_ctx: MailContext) -> None:
    # Given a meeting with one seat, taken
    mail_ctx.store.set_capacity("noord-wolvega", 1)
    app.register(meeting="noord-wolvega", email="first@example.org")

    # When a second person signs up
    app.register(meeting="noord-wolvega", email="second@example.org")

    # Then their receipt says they are number 1 on the waiting list
    [receipt] = receipts_to("second@example.org")
    assert receipt["Subject"] == texts.RECEIPT_SUBJECTS[RegistrationStatus.WAITLISTED]
    assert "Je bent nummer 1 of eerder aan de beurt." in text_of(receipt)


def test_a_waitlisted_receipt_sent_later_by_the_daily_job_still_tells_the_position(
    ctx: service.Context, ses: Any, mail_ctx: MailContext
) -> None:
    # Given a full one-seat meeting with one person waiting, and a third whose receipt SES refused
    mail_ctx.store.set_capacity("noord-wolvega", 1)
    app = Api(ctx, mail_ctx)
    app.register(meeting="noord-wolvega", email="first@example.org")
    app.register(meeting="noord-wolvega", email="second@example.org")
    ses.delete_email_identity(EmailIdentity=SENDER)
    app.register(meeting="noord-wolvega", email="third@example.org")

    # When SES works again and the daily job sends the receipt
    ses.create_email_identity(EmailIdentity=SENDER)
    assert daily.run_daily(mail_ctx).sent == {"receipt": 1}

    # Then it tells the place on the waiting list that the store holds
    [receipt] = receipts_to("third@example.org")
    assert "Je bent nummer 2 of eerder aan de beurt." in text_of(receipt)


def test_a_letter_is_composed_from_its_values_alone(edition: Edition) -> None:
    # Given a waiting registration as plain values, and no store or clock at hand
    meeting = edition.meeting("noord-wolvega")
    assert meeting is not None
    data = {
        "registration_id": "r" * 32,
        "status": "waitlisted",
        "name": "Wim",
        "email": "wim@example.org",
        "created_at": "2027-01-15T12:00:00.000+00:00",
    }
    letter = letters.Letter(edition, SITE, data, meeting, token="t" * 43, position=4, now=BEFORE_DEADLINE)

    # When its receipt is composed
    receipt = letters.receipt(letter)

    # Then it tells the position and links with the token it was given
    assert (receipt.to, receipt.subject) == (
        "wim@example.org",
        texts.RECEIPT_SUBJECTS[RegistrationStatus.WAITLISTED],
    )
    assert "Je bent nummer 4 of eerder aan de beurt." in receipt.text
    assert f"{SITE}/api/cancellations?registration_id={'r' * 32}&token={'t' * 43}" in receipt.text


def test_the_same_form_again_resends_the_receipt_with_a_new_link_at_most_once_an_hour(
    app: Api, clock: Clock
) -> None:
    # Given a sign-up and its receipt
    app.register(email="twice@example.org")

    # When the same form is sent three more times within the hour (the first mail got lost)
    for _ in range(3):
        assert app.register(email="twice@example.org").status == 201

    # Then one more mail says so honestly and carries the link that works now; the old one points to it
    first, again = receipts_to("twice@example.org")
    assert again["Subject"] == mail_texts.RECEIPT_AGAIN_SUBJECT
    assert mail_texts.RECEIPT_AGAIN_INTRO in text_of(again)
    old_id, old_token = link_in(first, "/api/cancellations")
    new_id, new_token = link_in(again, "/api/cancellations")
    assert (old_id == new_id, old_token == new_token) == (True, False)
    old_page = app.get(f"/api/cancellations?registration_id={old_id}&token={old_token}")
    assert mail_texts.REPLACED_LINK_TITLE in old_page.text
    assert (
        texts.LINK_PAGES["cancel_button"]
        in app.get(f"/api/cancellations?registration_id={new_id}&token={new_token}").text
    )

    # And an hour later the same form sends it once more
    clock.now += dt.timedelta(hours=1, minutes=1)
    app.register(email="twice@example.org")
    assert len(receipts_to("twice@example.org")) == 3


def test_mails_name_the_organisers(app: Api) -> None:
    app.register(email="anna@example.org")

    [receipt] = receipts_to("anna@example.org")

    assert "Wij zijn de Algemene Onderwijsbond (AOb) en Ouders & Onderwijs." in text_of(receipt)


def test_a_waiting_receipt_points_to_meetings_with_room_for_the_same_sector(
    app: Api, mail_ctx: MailContext
) -> None:
    # Given Midden is full and a vo teacher signs up for it (Noord and Online have room for vo; Zuid is po)
    mail_ctx.store.set_capacity("midden-utrecht", 1)
    app.register(meeting="midden-utrecht", email="first@example.org")
    app.register(meeting="midden-utrecht", email="waiting@example.org", role="leraar")

    # Then the receipt names the open meetings for vo, not the one of another sector
    body = text_of(receipts_to("waiting@example.org")[0])
    assert "Bij deze bijeenkomsten is nog plek: Regio Noord" in body
    assert "Online, op zondag 4 april" in body
    assert "Regio Zuid" not in body
    assert "Dan krijgt iemand anders je plek" not in body
    # And someone with a seat is not sent elsewhere
    assert "nog plek" not in text_of(receipts_to("first@example.org")[0])


@pytest.mark.parametrize(
    ("status", "question"),
    [("placed", "krijgt iemand anders je plek"), ("waitlisted", "halen we je van de reservelijst")],
)
def test_the_cancel_page_asks_about_what_the_person_really_holds(
    app: Api, mail_ctx: MailContext, status: str, question: str
) -> None:
    mail_ctx.store.set_capacity("noord-wolvega", 1)
    app.register(meeting="noord-wolvega", email="placed@example.org")
    app.register(meeting="noord-wolvega", email="waitlisted@example.org")

    registration_id, token = link_in(receipts_to(f"{status}@example.org")[0], "/api/cancellations")
    page = app.get(f"/api/cancellations?registration_id={registration_id}&token={token}")

    assert question in page.text
    # And the page has the site's name and a privacy link, like the site
    assert f'<header class="pm-link-header"><a href="/">{mail_texts.SITE_NAME}</a></header>' in page.text
    assert '<a href="/privacy/">Privacyverklaring</a>' in page.text


def test_a_refused_mail_keeps_the_registration_and_the_daily_job_sends_it_later(
    ctx: service.Context, edition: Edition, ses: Any, mail_ctx: MailContext
) -> None:
    # Given SES refuses the sender (not verified)
    ses.delete_email_identity(EmailIdentity=SENDER)

    # When someone signs up
    answer = Api(ctx, mail_ctx).register(email="later@example.org")

    # Then the sign-up stands, no mail went out, and the failure is counted on the item without an address
    assert answer.status == 201
    assert receipts_to("later@example.org") == []
    data = registration_data(mail_ctx.store, answer.json["id"])
    assert data is not None
    assert data["mail_failures"] == 2  # the confirm link and, once confirmed, the receipt
    assert "mail_receipt" not in data

    # When SES works again and the daily job runs (twice)
    ses.create_email_identity(EmailIdentity=SENDER)
    first = daily.run_daily(mail_ctx)
    second = daily.run_daily(mail_ctx)

    # Then the receipt is sent once, with a fresh link that works
    assert first.sent == {"receipt": 1}
    assert second.sent == {}
    [receipt] = receipts_to("later@example.org")
    registration_id, token = link_in(receipt, "/api/cancellations")
    assert Api(ctx, mail_ctx).cancel(registration_id, token).json["status"] == "cancelled"


def test_mail_logs_and_metrics_hold_no_address(app: Api, capsys: pytest.CaptureFixture[str]) -> None:
    app.register(email="private.person@example.org", name="Private Person")

    output = capsys.readouterr().out
    assert "MailsSent" in output
    assert "private.person" not in output
    assert "Private Person" not in output


# -- the cancel link --------------------------------------------------------------------------------


def test_opening_the_cancel_link_only_asks(app: Api, mail_ctx: MailContext) -> None:
    # Given a receipt
    answer = app.register(email="scanner@example.org")
    registration_id, token = link_in(receipts_to("scanner@example.org")[0], "/api/cancellations")

    # When the link is opened twice (a mail scanner, then the person)
    pages = [app.get(f"/api/cancellations?registration_id={registration_id}&token={token}") for _ in range(2)]

    # Then it shows a Dutch page with a confirming form, and nothing changed
    for page in pages:
        assert page.status == 200
        assert page.headers["content-type"].startswith("text/html")
        assert texts.LINK_PAGES["cancel_button"] in page.text
        assert '<form method="post" action="/api/cancellations">' in page.text
    assert status_of(mail_ctx.store, answer.json["id"]) is RegistrationStatus.PLACED


def test_a_form_post_from_the_cancel_page_cancels_and_ends_on_the_site(app: Api) -> None:
    app.register(email="leaving@example.org")
    registration_id, token = link_in(receipts_to("leaving@example.org")[0], "/api/cancellations")

    answer = app.post_form("/api/cancellations", [("registration_id", registration_id), ("token", token)])

    assert (answer.status, answer.headers["location"]) == (303, "/aanmelden/resultaat/cancelled/")


def test_cancelling_promotes_the_first_waiting_who_is_mailed_at_once(app: Api, mail_ctx: MailContext) -> None:
    # Given a full meeting of one seat and one person waiting
    mail_ctx.store.set_capacity("noord-wolvega", 1)
    app.register(meeting="noord-wolvega", email="seat@example.org")
    waiting = app.register(meeting="noord-wolvega", email="waiting@example.org", name="Wim Wachter")
    registration_id, token = link_in(receipts_to("seat@example.org")[0], "/api/cancellations")

    # When the seated person cancels with the link from their receipt
    cancelled = app.cancel(registration_id, token)
    assert (cancelled.status, cancelled.json) == (200, {"id": registration_id, "status": "cancelled"})

    # Then the waiting person has the seat and one mail that says so, with a working cancel link
    assert status_of(mail_ctx.store, waiting.json["id"]) is RegistrationStatus.PLACED
    receipt, promoted = receipts_to("waiting@example.org")
    assert promoted["Subject"] == texts.PROMOTED_SUBJECT
    assert "Hallo Wim Wachter," in text_of(promoted)
    assert "Regio Noord" in text_of(promoted)
    promoted_id, promoted_token = link_in(promoted, "/api/cancellations")
    assert promoted_id == waiting.json["id"]
    assert placed_and_waiting(mail_ctx.store, "noord-wolvega") == (1, 0)
    assert_seat_invariants(mail_ctx.store, "noord-wolvega")
    # And the daily job does not send the promotion again
    assert "promoted" not in daily.run_daily(mail_ctx).sent
    # And the receipt's old link no longer works; the newest does
    old_id, old_token = link_in(receipt, "/api/cancellations")
    old = app.cancel(old_id, old_token)
    assert (old.status, old.codes) == (404, ["not_found"])
    newest = app.cancel(promoted_id, promoted_token)
    assert (newest.status, newest.json) == (200, {"id": promoted_id, "status": "cancelled"})
    assert_seat_invariants(mail_ctx.store, "noord-wolvega")


def test_a_reused_or_wrong_token_changes_nothing(app: Api, mail_ctx: MailContext) -> None:
    # Given two people on a one-seat meeting and two waiting
    mail_ctx.store.set_capacity("noord-wolvega", 1)
    a = app.register(meeting="noord-wolvega", email="a@example.org")
    b = app.register(meeting="noord-wolvega", email="b@example.org")
    app.register(meeting="noord-wolvega", email="c@example.org")
    a_id, a_token = link_in(receipts_to("a@example.org")[0], "/api/cancellations")
    b_id, _ = link_in(receipts_to("b@example.org")[0], "/api/cancellations")
    app.cancel(a_id, a_token)
    before = (placed_and_waiting(mail_ctx.store, "noord-wolvega"), len(sent()))

    # When A's token is used again, on B's id, and a made-up token on B
    again = app.cancel(a_id, a_token)
    borrowed = app.cancel(b_id, a_token)
    wrong = app.cancel(b_id, "x" * 43)
    page = app.get(f"/api/cancellations?registration_id={b_id}&token={a_token}")

    # Then nothing changed and nobody got another mail
    assert again.json["status"] == "cancelled"
    assert (borrowed.status, borrowed.codes) == (wrong.status, wrong.codes) == (404, ["not_found"])
    assert page.status == 404
    # (B lives on, so its page says to use the newest mail; it changes nothing either)
    assert mail_texts.REPLACED_LINK_TITLE in page.text
    assert (placed_and_waiting(mail_ctx.store, "noord-wolvega"), len(sent())) == before
    assert status_of(mail_ctx.store, b.json["id"]) is RegistrationStatus.PLACED
    assert_seat_invariants(mail_ctx.store, "noord-wolvega")
    assert a.status == 201


# -- a guardian's consent ---------------------------------------------------------------------------


def test_a_pupil_under_16_and_the_guardian_each_get_one_mail(app: Api) -> None:
    answer = app.register(email="pupil@example.org", name="Pim", **pupil())

    assert answer.json["status"] == "pending_guardian"
    [receipt] = receipts_to("pupil@example.org")
    assert receipt["Subject"] == texts.RECEIPT_SUBJECTS[RegistrationStatus.PENDING_GUARDIAN]
    assert "vóór vrijdag 22 januari 2027" in text_of(receipt)  # 15 January + 7 days (ASSUMPTION in the file)
    [request] = receipts_to("petra.jansen@example.org")
    assert request["Subject"] == mail_texts.GUARDIAN_SUBJECT
    assert "Hallo Petra Jansen," in text_of(request)
    registration_id, _ = link_in(request, "/api/consents")
    assert registration_id == answer.json["id"]


def test_the_guardians_subject_holds_nothing_that_whoever_signed_up_typed(app: Api) -> None:
    # Given a stranger who signs up a "pupil" whose name is a message, with a victim as the guardian
    bait = "Geef je toestemming? Betaal vandaag 50 euro"
    app.register(email="pupil@example.org", name=bait, **pupil())

    # Then the victim's mail has the fixed subject; the name is only in the body, in quotes, as filled in
    [request] = receipts_to("petra.jansen@example.org")
    assert request["Subject"] == mail_texts.GUARDIAN_SUBJECT
    assert "Betaal" not in request["Subject"]
    assert f'De leerling vulde deze naam in: "{bait}".' in text_of(request)


def test_the_guardian_learns_what_is_stored_about_the_pupil(app: Api) -> None:
    # Given a pupil under 16 who wrote a school and a need
    app.register(
        email="pupil@example.org", name="Pim", organisation="De Linde", needs="Glutenvrij", **pupil()
    )

    # Then the guardian's request lists every answer stored about the pupil, and about the guardian
    body = text_of(receipts_to("petra.jansen@example.org")[0])
    for line in [
        "Dit hebben we over de leerling bewaard:",
        "- Naam: Pim",
        "- E-mailadres: pupil@example.org",
        "- Soort onderwijs: voortgezet onderwijs",
        "- Onderwerpen: lezen, spelling en dyslexie",
        "- School of organisatie: De Linde",
        "- Wat de leerling nodig heeft: Glutenvrij",
        "Van jou bewaren we alleen je naam en je e-mailadres.",
        f"{SITE}/privacy/",
    ]:
        assert line in body
    assert "Algemene Onderwijsbond (AOb)" in body


def test_a_guardian_confirms_and_the_pupil_takes_a_seat_through_the_seat_transaction(
    app: Api, mail_ctx: MailContext
) -> None:
    # Given a pupil's sign-up and the guardian's mail
    answer = app.register(meeting="noord-wolvega", email="pupil@example.org", **pupil())
    registration_id, token = link_in(receipts_to("petra.jansen@example.org")[0], "/api/consents")
    assert placed_and_waiting(mail_ctx.store, "noord-wolvega") == (0, 0)

    # When the guardian opens the link (nothing changes) and confirms with the form
    page = app.get(f"/api/consents?registration_id={registration_id}&token={token}")
    assert page.status == 200
    assert texts.LINK_PAGES["consent_yes"] in page.text
    assert placed_and_waiting(mail_ctx.store, "noord-wolvega") == (0, 0)
    confirmed = app.post_form(
        "/api/consents", [("registration_id", registration_id), ("token", token), ("decision", "confirm")]
    )

    # Then the pupil holds a seat, the counter says so, and the pupil hears it once
    assert (confirmed.status, confirmed.headers["location"]) == (303, "/aanmelden/resultaat/consented/")
    assert status_of(mail_ctx.store, answer.json["id"]) is RegistrationStatus.PLACED
    assert placed_and_waiting(mail_ctx.store, "noord-wolvega") == (1, 0)
    _receipt, news = receipts_to("pupil@example.org")
    assert news["Subject"] == texts.CONSENTED_SUBJECTS[RegistrationStatus.PLACED]
    link_in(news, "/api/cancellations")
    # And confirming again changes nothing
    again = app.consent(registration_id, token, "confirm")
    assert again.json == {"id": registration_id, "status": "placed", "waitlist_position": None}
    assert placed_and_waiting(mail_ctx.store, "noord-wolvega") == (1, 0)
    assert len(receipts_to("pupil@example.org")) == 2
    assert_seat_invariants(mail_ctx.store, "noord-wolvega")


def test_a_guardian_confirms_for_a_full_meeting_and_the_pupil_waits_in_line(
    app: Api, mail_ctx: MailContext
) -> None:
    mail_ctx.store.set_capacity("noord-wolvega", 1)
    answer = app.register(meeting="noord-wolvega", email="pupil@example.org", **pupil())
    app.register(meeting="noord-wolvega", email="adult@example.org")
    registration_id, token = link_in(receipts_to("petra.jansen@example.org")[0], "/api/consents")

    confirmed = app.consent(registration_id, token, "confirm")

    assert confirmed.json == {"id": answer.json["id"], "status": "waitlisted", "waitlist_position": 1}
    assert placed_and_waiting(mail_ctx.store, "noord-wolvega") == (1, 1)
    assert (
        receipts_to("pupil@example.org")[-1]["Subject"]
        == texts.CONSENTED_SUBJECTS[RegistrationStatus.WAITLISTED]
    )
    assert_seat_invariants(mail_ctx.store, "noord-wolvega")


def test_a_guardian_declines_and_the_sign_up_is_deleted(app: Api, mail_ctx: MailContext) -> None:
    answer = app.register(meeting="noord-wolvega", email="pupil@example.org", **pupil())
    registration_id, token = link_in(receipts_to("petra.jansen@example.org")[0], "/api/consents")

    declined = app.post_form(
        "/api/consents", [("registration_id", registration_id), ("token", token), ("decision", "decline")]
    )

    assert (declined.status, declined.headers["location"]) == (303, "/aanmelden/resultaat/declined/")
    assert registration_data(mail_ctx.store, answer.json["id"]) is None
    assert placed_and_waiting(mail_ctx.store, "noord-wolvega") == (0, 0)
    assert_seat_invariants(mail_ctx.store, "noord-wolvega")
    # And the pupil may sign up again (the marker is gone); the old link is dead
    again = app.register(meeting="noord-wolvega", email="pupil@example.org", **pupil())
    assert (again.status, again.json["status"]) == (201, "pending_guardian")
    assert again.json["id"] != registration_id
    page = app.get(f"/api/consents?registration_id={registration_id}&token={token}")
    assert page.status == 404
    assert page.shows(texts.LINK_PAGES["not_found_title"])


def test_a_wrong_guardian_token_changes_nothing(app: Api, mail_ctx: MailContext) -> None:
    answer = app.register(email="pupil@example.org", **pupil())
    registration_id = answer.json["id"]
    _, cancel_token = link_in(receipts_to("pupil@example.org")[0], "/api/cancellations")

    for token in ("y" * 43, cancel_token):  # a made-up token, and the pupil's own cancel token
        refused = app.consent(registration_id, token, "confirm")
        assert (refused.status, refused.codes) == (404, ["not_found"])
    assert status_of(mail_ctx.store, registration_id) is RegistrationStatus.PENDING_GUARDIAN


def test_unanswered_consent_expires_and_the_data_is_deleted(
    app: Api, mail_ctx: MailContext, clock: Clock
) -> None:
    answer = app.register(meeting="noord-wolvega", email="pupil@example.org", **pupil())

    # When the daily job runs within the period, nothing is deleted
    clock.now += dt.timedelta(days=6)
    assert daily.run_daily(mail_ctx).expired == 0
    # When it runs after the period
    clock.now += dt.timedelta(days=1)
    report = daily.run_daily(mail_ctx)

    # Then the sign-up and its marker are gone, counters untouched
    assert report.expired == 1
    assert registration_data(mail_ctx.store, answer.json["id"]) is None
    assert placed_and_waiting(mail_ctx.store, "noord-wolvega") == (0, 0)
    assert_seat_invariants(mail_ctx.store, "noord-wolvega")
    # And the pupil may sign up again
    again = app.register(meeting="noord-wolvega", email="pupil@example.org", **pupil())
    assert (again.status, again.json["status"]) == (201, "pending_guardian")


# -- two weeks before ------------------------------------------------------------------------------


def local(edition: Edition, day: dt.date, hour: int = 9) -> dt.datetime:
    return edition.local(day, f"{hour:02d}:00")


def test_two_weeks_before_placed_people_get_a_confirmation_and_waiting_people_kind_news_once(
    app: Api, mail_ctx: MailContext, clock: Clock, edition: Edition
) -> None:
    # Given Noord (18 March) with one seat, one placed and one waiting, and Zuid (21 March) with one placed
    mail_ctx.store.set_capacity("noord-wolvega", 1)
    app.register(meeting="noord-wolvega", email="placed@example.org")
    app.register(meeting="noord-wolvega", email="waiting@example.org")
    app.register(meeting="zuid-helmond", sector="po", email="zuid@example.org")

    # When the job runs twice on 4 March, fourteen days before Noord
    clock.now = local(edition, dt.date(2027, 3, 4))
    first = daily.run_daily(mail_ctx)
    second = daily.run_daily(mail_ctx)

    # Then Noord's people get one mail each, and Zuid (not yet due) nothing
    assert first.sent == {"confirmation": 1, "no_place": 1}
    assert second.sent == {}
    [_, confirmation] = receipts_to("placed@example.org")
    assert confirmation["Subject"] == "Bevestiging: je doet mee met Praat mee op 18 maart"
    assert "Plaats: Wolvega." in text_of(confirmation)
    link_in(confirmation, "/api/cancellations")
    [_, no_place] = receipts_to("waiting@example.org")
    assert no_place["Subject"] == "Geen plek bij Praat mee op 18 maart"
    assert "Dan krijg je misschien toch een plek." in text_of(no_place)
    # Said once, not three times: the waiting list is named in the cancel paragraph only
    assert text_of(no_place).count("reservelijst") == 1
    assert len(receipts_to("zuid@example.org")) == 1  # the receipt only


def test_the_day_before_it_is_due_nothing_is_sent(
    app: Api, mail_ctx: MailContext, clock: Clock, edition: Edition
) -> None:
    app.register(meeting="noord-wolvega", email="placed@example.org")

    clock.now = local(edition, dt.date(2027, 3, 3), hour=23)

    assert daily.run_daily(mail_ctx).sent == {}


def test_the_calendar_entry_has_the_meeting_in_amsterdam_time(
    app: Api, mail_ctx: MailContext, clock: Clock, edition: Edition
) -> None:
    app.register(meeting="noord-wolvega", email="placed@example.org")
    app.register(meeting="online", email="online@example.org")
    clock.now = local(edition, dt.date(2027, 3, 21))
    daily.run_daily(mail_ctx)
    clock.now = local(edition, dt.date(2027, 3, 4))
    daily.run_daily(mail_ctx)

    for address, start, place in [
        ("placed@example.org", dt.datetime(2027, 3, 18, 19), "Wolvega"),
        ("online@example.org", dt.datetime(2027, 4, 4, 19), "Online"),
    ]:
        confirmation = receipts_to(address)[-1]
        [attachment] = list(confirmation.iter_attachments())
        assert attachment.get_filename() == texts.ICS_FILENAME
        assert attachment.get_content_type() == "text/calendar"
        raw = attachment.get_payload(decode=True)
        assert isinstance(raw, bytes)
        calendar = icalendar.Calendar.from_ical(raw)
        [event] = calendar.walk("VEVENT")
        [zone] = calendar.walk("VTIMEZONE")
        assert str(zone["TZID"]) == "Europe/Amsterdam"
        assert event.decoded("dtstart") == start.replace(tzinfo=edition.tz)
        assert event.decoded("dtend") == (start + dt.timedelta(hours=2)).replace(tzinfo=edition.tz)
        assert event["dtstart"].params["TZID"] == "Europe/Amsterdam"
        assert str(event["location"]) == place
        assert "TZID=Europe/Amsterdam:" in raw.decode()


@pytest.mark.parametrize("attachments", [(), (Attachment("a.ics", "text/calendar; method=PUBLISH", b"x"),)])
def test_every_mail_says_it_is_dutch(attachments: tuple[Attachment, ...]) -> None:
    # Given a mail with text and HTML, with or without an attachment
    mail = Mail(
        to="a@example.org", subject="Hallo", text="Hallo", html="<p>Hallo</p>", attachments=attachments
    )

    # When it is written as MIME
    message = message_from_bytes(mime(mail, SENDER, SENDER), policy=default)

    # Then the message as a whole carries Content-Language: nl
    assert message["Content-Language"] == "nl"


def test_a_mail_is_written_as_the_email_package_writes_it_with_its_header_classes_made_once() -> None:
    # Given a receipt-like mail, with a name and a subject that need encoding
    mail = Mail(
        to="zoë@example.org",
        subject="Je aanmelding: Regio Midden, Utrecht, één plek " + "lang " * 20,
        text="Hallo Zoë,\n" * 20,
        html="<p>Hallo Zoë,</p>" * 20,
        attachments=(Attachment("a.ics", "text/calendar; method=PUBLISH", b"x"),),
    )

    # When it is written twice, and once as the email package writes it with its own SMTP policy
    first, second = mime(mail, SENDER, SENDER), mime(mail, SENDER, SENDER)
    ses.smtp_policy.cache_clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ses, "smtp_policy", lambda: SMTP)
        plain = mime(mail, SENDER, SENDER)

    # Then the bytes are the same but for the date, the message id and the (random) boundaries
    def fixed(raw: bytes) -> str:
        return re.sub(r"(?m)^(Date|Message-ID): .*$|={15}\d+==", "", raw.decode())

    assert fixed(first) == fixed(second) == fixed(plain)
    # And the second mail used the header classes the first made
    registry: Any = ses.smtp_policy().header_factory
    assert registry["Subject"] is registry["subject"]


def test_a_second_parser_reads_every_meetings_calendar_entry_at_its_amsterdam_time(edition: Edition) -> None:
    # Given the calendar entry of each meeting (Online is after the change to summer time)
    import vobject

    from praatmee import ics

    for meeting in edition.meetings:
        raw = ics.meeting_event(edition, meeting, registration_id="r", site_origin=SITE, now=BEFORE_DEADLINE)

        # When vobject, not icalendar, reads it
        event = vobject.readOne(raw.decode()).vevent

        # Then start and end are the meeting's moments, and the zone is written as yearly rules
        assert event.dtstart.value == edition.starts_at(meeting), meeting.id
        assert event.dtend.value == edition.ends_at(meeting), meeting.id
        assert event.dtstart.value.utcoffset() == edition.starts_at(meeting).utcoffset(), meeting.id
        text = raw.decode()
        assert "RDATE" not in text
        assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in text
        assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in text


def test_the_scheduled_handler_runs_with_its_own_settings(
    app: Api, mail_ctx: MailContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from praatmee.settings import get_mail_settings

    # Given the job's environment: table, site origin and sender, no hash key
    monkeypatch.delenv("PRAATMEE_EMAIL_HASH_KEY")
    get_mail_settings.cache_clear()
    try:
        answer = daily.confirmations_handler({}, FakeLambdaContext())  # type: ignore[arg-type]
    finally:
        get_mail_settings.cache_clear()

    assert answer == {"sent": {}, "promoted": 0, "expired": 0, "failed": 0}
    assert "@" not in json.dumps(answer)


def test_the_daily_job_gives_added_seats_to_those_waiting_and_mails_them_once(
    app: Api, mail_ctx: MailContext
) -> None:
    # Given a full one-seat meeting with one person waiting
    mail_ctx.store.set_capacity("noord-wolvega", 1)
    app.register(meeting="noord-wolvega", email="seat@example.org")
    waiting = app.register(meeting="noord-wolvega", email="waiting@example.org")

    # When organisers add a seat and the daily job runs twice
    mail_ctx.store.set_capacity("noord-wolvega", 2)
    first, second = daily.run_daily(mail_ctx), daily.run_daily(mail_ctx)

    # Then the job gave the seat to the person waiting, who hears it once
    assert (first.promoted, second.promoted) == (1, 0)
    assert (first.sent, second.sent) == ({"promoted": 1}, {})
    assert placed_and_waiting(mail_ctx.store, "noord-wolvega") == (2, 0)
    assert receipts_to("waiting@example.org")[-1]["Subject"] == texts.PROMOTED_SUBJECT
    assert status_of(mail_ctx.store, waiting.json["id"]) is RegistrationStatus.PLACED
    assert_seat_invariants(mail_ctx.store, "noord-wolvega")


def test_the_local_outbox_lists_every_sent_mail_and_shows_each_as_sent(app: Api) -> None:
    from praatmee.laptop import serve as local

    # Given the local stack's region, and two mails sent there
    local_ses = boto3.client("sesv2", region_name=local.REGION)
    local_ses.create_email_identity(EmailIdentity=SENDER)
    sender = SesSender(sender=SENDER, reply_to="vragen@example.org", client_factory=lambda: local_ses)
    assert app.mailing is not None
    mailing = dataclasses.replace(app.mailing, sender=sender)
    Api(app.ctx, mailing).register(email="een@example.org")
    Api(app.ctx, mailing).register(email="twee@example.org")

    # When the outbox and its newest mail are opened
    status, listing = local.outbox_page("")
    mail_status, newest = local.outbox_page("2/")

    # Then both are listed, newest first, and the mail page is the mail's own HTML with its links
    assert status == 200
    assert listing.index("twee@example.org") < listing.index("een@example.org")
    assert mail_status == 200
    assert "/api/cancellations?registration_id=" in newest
    assert local.outbox_page("99/")[0] == 404


class BrokenSender(SesSender):
    def send(self, mail: Any) -> str:
        raise RuntimeError("a bug, not SES")


def test_an_unexpected_error_while_sending_unmarks_the_mail_for_the_next_run(
    ctx: service.Context, mail_ctx: MailContext
) -> None:
    # Given a sender that fails in an unforeseen way
    broken = dataclasses.replace(mail_ctx, sender=BrokenSender(sender=SENDER, reply_to="vragen@example.org"))

    # When someone signs up
    answer = Api(ctx, broken).register(email="bug@example.org")

    # Then the sign-up stands, the receipt is not marked, and the next run with a working sender sends it
    assert answer.status == 201
    data = registration_data(mail_ctx.store, answer.json["id"])
    assert data is not None
    assert ("mail_receipt" in data, data["mail_failures"]) == (False, 2)  # the confirm link, the receipt
    assert daily.run_daily(mail_ctx).sent == {"receipt": 1}
    assert len(receipts_to("bug@example.org")) == 1

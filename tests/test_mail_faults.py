"""Mail when things go wrong: a failed mail never takes a newer mail's link, and a mail marked but never
confirmed sent (the function ended mid-send) is sent by the daily job."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from praatmee import daily, mail, service, texts
from praatmee.mail import MailContext
from praatmee.models import RegistrationStatus
from praatmee.ses import Mail, MailNotSent
from tests.fixtures import Api, Clock, pupil, receipts_to, registration_data, sign_up, status_of
from tests.test_mail import link_in


@dataclasses.dataclass
class Interrupted:
    """A sender that, while its first mail is on its way, lets another mail go out first, then fails."""

    real: Any
    meanwhile: Any
    calls: int = 0

    def send(self, message: Mail) -> str:
        self.calls += 1
        if self.calls == 1:
            self.meanwhile()
            raise MailNotSent("Throttling")
        return str(self.real.send(message))


def test_a_failed_mail_never_takes_the_link_of_a_newer_mail(
    app: Api, mail_ctx: MailContext, ctx: service.Context
) -> None:
    # Given a placed person whose receipt was sent
    answer = app.register(email="twee@example.org")
    registration_id = answer.json["id"]

    # When their confirmation is on its way, the "you moved" mail goes out meanwhile, and then SES refuses the
    # confirmation
    other = dataclasses.replace(mail_ctx)
    sender = Interrupted(mail_ctx.sender, lambda: mail.deliver(other, mail.MOVED, registration_id))
    failing = dataclasses.replace(mail_ctx, sender=sender)  # type: ignore[arg-type]
    assert mail.deliver(failing, mail.CONFIRMATION, registration_id) is False

    # Then the link of the newest mail (the move) still works
    _, moved = receipts_to("twee@example.org")
    newest_id, newest_token = link_in(moved, "/api/cancellations")
    cancelled = app.cancel(newest_id, newest_token)
    assert (cancelled.status, cancelled.json["status"]) == (200, "cancelled")
    data = registration_data(ctx.store, registration_id)
    assert data is not None
    assert "mail_confirmation" not in data


class Ended(BaseException):
    """The function's timeout: nothing after it runs, not even an `except Exception`."""


class EndsMidSend:
    def send(self, _: Mail) -> str:
        raise Ended


def test_a_mail_marked_but_never_confirmed_sent_is_sent_by_the_daily_job(
    app: Api, mail_ctx: MailContext, ctx: service.Context, clock: Clock
) -> None:
    # Given a sign-up whose receipt was marked, but the function ended before SES answered
    registered = sign_up(ctx, email="weg@example.org")
    ended = dataclasses.replace(mail_ctx, sender=EndsMidSend())  # type: ignore[arg-type]
    with pytest.raises(Ended):
        mail.deliver(ended, mail.RECEIPT, registered.answer.id, registered.cancel_token)
    assert receipts_to("weg@example.org") == []

    # When the daily job runs within minutes, and again later
    soon = daily.run_daily(mail_ctx)
    clock.now += mail.SENDING_GIVEN_UP_AFTER + dt.timedelta(minutes=1)
    later = daily.run_daily(mail_ctx)
    again = daily.run_daily(mail_ctx)

    # Then it waits while the send may still be under way, then sends the receipt once, with a working link
    assert "receipt" not in soon.sent
    assert later.sent.get("receipt") == 1
    assert "receipt" not in again.sent
    [receipt] = receipts_to("weg@example.org")
    registration_id, token = link_in(receipt, "/api/cancellations")
    assert app.cancel(registration_id, token).json["status"] == "cancelled"


def test_a_mail_sent_in_full_is_not_sent_again(app: Api, mail_ctx: MailContext, clock: Clock) -> None:
    # Given a sign-up whose receipt went out
    app.register(email="een@example.org")

    # When the daily job runs long after
    clock.now += mail.SENDING_GIVEN_UP_AFTER * 10

    # Then it sends no second receipt
    assert "receipt" not in daily.run_daily(mail_ctx).sent
    assert len(receipts_to("een@example.org")) == 1


def test_a_seat_a_sign_up_finds_free_is_mailed_to_the_person_waiting_in_the_same_request(
    app: Api, mail_ctx: MailContext
) -> None:
    # Given a full meeting of one seat with one person waiting, and organisers who add a seat
    mail_ctx.store.set_capacity("noord-wolvega", 1)
    app.register(meeting="noord-wolvega", email="zit@example.org")
    waiting = app.register(meeting="noord-wolvega", email="wacht@example.org")
    mail_ctx.store.set_capacity("noord-wolvega", 2)

    # When a newcomer signs up (and finds the added seat, which goes to the person waiting first)
    newcomer = app.register(meeting="noord-wolvega", email="nieuw@example.org")

    # Then the person waiting has the seat and its mail at once, not a day later; the newcomer waits
    assert newcomer.json["status"] == "waitlisted"
    assert status_of(mail_ctx.store, waiting.json["id"]) is RegistrationStatus.PLACED
    _, promoted = receipts_to("wacht@example.org")
    assert promoted["Subject"] == texts.PROMOTED_SUBJECT
    assert "promoted" not in daily.run_daily(mail_ctx).sent


def test_a_seat_a_guardians_consent_finds_free_is_mailed_to_the_person_waiting_in_the_same_request(
    app: Api, mail_ctx: MailContext
) -> None:
    # Given a full meeting of one seat with one person waiting, a pupil whose guardian has not yet answered,
    # and organisers who add a seat
    mail_ctx.store.set_capacity("noord-wolvega", 1)
    app.register(meeting="noord-wolvega", email="zit@example.org")
    waiting = app.register(meeting="noord-wolvega", email="wacht@example.org")
    app.register(meeting="noord-wolvega", email="kind@example.org", **pupil())
    registration_id, token = link_in(receipts_to("petra.jansen@example.org")[0], "/api/consents")
    mail_ctx.store.set_capacity("noord-wolvega", 2)

    # When the guardian consents (and the pupil finds the added seat, which goes to the person waiting first)
    consented = app.consent(registration_id, token, "confirm")

    # Then the person waiting has the seat and its mail at once, not a day later; the pupil waits
    assert consented.json["status"] == "waitlisted"
    assert status_of(mail_ctx.store, waiting.json["id"]) is RegistrationStatus.PLACED
    _, promoted = receipts_to("wacht@example.org")
    assert promoted["Subject"] == texts.PROMOTED_SUBJECT
    assert "promoted" not in daily.run_daily(mail_ctx).sent


@dataclasses.dataclass
class RefusesTo:
    """A sender SES refuses for one address; it keeps who it was asked to mail."""

    real: Any
    address: str
    asked: list[str] = dataclasses.field(default_factory=list)

    def send(self, message: Mail) -> str:
        self.asked.append(message.to)
        if message.to == self.address:
            raise MailNotSent("Throttling")
        return str(self.real.send(message))


def test_a_promoted_mail_that_fails_during_a_consent_leaves_the_consent_done_and_goes_out_daily(
    ctx: service.Context, app: Api, mail_ctx: MailContext
) -> None:
    # Given a full meeting with one person waiting, a pupil whose guardian has not yet answered, an added seat
    mail_ctx.store.set_capacity("noord-wolvega", 1)
    app.register(meeting="noord-wolvega", email="zit@example.org")
    app.register(meeting="noord-wolvega", email="wacht@example.org")
    app.register(meeting="noord-wolvega", email="kind@example.org", **pupil())
    registration_id, token = link_in(receipts_to("petra.jansen@example.org")[0], "/api/consents")
    mail_ctx.store.set_capacity("noord-wolvega", 2)

    # When the guardian consents and SES refuses the mail to the person who moved up
    refusing = RefusesTo(mail_ctx.sender, "wacht@example.org")
    failing = Api(ctx, dataclasses.replace(mail_ctx, sender=refusing))  # type: ignore[arg-type]
    consented = failing.consent(registration_id, token, "confirm")

    # Then the consent is done all the same (the mail was tried at once), and the daily run sends it
    assert (consented.status, consented.json["status"]) == (200, "waitlisted")
    assert "wacht@example.org" in refusing.asked
    assert receipts_to("wacht@example.org")[-1]["Subject"] != texts.PROMOTED_SUBJECT
    assert daily.run_daily(mail_ctx).sent.get("promoted") == 1
    assert receipts_to("wacht@example.org")[-1]["Subject"] == texts.PROMOTED_SUBJECT

"""Mail when things go wrong: a failed mail never takes a newer mail's link, and a mail marked but never
confirmed sent (the function ended mid-send) is sent by the daily job."""

from __future__ import annotations

import dataclasses
from typing import Any

from praatmee import mail, service
from praatmee.mail import MailContext
from praatmee.ses import Mail, MailNotSent
from tests.fixtures import Api, mails_to, registration_data
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
    failing = dataclasses.replace(mail_ctx, sender=sender)
    assert mail.deliver(failing, mail.CONFIRMATION, registration_id) is False

    # Then the link of the newest mail (the move) still works
    _, moved = mails_to("twee@example.org")
    newest_id, newest_token = link_in(moved, "/api/cancellations")
    cancelled = app.cancel(newest_id, newest_token)
    assert (cancelled.status, cancelled.json["status"]) == (200, "cancelled")
    data = registration_data(ctx.store, registration_id)
    assert data is not None
    assert "mail_confirmation" not in data

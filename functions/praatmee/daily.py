"""The daily job: what the schedule runs once a day, at 09:00 Amsterdam.

It gives seats that organisers added to the people waiting, deletes sign-ups whose guardian never answered or
whose address was never confirmed (rules of `confirming`), and sends every mail a registration is still owed:
retries of what failed, and from `confirm_days_before` days ahead the confirmation or the "no place this time"
mail. Delivery is `mail.py`'s: each mail goes out once, whichever of the API and this job gets to it first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from praatmee.confirming import expire_pending, expire_unconfirmed
from praatmee.mail import (
    CONFIRM_REQUEST,
    CONFIRMATION,
    CONSENTED,
    GUARDIAN_REQUEST,
    NO_PLACE,
    PENDING,
    PLACED,
    PROMOTED,
    RECEIPT,
    SENDING_GIVEN_UP_AFTER,
    UNCONFIRMED,
    Kind,
    MailContext,
    deliver,
)
from praatmee.marks import sending
from praatmee.service import promote_waitlist

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from praatmee.edition import Meeting

logger = Logger(service="praatmee-mail")


@dataclass
class Report:
    """What one run did: numbers only."""

    sent: dict[str, int]
    promoted: int = 0  # seats organisers added while people waited, given to them by this run
    expired: int = 0
    failed: int = 0  # registrations the run could not handle (logged by error type); the next run tries again

    def as_dict(self) -> dict[str, Any]:
        return {"sent": self.sent, "promoted": self.promoted, "expired": self.expired, "failed": self.failed}


def due_kinds(ctx: MailContext, data: dict[str, Any], meeting: Meeting, today: dt.date) -> list[Kind]:
    """The mails this registration is still owed today (each is sent once; the mark decides)."""
    status = data.get("status")
    kinds = [RECEIPT]
    if status == UNCONFIRMED.value:
        kinds.append(CONFIRM_REQUEST)  # the first mail failed: its link, still within the window
    if status == PENDING.value:
        kinds.append(GUARDIAN_REQUEST)
    if data.get("consented_at"):
        kinds.append(CONSENTED)
    if data.get("promoted"):
        kinds.append(PROMOTED)
    if today >= meeting.date - dt.timedelta(days=ctx.edition.confirm_days_before):
        kinds.append(CONFIRMATION if status == PLACED.value else NO_PLACE)
    return [kind for kind in kinds if owed(ctx, data, kind) and status in kind.statuses]


def owed(ctx: MailContext, data: dict[str, Any], kind: Kind) -> bool:
    """Not marked, or marked but never confirmed sent for longer than any sender can take."""
    if f"mail_{kind.name}" not in data:
        return True
    since = data.get(sending(kind.name))
    return since is not None and dt.datetime.fromisoformat(str(since)) < ctx.now() - SENDING_GIVEN_UP_AFTER


def run_daily(ctx: MailContext) -> Report:
    """Send what is due, retry what failed, delete sign-ups whose guardian never answered."""
    from praatmee.errors import StateChanged

    report = Report(sent={})
    today = ctx.now().astimezone(ctx.edition.tz).date()
    # Seats added while people wait go to them now (not only at the next sign-up); the scan below then
    # sends their "a seat is free" mail.
    for meeting in ctx.edition.meetings:
        report.promoted += len(promote_waitlist(ctx.store, ctx.edition, meeting.id))
    for data in ctx.store.registrations():
        try:
            _run_one(ctx, data, today, report)
        except StateChanged:
            pass  # a guardian answered while the consent period ran out
        except Exception as exc:  # one bad registration must not keep the others from their mail
            logger.warning("registration skipped", extra={"error": type(exc).__name__})
            report.failed += 1
    return report


def _run_one(ctx: MailContext, data: dict[str, Any], today: dt.date, report: Report) -> None:
    now = ctx.now()
    if expire_pending(ctx.store, ctx.edition, data, now) or expire_unconfirmed(ctx.store, data, now):
        report.expired += 1
        return
    meeting = ctx.edition.meeting(str(data.get("meeting")))
    if meeting is None or today >= meeting.date:
        return  # on the day itself and after it, no mail helps anymore
    for kind in due_kinds(ctx, data, meeting, today):
        if deliver(ctx, kind, str(data["registration_id"]), lost_after=SENDING_GIVEN_UP_AFTER):
            report.sent[kind.name] = report.sent.get(kind.name, 0) + 1


def default_context() -> MailContext:
    from praatmee.edition import load_edition
    from praatmee.ses import SesSender
    from praatmee.settings import get_mail_settings
    from praatmee.store import Store

    settings = get_mail_settings()
    edition = load_edition()
    return MailContext(
        store=Store(settings.table_name),
        edition=edition,
        sender=SesSender(sender=settings.sender_address, reply_to=str(edition.contact_email)),
        site_origin=settings.site_origin,
    )


@logger.inject_lambda_context(log_event=False, clear_state=True)
def confirmations_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The daily schedule: confirmations two weeks ahead, the waiting list's news, retries and expiry."""
    report = run_daily(default_context())
    logger.info("daily mail run", extra=report.as_dict())
    return report.as_dict()

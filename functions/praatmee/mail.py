"""The participant's journey by e-mail: what is sent when, exactly once, and the daily job for the rest.

How each mail reads is composed in `letters.py`; this module decides who gets which mail and delivers it.

Every mail is marked on its registration by a conditional write (`Store.claim_mail`) *before* it is sent, so
two senders (the API and the daily job, or two runs of the job) never send it twice. A mail that SES refuses
is unmarked again and counted (`mail_failures` on the item, the `MailsFailed` metric): the next daily run
sends it. A registration is never undone by a mail.

Links carry a secret token; only its hash is stored. A mail other than the first receipt gets a fresh token
in the same write that marks it (the old one was either delivered with an older mail, or never delivered).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from praatmee import METRICS_NAMESPACE, letters
from praatmee.models import RegistrationStatus
from praatmee.service import expire_pending, promote_waitlist, token_hash, utc_now
from praatmee.ses import Mail, MailNotSent

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from praatmee.edition import Edition, Meeting
    from praatmee.ses import SesSender
    from praatmee.store import Store

logger = Logger(service="praatmee-mail")

PLACED = RegistrationStatus.PLACED
WAITLISTED = RegistrationStatus.WAITLISTED
PENDING = RegistrationStatus.PENDING_GUARDIAN

CANCEL_TOKEN = "token_hash"  # noqa: S105 - the name of an attribute
GUARDIAN_TOKEN = "guardian_token_hash"  # noqa: S105 - the name of an attribute


@dataclass(frozen=True)
class MailContext:
    """What sending mail needs: built once per process by the API (on its first mail) and the daily job."""

    store: Store
    edition: Edition
    sender: SesSender
    site_origin: str  # links in mails start with it
    now: Callable[[], dt.datetime] = utc_now


@dataclass(frozen=True)
class Kind:
    """One mail of the journey: who may get it (statuses), which token its link renews, how it reads, and
    whether it tells a waiting person their position."""

    name: str
    statuses: tuple[RegistrationStatus, ...]
    token: str | None
    compose: Callable[[letters.Letter], Mail]
    tells_position: bool = False


RECEIPT = Kind("receipt", (PLACED, WAITLISTED, PENDING), CANCEL_TOKEN, letters.receipt, tells_position=True)
GUARDIAN_REQUEST = Kind("guardian_request", (PENDING,), GUARDIAN_TOKEN, letters.guardian_request)
CONSENTED = Kind("consented", (PLACED, WAITLISTED), CANCEL_TOKEN, letters.consented, tells_position=True)
PROMOTED = Kind("promoted", (PLACED,), CANCEL_TOKEN, letters.promoted)
CONFIRMATION = Kind("confirmation", (PLACED,), CANCEL_TOKEN, letters.confirmation)
NO_PLACE = Kind("no_place", (WAITLISTED,), CANCEL_TOKEN, letters.no_place)


# -- sending, once -------------------------------------------------------------------------------------


def _count(name: str, kind: str) -> None:
    # The only dimension is the kind of mail: never an address or an id.
    with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=METRICS_NAMESPACE) as metric:
        metric.add_dimension(name="kind", value=kind)


def deliver(
    ctx: MailContext, kind: Kind, registration_id: str, token: str | None = None, position: int | None = None
) -> bool:
    """Send mail `kind` of a registration unless it was sent before; True when this call sent it.

    `token` is the secret the caller still holds (the API, right after a sign-up); without it the mail's link
    gets a fresh token, written together with the mark.
    """
    rotate = None
    if token is None and kind.token is not None:
        token = secrets.token_urlsafe(32)
        rotate = (kind.token, token_hash(token))
    now = ctx.now()
    at = now.astimezone(dt.UTC).isoformat(timespec="milliseconds")
    data = ctx.store.claim_mail(registration_id, kind.name, at, kind.statuses, rotate)
    if data is None:
        return False
    meeting = ctx.edition.meeting(str(data["meeting"]))
    try:
        if meeting is None:
            raise MailNotSent("unknown meeting")
        if kind.tells_position and position is None and data["status"] == WAITLISTED.value:
            position = ctx.store.waitlist_position(meeting.id, int(data["ticket"]))
        letter = letters.Letter(ctx.edition, ctx.site_origin, data, meeting, token, position, now)
        ctx.sender.send(kind.compose(letter))
    except Exception as exc:  # whatever went wrong, the mark must go, or the mail is never sent
        restore = (kind.token, str(data[kind.token])) if rotate is not None and kind.token else None
        ctx.store.release_mail(registration_id, kind.name, at, restore)
        error = exc.code if isinstance(exc, MailNotSent) else type(exc).__name__
        logger.warning("mail not sent", extra={"kind": kind.name, "error": error})
        _count("MailsFailed", kind.name)
        return False
    logger.info("mail sent", extra={"kind": kind.name})
    _count("MailsSent", kind.name)
    return True


def safely(send: Callable[[], object], kind: str) -> None:
    """For the API: after the data is written, a mail problem must not turn into an error answer."""
    try:
        send()
    except Exception as exc:  # the daily job sends what is still unmarked
        logger.warning("mail step failed", extra={"kind": kind, "error": type(exc).__name__})
        _count("MailsFailed", kind)


def after_registration(
    ctx: MailContext | None,
    registration_id: str,
    cancel_token: str | None,
    guardian_token: str | None,
    position: int | None,
) -> None:
    """The receipt, and for a pupil under 16 the guardian's request, right after the sign-up was stored.

    Like the other `after_*` steps: without a mail context (the API's tests of other things) nothing is sent.
    """
    if ctx is None:
        return
    safely(lambda: deliver(ctx, RECEIPT, registration_id, cancel_token, position), RECEIPT.name)
    if guardian_token is not None:
        safely(lambda: deliver(ctx, GUARDIAN_REQUEST, registration_id, guardian_token), GUARDIAN_REQUEST.name)


def after_promotion(ctx: MailContext | None, registration_id: str) -> None:
    if ctx is None:
        return
    safely(lambda: deliver(ctx, PROMOTED, registration_id), PROMOTED.name)


def after_consent(ctx: MailContext | None, registration_id: str, position: int | None) -> None:
    if ctx is None:
        return
    safely(lambda: deliver(ctx, CONSENTED, registration_id, position=position), CONSENTED.name)


# -- the daily job ---------------------------------------------------------------------------------------


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
    if status == PENDING.value:
        kinds.append(GUARDIAN_REQUEST)
    if data.get("consented_at"):
        kinds.append(CONSENTED)
    if data.get("promoted"):
        kinds.append(PROMOTED)
    if today >= meeting.date - dt.timedelta(days=ctx.edition.confirm_days_before):
        kinds.append(CONFIRMATION if status == PLACED.value else NO_PLACE)
    return [kind for kind in kinds if f"mail_{kind.name}" not in data and status in kind.statuses]


def run_daily(ctx: MailContext) -> Report:
    """Send what is due, retry what failed, delete sign-ups whose guardian never answered."""
    from praatmee.errors import StateChanged

    report = Report(sent={})
    today = ctx.now().astimezone(ctx.edition.tz).date()
    # Seats added while people wait go to them now (not only at the next sign-up); the scan below then
    # sends their "a seat is free" mail.
    for meeting in ctx.edition.meetings:
        report.promoted += promote_waitlist(ctx.store, meeting.id)
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
    if expire_pending(ctx.store, ctx.edition, data, ctx.now()):
        report.expired += 1
        return
    meeting = ctx.edition.meeting(str(data.get("meeting")))
    if meeting is None or today >= meeting.date:
        return  # on the day itself and after it, no mail helps anymore
    for kind in due_kinds(ctx, data, meeting, today):
        if deliver(ctx, kind, str(data["registration_id"])):
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

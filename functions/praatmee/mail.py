"""The participant's journey by e-mail: what is sent when, exactly once, and the daily job for the rest.

Every mail is marked on its registration by a conditional write (`Store.claim_mail`) *before* it is sent, so
two senders (the API and the daily job, or two runs of the job) never send it twice. A mail that SES refuses
is unmarked again and counted (`mail_failures` on the item, the `MailsFailed` metric): the next daily run
sends it. A registration is never undone by a mail.

Links carry a secret token; only its hash is stored. A mail other than the first receipt gets a fresh token
in the same write that marks it (the old one was either delivered with an older mail, or never delivered).
"""

from __future__ import annotations

import datetime as dt
import html
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from praatmee import METRICS_NAMESPACE, texts
from praatmee.models import RegistrationStatus
from praatmee.service import expire_pending, promote_waitlist, token_hash, utc_now
from praatmee.ses import Attachment, Mail, MailNotSent

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

Block = str | tuple[str, str]  # a paragraph, or a link (label, address)


@dataclass(frozen=True)
class MailContext:
    """What sending mail needs: built once per process by the API (on its first mail) and the daily job."""

    store: Store
    edition: Edition
    sender: SesSender
    site_origin: str  # links in mails start with it
    now: Callable[[], dt.datetime] = utc_now


# -- composing ---------------------------------------------------------------------------------------


def render(to: str, subject: str, blocks: list[Block], attachments: tuple[Attachment, ...] = ()) -> Mail:
    """Plain text and simple HTML from the same paragraphs: large type, real links, no images."""
    text_parts, html_parts = [], []
    for block in blocks:
        if isinstance(block, str):
            text_parts.append(block)
            html_parts.append(f"<p>{html.escape(block).replace(chr(10), '<br>')}</p>")
        else:
            label, url = block
            text_parts.append(f"{label}:\n{url}")
            html_parts.append(f'<p><a href="{html.escape(url)}">{html.escape(label)}</a></p>')
    body = "".join(html_parts)
    page = (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head>"
        '<body style="font-family: Verdana, Arial, sans-serif; font-size: 18px; line-height: 1.6; '
        'color: #1a1a1a; background: #ffffff; max-width: 40em; margin: 0; padding: 1em;">'
        f"{body}</body></html>"
    )
    return Mail(
        to=to, subject=subject, text="\n\n".join(text_parts) + "\n", html=page, attachments=attachments
    )


def link(site_origin: str, path: str, registration_id: str, token: str) -> str:
    """A link to a page of the API that asks before it changes anything (mail scanners follow links)."""
    return f"{site_origin}{path}?{urlencode({'registration_id': registration_id, 'token': token})}"


def cancel_url(site_origin: str, registration_id: str, token: str) -> str:
    return link(site_origin, "/api/cancellations", registration_id, token)


def consent_url(site_origin: str, registration_id: str, token: str) -> str:
    return link(site_origin, "/api/consents", registration_id, token)


@dataclass(frozen=True)
class Letter:
    """Everything a mail says, as plain values: composing reads no store and no clock.

    The registration (plain values), its meeting, a fresh token if any, the waiting-list position for a
    mail that tells it, and the time of sending (the calendar entry's time stamp).
    """

    edition: Edition
    site_origin: str
    data: dict[str, Any]
    meeting: Meeting
    token: str | None
    position: int | None
    now: dt.datetime

    @property
    def id(self) -> str:
        return str(self.data["registration_id"])

    @property
    def status(self) -> str:
        return str(self.data["status"])

    def meeting_line(self) -> str:
        return texts.meeting_line(self.edition, self.meeting)

    def closing(self, *, newest: bool) -> list[Block]:
        blocks: list[Block] = []
        if self.token is not None:
            blocks += [
                texts.cancel_paragraph(newest=newest),
                (texts.CANCEL_LINK_LABEL, cancel_url(self.site_origin, self.id, self.token)),
            ]
        return [
            *blocks,
            texts.CONTACT_PARAGRAPH.format(contact=self.edition.contact_email),
            texts.MAIL_SIGNATURE,
        ]

    def status_paragraphs(self) -> list[Block]:
        edition = self.edition
        if self.status == WAITLISTED.value:
            assert self.position is not None  # delivery looks it up when the caller did not know it
            status = texts.STATUS_PARAGRAPHS["waitlisted"].format(position=self.position)
        else:
            status = texts.STATUS_PARAGRAPHS[self.status]
        following = texts.NEXT_PARAGRAPHS[self.status].format(
            confirm_weeks=texts.confirm_period(edition), expires=texts.long_date(consent_deadline(self))
        )
        return [status, following]


def consent_deadline(letter: Letter) -> dt.date:
    created = dt.datetime.fromisoformat(str(letter.data["created_at"]))
    edition = letter.edition
    return (created + dt.timedelta(days=edition.guardian_consent_days)).astimezone(edition.tz).date()


def receipt(letter: Letter) -> Mail:
    blocks: list[Block] = [
        texts.GREETING.format(name=letter.data["name"]),
        texts.RECEIPT_INTRO,
        letter.meeting_line(),
        *letter.status_paragraphs(),
        texts.RECEIPT_DATA,
        *letter.closing(newest=False),
    ]
    return render(str(letter.data["email"]), texts.RECEIPT_SUBJECTS[letter.status], blocks)


def guardian_request(letter: Letter) -> Mail:
    guardian = letter.data["guardian"]
    pupil = str(letter.data["name"])
    assert letter.token is not None
    first, about, ask, expires = texts.GUARDIAN_PARAGRAPHS
    blocks: list[Block] = [
        texts.GREETING.format(name=guardian["name"]),
        first.format(pupil=pupil),
        letter.meeting_line(),
        about,
        ask.format(pupil=pupil),
        (texts.CONSENT_LINK_LABEL, consent_url(letter.site_origin, letter.id, letter.token)),
        expires.format(expires=texts.long_date(consent_deadline(letter))),
        texts.GUARDIAN_NOT_YOU.format(pupil=pupil),
        texts.CONTACT_PARAGRAPH.format(contact=letter.edition.contact_email),
        texts.MAIL_SIGNATURE,
    ]
    return render(str(guardian["email"]), texts.GUARDIAN_SUBJECT.format(pupil=pupil), blocks)


def consented(letter: Letter) -> Mail:
    blocks: list[Block] = [
        texts.GREETING.format(name=letter.data["name"]),
        texts.CONSENTED_INTRO,
        letter.meeting_line(),
        *letter.status_paragraphs(),
        *letter.closing(newest=True),
    ]
    return render(str(letter.data["email"]), texts.CONSENTED_SUBJECTS[letter.status], blocks)


def promoted(letter: Letter) -> Mail:
    good_news, following = texts.PROMOTED_PARAGRAPHS
    blocks: list[Block] = [
        texts.GREETING.format(name=letter.data["name"]),
        good_news,
        letter.meeting_line(),
        following.format(confirm_weeks=texts.confirm_period(letter.edition)),
        *letter.closing(newest=True),
    ]
    return render(str(letter.data["email"]), texts.PROMOTED_SUBJECT, blocks)


def confirmation(letter: Letter) -> Mail:
    from praatmee import ics  # icalendar only here: never on the registration API's path

    meeting = letter.meeting
    welcome, calendar = texts.CONFIRMATION_PARAGRAPHS
    where = (
        texts.CONFIRMATION_ONLINE
        if meeting.place is None
        else texts.CONFIRMATION_PLACE.format(place=meeting.place)
    )
    blocks: list[Block] = [
        texts.GREETING.format(name=letter.data["name"]),
        welcome,
        letter.meeting_line(),
        where,
        calendar,
        *letter.closing(newest=True),
    ]
    event = ics.meeting_event(
        letter.edition,
        meeting,
        registration_id=letter.id,
        site_origin=letter.site_origin,
        now=letter.now,
    )
    attachment = Attachment(texts.ICS_FILENAME, "text/calendar; method=PUBLISH", event)
    subject = texts.CONFIRMATION_SUBJECT.format(date=texts.day_month(meeting.date))
    return render(str(letter.data["email"]), subject, blocks, (attachment,))


def no_place(letter: Letter) -> Mail:
    sorry, still, leave = texts.NO_PLACE_PARAGRAPHS
    blocks: list[Block] = [
        texts.GREETING.format(name=letter.data["name"]),
        sorry,
        letter.meeting_line(),
        still,
        leave,
        *letter.closing(newest=False),
    ]
    subject = texts.NO_PLACE_SUBJECT.format(date=texts.day_month(letter.meeting.date))
    return render(str(letter.data["email"]), subject, blocks)


@dataclass(frozen=True)
class Kind:
    """One mail of the journey: who may get it (statuses), which token its link renews, how it reads, and
    whether it tells a waiting person their position."""

    name: str
    statuses: tuple[RegistrationStatus, ...]
    token: str | None
    compose: Callable[[Letter], Mail]
    tells_position: bool = False


RECEIPT = Kind("receipt", (PLACED, WAITLISTED, PENDING), CANCEL_TOKEN, receipt, tells_position=True)
GUARDIAN_REQUEST = Kind("guardian_request", (PENDING,), GUARDIAN_TOKEN, guardian_request)
CONSENTED = Kind("consented", (PLACED, WAITLISTED), CANCEL_TOKEN, consented, tells_position=True)
PROMOTED = Kind("promoted", (PLACED,), CANCEL_TOKEN, promoted)
CONFIRMATION = Kind("confirmation", (PLACED,), CANCEL_TOKEN, confirmation)
NO_PLACE = Kind("no_place", (WAITLISTED,), CANCEL_TOKEN, no_place)


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
        letter = Letter(ctx.edition, ctx.site_origin, data, meeting, token, position, now)
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

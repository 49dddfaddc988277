"""The participant's journey by e-mail: the kinds of mail, each delivered exactly once, and the mails the API
sends right after a sign-up, a cancellation or a guardian's answer.

How each mail reads is composed in `letters.py`; the daily job (`daily.py`) sends whatever is still owed.

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
from functools import partial
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from praatmee import METRICS_NAMESPACE, letters, personletters
from praatmee.models import RegistrationStatus
from praatmee.service import token_hash, utc_now
from praatmee.ses import Mail, MailNotSent

if TYPE_CHECKING:
    from praatmee.edition import Edition, Meeting
    from praatmee.ses import SesSender
    from praatmee.store import Store

logger = Logger(service="praatmee-mail")

APPLIED = RegistrationStatus.APPLIED
PLACED = RegistrationStatus.PLACED
WAITLISTED = RegistrationStatus.WAITLISTED
PENDING = RegistrationStatus.PENDING_GUARDIAN
UNCONFIRMED = RegistrationStatus.UNCONFIRMED

CANCEL_TOKEN = "token_hash"  # noqa: S105 - the name of an attribute
GUARDIAN_TOKEN = "guardian_token_hash"  # noqa: S105 - the name of an attribute
CONFIRM_TOKEN = "confirm_token_hash"  # noqa: S105 - the name of an attribute


@dataclass(frozen=True)
class MailContext:
    """What sending mail needs: built once per process by the API (on its first mail) and the daily job."""

    store: Store
    edition: Edition
    sender: SesSender
    site_origin: str  # links in mails start with it
    now: Callable[[], dt.datetime] = utc_now
    # The draw's mails tell each person their draw number (`Lottery.number`), to find them in its bundle.
    draw_number: Callable[[str], str] | None = None


@dataclass(frozen=True)
class Kind:
    """One mail of the journey: who may get it (statuses), which token its link renews, how it reads, and
    whether it tells a waiting person their position."""

    name: str
    statuses: tuple[RegistrationStatus, ...]
    token: str | None
    compose: Callable[[letters.Letter], Mail]
    tells_position: bool = False
    # Reads the meeting's private details (venue, route, link) the organisers stored in the room.
    tells_venue: bool = False
    # The metrics' dimension, when the name is one of many (a message to a meeting has one per message).
    family: str = ""

    @property
    def metric(self) -> str:
        return self.family or self.name


# The first mail of a sign-up from the site: the link that confirms the address (confirming.py).
CONFIRM_REQUEST = Kind("confirm_request", (UNCONFIRMED,), CONFIRM_TOKEN, letters.confirm_request)
# The same form sent again while unconfirmed: the link once more, at most once per RESEND_AFTER.
CONFIRM_AGAIN = Kind("confirm_again", (UNCONFIRMED,), CONFIRM_TOKEN, letters.confirm_again)
# The link again because the person asked an organiser for it: each time it is asked (the room's action).
CONFIRM_ASKED = Kind("confirm_asked", (UNCONFIRMED,), CONFIRM_TOKEN, letters.confirm_asked)
# The receipt: right after a sign-up that counts at once, else right after it was confirmed.
RECEIPT = Kind(
    "receipt", (APPLIED, PLACED, WAITLISTED, PENDING), CANCEL_TOKEN, letters.receipt, tells_position=True
)
GUARDIAN_REQUEST = Kind("guardian_request", (PENDING,), GUARDIAN_TOKEN, letters.guardian_request)
CONSENTED = Kind(
    "consented", (APPLIED, PLACED, WAITLISTED), CANCEL_TOKEN, letters.consented, tells_position=True
)
PROMOTED = Kind("promoted", (PLACED,), CANCEL_TOKEN, letters.promoted)
CONFIRMATION = Kind("confirmation", (PLACED,), CANCEL_TOKEN, letters.confirmation, tells_venue=True)
NO_PLACE = Kind("no_place", (WAITLISTED,), CANCEL_TOKEN, letters.no_place)
# After the draw: a seat is the confirmation (with the calendar entry); a reserve place has its own mail.
RESERVE = Kind("reserve", (WAITLISTED,), CANCEL_TOKEN, letters.reserve, tells_position=True)
# The same form sent again: the receipt once more, at most once per RESEND_AFTER.
RECEIPT_AGAIN = Kind(
    "receipt_again", (APPLIED, PLACED, WAITLISTED, PENDING), CANCEL_TOKEN, letters.receipt_again, True
)
RESEND_AFTER = dt.timedelta(hours=1)
# A mail marked this long ago and never confirmed sent was lost with its sender (ended mid-send): the daily
# job sends it (well beyond the longest a function runs, so it is never sent while still under way).
SENDING_GIVEN_UP_AFTER = dt.timedelta(minutes=20)
# An organiser moved the sign-up to another meeting (the move unmarks it, so every move is told).
MOVED = Kind("moved", (APPLIED, PLACED, WAITLISTED, PENDING), CANCEL_TOKEN, personletters.moved, True)


# -- sending, once -------------------------------------------------------------------------------------


def _count(name: str, kind: str) -> None:
    # The only dimension is the kind of mail: never an address or an id.
    with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=METRICS_NAMESPACE) as metric:
        metric.add_dimension(name="kind", value=kind)


def deliver(
    ctx: MailContext,
    kind: Kind,
    registration_id: str,
    token: str | None = None,
    position: int | None = None,
    again_after: dt.timedelta | None = None,
    *,
    lost_after: dt.timedelta | None = None,
) -> bool:
    """Send mail `kind` of a registration unless it was sent before; True when this call sent it.

    `token` is the secret the caller still holds (the API, right after a sign-up); without it the mail's link
    gets a fresh token, written together with the mark. With `again_after`, a mail marked longer ago than
    that is sent again (and marked anew). With `lost_after`, a mail marked longer ago than that whose sending
    was never confirmed is sent (the daily job's retry of a mail lost with its sender).
    """
    rotate = None
    if token is None and kind.token is not None:
        token = secrets.token_urlsafe(32)
        rotate = (kind.token, token_hash(token))
    now = ctx.now()
    at = now.astimezone(dt.UTC).isoformat(timespec="milliseconds")
    before = None
    if again_after is not None:
        before = (now - again_after).astimezone(dt.UTC).isoformat(timespec="milliseconds")
    stale = None
    if lost_after is not None:
        stale = (now - lost_after).astimezone(dt.UTC).isoformat(timespec="milliseconds")
    data = ctx.store.claim_mail(
        registration_id, kind.name, at, kind.statuses, rotate, before=before, stale=stale
    )
    if data is None:
        return False
    meeting = ctx.edition.meeting(str(data["meeting"]))
    try:
        if meeting is None:
            raise MailNotSent("unknown meeting")
        if kind.tells_position and position is None and data["status"] == WAITLISTED.value:
            position = ctx.store.waitlist_position(meeting.id, int(data["ticket"]))
        venue = None
        if kind.tells_venue:
            from praatmee.roomstore import RoomStore

            venue = RoomStore(ctx.store).venue(meeting.id)
        number = ctx.draw_number(registration_id) if ctx.draw_number is not None else None
        letter = letters.Letter(
            ctx.edition,
            ctx.site_origin,
            data,
            meeting,
            token,
            position,
            now,
            open_meetings(ctx, data),
            venue,
            draw_number=number,
        )
        ctx.sender.send(kind.compose(letter))
    except Exception as exc:  # whatever went wrong, the mark must go, or the mail is never sent
        restore = None
        if rotate is not None and kind.token:
            restore = (kind.token, str(data[kind.token]), rotate[1])
        ctx.store.release_mail(registration_id, kind.name, at, restore)
        error = exc.code if isinstance(exc, MailNotSent) else type(exc).__name__
        logger.warning("mail not sent", extra={"kind": kind.name, "error": error})
        _count("MailsFailed", kind.metric)
        return False
    ctx.store.mail_sent(registration_id, kind.name, at)
    logger.info("mail sent", extra={"kind": kind.name})
    _count("MailsSent", kind.metric)
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
    confirm_token: str | None = None,
) -> None:
    """The receipt, and for a pupil under 16 the guardian's request, right after the sign-up was stored; for
    a sign-up that still has to be confirmed (`confirm_token`), the confirm link instead of the receipt.

    Like the other `after_*` steps: without a mail context (the API's tests of other things) nothing is sent.
    """
    if ctx is None:
        return
    if confirm_token is not None:
        safely(lambda: deliver(ctx, CONFIRM_REQUEST, registration_id, confirm_token), CONFIRM_REQUEST.name)
        return
    safely(lambda: deliver(ctx, RECEIPT, registration_id, cancel_token, position), RECEIPT.name)
    if guardian_token is not None:
        safely(lambda: deliver(ctx, GUARDIAN_REQUEST, registration_id, guardian_token), GUARDIAN_REQUEST.name)


def after_replay(ctx: MailContext | None, registration_id: str) -> None:
    """The same form again: the receipt once more (its first mail may be lost), at most once an hour; while
    the sign-up is unconfirmed, its confirm link instead (each kind is only for its statuses)."""
    if ctx is None:
        return
    for kind in (CONFIRM_AGAIN, RECEIPT_AGAIN):
        safely(partial(deliver, ctx, kind, registration_id, again_after=RESEND_AFTER), kind.name)


def open_meetings(ctx: MailContext, data: dict[str, Any]) -> tuple[Meeting, ...]:
    """Other meetings for this person's sector where a newcomer gets a seat now (first come, sign-up open);
    only for someone waiting, the one status that may want to move."""
    edition = ctx.edition
    if data.get("status") != WAITLISTED.value or ctx.now() >= edition.registration_closes_at:
        return ()
    others = [m for m in edition.meetings if m.id != data.get("meeting") and data.get("sector") in m.audience]
    counts = ctx.store.meeting_counts([m.id for m in others]) if others else {}
    return tuple(
        m
        for m in others
        if (c := counts.get(m.id)) is not None and c.placed < c.capacity and c.waitlist_length == 0
    )


def after_promotion(ctx: MailContext | None, registration_id: str) -> None:
    if ctx is None:
        return
    safely(lambda: deliver(ctx, PROMOTED, registration_id), PROMOTED.name)


def after_confirmation(ctx: MailContext | None, registration_id: str, position: int | None) -> None:
    """The address is confirmed: the receipt (seat, reserve place or application) with the cancel link."""
    if ctx is None:
        return
    safely(lambda: deliver(ctx, RECEIPT, registration_id, position=position), RECEIPT.name)


def after_consent(ctx: MailContext | None, registration_id: str, position: int | None) -> None:
    if ctx is None:
        return
    safely(lambda: deliver(ctx, CONSENTED, registration_id, position=position), CONSENTED.name)

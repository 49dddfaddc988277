"""Sign-ups that wait for a confirmation: an address (the link in the first e-mail) or a guardian's consent,
and the end of those that never get it.

A sign-up made on the site (not one an organiser adds, not a pupil under 16's: their guardian's consent
confirms it) is `unconfirmed` until the link in its first e-mail is followed. Until then it holds only its
uniqueness marker: no seat, no reserve place, no entry in the draw's pool. Confirming does what a sign-up used
to do at once: a seat or a reserve place (first come), or an application for the draw. After the edition's
`confirm_within_hours` the link has expired; the sign-up then counts as gone (its TTL ends and the daily job
deletes it with its data), so the address can sign up again.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from praatmee import confirmstore
from praatmee.confirmstore import epoch, window_closed
from praatmee.dynamo import new_token
from praatmee.errors import ConfirmationExpired, RegistrationNotFound, StateChanged, TryAgain
from praatmee.models import ConfirmationAnswer, RegistrationStatus
from praatmee.service import MAX_ROUNDS, Context, promote_waitlist, seat_or_wait, token_hash

if TYPE_CHECKING:
    from praatmee.edition import Edition
    from praatmee.store import Store

UNCONFIRMED = RegistrationStatus.UNCONFIRMED


@dataclass(frozen=True)
class Confirmed:
    answer: ConfirmationAnswer
    newly: bool  # this call confirmed it: the receipt with the cancel link goes out now
    # People waiting who got seats that this confirmation found free (added seats): the route mails them.
    promoted: tuple[str, ...] = ()


def expired(data: Mapping[str, Any], now: dt.datetime) -> bool:
    """Whether an unconfirmed sign-up is past its window (its TTL may not have removed it yet)."""
    return data.get("status") == UNCONFIRMED.value and window_closed(int(data["expires_at"]), now)


def confirmation_data(ctx: Context, registration_id: str, token: str) -> dict[str, Any]:
    """The registration a confirm link is for, as plain values. Raises `RegistrationNotFound` for an unknown
    id or a wrong token, alike."""
    data = confirmstore.read(ctx.store, registration_id)
    stored_hash = str(data.get("confirm_token_hash", "")) if data is not None else ""
    if data is None or not stored_hash or not hmac.compare_digest(stored_hash, token_hash(token)):
        raise RegistrationNotFound()
    return data


def _answer(ctx: Context, data: Mapping[str, Any]) -> ConfirmationAnswer:
    """What a confirmed sign-up has now (a second click, a reload)."""
    status = RegistrationStatus(data["status"])
    position = None
    if status is RegistrationStatus.WAITLISTED and "ticket" in data:
        position = ctx.store.waitlist_position(str(data["meeting"]), int(data["ticket"]))
    return ConfirmationAnswer(
        id=str(data["registration_id"]),
        status=status.value,
        meeting=str(data["meeting"]),
        waitlist_position=position,
    )


def confirm(ctx: Context, registration_id: str, token: str) -> Confirmed:
    """Follow the confirm link: the sign-up now counts, in two steps that a retry may each redo (the window
    is checked and the TTL lifted; then the seat, reserve place or application). Confirming again changes
    nothing. Raises `ConfirmationExpired` after the window, `RegistrationNotFound` for a wrong link."""
    return _confirm(ctx, registration_id, lambda: confirmation_data(ctx, registration_id, token))


def confirm_for(ctx: Context, registration_id: str) -> Confirmed:
    """An organiser confirms on the person's behalf (they confirmed their address by phone): the same two
    steps as the link, so seats are never exceeded. Raises as `confirm` does."""

    def read() -> dict[str, Any]:
        data = confirmstore.read(ctx.store, registration_id)
        if data is None:
            raise RegistrationNotFound()
        return data

    return _confirm(ctx, registration_id, read)


def _confirm(ctx: Context, registration_id: str, read: Callable[[], dict[str, Any]]) -> Confirmed:
    data = read()
    promoted: list[str] = []
    for _ in range(MAX_ROUNDS):
        if data["status"] != UNCONFIRMED.value:
            return Confirmed(_answer(ctx, data), newly=False)
        now = ctx.now()
        if "confirmed_at" not in data:
            if expired(data, now):
                raise ConfirmationExpired()
            at = now.astimezone(dt.UTC).isoformat(timespec="milliseconds")
            try:
                confirmstore.claim(
                    ctx.store,
                    registration_id,
                    str(data["email_hash"]),
                    epoch(now),
                    at,
                    ctx.edition.expires_at,
                    new_token(),
                )
            except StateChanged:
                data = read()
                if data["status"] == UNCONFIRMED.value and "confirmed_at" not in data:
                    raise ConfirmationExpired() from None
                continue
        try:
            status, position = _count_in(ctx, registration_id, str(data["meeting"]), promoted)
        except StateChanged:
            data = read()  # another click came first
            continue
        answer = ConfirmationAnswer(
            id=registration_id,
            status=status.value,
            meeting=str(data["meeting"]),
            waitlist_position=position,
        )
        return Confirmed(answer, newly=True, promoted=tuple(promoted))
    raise TryAgain("confirmation kept changing")


def _count_in(
    ctx: Context, registration_id: str, meeting_id: str, promoted: list[str]
) -> tuple[RegistrationStatus, int | None]:
    """Before the draw an application; else a seat or a reserve place, as a guardian's consent gets."""
    store, edition = ctx.store, ctx.edition
    draw_at = edition.draw_moment
    if draw_at is not None and ctx.now() < draw_at:
        confirmstore.apply(store, registration_id, meeting_id, new_token())
        return RegistrationStatus.APPLIED, None
    return seat_or_wait(
        meeting_id,
        promote=lambda: promoted.extend(promote_waitlist(store, edition, meeting_id)),
        place=lambda seat_token: store.seat_held(registration_id, meeting_id, UNCONFIRMED, seat_token),
        wait=lambda ticket: store.seat_held(
            registration_id, meeting_id, UNCONFIRMED, new_token(), wait=(ticket, edition.expires_at)
        ),
        queue=store,
    )


# -- the end of sign-ups that were never confirmed (the daily job) -------------------------------------------


def expire_unconfirmed(store: Store, registration: Mapping[str, object], now: dt.datetime) -> bool:
    """Delete an unconfirmed sign-up past its window, and its data; True when it was deleted."""
    if not expired(registration, now):
        return False
    registration_id, email_hash = str(registration["registration_id"]), str(registration["email_hash"])
    return confirmstore.delete_expired(store, registration_id, email_hash, epoch(now))


def expire_pending(
    store: Store, edition: Edition, registration: Mapping[str, object], now: dt.datetime
) -> bool:
    """Delete a pupil's sign-up, and its data, when the guardian did not answer within the consent period
    (or its meeting left the edition); True when it was deleted. Raises `StateChanged` when the guardian
    answered meanwhile."""
    if registration.get("status") != RegistrationStatus.PENDING_GUARDIAN.value:
        return False
    if edition.meeting(str(registration.get("meeting"))) is not None:
        created = dt.datetime.fromisoformat(str(registration["created_at"]))
        if now < created + dt.timedelta(days=edition.guardian_consent_days):
            return False
    registration_id, email_hash = str(registration["registration_id"]), str(registration["email_hash"])
    store.delete_pending(registration_id, email_hash, None, new_token())
    return True

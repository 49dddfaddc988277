"""A guardian's answer for a pupil under 16: the consent link confirms the sign-up (a seat, a waiting-list
place, or before the draw an application) or declines it, which deletes it with its data."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Literal

from praatmee.dynamo import new_token
from praatmee.errors import RegistrationNotFound, StateChanged
from praatmee.models import ConsentAnswer, RegistrationStatus
from praatmee.service import Context, promote_waitlist, seat_or_wait, token_hash
from praatmee.table import StoredRegistration


def guardian_registration(ctx: Context, registration_id: str, token: str) -> StoredRegistration:
    """The registration a guardian's link is for. Raises `RegistrationNotFound` for an unknown id or a wrong
    token, alike."""
    stored = ctx.store.registration(registration_id)
    stored_hash = stored.guardian_token_hash if stored is not None else None
    if stored is None or not stored_hash or not hmac.compare_digest(stored_hash, token_hash(token)):
        raise RegistrationNotFound()
    return stored


@dataclass(frozen=True)
class Consented:
    answer: ConsentAnswer
    # Who got seats organisers added, found free by this answer (the route mails them at once).
    promoted: tuple[str, ...] = ()


def answer_consent(
    ctx: Context, registration_id: str, token: str, decision: Literal["confirm", "decline"]
) -> Consented:
    """A guardian's answer. Confirming takes a seat (or a waiting-list place) through the same seat
    transaction as a sign-up, or, before the draw (`allocation: draw`), an application; declining deletes the
    sign-up and its data. Answering again changes nothing."""
    promoted: list[str] = []
    answer = _answer(ctx, registration_id, token, decision, promoted)
    return Consented(answer, tuple(promoted))


def _answer(
    ctx: Context,
    registration_id: str,
    token: str,
    decision: Literal["confirm", "decline"],
    promoted: list[str],
) -> ConsentAnswer:
    stored = guardian_registration(ctx, registration_id, token)
    status = stored.status
    if status in (RegistrationStatus.APPLIED, RegistrationStatus.PLACED, RegistrationStatus.WAITLISTED):
        return ConsentAnswer(id=registration_id, status=status.value)  # a double click or a reload
    if status is not RegistrationStatus.PENDING_GUARDIAN:
        raise RegistrationNotFound()
    guardian_hash = token_hash(token)
    meeting_id = stored.meeting
    if decision == "decline":
        try:
            ctx.store.delete_pending(registration_id, stored.email_hash, guardian_hash, new_token())
        except StateChanged as exc:
            raise RegistrationNotFound() from exc
        return ConsentAnswer(id=registration_id, status="declined")
    at = ctx.now().astimezone(dt.UTC).isoformat(timespec="milliseconds")
    pending = RegistrationStatus.PENDING_GUARDIAN
    draw_at = ctx.edition.draw_moment
    if draw_at is not None and ctx.now() < draw_at:
        try:
            ctx.store.apply_consented(registration_id, meeting_id, guardian_hash, at, new_token())
        except StateChanged:
            return _answer(ctx, registration_id, token, decision, promoted)
        return ConsentAnswer(id=registration_id, status=RegistrationStatus.APPLIED.value)
    try:
        placed, position = seat_or_wait(
            meeting_id,
            promote=lambda: promoted.extend(promote_waitlist(ctx.store, ctx.edition, meeting_id)),
            place=lambda seat_token: ctx.store.seat_held(
                registration_id, meeting_id, pending, seat_token, consent=(guardian_hash, at)
            ),
            wait=lambda ticket: ctx.store.seat_held(
                registration_id,
                meeting_id,
                pending,
                new_token(),
                wait=(ticket, ctx.edition.expires_at),
                consent=(guardian_hash, at),
            ),
            queue=ctx.store,
        )
    except StateChanged:
        # Another answer came first: report what it did.
        return _answer(ctx, registration_id, token, decision, promoted)
    return ConsentAnswer(id=registration_id, status=placed.value, waitlist_position=position)

"""What organisers do for one person who asked (by mail, by phone): find them, cancel, move, correct, erase,
send the receipt again, add someone. The same rules and transactions as the public API (`service`): the seat
counter, the reserve rule and the one-person marker are never bypassed. The organisers' room calls these; each
answers with what the room shows, never more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from praatmee import service
from praatmee.action_store import ActionStore
from praatmee.confirming import expired
from praatmee.dynamo import new_token
from praatmee.edition import Role
from praatmee.errors import (
    AlreadyRegistered,
    ChangedMeanwhile,
    ConfirmationExpired,
    Duplicate,
    MeetingFull,
    NotEligible,
    PupilRoleFixed,
    RegistrationNotFound,
    SeatFreed,
    StateChanged,
    StillUnconfirmed,
    TryAgain,
    UnknownMeeting,
)
from praatmee.models import RegistrationStatus, normalise_email
from praatmee.table import StoredRegistration

MAX_ROUNDS = service.MAX_ROUNDS
UNCONFIRMED = RegistrationStatus.UNCONFIRMED
LIVE = (
    RegistrationStatus.APPLIED,
    RegistrationStatus.PLACED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.PENDING_GUARDIAN,
)


@dataclass(frozen=True)
class Person:
    """One person as the room shows them: their sign-up, where they stand, and which mails they got."""

    id: str
    meeting: str
    status: RegistrationStatus
    name: str
    email: str
    role: str
    sector: str
    themes: tuple[str, ...]
    organisation: str
    needs: str
    second_meeting: str
    added_by_organiser: bool
    position: int | None  # on the reserve list (or waiting list)
    mails: dict[str, str] = field(default_factory=dict)  # kind: when it was sent (UTC, ISO 8601)
    # Only while unconfirmed: when its confirm link stops working (epoch seconds), and whether it has.
    confirm_until: int | None = None
    expired: bool = False

    @classmethod
    def of(cls, data: Mapping[str, Any], position: int | None, now: dt.datetime | None = None) -> Person:
        unconfirmed = data.get("status") == UNCONFIRMED.value
        return cls(
            id=str(data["registration_id"]),
            meeting=str(data["meeting"]),
            status=RegistrationStatus(data["status"]),
            name=str(data.get("name", "")),
            email=str(data.get("email", "")),
            role=str(data.get("role", "")),
            sector=str(data.get("sector", "")),
            themes=tuple(data.get("themes", ())),
            organisation=str(data.get("organisation") or ""),
            needs=str(data.get("needs") or ""),
            second_meeting=str(data.get("second_meeting") or ""),
            added_by_organiser=bool(data.get("added_by_organiser")),
            position=position,
            mails={k.removeprefix("mail_"): str(v) for k, v in sorted(data.items()) if _is_mark(k)},
            confirm_until=int(data["expires_at"]) if unconfirmed else None,
            expired=now is not None and expired(data, now),
        )


def _is_mark(name: str) -> bool:
    return name.startswith("mail_") and name not in ("mail_failures", "mail_failed_at")


def _store(ctx: service.Context) -> ActionStore:
    if not isinstance(ctx.store, ActionStore):
        raise TypeError("organiser actions need an ActionStore")
    return ctx.store


def person(ctx: service.Context, registration_id: str) -> Person:
    """One person by registration id (404 when there is none)."""
    data = _store(ctx).registration_data(registration_id)
    if data is None:
        raise RegistrationNotFound()
    position = None
    if data.get("status") == RegistrationStatus.WAITLISTED.value and "ticket" in data:
        position = ctx.store.waitlist_position(str(data["meeting"]), int(data["ticket"]))
    return Person.of(data, position, ctx.now())


def find_by_email(ctx: service.Context, email: str) -> list[Person]:
    """The live sign-ups of an address (an adult's and a pupil's may share it), exactly, through the same
    keyed hash as the one-person rule."""
    found = []
    for role in (Role.OUDER, Role.LEERLING):  # any adult role has the adults' marker
        registration_id = _store(ctx).marker_owner(service.marker_hash(ctx.hash_key, email, role))
        if registration_id is not None:
            found.append(person(ctx, registration_id))
    return found


def find_by_name(ctx: service.Context, meeting_id: str, text: str) -> list[Person]:
    """Everyone of a meeting whose name holds `text` (case and accents as typed are ignored)."""
    wanted = text.casefold().strip()
    if not wanted:
        return []
    found = [
        data
        for data in ctx.store.registrations()
        if data.get("meeting") == meeting_id and wanted in str(data.get("name", "")).casefold()
    ]
    return [person(ctx, str(data["registration_id"])) for data in sorted(found, key=lambda d: str(d["name"]))]


def _read(ctx: service.Context, registration_id: str, seen: StoredRegistration | None) -> StoredRegistration:
    """The registration now; `ChangedMeanwhile` if it is no longer as the organiser first saw it."""
    stored = ctx.store.registration(registration_id)
    if stored is None:
        raise RegistrationNotFound()
    if seen is not None and (stored.status, stored.meeting) != (seen.status, seen.meeting):
        raise ChangedMeanwhile(registration_id)
    return stored


def confirmed_first(registration_id: str, status: RegistrationStatus) -> None:
    """Moving, correcting or a new receipt only for a sign-up that counts; an unconfirmed one is confirmed
    (or its link sent again) first."""
    if status is UNCONFIRMED:
        raise StillUnconfirmed(registration_id)
    if status not in LIVE:
        raise RegistrationNotFound()


def unconfirmed(ctx: service.Context, registration_id: str) -> Person:
    """A sign-up that waits for its address to be confirmed, within its window: `StillUnconfirmed`'s opposite
    (`ChangedMeanwhile` when it counts already, `ConfirmationExpired` past its window)."""
    found = person(ctx, registration_id)
    if found.status is not UNCONFIRMED:
        raise ChangedMeanwhile(registration_id)
    if found.expired:
        raise ConfirmationExpired()
    return found


def cancel_for(ctx: service.Context, registration_id: str) -> service.Cancelled:
    """Cancel on the person's behalf: their seat goes on as after any cancellation."""
    return service.cancel(ctx, registration_id)


def move(ctx: service.Context, registration_id: str, to: str) -> tuple[Person, tuple[str, ...]]:
    """Move a person to another meeting for their school type: a seat there if one is free (nobody waits),
    else a reserve place; in one transaction with leaving the old meeting, so they never hold two. Also
    tells who moved up meanwhile (to mail them): who got the seat they left, and who got seats organisers
    added to the new meeting, which the move found free."""
    meeting = ctx.edition.meeting(to)
    if meeting is None:
        raise UnknownMeeting(to)
    seen = _read(ctx, registration_id, None)
    confirmed_first(seen.id, seen.status)
    if seen.meeting == to:
        return person(ctx, registration_id), ()
    data = _store(ctx).registration_data(registration_id) or {}
    if data.get("sector") not in meeting.audience:
        raise NotEligible(f"{data.get('sector')} for {to}")
    promoted: list[str] = []  # across the rounds: a promotion in a round that failed still happened
    for _ in range(MAX_ROUNDS):
        try:
            freed_for = _move_once(ctx, _read(ctx, registration_id, seen), to, promoted)
        except (StateChanged, SeatFreed, MeetingFull):
            continue  # the old meeting's waiting list moved on: read again
        return person(ctx, registration_id), (*promoted, *([freed_for] if freed_for else []))
    raise TryAgain("registration kept changing")


def _move_once(ctx: service.Context, stored: StoredRegistration, to: str, promoted: list[str]) -> str | None:
    store, edition = _store(ctx), ctx.edition
    if stored.status not in (RegistrationStatus.PLACED, RegistrationStatus.WAITLISTED):
        store.move(stored, to, None, new_token())  # applied for the draw, or waiting for a guardian
        return None
    head = None
    if stored.status is RegistrationStatus.PLACED:
        head = service.next_in_line(store, edition, stored.meeting, stored.id)
    service.seat_or_wait(
        to,
        promote=lambda: promoted.extend(service.promote_waitlist(store, edition, to)),
        place=lambda token: store.move(stored, to, head, token),
        wait=lambda ticket: store.move(stored, to, head, new_token(), wait=(ticket, edition.expires_at)),
        queue=store,
    )
    return head[1] if head is not None else None


@dataclass(frozen=True)
class Erased:
    meeting: str
    promoted: str | None  # who got the freed seat (mail them)
    exports: tuple[str, ...]  # exports made before, which hold the person too: delete them as well


def erase(ctx: service.Context, registration_id: str, exports_before: tuple[str, ...] = ()) -> Erased:
    """Erase on request (AVG article 17): every item of the person goes, their seat as after a cancellation;
    only an anonymous count remains on the meeting."""
    store = _store(ctx)
    for _ in range(MAX_ROUNDS):
        stored = _read(ctx, registration_id, None)
        head = None
        if stored.status is RegistrationStatus.PLACED:
            head = service.next_in_line(store, ctx.edition, stored.meeting, stored.id)
        try:
            store.erase(stored, head, new_token())
        except StateChanged:
            continue
        return Erased(stored.meeting, head[1] if head is not None else None, exports_before)
    raise TryAgain("registration kept changing")


CORRECTABLE = frozenset({"name", "role", "sector", "themes", "organisation", "needs"})


def correct(
    ctx: service.Context, registration_id: str, changes: Mapping[str, Any], email: str | None = None
) -> Person:
    """Correct the sign-up's own fields (validated by the caller's model); a new e-mail address moves the
    one-person marker with it, and the receipt is owed again (the caller sends it, with a fresh link)."""
    unknown = set(changes) - CORRECTABLE
    if unknown:
        raise ValueError(f"not correctable: {sorted(unknown)}")
    store = _store(ctx)
    stored = _read(ctx, registration_id, None)
    confirmed_first(stored.id, stored.status)
    data = store.registration_data(registration_id) or {}
    if "role" in changes and (changes["role"] == Role.LEERLING) != (data.get("role") == Role.LEERLING):
        raise PupilRoleFixed(registration_id)  # a pupil's age question and guardian would not follow
    meeting = ctx.edition.meeting(stored.meeting)
    if "sector" in changes and meeting is not None and changes["sector"] not in meeting.audience:
        raise NotEligible(f"{changes['sector']} for {stored.meeting}")
    moved_to = None
    if email is not None or "role" in changes:
        # The marker follows the address, and a pupil's marker differs from an adult's (one of each).
        address = normalise_email(email or str(data["email"]))
        new_hash = service.marker_hash(ctx.hash_key, address, Role(changes.get("role") or data["role"]))
        if new_hash != stored.email_hash:
            moved_to = (address, new_hash, ctx.edition.expires_at)
    try:
        store.correct(stored, changes, new_token(), moved_to)
    except Duplicate as exc:
        raise AlreadyRegistered(stored.meeting) from exc
    except StateChanged as exc:
        raise ChangedMeanwhile(registration_id) from exc
    return person(ctx, registration_id)


def owe_receipt_again(ctx: service.Context, registration_id: str) -> None:
    """Unmark the receipt so that sending it again gives a fresh cancel link (the old one stops working)."""
    stored = _read(ctx, registration_id, None)
    confirmed_first(stored.id, stored.status)
    try:
        _store(ctx).owe_receipt_again(stored)
    except StateChanged as exc:
        raise ChangedMeanwhile(registration_id) from exc

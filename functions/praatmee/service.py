"""The rules of signing up and cancelling. Routes call these functions; only the store talks to DynamoDB."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from praatmee import guardian_asks
from praatmee.confirmstore import epoch
from praatmee.dynamo import full_jitter, new_token
from praatmee.edition import Allocation, Edition, Role, Sector, Theme, features
from praatmee.errors import (
    AlreadyRegistered,
    Duplicate,
    MeetingFull,
    NotEligible,
    RegistrationClosed,
    RegistrationNotFound,
    SeatFreed,
    SecondMeetingNotOffered,
    SecondMeetingRefused,
    StateChanged,
    TryAgain,
    UnknownMeeting,
)
from praatmee.models import (
    CancellationAnswer,
    MeetingsAnswer,
    MeetingStatus,
    MeetingView,
    RegistrationAnswer,
    RegistrationRequest,
    RegistrationStatus,
    normalise_email,
)
from praatmee.quotas import replacement
from praatmee.store import Store
from praatmee.table import NewRegistration, StoredRegistration
from praatmee.waitlist import WaitingList

# A full meeting and a freed seat can alternate under heavy traffic; after this many rounds: try again.
MAX_ROUNDS = 5
# Cancellations at once all race for the head of the waiting list, and each round one of them wins: so more
# rounds, spread apart by jitter, before a person is asked to try again.
CANCEL_ROUNDS = 30


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Context:
    """What the rules need besides the request: built once per process by the handler."""

    store: Store
    edition: Edition
    hash_key: bytes
    now: Callable[[], dt.datetime] = utc_now


class Outcome(StrEnum):
    """How a sign-up ended; the values are the metric's `outcome` dimension."""

    APPLIED = "applied"
    PLACED = "placed"
    WAITLISTED = "waitlisted"
    PENDING_GUARDIAN = "pending_guardian"
    UNCONFIRMED = "unconfirmed"  # holds nothing until the link in the first mail is followed (confirming.py)
    # The same data again: the stored registration's answer, nothing written.
    REPLAYED = "replayed"
    # A bot filled the hidden field: an answer like a success, nothing written.
    HONEYPOT = "honeypot"


@dataclass(frozen=True)
class Registered:
    answer: RegistrationAnswer
    # The secret for cancelling, for the confirmation e-mail only: never in an HTTP answer or a log.
    cancel_token: str | None
    outcome: Outcome
    # The secret of the guardian's consent link (pupils under 16), for their e-mail only.
    guardian_token: str | None = None
    # People waiting who got seats that this sign-up found free (added seats): the route mails them at once.
    promoted: tuple[str, ...] = ()
    confirm_token: str | None = None  # the secret of the confirm link, for the first e-mail only

    @property
    def stored(self) -> bool:
        """Whether this sign-up wrote a new registration."""
        return self.outcome not in (Outcome.REPLAYED, Outcome.HONEYPOT)


def keyed_hash(key: bytes, purpose: str, value: str) -> str:
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def email_hash(key: bytes, request: RegistrationRequest) -> str:
    """The uniqueness marker's key: one adult and one pupil may share an address (a pupil often uses a
    parent's), so a pupil's address is hashed for another purpose. Adults keep the original purpose."""
    return marker_hash(key, request.email, request.role)


def marker_hash(key: bytes, email: str, role: Role) -> str:
    purpose = "pupil-email" if role is Role.LEERLING else "email"
    return keyed_hash(key, purpose, normalise_email(email))


def token_hash(token: str) -> str:
    # The token has 256 random bits, so a plain SHA-256 is enough; only the hash is stored.
    return hashlib.sha256(token.encode()).hexdigest()


def _stored_fields(request: RegistrationRequest) -> dict[str, object]:
    data = request.model_dump(mode="json", exclude={"website", "meeting"})
    if request.second_meeting is None:
        del data["second_meeting"]  # only kept where a draw gives places and someone named one
    data["email"] = normalise_email(request.email)
    if request.guardian is not None:
        data["guardian"]["email"] = normalise_email(request.guardian.email)
    return data


def _fingerprint(ctx: Context, meeting: str, stored: dict[str, object]) -> str:
    """`stored` is `_stored_fields` of the request, before any hash or mark joins it."""
    canonical = json.dumps({"meeting": meeting, **stored}, sort_keys=True)
    return keyed_hash(ctx.hash_key, "fingerprint", canonical)


def register(ctx: Context, request: RegistrationRequest, *, added_by_organiser: bool = False) -> Registered:
    """Sign up for a meeting: a seat or a place on the waiting list (first come), an application for the draw
    (`allocation: draw`), or (pupils under 16) a hold until a guardian agrees."""
    if request.website:
        # A bot filled the hidden field: answer field for field as a real sign-up, store nothing.
        until = dt.datetime.fromtimestamp(epoch(ctx.now() + ctx.edition.confirm_window), dt.UTC).isoformat()
        fake = RegistrationAnswer(
            id=uuid.uuid4().hex,
            status=RegistrationStatus.UNCONFIRMED,
            meeting=request.meeting,
            confirm_before=until,
        )
        return Registered(answer=fake, cancel_token=None, outcome=Outcome.HONEYPOT)
    meeting = ctx.edition.meeting(request.meeting)
    if meeting is None:
        raise UnknownMeeting(request.meeting)
    if ctx.now() >= ctx.edition.registration_closes_at:
        raise RegistrationClosed(meeting.id)
    if request.sector not in meeting.audience:
        raise NotEligible(f"{request.sector} for {meeting.id}")
    if request.second_meeting is not None:
        _check_second_choice(ctx.edition, request)

    cancel_token = secrets.token_urlsafe(32)
    guardian_token = secrets.token_urlsafe(32) if request.under_16 else None
    # An organiser vouches for who they add; a guardian's consent confirms a pupil under 16 (DECISIONS.md).
    confirm_token = None if added_by_organiser or request.under_16 else secrets.token_urlsafe(32)
    now = ctx.now().astimezone(dt.UTC)
    data = _stored_fields(request)
    fingerprint = _fingerprint(ctx, request.meeting, data)  # the same fields, dumped once per sign-up
    if added_by_organiser:
        data["added_by_organiser"] = True  # by phone or on paper: the export and the room show it
    if guardian_token is not None:
        data["guardian_token_hash"] = token_hash(guardian_token)
    if confirm_token is not None:
        data["confirm_token_hash"] = token_hash(confirm_token)
    new = NewRegistration(
        id=uuid.uuid4().hex,
        meeting=meeting.id,
        email_hash=email_hash(ctx.hash_key, request),
        fingerprint=fingerprint,
        token_hash=token_hash(cancel_token),
        created_at=now.isoformat(timespec="milliseconds"),
        # Unconfirmed, the sign-up and its marker live only for the confirm window.
        expires_at=ctx.edition.expires_at
        if confirm_token is None
        else epoch(now + ctx.edition.confirm_window),
        data=data,
    )
    guardian = None if request.guardian is None or added_by_organiser else request.guardian.email
    promoted: list[str] = []
    try:
        with guardian_asks.counted(ctx.store, ctx.hash_key, guardian, new.email_hash, ctx.edition.expires_at):
            answer = _write(
                ctx, new, pending=request.under_16, unconfirmed=confirm_token is not None, promoted=promoted
            )
    except Duplicate as duplicate:
        return _replay(ctx, new, duplicate)
    return Registered(
        answer=answer,
        cancel_token=cancel_token,
        outcome=Outcome(answer.status.value),
        guardian_token=guardian_token,
        promoted=tuple(promoted),
        confirm_token=confirm_token,
    )


def _check_second_choice(edition: Edition, request: RegistrationRequest) -> None:
    """A second choice only where a draw gives the places: another meeting for the person's school type."""
    if edition.allocation is not Allocation.DRAW:
        raise SecondMeetingNotOffered(str(request.second_meeting))
    second = edition.meeting(str(request.second_meeting))
    if second is None or second.id == request.meeting or request.sector not in second.audience:
        raise SecondMeetingRefused(str(request.second_meeting))


def _write(
    ctx: Context, new: NewRegistration, *, pending: bool, unconfirmed: bool, promoted: list[str]
) -> RegistrationAnswer:
    if unconfirmed:
        ctx.store.hold(new, RegistrationStatus.UNCONFIRMED, new_token())
        until = dt.datetime.fromtimestamp(new.expires_at, dt.UTC).isoformat()
        return RegistrationAnswer(
            id=new.id, status=RegistrationStatus.UNCONFIRMED, meeting=new.meeting, confirm_before=until
        )
    if pending or ctx.edition.allocation is Allocation.DRAW:
        held = RegistrationStatus.PENDING_GUARDIAN if pending else RegistrationStatus.APPLIED
        ctx.store.hold(new, held, new_token())
        return RegistrationAnswer(id=new.id, status=held, meeting=new.meeting)
    status, position = seat_or_wait(
        new.meeting,
        promote=lambda: promoted.extend(promote_waitlist(ctx.store, ctx.edition, new.meeting)),
        place=lambda token: ctx.store.place(new, token),
        wait=lambda ticket: ctx.store.join_waitlist(new, ticket, new_token()),
        queue=ctx.store,
    )
    return RegistrationAnswer(id=new.id, status=status, meeting=new.meeting, waitlist_position=position)


def seat_or_wait(
    meeting_id: str,
    *,
    promote: Callable[[], object],
    place: Callable[[str], None],
    wait: Callable[[int], None],
    queue: WaitingList,
) -> tuple[RegistrationStatus, int | None]:
    """A seat if there is one, else the waiting list: the one loop a sign-up and a consent go through.

    The position told is one the person holds or betters from then on (`waitlist.py`): everyone waiting or
    on their way when the ticket was issued, plus one."""
    # One token per logical transaction, so its retries are idempotent at DynamoDB.
    seat_token = new_token()
    for _ in range(MAX_ROUNDS):
        try:
            place(seat_token)
            return RegistrationStatus.PLACED, None
        except MeetingFull as full:
            if full.seats_free:
                # Seats were added while people wait: they get them first, then try again.
                promote()
                continue
        try:
            ticket, at_most = queue.take_ticket(meeting_id)
        except SeatFreed:
            continue
        try:
            wait(ticket)
        except SeatFreed:
            queue.return_ticket(meeting_id)  # refused, so certainly not written
            continue
        except (Duplicate, StateChanged):
            queue.return_ticket(meeting_id)
            raise
        return RegistrationStatus.WAITLISTED, at_most
    raise TryAgain("seats kept changing")


def _replay(ctx: Context, new: NewRegistration, duplicate: Duplicate) -> Registered:
    """The same data again (a retry, a double click) gets the registration's answer; other data a 409."""
    if not hmac.compare_digest(duplicate.fingerprint, new.fingerprint):
        raise AlreadyRegistered(new.meeting)
    stored = ctx.store.registration(duplicate.registration_id)
    if stored is None or stored.status is RegistrationStatus.CANCELLED:
        raise TryAgain("marker without a live registration")
    position = None
    if stored.status is RegistrationStatus.WAITLISTED and stored.ticket is not None:
        position = ctx.store.waitlist_position(stored.meeting, stored.ticket)
    answer = RegistrationAnswer(
        id=stored.id, status=stored.status, meeting=stored.meeting, waitlist_position=position
    )
    return Registered(answer=answer, cancel_token=None, outcome=Outcome.REPLAYED)


@dataclass(frozen=True)
class Cancelled:
    answer: CancellationAnswer
    # Who got the freed seat from the waiting list (they are mailed at once), if anyone.
    promoted: str | None = None


def cancel_registration(ctx: Context, registration_id: str, token: str) -> Cancelled:
    """Cancel with the secret token; a freed seat goes to the first person waiting, in one transaction.

    Also tells who was promoted, so the route can mail them at once.
    """
    hashed = token_hash(token)
    return cancel(ctx, registration_id, lambda stored: hmac.compare_digest(stored.token_hash, hashed))


def cancel(
    ctx: Context, registration_id: str, allowed: Callable[[StoredRegistration], bool] = lambda _: True
) -> Cancelled:
    """Cancel a registration that `allowed` lets go (the person's token; an organiser may always)."""
    for attempt in range(CANCEL_ROUNDS):
        if attempt:
            time.sleep(full_jitter(min(attempt, 4)))  # at most 0.16 s: racers for one head spread apart
        stored = ctx.store.registration(registration_id)
        if stored is None or not allowed(stored):
            raise RegistrationNotFound()
        if stored.status is RegistrationStatus.CANCELLED:
            return Cancelled(CancellationAnswer(id=stored.id, status=stored.status))
        placed = stored.status is RegistrationStatus.PLACED
        head = next_in_line(ctx.store, ctx.edition, stored.meeting, stored.id) if placed else None
        try:
            outcome = ctx.store.cancel(stored, stored.token_hash, head, new_token())
        except StateChanged:
            continue
        promoted = head[1] if outcome == "promoted" and head is not None else None
        return Cancelled(CancellationAnswer(id=stored.id, status=RegistrationStatus.CANCELLED), promoted)
    raise TryAgain("registration kept changing")


def next_in_line(
    store: Store, edition: Edition, meeting_id: str, leaving: str | None = None
) -> tuple[int, str] | None:
    """Who gets a free seat (the one `leaving` frees, or one organisers added): the head of the waiting
    list; after a draw, the first reserve of the same kind as who left, else the first whose seat keeps the
    meeting's targets, else the first reserve."""
    counts = store.meeting_counts([meeting_id]).get(meeting_id)
    if counts is not None and counts.placed > counts.capacity:
        return None  # organisers lowered the capacity below the placed: a freed seat goes, nobody moves up
    meeting = edition.meeting(meeting_id)
    if edition.allocation is not Allocation.DRAW or meeting is None or meeting.targets is None:
        return store.waitlist_head(meeting_id)
    waiting = store.waiting_list(meeting_id)
    if len(waiting) < 2:
        return waiting[0] if waiting else None
    # A scan of the table: cancellations are rare, and the mix of who stays needs every seat's person.
    panel: dict[str, frozenset[str]] = {}
    waiting_labels: dict[str, frozenset[str]] = {}
    for data in store.registrations():
        if data.get("meeting") != meeting_id:
            continue
        themes = [Theme(theme) for theme in data.get("themes", [])]
        labels = features(Role(data["role"]), Sector(data["sector"]), themes)
        if data.get("status") == RegistrationStatus.PLACED.value:
            panel[str(data["registration_id"])] = labels
        elif data.get("status") == RegistrationStatus.WAITLISTED.value:
            waiting_labels[str(data["registration_id"])] = labels
    reserves = [(person, waiting_labels[person]) for _, person in waiting if person in waiting_labels]
    chosen = replacement(panel, leaving, reserves, meeting.targets.quotas())
    return next((entry for entry in waiting if entry[1] == chosen), waiting[0])


def registration_for_token(ctx: Context, registration_id: str, token: str) -> StoredRegistration:
    """The registration a cancel link is for. Raises `RegistrationNotFound` for an unknown id or a wrong
    token, alike."""
    stored = ctx.store.registration(registration_id)
    if stored is None or not hmac.compare_digest(stored.token_hash, token_hash(token)):
        raise RegistrationNotFound()
    return stored


def promote_waitlist(store: Store, edition: Edition, meeting_id: str) -> list[str]:
    """Fill free seats (after organisers raised the capacity) from the waiting list: its head, or after a
    draw the reserve that keeps the meeting's mix (`next_in_line`). Returns who moved up, first first."""
    promoted: list[str] = []
    failures = 0
    while failures < MAX_ROUNDS:
        counts = store.meeting_counts([meeting_id]).get(meeting_id)
        if counts is None or counts.placed >= counts.capacity:
            return promoted
        head = next_in_line(store, edition, meeting_id)
        if head is None:
            return promoted
        try:
            store.promote(meeting_id, head, new_token())
            promoted.append(head[1])
        except StateChanged:
            failures += 1
    return promoted


def meetings_overview(ctx: Context) -> MeetingsAnswer:
    edition = ctx.edition
    counts = ctx.store.meeting_counts([m.id for m in edition.meetings])
    closed = ctx.now() >= edition.registration_closes_at
    views = []
    for meeting in edition.meetings:
        count = counts.get(meeting.id)
        if count is None:
            raise TryAgain(f"meeting {meeting.id} is not in the table")
        seats_left = max(0, count.capacity - count.placed)
        # Before a draw nobody holds a seat, so a meeting is never "full" while sign-up is open.
        open_ = seats_left > 0 or edition.allocation is Allocation.DRAW
        status = MeetingStatus.CLOSED if closed else MeetingStatus.OPEN if open_ else MeetingStatus.FULL
        views.append(
            MeetingView(
                id=meeting.id,
                title=meeting.title,
                place=meeting.place,
                starts_at=edition.starts_at(meeting).isoformat(),
                ends_at=edition.ends_at(meeting).isoformat(),
                audience=[sector for sector in Sector if sector in meeting.audience],
                capacity=count.capacity,
                seats_left=seats_left,
                waitlist_length=count.waitlist_length,
                applicants=count.applied,
                status=status,
            )
        )
    return MeetingsAnswer(meetings=views)

"""The draw after the deadline (`allocation: draw`): per meeting, a fair draw picks who gets a seat.

A meeting's pool is everyone who applied (a pupil under 16 once a guardian agreed). The choice is
`sortition.draw`, a pure function of (pool, targets, seats, seed). It is recorded on the meeting before anyone
moves, so running the job again repeats nothing: it seats the people drawn through the seat counter a sign-up
uses, puts everyone else on the reserve list in draw order, and mails each of them once (a seat: the
confirmation with its calendar entry; a reserve place: its position).

With a `bundle.Lottery` (always on AWS and with `praatmee draw`), the draw is one anyone can check: the seed
of each label comes from the published commitment's secret and drand round (`commitment.seed`), the pool is
drawn under draw numbers, and each draw's bundle is published before its record (`bundle.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from praatmee import texts
from praatmee.commitment import label
from praatmee.dynamo import new_token
from praatmee.edition import Allocation, Meeting, Role, Sector, Theme, features
from praatmee.errors import MeetingFull, SeatFreed, StateChanged
from praatmee.models import RegistrationStatus
from praatmee.quotas import Pool, Quotas, left_over, missed
from praatmee.table import DrawRecord

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from praatmee.bundle import Lottery
    from praatmee.edition import Edition
    from praatmee.mail import MailContext
    from praatmee.store import Store

APPLIED = RegistrationStatus.APPLIED
logger = Logger(service="praatmee-draw")


class DrawNotDue(Exception):
    """The edition gives places first come, or its sign-up has not closed yet. Not a `DomainError`: it never
    reaches the API, whose error table would have no HTTP answer or Dutch message for it."""

    code = "draw_not_due"


@dataclass(frozen=True)
class MeetingDraw:
    """What the draw did for one meeting: numbers and missed targets only, never a name."""

    meeting: str
    pool: int
    seats: int
    placed: int
    reserves: int
    shortfalls: tuple[tuple[str, int, int], ...]  # (feature, missing, excess)

    def as_dict(self) -> dict[str, Any]:
        """For the log and the function's answer: counts and missed targets (feature labels, no people)."""
        missed = [{"feature": f, "missing": short, "excess": over} for f, short, over in self.shortfalls]
        return {
            "pool": self.pool,
            "seats": self.seats,
            "placed": self.placed,
            "reserves": self.reserves,
            "missed_targets": missed,
        }

    def shortfall_lines(self, title: str) -> list[str]:
        """Each missed target in plain Dutch, e.g. "Regio Zuid: 3 te weinig in de groep ouders"."""
        lines = []
        for feature, missing, excess in self.shortfalls:
            label = texts.FEATURE_LABELS.get(feature, feature)
            if missing:
                lines.append(texts.DRAW_TEXTS["too_few"].format(meeting=title, n=missing, group=label))
            if excess:
                lines.append(texts.DRAW_TEXTS["too_many"].format(meeting=title, n=excess, group=label))
        return lines


@dataclass(frozen=True)
class DrawContext:
    """What the draw needs: the table, the edition, the moment it runs, and (to mail) the mail context."""

    store: Store
    edition: Edition
    now: dt.datetime
    mailing: MailContext | None = None
    # The verifiable draw: draw numbers and the published bundles (None: registration ids, no bundle).
    lottery: Lottery | None = None


def check_due(edition: Edition, now: dt.datetime) -> None:
    """Raises `DrawNotDue` unless the edition draws and its sign-up has closed."""
    if edition.allocation is not Allocation.DRAW:
        raise DrawNotDue("this edition gives places first come")
    if now < edition.registration_closes_at:
        raise DrawNotDue("sign-up is still open")


def run_draw(ctx: DrawContext, seed_for: Callable[[str], bytes]) -> list[MeetingDraw]:
    """Draw every meeting of the edition (once; a second run only finishes what the first left).

    First each meeting draws among its first choices; then, where seats are left, among the people not
    drawn elsewhere who named it as their second choice (seed label `<meeting>/2`). Every draw is recorded
    before anyone moves; then the panels are seated, the second choices, and last the reserves. `seed_for`
    gives the seed of a draw label (`label`); on AWS and with `praatmee draw`, `Lottery.seed`."""
    edition = ctx.edition
    check_due(edition, ctx.now)
    applicants = _applicants(ctx.store)
    firsts = {
        meeting.id: ctx.store.draw_record(meeting.id)
        or _draw(ctx, meeting, applicants.pool(meeting.id), seed_for(label(meeting.id, 1)))
        for meeting in edition.meetings
    }
    seconds = {
        meeting.id: _second_draw(ctx, meeting, firsts, applicants, seed_for) for meeting in edition.meetings
    }
    placed = {meeting_id: _seat(ctx, meeting_id, record.selected) for meeting_id, record in firsts.items()}
    for meeting_id, record in seconds.items():
        if record is not None:
            seated, _ = _seat(ctx, meeting_id, record.selected, second_choice=True)
            placed[meeting_id] = (placed[meeting_id][0] + seated, placed[meeting_id][1])
    results = []
    for meeting in edition.meetings:
        first, second = firsts[meeting.id], seconds[meeting.id]
        seated, overflow = placed[meeting.id]
        reserved = _reserve(ctx, meeting.id, (*overflow, *first.reserves))
        if ctx.mailing is not None:
            _mail(ctx.mailing, first)
            if second is not None:
                _mail(ctx.mailing, second)
        drawn = (*first.selected, *(second.selected if second is not None else ()))
        shortfalls = first.shortfalls
        if second is not None and second.selected:
            shortfalls = missed(applicants.panel(drawn), meeting.targets.quotas()) if meeting.targets else ()
        pool = len(first.selected) + len(first.reserves)
        results.append(MeetingDraw(meeting.id, pool, len(drawn), seated, reserved, shortfalls))
    return results


def _draw(ctx: DrawContext, meeting: Meeting, pool: Pool, seed: bytes) -> DrawRecord:
    """Draw among a meeting's first choices for its free seats, and record it."""
    counts = ctx.store.meeting_counts([meeting.id])[meeting.id]
    seats = max(0, counts.capacity - counts.placed)
    return _record(ctx, meeting, pool, _quotas(meeting), seats, seed, choice=1)


def _second_draw(
    ctx: DrawContext,
    meeting: Meeting,
    firsts: dict[str, DrawRecord],
    applicants: _Applicants,
    seed_for: Callable[[str], bytes],
) -> DrawRecord | None:
    """Draw among second choices for the seats the first choices left, if any; the targets count the
    people already drawn. None when no seat was left."""
    first = firsts[meeting.id]
    seats = first.seats - len(first.selected)
    if seats <= 0:
        return None
    recorded = ctx.store.draw_record(meeting.id, 2)
    if recorded is not None:
        return recorded
    not_drawn = (person for record in firsts.values() for person in record.reserves)
    pool = applicants.panel(p for p in not_drawn if applicants.second.get(p) == meeting.id)
    before = applicants.panel(first.selected)
    quotas = left_over(_quotas(meeting), before)
    seed = seed_for(label(meeting.id, 2))
    return _record(ctx, meeting, pool, quotas, seats, seed, choice=2, before=before)


def _quotas(meeting: Meeting) -> Quotas:
    assert meeting.targets is not None  # the edition model requires targets for a draw
    return meeting.targets.quotas()


def _record(
    ctx: DrawContext,
    meeting: Meeting,
    pool: Pool,
    quotas: Quotas,
    seats: int,
    seed: bytes,
    *,
    choice: int,
    before: Pool | None = None,
) -> DrawRecord:
    """Draw and record it; `before`: who the quotas already count (a second pass: the first's panel)."""
    from praatmee import sortition  # the solver (HiGHS) only here: never on the registration API's path

    # Drawn under the pseudonyms its bundle publishes, so anyone can re-run it from the bundle alone.
    named = ctx.lottery.pseudonyms(pool) if ctx.lottery is not None else {rid: rid for rid in pool}
    drawn_pool = {number: pool[rid] for number, rid in named.items()}
    result = sortition.draw(drawn_pool, quotas, seats, seed)
    record = DrawRecord(
        meeting=meeting.id,
        drawn_at=ctx.now.astimezone(dt.UTC).isoformat(timespec="seconds"),
        selected=tuple(named[number] for number in result.selected),
        # The second choices not drawn stay reserves for their first choice only: one place per person.
        reserves=tuple(named[number] for number in result.reserves) if choice == 1 else (),
        # A meeting nobody applied for misses every target; that says nothing the pool size does not.
        shortfalls=tuple((f.feature, f.missing, f.excess) for f in result.shortfalls) if pool else (),
        seats=seats,
        choice=choice,
    )
    if ctx.lottery is not None:  # before the record: a failed upload leaves the draw to the next run
        from praatmee.bundle import DrawInputs

        already = {ctx.lottery.number(rid): labels for rid, labels in (before or {}).items()}
        inputs = DrawInputs(label(meeting.id, choice), drawn_pool, quotas, seats, already)
        ctx.lottery.publish(record, inputs, result)
    return ctx.store.record_draw(record, ctx.edition.expires_at)


def _seat(
    ctx: DrawContext, meeting_id: str, drawn: Sequence[str], *, second_choice: bool = False
) -> tuple[int, list[str]]:
    """Seat the people drawn; people who withdrew meanwhile are skipped. Returns how many this run seated,
    and who found no seat because organisers lowered the capacity (first in line instead)."""
    placed, overflow = 0, []
    for registration_id in drawn:
        applied_at = None
        if second_choice:
            stored = ctx.store.registration(registration_id)
            if stored is None or stored.status is not APPLIED:
                continue  # seated by an earlier run, or withdrew
            applied_at = stored.meeting
        try:
            ctx.store.seat_held(registration_id, meeting_id, APPLIED, new_token(), applied_at=applied_at)
            placed += 1
        except StateChanged:
            continue  # seated by an earlier run, or withdrew
        except MeetingFull:
            if not second_choice:
                overflow.append(registration_id)  # a second choice stays a reserve of its first
    return placed, overflow


def _reserve(ctx: DrawContext, meeting_id: str, in_order: Sequence[str]) -> int:
    """Everyone still applied goes on the reserve list in draw order (a seat if one came free)."""
    reserved = 0
    for registration_id in in_order:
        stored = ctx.store.registration(registration_id)
        if stored is None or stored.status is not APPLIED:
            continue  # withdrew, or seated at their second choice
        try:
            ticket, _ = ctx.store.take_ticket(meeting_id)
            wait: tuple[int, int] | None = (ticket, ctx.edition.expires_at)
        except SeatFreed:
            wait = None  # someone drawn withdrew before the draw seated them: the next in line gets it
        try:
            ctx.store.seat_held(registration_id, meeting_id, APPLIED, new_token(), wait=wait)
        except (StateChanged, SeatFreed, MeetingFull):
            if wait is not None:
                ctx.store.return_ticket(meeting_id)  # refused: the ticket is no longer on its way
            continue  # withdrew meanwhile, or seats changed: a later run finishes it
        reserved += wait is not None
    return reserved


def _mail(mailing: MailContext, record: DrawRecord) -> None:
    """Each person drawn or on the reserve list hears their result once (the mail marks decide)."""
    from praatmee import mail

    kinds = {RegistrationStatus.PLACED: mail.CONFIRMATION, RegistrationStatus.WAITLISTED: mail.RESERVE}
    for registration_id in (*record.selected, *record.reserves):
        stored = mailing.store.registration(registration_id)
        kind = kinds.get(stored.status) if stored is not None else None
        if kind is not None:
            mail.safely(partial(mail.deliver, mailing, kind, registration_id), kind.name)


@dataclass(frozen=True)
class _Applicants:
    """Everyone applied: per meeting the labels they count for in its target mix, and second choices."""

    labels: dict[str, frozenset[str]]
    meeting: dict[str, str]
    second: dict[str, str]

    def pool(self, meeting_id: str) -> Pool:
        return {
            person: labels for person, labels in self.labels.items() if self.meeting[person] == meeting_id
        }

    def panel(self, people: Iterable[str]) -> Pool:
        return {person: self.labels[person] for person in people if person in self.labels}


def _applicants(store: Store) -> _Applicants:
    applicants = _Applicants({}, {}, {})
    for data in store.registrations():
        if data.get("status") != APPLIED.value:
            continue
        person = str(data["registration_id"])
        themes = [Theme(theme) for theme in data.get("themes", [])]
        applicants.labels[person] = features(Role(data["role"]), Sector(data["sector"]), themes)
        applicants.meeting[person] = str(data["meeting"])
        if data.get("second_meeting"):
            applicants.second[person] = str(data["second_meeting"])
    return applicants


# -- on AWS: the one-time schedule at the edition's draw moment runs this ------------------------------


def scheduled_draw(edition: Edition, now: dt.datetime) -> dict[str, Any]:
    """Draw every meeting with mail; an edition that gives places first come, or a draw not due yet, is
    logged and left alone (no error: the schedule must not retry it). No commitment, an edition that
    differs from it, or a beacon out of reach is an error: the scheduler retries, the alarm tells people."""
    if edition.allocation is not Allocation.DRAW:
        logger.info("no draw: this edition gives places first come")
        return {"drawn": False, "reason": "first_come"}
    try:
        check_due(edition, now)
    except DrawNotDue as exc:
        logger.info("no draw: not due", extra={"reason": str(exc)})
        return {"drawn": False, "reason": exc.code}
    from praatmee.bundle import scheduled_lottery
    from praatmee.mail import MailContext
    from praatmee.ses import SesSender
    from praatmee.settings import get_draw_settings
    from praatmee.store import Store

    settings = get_draw_settings()
    lottery = scheduled_lottery(settings, edition)  # the seed: the commitment kept, the round verified
    store = Store(settings.table_name)
    sender = SesSender(sender=settings.sender_address, reply_to=str(edition.contact_email))
    mailing = MailContext(store, edition, sender, settings.site_origin, draw_number=lottery.number)
    results = run_draw(DrawContext(store, edition, now, mailing, lottery), lottery.seed)
    report: dict[str, Any] = {"drawn": True, "meetings": {r.meeting: r.as_dict() for r in results}}
    report["bundles"] = {name: done.sha256 for name, done in lottery.published.items()}
    logger.info("draw run", extra=report)
    return report


@logger.inject_lambda_context(log_event=False, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The one-time schedule at `draw_at` (the event carries nothing the draw uses)."""
    from praatmee.edition import load_edition

    return scheduled_draw(load_edition(), dt.datetime.now(dt.UTC))

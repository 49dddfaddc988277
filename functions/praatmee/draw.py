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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from praatmee import texts
from praatmee.dynamo import new_token
from praatmee.edition import Allocation, Meeting, Role, Sector, Theme, features
from praatmee.errors import MeetingFull, SeatFreed, StateChanged
from praatmee.models import RegistrationStatus
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
    `seed_for` gives the seed of a draw label (a meeting id); on AWS `Lottery.seed`."""
    edition = ctx.edition
    check_due(edition, ctx.now)
    pools = _pools(ctx.store)
    return [
        draw_meeting(ctx, meeting, pools.get(meeting.id, {}), seed_for(meeting.id))
        for meeting in edition.meetings
    ]


def draw_meeting(
    ctx: DrawContext, meeting: Meeting, pool: dict[str, frozenset[str]], seed: bytes
) -> MeetingDraw:
    record = ctx.store.draw_record(meeting.id)
    if record is None:
        record = _draw(ctx, meeting, pool, seed)
    placed, reserves = _carry_out(ctx, meeting.id, record)
    if ctx.mailing is not None:
        _mail(ctx.mailing, record)
    seats = len(record.selected)
    return MeetingDraw(
        meeting.id, len(record.selected) + len(record.reserves), seats, placed, reserves, record.shortfalls
    )


def _draw(ctx: DrawContext, meeting: Meeting, pool: dict[str, frozenset[str]], seed: bytes) -> DrawRecord:
    from praatmee import sortition  # the solver (HiGHS) only here: never on the registration API's path

    assert meeting.targets is not None  # the edition model requires targets for a draw
    counts = ctx.store.meeting_counts([meeting.id])[meeting.id]
    seats = max(0, counts.capacity - counts.placed)
    quotas = meeting.targets.quotas()
    # Drawn under the pseudonyms its bundle publishes, so anyone can re-run it from the bundle alone.
    named = ctx.lottery.pseudonyms(pool) if ctx.lottery is not None else {rid: rid for rid in pool}
    drawn_pool = {number: pool[rid] for number, rid in named.items()}
    result = sortition.draw(drawn_pool, quotas, seats, seed)
    record = DrawRecord(
        meeting=meeting.id,
        drawn_at=ctx.now.astimezone(dt.UTC).isoformat(timespec="seconds"),
        selected=tuple(named[number] for number in result.selected),
        reserves=tuple(named[number] for number in result.reserves),
        # A meeting nobody applied for misses every target; that says nothing the pool size does not.
        shortfalls=tuple((f.feature, f.missing, f.excess) for f in result.shortfalls) if pool else (),
    )
    if ctx.lottery is not None:  # before the record: a failed upload leaves the meeting to the next run
        from praatmee.bundle import DrawInputs

        inputs = DrawInputs(meeting.id, drawn_pool, quotas, seats)
        ctx.lottery.publish(record, inputs, result.probabilities)
    return ctx.store.record_draw(record, ctx.edition.expires_at)


def _carry_out(ctx: DrawContext, meeting_id: str, record: DrawRecord) -> tuple[int, int]:
    """Seat the people drawn, then the reserves in order; people who withdrew meanwhile are skipped."""
    placed = reserved = 0
    overflow = []
    for registration_id in record.selected:
        try:
            ctx.store.seat_held(registration_id, meeting_id, APPLIED, new_token())
            placed += 1
        except StateChanged:
            continue  # seated by an earlier run, or withdrew
        except MeetingFull:
            overflow.append(registration_id)  # organisers lowered the capacity: first in line instead
    for registration_id in (*overflow, *record.reserves):
        stored = ctx.store.registration(registration_id)
        if stored is None or stored.status is not APPLIED:
            continue
        try:
            ticket, _ = ctx.store.take_ticket(meeting_id)
            wait: tuple[int, int] | None = (ticket, ctx.edition.expires_at)
        except SeatFreed:
            wait = None  # someone drawn withdrew before the draw seated them: the next in line gets it
        try:
            ctx.store.seat_held(registration_id, meeting_id, APPLIED, new_token(), wait=wait)
        except (StateChanged, SeatFreed, MeetingFull):
            continue  # withdrew meanwhile, or seats changed: a later run finishes it
        placed, reserved = (placed + 1, reserved) if wait is None else (placed, reserved + 1)
    return placed, reserved


def _mail(mailing: MailContext, record: DrawRecord) -> None:
    """Each person drawn or on the reserve list hears their result once (the mail marks decide)."""
    from praatmee import mail

    kinds = {RegistrationStatus.PLACED: mail.CONFIRMATION, RegistrationStatus.WAITLISTED: mail.RESERVE}
    for registration_id in (*record.selected, *record.reserves):
        stored = mailing.store.registration(registration_id)
        kind = kinds.get(stored.status) if stored is not None else None
        if kind is not None:
            mail.safely(partial(mail.deliver, mailing, kind, registration_id), kind.name)


def _pools(store: Store) -> dict[str, dict[str, frozenset[str]]]:
    """Per meeting, everyone applied, with the labels they count for in its target mix."""
    pools: dict[str, dict[str, frozenset[str]]] = {}
    for data in _applied(store.registrations()):
        themes = [Theme(theme) for theme in data.get("themes", [])]
        labels = features(Role(data["role"]), Sector(data["sector"]), themes)
        pools.setdefault(str(data["meeting"]), {})[str(data["registration_id"])] = labels
    return pools


def _applied(registrations: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    return (data for data in registrations if data.get("status") == APPLIED.value)


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
    report["bundles"] = {label: done.sha256 for label, done in lottery.published.items()}
    logger.info("draw run", extra=report)
    return report


@logger.inject_lambda_context(log_event=False, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The one-time schedule at `draw_at` (the event carries nothing the draw uses)."""
    from praatmee.edition import load_edition

    return scheduled_draw(load_edition(), dt.datetime.now(dt.UTC))

"""The draw under load: two runs at once and people withdrawing meanwhile, on a DynamoDB that answers one
call in five with a conflict or throttling. The seat counter still never gives one seat too many."""

from __future__ import annotations

import datetime as dt

from praatmee import commitment, draw, service
from praatmee.edition import Allocation, load_edition
from praatmee.models import RegistrationStatus
from praatmee.store import Store
from tests.fixtures import assert_seat_invariants, make_context, sign_up, valid_body
from tests.test_store_concurrency import Injector, busy_store, run_threads, tickets_in_order

__all__ = ["busy_store", "tickets_in_order"]  # fixtures shared with the sign-up concurrency tests

MEETING, SECOND = "noord-wolvega", "online"
SEATS, SECOND_SEATS = 10, 5
AFTER_DEADLINE = dt.datetime(2027, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_two_draws_and_withdrawals_at_once_never_seat_more_than_the_capacity(
    busy_store: tuple[Store, Injector],
) -> None:
    # Given 40 applications for a meeting of ten seats, on a busy DynamoDB; 16 of them name the online
    # meeting second, which has five seats and two applicants of its own
    store, injector = busy_store
    edition = load_edition().model_copy(update={"allocation": Allocation.DRAW})
    ctx = make_context(store, edition=edition)
    share, injector.share = injector.share, 0.0  # organisers set the seats on a quiet table
    store.set_capacity(MEETING, SEATS)
    store.set_capacity(SECOND, SECOND_SEATS)
    injector.share = share
    roles = ["ouder", "leerling", "leraar", "begeleider", "expert"]

    def apply(meeting: str, n: int, second: str | None = None) -> service.Registered:
        body = valid_body(
            meeting=meeting, second_meeting=second, sector="vo", role=roles[n % 5], under_16=False
        )
        return sign_up(ctx, **{**body, "email": f"p{n}@example.org"})  # and confirmed

    # (the eight who withdraw below named no second choice, so the second seats are certain to fill)
    registered = [apply(MEETING, n, SECOND if n % 2 and n >= 8 else None) for n in range(40)]
    own = [apply(SECOND, n) for n in range(40, 42)]
    leaving = registered[:8]
    drawing = draw.DrawContext(store, edition, AFTER_DEADLINE)
    seed = commitment.seeds(bytes(32), "concurrency")

    # When two runs of the draw and eight withdrawals happen at the same moment
    def work(index: int) -> object:
        if index < 2:
            return draw.run_draw(drawing, seed)
        one = leaving[index - 2]
        assert one.cancel_token is not None
        return service.cancel_registration(ctx, one.answer.id, one.cancel_token)

    results = run_threads(2 + len(leaving), work)

    # Then nothing failed, and the ledger holds: never more seats than the capacity, every counter true
    assert [result for _, result in results if isinstance(result, Exception)] == []
    assert injector.injected > 0
    ledger = assert_seat_invariants(store, MEETING)
    assert ledger.placed <= SEATS
    second = assert_seat_invariants(store, SECOND)
    assert second.placed <= SECOND_SEATS
    everyone = {**ledger.registrations, **second.registrations}
    statuses = [everyone[r.answer.id]["status"]["S"] for r in registered]
    assert statuses.count(RegistrationStatus.CANCELLED.value) == len(leaving)
    # And everyone who stayed was seated or put on the reserve list, and the seats are full
    assert statuses.count(RegistrationStatus.APPLIED.value) == 0
    assert ledger.placed == SEATS
    # And the online meeting's free seats went to second choices, moved in one transaction each
    assert second.placed == SECOND_SEATS
    moved = [r.answer.id for r in registered if r.answer.id in second.ids(RegistrationStatus.PLACED)]
    assert len(moved) == SECOND_SEATS - len(own)
    assert all(r.answer.id in second.ids(RegistrationStatus.PLACED) for r in own)
    assert statuses.count(RegistrationStatus.WAITLISTED.value) == 40 - len(leaving) - SEATS - len(moved)

"""The position told on the waiting list is never better than the person's place, under real concurrency.

The claim (DECISIONS.md, the receipt's "Je bent nummer N of eerder aan de beurt"): from the moment a number
N is told, the person's place on the list is N or better. With nobody leaving the list during the test, a
place only gets worse as others land ahead, so the final order is the worst case: every number told must be
at least the person's final rank.
"""

from __future__ import annotations

from praatmee.models import RegistrationStatus
from praatmee.store import Store
from tests.fixtures import assert_seat_invariants, make_context, sign_up
from tests.test_store_concurrency import Injector, busy_store, run_threads, tickets_in_order

__all__ = ["busy_store", "tickets_in_order"]  # fixtures shared with the seat tests

PEOPLE = 50


def told_and_final(store: Store, count: int) -> list[tuple[int, int]]:
    """Sign-ups at once for a meeting without seats: each (number told, final rank on the list)."""
    ctx = make_context(store)
    # Each confirms its address at once: the confirmation is where a waiting-list place is taken.
    results = run_threads(count, lambda i: sign_up(ctx, meeting="noord-wolvega", email=f"w{i}@example.org"))
    assert [r for _, r in results if isinstance(r, Exception)] == []
    answers = [result.answer for _, result in results]
    assert {answer.status for answer in answers} == {RegistrationStatus.WAITLISTED}
    ledger = assert_seat_invariants(store, "noord-wolvega")
    rank = {registration_id: place for place, registration_id in enumerate(ledger.waiting, start=1)}
    return [(int(answer.waitlist_position or 0), rank[answer.id]) for answer in answers]


def test_fifty_at_once_are_never_told_a_better_place_than_they_hold(
    busy_store: tuple[Store, Injector],
) -> None:
    # Given a full meeting and a busy DynamoDB (one call in five a conflict)
    store, _ = busy_store
    store.set_capacity("noord-wolvega", 0)

    # When 50 people join its waiting list at the same moment
    pairs = told_and_final(store, PEOPLE)

    # Then nobody was told a better place than their final one
    better = [(told, final) for told, final in pairs if told < final]
    assert better == [], f"{len(better)} of {PEOPLE} told a better place than their final one"
    # And the list has the 50, in places 1..50
    assert sorted(final for _, final in pairs) == list(range(1, PEOPLE + 1))


def test_a_ticket_given_back_leaves_later_numbers_exact(busy_store: tuple[Store, Injector]) -> None:
    # Given a full meeting where a ticket was taken and given back (its transaction was refused)
    store, _ = busy_store
    ctx = make_context(store)
    store.set_capacity("online", 0)
    store.take_ticket("online")
    store.return_ticket("online")

    # When two people join one after the other
    first, second = (sign_up(ctx, email=f"{n}@example.org") for n in ("een", "twee"))

    # Then they hear their exact places
    assert (first.answer.waitlist_position, second.answer.waitlist_position) == (1, 2)

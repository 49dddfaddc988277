"""Cancelling under pressure: many at once all get an answer, and a lowered capacity stops promotions."""

from __future__ import annotations

from moto import mock_aws

from praatmee import service
from praatmee.laptop.localaws import cheap_transaction_snapshots, serialised_dynamodb
from praatmee.models import RegistrationStatus
from praatmee.store import Store
from tests.fixtures import (
    assert_seat_invariants,
    make_context,
    make_store,
    placed_and_waiting,
    sign_up,
    status_of,
)
from tests.test_store_concurrency import run_threads


def test_cancellations_at_once_racing_for_the_first_waiting_all_succeed(api_settings: None) -> None:
    # Given a full meeting of 25 seats with 30 people waiting (moto under its lock, real threads)
    with mock_aws(), serialised_dynamodb(), cheap_transaction_snapshots():
        store = make_store()
        ctx = make_context(store)
        store.set_capacity("online", 25)
        people = [sign_up(ctx, email=f"p{i}@example.org") for i in range(55)]
        seated, waiting = people[:25], people[25:]
        assert {p.answer.status for p in waiting} == {RegistrationStatus.WAITLISTED}

        # When the 25 seated cancel at the same moment, each with their own link
        results = run_threads(
            25, lambda i: service.cancel_registration(ctx, seated[i].answer.id, str(seated[i].cancel_token))
        )

        # Then every cancellation succeeded (no "try again"), and the first 25 waiting have the seats
        errors = [type(result).__name__ for _, result in results if isinstance(result, Exception)]
        assert errors == [], f"{len(errors)} of 25 asked to try again"
        assert placed_and_waiting(store, "online") == (25, 5)
        promoted = [p for p in waiting if status_of(store, p.answer.id) is RegistrationStatus.PLACED]
        assert promoted == waiting[:25]
        assert_seat_invariants(store, "online")


def test_after_the_capacity_is_lowered_below_the_placed_cancellations_do_not_promote(store: Store) -> None:
    # Given a meeting of 3 seats, all taken, with 2 people waiting
    ctx = make_context(store)
    store.set_capacity("online", 3)
    seated = [sign_up(ctx, email=f"s{i}@example.org") for i in range(3)]
    waiting = [sign_up(ctx, email=f"w{i}@example.org") for i in range(2)]

    # When organisers lower the capacity to 1, and two seated people cancel
    store.set_capacity("online", 1)
    for person in seated[:2]:
        cancelled = service.cancel_registration(ctx, person.answer.id, str(person.cancel_token))
        assert cancelled.promoted is None

    # Then the freed seats went away: one placed (the capacity), both still waiting
    assert placed_and_waiting(store, "online") == (1, 2)
    assert {status_of(store, p.answer.id) for p in waiting} == {RegistrationStatus.WAITLISTED}
    assert_seat_invariants(store, "online")

    # And once the placed are within the capacity again, a cancellation promotes as before
    last = service.cancel_registration(ctx, seated[2].answer.id, str(seated[2].cancel_token))
    assert last.promoted == waiting[0].answer.id
    assert placed_and_waiting(store, "online") == (1, 1)

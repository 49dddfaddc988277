"""A Hypothesis state machine over sign-up, cancellation and promotion on a small meeting (moto).

After every step the table must agree with a simple model: the counter equals the placed registrations and
never exceeds capacity, the waiting list is first come first served, one person holds at most one place.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from moto import mock_aws

from praatmee import service
from praatmee.errors import RegistrationNotFound
from praatmee.models import RegistrationAnswer, RegistrationStatus
from tests.fixtures import assert_seat_invariants, make_context, make_store, sign_up

MEETING = "noord-wolvega"
PEOPLE = st.integers(min_value=0, max_value=7)
TABLES = itertools.count()


class SeatsMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        store = make_store(table=f"seats-{next(TABLES)}")
        store.set_capacity(MEETING, 2)
        self.ctx = make_context(store)
        # The model: who holds a seat, who waits (in order), and each person's id and token.
        self.capacity = 2
        self.placed: set[int] = set()
        self.waiting: list[int] = []
        self.ids: dict[int, tuple[str, str]] = {}
        self.seats_added_since_promotion = False

    @rule(person=PEOPLE)
    def register(self, person: int) -> None:
        registered = sign_up(self.ctx, meeting=MEETING, email=f"p{person}@example.org")
        answer = registered.answer
        if person in self.placed or person in self.waiting:
            # A replay: the same registration, its current status
            assert answer.id == self.ids[person][0]
            assert registered.outcome is service.Outcome.REPLAYED
            expected = RegistrationStatus.PLACED if person in self.placed else RegistrationStatus.WAITLISTED
            assert answer.status is expected
            if person in self.waiting:
                assert answer.waitlist_position == self.waiting.index(person) + 1
            return
        assert registered.cancel_token is not None
        self.ids[person] = (answer.id, registered.cancel_token)
        # People waiting get seats the organisers added before a newcomer does (first come, first served).
        while self.waiting and len(self.placed) < self.capacity:
            self.placed.add(self.waiting.pop(0))
        self.seats_added_since_promotion = False
        if len(self.placed) < self.capacity:
            assert answer.status is RegistrationStatus.PLACED
            assert registered.outcome is service.Outcome.PLACED
            self.placed.add(person)
        else:
            assert answer.status is RegistrationStatus.WAITLISTED
            assert registered.outcome is service.Outcome.WAITLISTED
            self.waiting.append(person)
            assert answer.waitlist_position == len(self.waiting)

    @precondition(lambda self: bool(self.ids))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        person = data.draw(st.sampled_from(sorted(self.ids)))
        registration_id, token = self.ids.pop(person)
        answer = service.cancel_registration(self.ctx, registration_id, token).answer
        assert answer.status is RegistrationStatus.CANCELLED
        if person in self.placed:
            self.placed.remove(person)
            if self.waiting:
                self.placed.add(self.waiting.pop(0))
        else:
            self.waiting.remove(person)

    @precondition(lambda self: bool(self.ids))
    @rule(data=st.data())
    def cancel_with_a_wrong_token(self, data: st.DataObject) -> None:
        person = data.draw(st.sampled_from(sorted(self.ids)))
        try:
            service.cancel_registration(self.ctx, self.ids[person][0], "x" * 43)
        except RegistrationNotFound:
            return
        raise AssertionError("a wrong token cancelled a registration")

    @precondition(lambda self: self.capacity < 5)
    @rule()
    def organisers_add_a_seat(self) -> None:
        self.capacity += 1
        self.ctx.store.set_capacity(MEETING, self.capacity)
        self.seats_added_since_promotion = True

    @rule()
    def promote(self) -> None:
        promoted = service.promote_waitlist(self.ctx.store, self.ctx.edition, MEETING)
        expected = min(max(0, self.capacity - len(self.placed)), len(self.waiting))
        assert len(promoted) == expected
        for _ in range(expected):
            self.placed.add(self.waiting.pop(0))
        self.seats_added_since_promotion = False

    @invariant()
    def table_agrees_with_the_model(self) -> None:
        # The counter equals the placed registrations and never exceeds capacity (and the other invariants)
        ledger = assert_seat_invariants(self.ctx.store, MEETING)
        assert ledger.capacity == self.capacity
        assert ledger.ids(RegistrationStatus.PLACED) == {self.ids[p][0] for p in self.placed}
        # The waiting list is first come, first served
        assert ledger.waiting == [self.ids[p][0] for p in self.waiting]
        # One person holds at most one place: one marker per active registration
        assert sorted(ledger.markers) == sorted(rid for rid, _ in self.ids.values())
        # A seat is never free while people wait, unless organisers just added seats
        if not self.seats_added_since_promotion:
            assert len(self.placed) == self.capacity or not self.waiting


def test_seats_added_while_people_wait_go_to_them_before_a_newcomer(api_settings: None) -> None:
    with mock_aws():
        # Given a full meeting of one seat with one person waiting
        store = make_store(table="fair")
        store.set_capacity(MEETING, 1)
        ctx = make_context(store)

        def sign_up_person(n: int) -> RegistrationAnswer:
            return sign_up(ctx, meeting=MEETING, email=f"f{n}@example.org").answer

        sign_up_person(0)
        waiting = sign_up_person(1)
        assert waiting.status is RegistrationStatus.WAITLISTED

        # When organisers add a seat and a newcomer signs up
        store.set_capacity(MEETING, 2)
        newcomer = sign_up_person(2)

        # Then the one who waited has the seat and the newcomer waits
        promoted = store.registration(waiting.id)
        assert promoted is not None
        assert promoted.status is RegistrationStatus.PLACED
        assert (newcomer.status, newcomer.waitlist_position) == (RegistrationStatus.WAITLISTED, 1)


def test_seats_keep_their_invariants(api_settings: None) -> None:
    # One moto for the whole run; every example gets a fresh table.
    with mock_aws():
        run_state_machine_as_test(
            SeatsMachine,
            settings=settings(
                max_examples=30,
                stateful_step_count=25,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )

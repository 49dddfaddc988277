"""Organisers act for one person: find, cancel, move, correct, erase, send the receipt again. On moto, through
the same transactions as the public API: the seat counter, the waiting list and the markers stay exact."""

from __future__ import annotations

import random
import time

import pytest

from praatmee import actions, mail, service
from praatmee.action_store import ActionStore
from praatmee.errors import AlreadyRegistered, ChangedMeanwhile, NotEligible, RegistrationNotFound
from praatmee.mail import MailContext
from praatmee.models import RegistrationStatus
from praatmee.store import Store
from tests.fixtures import (
    Api,
    Clock,
    assert_seat_invariants,
    mails_to,
    make_context,
    sign_up,
    status_of,
    table_items,
)
from tests.test_store_concurrency import Injector, busy_store, run_threads, tickets_in_order

__all__ = ["busy_store", "tickets_in_order"]  # fixtures shared with the sign-up concurrency tests

WOLVEGA, ONLINE = "noord-wolvega", "online"
PLACED, WAITLISTED = RegistrationStatus.PLACED, RegistrationStatus.WAITLISTED


@pytest.fixture
def desk(store: Store, clock: Clock) -> service.Context:
    """The organisers' context: the same table and edition (first come), with the organisers' writes."""
    ledger = ActionStore(store.table_name, store.client, sleep=lambda _: None)
    return make_context(ledger, clock)


@pytest.fixture
def full_wolvega(desk: service.Context) -> dict[str, service.Registered]:
    """Wolvega has two seats, both taken, and two people wait (vo, so they may also go online)."""
    desk.store.set_capacity(WOLVEGA, 2)
    people = {}
    for name in ("anna", "bram", "cees", "dirk"):
        people[name] = sign_up(desk, meeting=WOLVEGA, email=f"{name}@example.org", name=name.title())
    assert [p.answer.status for p in people.values()] == [PLACED, PLACED, WAITLISTED, WAITLISTED]
    return people


def test_a_person_is_found_by_exact_address_and_by_name_within_a_meeting(
    desk: service.Context, full_wolvega: dict[str, service.Registered]
) -> None:
    [found] = actions.find_by_email(desk, "  Cees@Example.org ")
    assert (found.name, found.status, found.position) == ("Cees", WAITLISTED, 1)
    assert actions.find_by_email(desk, "someone@example.org") == []
    assert [p.name for p in actions.find_by_name(desk, WOLVEGA, "R")] == ["Bram", "Dirk"]
    assert actions.find_by_name(desk, ONLINE, "anna") == []


def test_moving_a_seated_person_frees_their_seat_for_the_first_waiting_in_one_go(
    desk: service.Context, full_wolvega: dict[str, service.Registered]
) -> None:
    anna = full_wolvega["anna"].answer.id

    moved, promoted = actions.move(desk, anna, ONLINE)

    assert (moved.meeting, moved.status) == (ONLINE, PLACED)
    assert promoted == (full_wolvega["cees"].answer.id,)
    assert status_of(desk.store, full_wolvega["cees"].answer.id) is PLACED
    wolvega = assert_seat_invariants(desk.store, WOLVEGA)
    assert (wolvega.placed, wolvega.waiting) == (2, [full_wolvega["dirk"].answer.id])
    online = assert_seat_invariants(desk.store, ONLINE)
    assert online.ids(PLACED) == {anna}
    # And her address still counts once
    with pytest.raises(AlreadyRegistered):
        sign_up(desk, meeting=ONLINE, email="anna@example.org", name="Anna")


def test_moving_to_a_full_meeting_gives_a_reserve_place_there(
    desk: service.Context, full_wolvega: dict[str, service.Registered]
) -> None:
    desk.store.set_capacity(ONLINE, 1)
    sign_up(desk, meeting=ONLINE, email="eva@example.org", name="Eva")
    bram = full_wolvega["bram"].answer.id

    moved, _ = actions.move(desk, bram, ONLINE)

    assert (moved.meeting, moved.status, moved.position) == (ONLINE, WAITLISTED, 1)
    assert assert_seat_invariants(desk.store, ONLINE).waiting == [bram]
    assert assert_seat_invariants(desk.store, WOLVEGA).placed == 2  # Cees took Bram's seat


def test_a_move_to_a_meeting_for_another_school_type_is_refused(desk: service.Context) -> None:
    registered = sign_up(desk, meeting="midden-utrecht", sector="po", email="p@example.org")

    with pytest.raises(NotEligible):
        actions.move(desk, registered.answer.id, WOLVEGA)  # Wolvega is for secondary schools

    assert assert_seat_invariants(desk.store, "midden-utrecht").placed == 1


def test_erasing_leaves_no_item_marker_or_mail_mark_and_gives_the_seat_on(
    desk: service.Context, full_wolvega: dict[str, service.Registered]
) -> None:
    anna = full_wolvega["anna"].answer.id

    erased = actions.erase(desk, anna, ("exports/2027-02-01T09:00:00Z/",))

    assert erased.promoted == full_wolvega["cees"].answer.id
    assert erased.exports == ("exports/2027-02-01T09:00:00Z/",)
    items = table_items(desk.store)
    assert not [item for item in items if anna in str(item)]
    assert not [item for item in items if "anna" in str(item).lower()]
    wolvega = assert_seat_invariants(desk.store, WOLVEGA)
    assert wolvega.placed == 2
    [counters] = [i for i in items if i["pk"]["S"] == f"MEETING#{WOLVEGA}" and i["sk"]["S"] == "MEETING"]
    assert counters["erased"]["N"] == "1"
    # And the address is free again
    assert sign_up(desk, meeting=WOLVEGA, email="anna@example.org").outcome is service.Outcome.WAITLISTED


def test_a_corrected_address_takes_the_one_person_marker_with_it(
    desk: service.Context, full_wolvega: dict[str, service.Registered]
) -> None:
    anna = full_wolvega["anna"].answer.id

    corrected = actions.correct(
        desk, anna, {"name": "Anna de Boer", "needs": None}, email="Anna.B@example.org"
    )

    assert (corrected.name, corrected.email, corrected.status) == (
        "Anna de Boer",
        "anna.b@example.org",
        PLACED,
    )
    assert actions.find_by_email(desk, "anna@example.org") == []
    assert actions.find_by_email(desk, "anna.b@example.org") == [corrected]
    assert "receipt" not in corrected.mails
    with pytest.raises(AlreadyRegistered):
        actions.correct(desk, anna, {}, email="bram@example.org")
    assert_seat_invariants(desk.store, WOLVEGA)


def test_an_action_on_a_person_someone_else_just_changed_says_so(
    desk: service.Context, full_wolvega: dict[str, service.Registered]
) -> None:
    anna = full_wolvega["anna"]
    assert anna.cancel_token is not None
    seen = desk.store.registration(anna.answer.id)
    service.cancel_registration(desk, anna.answer.id, anna.cancel_token)

    with pytest.raises(ChangedMeanwhile):
        actions._read(desk, anna.answer.id, seen)  # what every action checks before it writes
    with pytest.raises(RegistrationNotFound):
        actions.move(desk, anna.answer.id, ONLINE)


def test_the_receipt_sent_again_has_a_fresh_link_and_the_old_one_stops_working(
    desk: service.Context, mail_ctx: MailContext, full_wolvega: dict[str, service.Registered]
) -> None:
    anna = full_wolvega["anna"]
    assert anna.cancel_token is not None
    mailing = MailContext(desk.store, desk.edition, mail_ctx.sender, mail_ctx.site_origin, desk.now)
    assert mail.deliver(mailing, mail.RECEIPT, anna.answer.id, anna.cancel_token)

    actions.owe_receipt_again(desk, anna.answer.id)
    assert mail.deliver(mailing, mail.RECEIPT, anna.answer.id)

    assert len(mails_to("anna@example.org")) == 2
    client = Api(desk)
    assert client.cancel(anna.answer.id, anna.cancel_token).status == 404
    assert status_of(desk.store, anna.answer.id) is PLACED


def test_moves_erasures_and_public_cancellations_at_once_keep_every_counter_true(
    busy_store: tuple[Store, Injector],
) -> None:
    # Given Wolvega full with three seated and four waiting, on a DynamoDB that refuses one call in five
    store, injector = busy_store
    ledger = ActionStore(store.table_name, store.client, max_attempts=12, sleep=time.sleep)
    desk = make_context(ledger)
    share, injector.share = injector.share, 0.0
    store.set_capacity(WOLVEGA, 3)
    people = [sign_up(desk, meeting=WOLVEGA, email=f"p{n}@example.org", name=f"P {n}") for n in range(7)]
    # From here one call in five is refused; this seed refuses the first two, whichever thread makes them
    injector.share, injector.random = share, random.Random(28)
    seated, waiting = people[:3], people[3:]

    # When two organisers move two seated people online, one erases a waiting person, and meanwhile a
    # seated and a waiting person cancel with their own links
    def work(index: int) -> object:
        one = [seated[0], seated[1], waiting[1], seated[2], waiting[0]][index]
        token = one.cancel_token
        assert token is not None
        if index < 2:
            return actions.move(desk, one.answer.id, ONLINE)
        if index == 2:
            return actions.erase(desk, one.answer.id)
        return service.cancel_registration(desk, one.answer.id, token)

    results = run_threads(5, work)

    # Then nothing failed, and both meetings' ledgers hold: the two still waiting got the freed seats
    assert [result for _, result in results if isinstance(result, Exception)] == []
    assert injector.injected > 0
    wolvega = assert_seat_invariants(store, WOLVEGA)
    assert (wolvega.placed, wolvega.waiting) == (2, [])
    assert wolvega.ids(PLACED) == {waiting[2].answer.id, waiting[3].answer.id}
    assert assert_seat_invariants(store, ONLINE).ids(PLACED) == {seated[0].answer.id, seated[1].answer.id}

"""Many people at once: the seat counter never overbooks and the waiting list keeps its order.

moto's DynamoDB backend is serialised with one lock (`praatmee.laptop.localaws`), the honest local model of
DynamoDB's serialisable transactions; conflicts and throttling are injected through a botocore event hook,
since moto never produces them. A check-then-write bug in our code would still overbook here.

The threads stand for concurrent Lambda instances and call the service layer: Powertools' resolver keeps
the current event in class state (one event at a time per Lambda process), so its handler is not meant to
be shared by threads. A 5xx can only come from `TryAgain` or an unexpected exception; both fail the test.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from moto import mock_aws

from praatmee import service
from praatmee.laptop.localaws import local_moto
from praatmee.models import RegistrationRequest, RegistrationStatus
from praatmee.store import Store
from tests.fixtures import FakeHttp, assert_seat_invariants, make_context, make_store, valid_body


class Injector:
    """Answers a share of calls with TransactionConflict (transactions) or throttling (single writes)."""

    def __init__(self, share: float, seed: int = 7) -> None:
        self.share = share
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.injected = 0

    def _hit(self) -> bool:
        with self.lock:
            hit = self.random.random() < self.share
            self.injected += hit
            return hit

    def transaction(self, params: dict[str, Any], **_: Any) -> tuple[FakeHttp, dict[str, Any]] | None:
        if not self._hit():
            return None
        reasons = [{"Code": "None"} for _ in json.loads(params["body"])["TransactItems"]]
        reasons[0] = {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}
        return FakeHttp(), {
            "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
            "CancellationReasons": reasons,
        }

    def single(self, params: dict[str, Any], **_: Any) -> tuple[FakeHttp, dict[str, Any]] | None:
        if not self._hit():
            return None
        return FakeHttp(), {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}


@pytest.fixture
def tickets_in_order(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The threads whose ticket write succeeded, in the order the serialised backend applied them."""
    from moto.dynamodb.models import DynamoDBBackend

    order: list[int] = []
    original = DynamoDBBackend.update_item

    def recording(self: Any, *args: Any, **kwargs: Any) -> Any:
        item = original(self, *args, **kwargs)
        if "tickets_issued + " in (kwargs.get("update_expression") or ""):
            order.append(threading.get_ident())
        return item

    monkeypatch.setattr(DynamoDBBackend, "update_item", recording)
    return order


@pytest.fixture
def busy_store(api_settings: None, tickets_in_order: list[int]) -> Iterator[tuple[Store, Injector]]:
    injector = Injector(share=0.2)
    with mock_aws(), local_moto():
        store = make_store(max_attempts=12, sleep=time.sleep)  # real, jittered pauses between retries
        events: Any = store.client.meta.events  # botocore types handlers as returning None
        events.register("before-call.dynamodb.TransactWriteItems", injector.transaction)
        events.register("before-call.dynamodb.UpdateItem", injector.single)
        yield store, injector


def run_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    results: list[Any] = [None] * count
    start = threading.Barrier(count)

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = (threading.get_ident(), work(index))
        except Exception as exc:  # collected and asserted on below
            results[index] = (threading.get_ident(), exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_thousand_at_once_for_thirty_seats_give_thirty_places_and_a_fair_waiting_list(
    busy_store: tuple[Store, Injector], tickets_in_order: list[int]
) -> None:
    # Given a meeting of 30 seats, a busy DynamoDB that answers one call in five with a conflict
    store, injector = busy_store
    ctx = make_context(store)
    requests = [
        RegistrationRequest.model_validate(valid_body(meeting="noord-wolvega", email=f"p{i}@example.org"))
        for i in range(1000)
    ]

    # When 1,000 sign-ups that count at once (as an organiser adds them; a confirmed address takes the same
    # seat transaction: test_confirmation.py) arrive at the same moment
    results = run_threads(1000, lambda i: service.register(ctx, requests[i], added_by_organiser=True))

    # Then nobody got an error (no 5xx), 30 have a seat and 970 wait
    errors = [result for _, result in results if isinstance(result, Exception)]
    assert errors == []
    answers = {ident: result.answer for ident, result in results}
    statuses = [answer.status for answer in answers.values()]
    assert statuses.count(RegistrationStatus.PLACED) == 30
    assert statuses.count(RegistrationStatus.WAITLISTED) == 970
    assert injector.injected > 100

    # And the counter equals the placed registrations, the list length the waiting ones
    ledger = assert_seat_invariants(store, "noord-wolvega")
    assert (ledger.placed, ledger.waitlist_length) == (30, 970)
    assert len(ledger.registrations) == 1000
    assert len(ledger.markers) == 1000

    # And the waiting list is in the order of the successful ticket writes, with positions 1..970
    by_thread = {answer.id: ident for ident, answer in answers.items()}
    assert [by_thread[registration_id] for registration_id in ledger.waiting] == tickets_in_order
    final_rank = {registration_id: rank for rank, registration_id in enumerate(ledger.waiting, start=1)}
    for answer in answers.values():
        if answer.status is RegistrationStatus.WAITLISTED:
            # The position told at sign-up is never better than the final place in the queue
            assert answer.waitlist_position is not None
            assert answer.waitlist_position >= final_rank[answer.id]


def test_twenty_identical_submissions_at_once_give_one_registration(
    busy_store: tuple[Store, Injector],
) -> None:
    # Given one person whose browser sends the form 20 times at once
    store, _ = busy_store
    ctx = make_context(store)
    request = RegistrationRequest.model_validate(valid_body())

    # When all 20 arrive together
    results = run_threads(20, lambda _: service.register(ctx, request))

    # Then there is one registration, unconfirmed, and every answer is that registration's
    assert [r for _, r in results if isinstance(r, Exception)] == []
    assert len({r.answer.id for _, r in results}) == 1
    assert sum(r.stored for _, r in results) == 1
    ledger = assert_seat_invariants(store, "online")
    assert (len(ledger.registrations), len(ledger.markers), ledger.placed) == (1, 1, 0)


def test_ticket_writes_at_once_each_get_their_own_number(api_settings: None) -> None:
    # Given a full meeting on the local DynamoDB (moto under its lock, as the local stack runs it)
    with mock_aws(), local_moto():
        store = make_store()
        store.set_capacity("online", 0)

        # When 300 requests take a waiting-list ticket at the same moment, five each
        results = run_threads(300, lambda _: [store.take_ticket("online")[0] for _ in range(5)])

    # Then every ticket is told once: moto writes its answer from the live item after the backend returns,
    # so the lock covers the whole request, as DynamoDB's own answer reflects its write alone
    tickets = [ticket for _, numbers in results for ticket in numbers]
    assert sorted(tickets) == list(range(1, 1501))

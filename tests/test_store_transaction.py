"""The seat transaction at the botocore boundary: its exact request, retries with one token, odd failures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from praatmee.errors import Duplicate, MeetingFull, TryAgain
from praatmee.store import Store
from praatmee.table import NewRegistration

TOKEN = "3f0c2f55-5a55-4c1e-9a8e-5b1f2d3c4e5f"
NEW = NewRegistration(
    id="0123456789abcdef0123456789abcdef",
    meeting="online",
    email_hash="e" * 64,
    fingerprint="f" * 64,
    token_hash="t" * 64,
    created_at="2027-01-15T12:00:00.000+00:00",
    expires_at=1812150000,
    data={"name": "Saskia", "email": "s@example.org", "themes": ["dyslexie"], "privacy_consent": True},
)

# DESIGN.md's request spelled out: a refactor that drops a condition or reorders the items fails here.
SEAT_TRANSACTION: dict[str, Any] = {
    "ClientRequestToken": TOKEN,
    "TransactItems": [
        {
            "Update": {
                "TableName": "praatmee",
                "Key": {"pk": {"S": "MEETING#online"}, "sk": {"S": "MEETING"}},
                "UpdateExpression": "SET placed = placed + :one",
                # A seat for a newcomer only while one is free and nobody waits.
                "ConditionExpression": (
                    "attribute_exists(pk) AND placed < #capacity AND waitlist_length = :zero"
                ),
                "ExpressionAttributeNames": {"#capacity": "capacity"},
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":zero": {"N": "0"}},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        },
        {
            "Put": {
                "TableName": "praatmee",
                "Item": {
                    "pk": {"S": "EMAIL#" + "e" * 64},
                    "sk": {"S": "EMAIL"},
                    "registration_id": {"S": "0123456789abcdef0123456789abcdef"},
                    "meeting": {"S": "online"},
                    "fingerprint": {"S": "f" * 64},
                    "expires_at": {"N": "1812150000"},
                },
                # Or the marker of an unconfirmed sign-up past its window, which the TTL has not removed yet.
                "ConditionExpression": "attribute_not_exists(pk) OR expires_at < :now",
                "ExpressionAttributeValues": {":now": {"N": "1800014400"}},  # the sign-up's created_at
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        },
        {
            "Put": {
                "TableName": "praatmee",
                "Item": {
                    "pk": {"S": "REG#0123456789abcdef0123456789abcdef"},
                    "sk": {"S": "REG"},
                    "registration_id": {"S": "0123456789abcdef0123456789abcdef"},
                    "meeting": {"S": "online"},
                    "status": {"S": "placed"},
                    "email_hash": {"S": "e" * 64},
                    "token_hash": {"S": "t" * 64},
                    "created_at": {"S": "2027-01-15T12:00:00.000+00:00"},
                    "expires_at": {"N": "1812150000"},
                    "name": {"S": "Saskia"},
                    "email": {"S": "s@example.org"},
                    "themes": {"L": [{"S": "dyslexie"}]},
                    "privacy_consent": {"BOOL": True},
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        },
    ],
}


@pytest.fixture
def stubbed() -> Iterator[tuple[Store, Stubber, list[float]]]:
    client = boto3.client(
        "dynamodb", region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    sleeps: list[float] = []
    with Stubber(client) as stubber:
        yield Store("praatmee", client, sleep=sleeps.append), stubber, sleeps
        stubber.assert_no_pending_responses()


def cancelled(stubber: Stubber, *codes: str, items: dict[int, Any] | None = None) -> None:
    reasons = [{"Code": code} for code in codes]
    for index, item in (items or {}).items():
        reasons[index]["Item"] = item
    stubber.add_client_error(
        "transact_write_items",
        service_error_code="TransactionCanceledException",
        service_message="Transaction cancelled",
        http_status_code=400,
        expected_params=SEAT_TRANSACTION,
        modeled_fields={"CancellationReasons": reasons} if reasons else None,
    )


def test_the_seat_transaction_request_is_exactly_the_designed_one(
    stubbed: tuple[Store, Stubber, list[float]],
) -> None:
    store, stubber, _ = stubbed
    stubber.add_response("transact_write_items", {}, expected_params=SEAT_TRANSACTION)

    store.place(NEW, TOKEN)


def test_conflicts_and_throttling_are_retried_with_the_same_token_and_jitter(
    stubbed: tuple[Store, Stubber, list[float]],
) -> None:
    # Given DynamoDB answers a conflict, then throttling, then success (expected_params pin one token)
    store, stubber, sleeps = stubbed
    cancelled(stubber, "TransactionConflict", "None", "None")
    stubber.add_client_error(
        "transact_write_items", service_error_code="ThrottlingException", expected_params=SEAT_TRANSACTION
    )
    stubber.add_response("transact_write_items", {}, expected_params=SEAT_TRANSACTION)

    # When a seat is taken / Then it succeeds after two bounded, jittered pauses
    store.place(NEW, TOKEN)
    assert len(sleeps) == 2
    assert all(0 <= pause <= 0.2 for pause in sleeps)


def test_a_timeout_is_retried_with_the_same_token(stubbed: tuple[Store, Stubber, list[float]]) -> None:
    from botocore.exceptions import ReadTimeoutError

    store, stubber, _ = stubbed
    calls: list[str] = []

    def time_out_once(params: dict[str, Any], **_: Any) -> None:
        calls.append(params["ClientRequestToken"])
        if len(calls) == 1:
            raise ReadTimeoutError(endpoint_url="https://dynamodb")

    store.client.meta.events.register("provide-client-params.dynamodb.TransactWriteItems", time_out_once)
    stubber.add_response("transact_write_items", {}, expected_params=SEAT_TRANSACTION)

    store.place(NEW, TOKEN)
    assert calls == [TOKEN, TOKEN]


def test_endless_conflicts_end_in_try_again(stubbed: tuple[Store, Stubber, list[float]]) -> None:
    store, stubber, sleeps = stubbed
    for _ in range(store.dynamo.max_attempts):
        cancelled(stubber, "None", "TransactionConflict", "None")

    with pytest.raises(TryAgain):
        store.place(NEW, TOKEN)
    assert len(sleeps) == store.dynamo.max_attempts - 1


def test_a_failed_counter_condition_means_full(stubbed: tuple[Store, Stubber, list[float]]) -> None:
    store, stubber, _ = stubbed
    meeting = {"pk": {"S": "MEETING#online"}, "placed": {"N": "50"}, "capacity": {"N": "50"}}
    cancelled(stubber, "ConditionalCheckFailed", "None", "None", items={0: meeting})

    with pytest.raises(MeetingFull):
        store.place(NEW, TOKEN)


def test_a_failed_marker_condition_means_duplicate_even_when_full(
    stubbed: tuple[Store, Stubber, list[float]],
) -> None:
    store, stubber, _ = stubbed
    marker = {"registration_id": {"S": "a" * 32}, "fingerprint": {"S": "f" * 64}}
    cancelled(stubber, "ConditionalCheckFailed", "ConditionalCheckFailed", "None", items={1: marker})

    with pytest.raises(Duplicate) as raised:
        store.place(NEW, TOKEN)
    assert (raised.value.registration_id, raised.value.fingerprint) == ("a" * 32, "f" * 64)


@pytest.mark.parametrize(
    "reasons",
    [
        [],
        ["None", "None", "None"],
        ["ConditionalCheckFailed", "None"],
        ["ValidationError", "None", "None"],
        ["ConditionalCheckFailed", "None", "ItemCollectionSizeLimitExceeded"],
        ["None", "None", "ConditionalCheckFailed"],
    ],
)
def test_missing_or_odd_reasons_are_never_read_as_full(
    stubbed: tuple[Store, Stubber, list[float]], reasons: list[str]
) -> None:
    store, stubber, _ = stubbed
    cancelled(stubber, *reasons)

    with pytest.raises(TryAgain):
        store.place(NEW, TOKEN)


def test_a_missing_meeting_item_is_not_full_but_try_again(
    stubbed: tuple[Store, Stubber, list[float]],
) -> None:
    store, stubber, _ = stubbed
    cancelled(stubber, "ConditionalCheckFailed", "None", "None")

    with pytest.raises(TryAgain):
        store.place(NEW, TOKEN)


@pytest.mark.parametrize(
    "code", ["AccessDeniedException", "ResourceNotFoundException", "IdempotentParameterMismatch"]
)
def test_other_errors_become_try_again(stubbed: tuple[Store, Stubber, list[float]], code: str) -> None:
    store, stubber, _ = stubbed
    stubber.add_client_error("transact_write_items", service_error_code=code)

    with pytest.raises(TryAgain):
        store.place(NEW, TOKEN)

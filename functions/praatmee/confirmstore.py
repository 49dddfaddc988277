"""The store's writes for confirming an address: part of the ledger (store.py), kept apart because that module
is full. Only these functions and `Store` write a registration's life; they use the same item builders.

An unconfirmed sign-up holds its uniqueness marker and its registration, both with a TTL at the end of the
confirm window, and nothing else: no seat, no waiting-list entry, no applicant count. DynamoDB deletes
expired items lazily (up to days later), so every condition treats an item past its `expires_at` as gone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import TYPE_CHECKING, Any

from praatmee.dynamo import ConditionFailed, TransactionCancelled, n, plain, s
from praatmee.errors import StateChanged
from praatmee.models import RegistrationStatus
from praatmee.table import marker_key, registration_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

    from praatmee.store import Store
    from praatmee.table import NewRegistration

UNCONFIRMED = RegistrationStatus.UNCONFIRMED


def epoch(moment: str | dt.datetime) -> int:
    """Epoch seconds of a time stamp as the items store it (ISO 8601 with a zone), or of an aware time."""
    at = dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return int(at.timestamp())


def window_closed(expires_at: int, now: dt.datetime) -> bool:
    """Whether an unconfirmed sign-up's confirm window (ending at `expires_at`) is over at `now`: the one
    rule of expiry in Python, as the conditions below write it (`expires_at < :now`)."""
    return expires_at < epoch(now)


def marker_put(store: Store, new: NewRegistration) -> TransactWriteItemTypeDef:
    """The uniqueness marker of a new sign-up: where none is, or where the one there has expired (an
    unconfirmed sign-up past its window, not yet removed by the TTL), so the address can sign up again."""
    put = store._put_new(new.marker(), report_old=True)
    put["Put"]["ConditionExpression"] = "attribute_not_exists(pk) OR expires_at < :now"
    put["Put"]["ExpressionAttributeValues"] = {":now": n(epoch(new.created_at))}
    return put


def read(store: Store, registration_id: str) -> dict[str, Any] | None:
    """A registration as plain values (consistent read), or None."""
    response = store.dynamo.call(
        "get_item", TableName=store.table_name, Key=registration_key(registration_id), ConsistentRead=True
    )
    item = response.get("Item")
    return None if item is None else plain(item)


def claim(
    store: Store, registration_id: str, email_hash: str, now: int, at: str, keep_until: int, token: str
) -> None:
    """The first half of confirming: while the window is open, the registration and its marker get the
    edition's TTL and `confirmed_at`. Still `unconfirmed` (the seat or application is the second half, which a
    retry redoes). Raises `StateChanged` when the window closed or the marker went to a newer sign-up."""
    items: list[TransactWriteItemTypeDef] = [
        {
            "Update": {
                "TableName": store.table_name,
                "Key": registration_key(registration_id),
                "UpdateExpression": "SET confirmed_at = :at, expires_at = :keep",
                "ConditionExpression": "#status = :unconfirmed AND expires_at >= :now",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {
                    ":at": s(at),
                    ":keep": n(keep_until),
                    ":now": n(now),
                    ":unconfirmed": s(UNCONFIRMED.value),
                },
            }
        },
        {
            "Update": {
                "TableName": store.table_name,
                "Key": marker_key(email_hash),
                "UpdateExpression": "SET expires_at = :keep",
                "ConditionExpression": "registration_id = :id",
                "ExpressionAttributeValues": {":keep": n(keep_until), ":id": s(registration_id)},
            }
        },
    ]
    try:
        store.dynamo.transact(items, token)
    except TransactionCancelled as cancelled:
        raise StateChanged(",".join(cancelled.reasons)) from cancelled


def apply(store: Store, registration_id: str, meeting_id: str, token: str) -> None:
    """A confirmed sign-up enters the draw's pool (`allocation: draw`). Raises `StateChanged`."""
    from praatmee.store import APPLY

    items = [
        store._meeting_update(meeting_id, APPLY, ""),
        store._move_item(registration_id, UNCONFIRMED, RegistrationStatus.APPLIED),
    ]
    try:
        store.dynamo.transact(items, token)
    except TransactionCancelled as cancelled:
        raise StateChanged("not unconfirmed anymore") from cancelled


def delete_expired(store: Store, registration_id: str, email_hash: str, now: int) -> bool:
    """Delete an unconfirmed sign-up past its window, with its marker unless a newer sign-up took that over
    (two writes: either alone leaves nothing that counts). True when the registration was deleted."""
    past = {":id": s(registration_id), ":now": n(now)}
    with contextlib.suppress(ConditionFailed):  # gone already, or a newer sign-up's
        store.dynamo.call(
            "delete_item",
            TableName=store.table_name,
            Key=marker_key(email_hash),
            ConditionExpression="registration_id = :id AND expires_at < :now",
            ExpressionAttributeValues=past,
        )
    try:
        store.dynamo.call(
            "delete_item",
            TableName=store.table_name,
            Key=registration_key(registration_id),
            ConditionExpression="#status = :unconfirmed AND expires_at < :now",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":unconfirmed": s(UNCONFIRMED.value), ":now": n(now)},
        )
    except ConditionFailed:
        return False
    return True

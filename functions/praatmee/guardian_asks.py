"""How often one address was asked for a guardian's consent by sign-ups it did not make, across all meetings.

| item | pk | sk | holds |
|---|---|---|---|
| consent requests | `ASKED#<keyed hash of the guardian's address>` | `ASKED` | `asked`, `expires_at` |

Whoever signs up a pupil under 16 chooses the guardian's address, and each sign-up mails it a request; the
uniqueness marker limits pupils per *pupil* address only, so without this count one stranger could send one
person any number of mails. A family with a few children under 16 stays well below `LIMIT`.

The count is one item, raised by an atomic `ADD` under the condition `asked < LIMIT` (never read, then
written), and taken before the registration is written: if the write does not happen the count is given back,
so it counts written sign-ups only. A crash in between leaves it one too high, which errs towards fewer mails.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING

from praatmee.dynamo import ConditionFailed, Item, n, s
from praatmee.errors import Duplicate, GuardianAskedTooOften, TryAgain
from praatmee.models import normalise_email
from praatmee.table import marker_key

if TYPE_CHECKING:
    from praatmee.store import Store

# Sign-ups that may name one address as guardian during an edition: enough for three children under 16.
LIMIT = 3
PURPOSE = "guardian-asked"  # of the keyed hash (service.keyed_hash) that names the address
ASKED_PREFIX = "ASKED#"
ASKED_SK = "ASKED"


def address_hash(key: bytes, email: str) -> str:
    from praatmee.service import keyed_hash  # imported here: service imports this module

    return keyed_hash(key, PURPOSE, normalise_email(email))


def asked_key(address_hash: str) -> Item:
    return {"pk": s(f"{ASKED_PREFIX}{address_hash}"), "sk": s(ASKED_SK)}


def asked(store: Store, address_hash: str) -> int:
    """How many requests the address got (a consistent read)."""
    item = store.dynamo.call(
        "get_item", TableName=store.table_name, Key=asked_key(address_hash), ConsistentRead=True
    ).get("Item")
    return int(item["asked"]["N"]) if item else 0


@contextmanager
def counted(
    store: Store, key: bytes, guardian: str | None, email_hash: str, expires_at: int, limit: int = LIMIT
) -> Iterator[None]:
    """Count one request to the `guardian` address for the write inside the block; given back if the block
    fails. None (no guardian, or a sign-up by an organiser, who is no stranger) counts nothing.

    Over the limit it raises `GuardianAskedTooOften`, or `Duplicate` when this very sign-up was written
    before (a double click is answered as the first click was).
    """
    if guardian is None:
        yield
        return
    hashed = address_hash(key, guardian)
    try:
        store.dynamo.call(
            "update_item",
            TableName=store.table_name,
            Key=asked_key(hashed),
            UpdateExpression="ADD asked :one SET expires_at = :expires",
            ConditionExpression="attribute_not_exists(asked) OR asked < :limit",
            ExpressionAttributeValues={":one": n(1), ":expires": n(expires_at), ":limit": n(limit)},
        )
    except ConditionFailed as exc:
        earlier = _earlier_sign_up(store, email_hash)
        if earlier is not None:
            raise earlier from exc
        raise GuardianAskedTooOften(f"limit {limit}") from exc
    try:
        yield
    except BaseException:
        _give_back(store, hashed)
        raise


def _give_back(store: Store, address_hash: str) -> None:
    # Left one too high when this fails: fewer mails, never more.
    with suppress(ConditionFailed, TryAgain):
        store.dynamo.call(
            "update_item",
            TableName=store.table_name,
            Key=asked_key(address_hash),
            UpdateExpression="ADD asked :minus",
            ConditionExpression="asked > :zero",
            ExpressionAttributeValues={":minus": n(-1), ":zero": n(0)},
        )


def _earlier_sign_up(store: Store, email_hash: str) -> Duplicate | None:
    """The uniqueness marker of this pupil's address, as the seat transaction would report it."""
    item = store.dynamo.call(
        "get_item", TableName=store.table_name, Key=marker_key(email_hash), ConsistentRead=True
    ).get("Item")
    if item is None:
        return None
    return Duplicate(item["registration_id"]["S"], item["fingerprint"]["S"])

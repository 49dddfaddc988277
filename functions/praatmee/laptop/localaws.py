"""Local AWS for tests and the local stack: moto, made honest about concurrency.

moto is not safe under concurrent requests (its transactions copy and restore whole tables), so it
overbooks under threads. One re-entrant lock around every public method of its DynamoDB backend gives
the serialisable transactions real DynamoDB has, minus conflicts (which tests inject through botocore).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def _locked(method: Callable[..., Any], lock: threading.RLock) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return method(*args, **kwargs)

    call.__praatmee_serialised__ = True  # type: ignore[attr-defined]
    return call


@contextmanager
def serialised_dynamodb(lock: threading.RLock | None = None) -> Iterator[threading.RLock]:
    """Serialise moto's DynamoDB under one lock while the block runs: every public method of its backend
    (every instance), and the handling of each request as a whole, because moto writes an answer from the
    live item after the backend returns (two ticket writes at once could both read the later count)."""
    from moto.dynamodb.models import DynamoDBBackend  # moto is a development dependency: import late
    from moto.dynamodb.responses import DynamoHandler

    lock = lock or threading.RLock()
    originals: list[tuple[type, str, Any]] = []
    members: list[tuple[type, str, Any]] = [(DynamoDBBackend, n, m) for n, m in vars(DynamoDBBackend).items()]
    members.append((DynamoHandler, "call_action", vars(DynamoHandler)["call_action"]))
    for owner, name, member in members:
        if name.startswith("_") or not callable(member) or getattr(member, "__praatmee_serialised__", False):
            continue
        originals.append((owner, name, member))
        setattr(owner, name, _locked(member, lock))
    try:
        yield lock
    finally:
        for owner, name, member in originals:
            setattr(owner, name, member)


@contextmanager
def cheap_transaction_snapshots() -> Iterator[None]:
    """Make moto's transactions cost what they touch, not the size of the table.

    Before each transaction moto deep-copies every table it names, to restore it on failure; with a few
    thousand items a test of 1,000 sign-ups then takes minutes. This snapshot copies the table's key index
    (cheap dicts) and deep-copies only the items the transaction touches, which is all a rollback needs
    while the backend is serialised (`serialised_dynamodb`). Results are the same; only time differs.
    """
    import copy as stdlib_copy
    import types

    import moto.dynamodb.models as models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    touched = threading.local()
    original = models.DynamoDBBackend.transact_write_items

    def snapshot(value: Any, memo: Any = None) -> Any:
        keys = getattr(touched, "keys", None)
        if keys is None or not isinstance(value, Table) or not value.has_range_key:
            return stdlib_copy.deepcopy(value, memo)
        clone = stdlib_copy.copy(value)
        # dict.copy keeps the stored hashes (moto's key objects are slow to hash); partitions the
        # transaction does not touch are shared, the touched ones copied, their touched items deep-copied.
        clone.items = value.items.copy()
        for table_name, key in keys:
            if table_name != value.name:
                continue
            hash_key = DynamoType(key[value.hash_key_attr])
            range_key = DynamoType(key[value.range_key_attr])
            partition = value.items.get(hash_key)
            if partition is None:
                continue
            if clone.items[hash_key] is partition:
                clone.items[hash_key] = partition.copy()
            item = partition.get(range_key)
            if item is not None:
                clone.items[hash_key][range_key] = stdlib_copy.deepcopy(item)
        return clone

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        keys = []
        for entry in transact_items:
            _, operation = next(iter(entry.items()))
            keys.append((operation.get("TableName"), operation.get("Key") or operation.get("Item") or {}))
        touched.keys = keys
        try:
            return original(self, transact_items)
        finally:
            touched.keys = None

    shim = types.SimpleNamespace(deepcopy=snapshot, copy=stdlib_copy.copy)
    models.copy = shim  # type: ignore[assignment,attr-defined]
    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    try:
        yield
    finally:
        models.copy = stdlib_copy  # type: ignore[attr-defined]
        models.DynamoDBBackend.transact_write_items = original  # type: ignore[method-assign]

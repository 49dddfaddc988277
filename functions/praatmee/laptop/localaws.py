"""Local AWS for tests and the local stack: moto, made honest about concurrency and lean in memory.

moto is not safe under concurrent requests (its transactions copy and restore whole tables), so it
overbooks under threads. One re-entrant lock around every public method of its DynamoDB backend gives
the serialisable transactions real DynamoDB has, minus conflicts (which tests inject through botocore).
`local_moto` is what `praatmee serve` and the tests run: that lock, transactions that copy only what they
touch, and model instances that die when moto lets go of them.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
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


class _WeaklyTracked(weakref.WeakSet[Any]):
    """moto's list of a model class's instances (for its dashboard), without keeping them alive."""

    def append(self, instance: Any) -> None:
        # A model without weak references stays out of the dashboard.
        with contextlib.suppress(TypeError):
            self.add(instance)


@contextmanager
def weakly_tracked_models() -> Iterator[None]:
    """Let moto's models go when moto lets go of them.

    moto appends every model object it creates (each DynamoDB item, each copy of one, each table copy a
    transaction snapshots) to a list on its class, for its dashboard, and never empties it: the local
    stack grew by megabytes per sign-up. The list becomes a weak set; the dashboard still lists every
    object alive.
    """
    from moto.core.common_models import BaseModel

    original = vars(BaseModel)["__new__"]

    def tracked_weakly(cls: type, *args: Any, **kwargs: Any) -> Any:
        instance = super(BaseModel, cls).__new__(cls)  # type: ignore[misc]
        tracked = cls.instances_tracked  # type: ignore[attr-defined]
        if not isinstance(tracked, _WeaklyTracked):
            # Each class gets its list when moto defines it (and back when moto resets): swap it once.
            tracked = _WeaklyTracked()
            for earlier in cls.instances_tracked:  # type: ignore[attr-defined]
                tracked.append(earlier)
            cls.instances_tracked = tracked  # type: ignore[attr-defined]
        tracked.append(instance)
        return instance

    BaseModel.__new__ = staticmethod(tracked_weakly)  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseModel.__new__ = original  # type: ignore[method-assign]


@contextmanager
def local_moto(lock: threading.RLock | None = None) -> Iterator[threading.RLock]:
    """moto as the local stack and the tests run it: DynamoDB serialised under `lock`, transactions that
    snapshot only what they touch, and no model object kept after moto drops it."""
    with ExitStack() as stack:
        serialised = stack.enter_context(serialised_dynamodb(lock))
        stack.enter_context(cheap_transaction_snapshots())
        stack.enter_context(weakly_tracked_models())
        yield serialised

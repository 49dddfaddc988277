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
    """Serialise moto's `DynamoDBBackend` (every instance) under one lock while the block runs."""
    from moto.dynamodb.models import DynamoDBBackend  # moto is a development dependency: import late

    lock = lock or threading.RLock()
    originals: dict[str, Any] = {}
    for name, member in vars(DynamoDBBackend).items():
        if name.startswith("_") or not callable(member) or getattr(member, "__praatmee_serialised__", False):
            continue
        originals[name] = member
        setattr(DynamoDBBackend, name, _locked(member, lock))
    try:
        yield lock
    finally:
        for name, member in originals.items():
            setattr(DynamoDBBackend, name, member)

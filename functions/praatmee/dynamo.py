"""A small DynamoDB client that retries: transactions, single calls, reading error codes, marshalling.

It knows nothing of what the table holds; `store.py` does. Retries keep the request as it was, so a
transaction retried with its `ClientRequestToken` after a timeout cannot apply twice. Every answer that is not
clear becomes `TryAgain`. Besides the mail sender and the export bucket, the only module that talks to boto3.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from praatmee.awsconfig import DYNAMO_TIMEOUT_ATTEMPTS
from praatmee.errors import TryAgain

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

Item = dict[str, "AttributeValueTypeDef"]

# Cancellation reasons and error codes after which the same request may simply be sent again.
RETRY_REASONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})
RETRY_ERRORS = frozenset(
    {
        "TransactionInProgressException",
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)
CHECK_FAILED = "ConditionalCheckFailed"
NO_REASON = "None"
# Reads may be sent again after a timeout; a write that timed out may have happened.
REPEATABLE = frozenset({"get_item", "query", "batch_get_item"})


def n(value: int) -> AttributeValueTypeDef:
    return {"N": str(value)}


def s(value: str) -> AttributeValueTypeDef:
    return {"S": value}


def to_attribute(value: Any) -> AttributeValueTypeDef:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, list):
        return {"L": [to_attribute(v) for v in value]}
    if isinstance(value, dict):
        return {"M": {k: to_attribute(v) for k, v in value.items() if v is not None}}
    raise TypeError(f"cannot store a {type(value).__name__}")


def from_attribute(value: Any) -> Any:
    kind, inner = next(iter(value.items()))
    if kind == "N":
        return int(inner)
    if kind == "L":
        return [from_attribute(v) for v in inner]
    if kind == "M":
        return {k: from_attribute(v) for k, v in inner.items()}
    if kind == "NULL":
        return None
    return inner  # S, BOOL


def plain(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item as plain Python values (numbers are whole numbers in this table)."""
    return {name: from_attribute(value) for name, value in item.items()}


def new_token() -> str:
    """A ClientRequestToken: one per logical transaction, reused by its retries."""
    return str(uuid.uuid4())


class ConditionFailed(Exception):
    """The condition of a single call did not hold: nothing was written."""


class TransactionCancelled(Exception):
    """A transaction was cancelled for reasons that are not worth a retry."""

    def __init__(self, reasons: list[str], items: list[Item | None]) -> None:
        super().__init__(",".join(reasons))
        self.reasons = reasons
        self.items = items


def full_jitter(attempt: int) -> float:
    # Full jitter (AWS architecture blog): spreads retries of competing writers apart.
    return random.uniform(0, min(0.2, 0.01 * 2**attempt))  # noqa: S311 - timing jitter, not a secret


def default_client() -> DynamoDBClient:
    """A DynamoDB client without botocore's own retries: `Dynamo` retries, so it can keep one token."""
    from praatmee import awsconfig

    # DynamoDB validates every request itself; botocore's client-side copy of that check is most of
    # the warm time of a sign-up (bench_api_warm.py), so it is off.
    client: DynamoDBClient = awsconfig.client("dynamodb", attempts=1, parameter_validation=False)
    return client


class Dynamo:
    """Sends requests, retrying conflicts, throttling and timeouts where sending again is safe."""

    def __init__(
        self,
        client: DynamoDBClient | None = None,
        *,
        max_attempts: int = 8,
        timeout_attempts: int = DYNAMO_TIMEOUT_ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
        backoff: Callable[[int], float] = full_jitter,
    ) -> None:
        self._client = client
        self.max_attempts = max_attempts
        # Timeouts are retried less often than conflicts: each costs a whole read timeout (awsconfig.py).
        self.timeout_attempts = timeout_attempts
        self._sleep = sleep
        self._backoff = backoff

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            self._client = default_client()
        return self._client

    def transact(self, items: Sequence[TransactWriteItemTypeDef], token: str) -> None:
        """Send one transaction, retrying conflicts, throttling and timeouts with the same token.

        The token makes a retry after an unclear failure (a timeout after DynamoDB committed) harmless.
        Raises `TransactionCancelled` for condition failures and `TryAgain` when no clear answer came.
        """
        from botocore.exceptions import BotoCoreError, ClientError

        timeouts = 0
        for attempt in range(self.max_attempts):
            if attempt:
                self._sleep(self._backoff(attempt))
            try:
                self.client.transact_write_items(TransactItems=list(items), ClientRequestToken=token)
                return
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                if code == "TransactionCanceledException":
                    raw = exc.response.get("CancellationReasons") or []
                    reasons = [str(r.get("Code") or NO_REASON) for r in raw]
                    if any(reason in RETRY_REASONS for reason in reasons):
                        continue
                    if len(reasons) != len(items) or CHECK_FAILED not in reasons:
                        # Missing or odd reasons are never read as a failed condition: ask to try again.
                        raise TryAgain(f"transaction cancelled: {reasons or 'no reasons'}") from exc
                    items_old = [cast("Item | None", r.get("Item")) for r in raw]
                    raise TransactionCancelled(reasons, items_old) from exc
                if code in RETRY_ERRORS:
                    continue
                raise TryAgain(f"dynamodb error {code}") from exc
            except BotoCoreError as exc:  # timeouts and connection errors: maybe committed, so same token
                timeouts += 1
                if attempt + 1 == self.max_attempts or timeouts == self.timeout_attempts:
                    raise TryAgain(f"dynamodb unreachable: {type(exc).__name__}") from exc
        raise TryAgain("dynamodb stayed busy")

    def call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        """A single-item call with the same retry policy. Raises `ConditionFailed` and `TryAgain`."""
        from botocore.exceptions import BotoCoreError, ClientError

        method = getattr(self.client, operation)
        timeouts = 0
        for attempt in range(self.max_attempts):
            if attempt:
                self._sleep(self._backoff(attempt))
            try:
                response: dict[str, Any] = method(**kwargs)
                return response
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                if code in RETRY_ERRORS:
                    continue
                if code == "ConditionalCheckFailedException":
                    raise ConditionFailed(operation) from exc
                raise TryAgain(f"dynamodb error {code}") from exc
            except BotoCoreError as exc:
                timeouts += 1
                last = attempt + 1 == self.max_attempts or timeouts == self.timeout_attempts
                if last or operation not in REPEATABLE:
                    # A write that timed out may have happened: do not repeat it blindly.
                    raise TryAgain(f"dynamodb unreachable: {type(exc).__name__}") from exc
        raise TryAgain("dynamodb stayed busy")

    def pages(self, operation: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every page of a query or scan, each asked for only when the one before is used up."""
        while True:
            page = self.call(operation, **kwargs)
            yield page
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def batch_get(self, table_name: str, keys: list[Item]) -> list[Item]:
        """The items of `keys` (eventually consistent), asking again for keys DynamoDB left unprocessed."""
        request: dict[str, Any] = {table_name: {"Keys": keys}}
        items: list[Item] = []
        for _ in range(self.max_attempts):
            response = self.call("batch_get_item", RequestItems=request)
            items += response["Responses"].get(table_name, [])
            request = response.get("UnprocessedKeys") or {}
            if not request:
                return items
            self._sleep(self._backoff(1))
        raise TryAgain("dynamodb left keys unprocessed")

"""One botocore configuration for every AWS client the functions make: short timeouts, few attempts.

botocore's defaults (60 s connect, 60 s read, several attempts) outlast the registration API's 10 s: a slow
SES call then ended the function mid-send, and the receipt with its cancel link was lost. Every client is made
here, so its worst case (`WORST_CASE_SECONDS`) is known and a test holds it well inside the shortest function
timeout of the synthesised template.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.config import Config

CONNECT_TIMEOUT = 1.0
READ_TIMEOUT = 2.0
# botocore's attempts for every client but DynamoDB's (whose `Dynamo` retries itself, with one token).
ATTEMPTS = 2
# botocore's standard mode waits at most 1 s before its second attempt (random(0, 1) * 2 ** 0).
BACKOFF_SECONDS = 1.0
# `Dynamo` repeats a request after a timeout this often at most (conflicts, which answer fast, more often).
DYNAMO_TIMEOUT_ATTEMPTS = 2
DYNAMO_JITTER_SECONDS = 0.2

PER_ATTEMPT_SECONDS = CONNECT_TIMEOUT + READ_TIMEOUT
# The longest one call can take before it gives up, whatever the service.
WORST_CASE_SECONDS = max(
    ATTEMPTS * PER_ATTEMPT_SECONDS + (ATTEMPTS - 1) * BACKOFF_SECONDS,
    DYNAMO_TIMEOUT_ATTEMPTS * PER_ATTEMPT_SECONDS + (DYNAMO_TIMEOUT_ATTEMPTS - 1) * DYNAMO_JITTER_SECONDS,
)


def config(*, attempts: int = ATTEMPTS, **options: Any) -> Config:
    """The shared configuration; `options` add what one client needs (S3's signature version)."""
    from botocore.config import Config

    return Config(
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        retries={"total_max_attempts": attempts, "mode": "standard"},
        **options,
    )


def client(service: str, *, attempts: int = ATTEMPTS, **options: Any) -> Any:
    """A boto3 client of `service` with the shared timeouts and attempts."""
    import boto3  # paid on the first call that needs AWS, never on import

    return boto3.client(service, config=config(attempts=attempts, **options))  # type: ignore[call-overload]
